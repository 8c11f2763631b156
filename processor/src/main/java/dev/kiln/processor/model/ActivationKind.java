package dev.kiln.processor.model;

import java.util.Optional;

/** The activations of the DSL, each with its annotation and, for θ-leaky and Swish, its parameter. */
public enum ActivationKind {
  IDENTITY("dev.kiln.dsl.Identity", "identity", null),
  RELU("dev.kiln.dsl.Relu", "relu", null),
  SIGMOID("dev.kiln.dsl.Sigmoid", "sigmoid", null),
  TANH("dev.kiln.dsl.Tanh", "tanh", null),
  SOFTPLUS("dev.kiln.dsl.Softplus", "softplus", null),
  ELU("dev.kiln.dsl.Elu", "elu", null),
  SELU("dev.kiln.dsl.Selu", "selu", null),
  GELU("dev.kiln.dsl.Gelu", "gelu", null),
  SWISH("dev.kiln.dsl.Swish", "swish", ParameterRole.BETA),
  THETA_LEAKY("dev.kiln.dsl.ThetaLeaky", "theta_leaky", ParameterRole.THETA);

  private final String annotationType;
  private final String opName;
  private final ParameterRole parameterRole;

  ActivationKind(String annotationType, String opName, ParameterRole parameterRole) {
    this.annotationType = annotationType;
    this.opName = opName;
    this.parameterRole = parameterRole;
  }

  /** The qualified name of the activation's annotation type. */
  public String annotationType() {
    return annotationType;
  }

  /** The TensorFlow name of the activation's op in a layer's name scope, e.g. {@code theta_leaky}. */
  public String opName() {
    return opName;
  }

  /** The role of the network parameter the activation names in its {@code value}, if it has one. */
  public Optional<ParameterRole> parameterRole() {
    return Optional.ofNullable(parameterRole);
  }

  public static Optional<ActivationKind> forAnnotationType(String qualifiedName) {
    for (ActivationKind kind : values()) {
      if (kind.annotationType.equals(qualifiedName)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
