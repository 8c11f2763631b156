package dev.kiln.processor.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A layer's activation.
 *
 * @param parameter the network parameter the activation names (θ, β), present exactly when
 *     {@code kind} takes one
 * @param origin the activation annotation; for a layer without one (the identity), the layer's
 */
public record Activation(ActivationKind kind, Optional<String> parameter, Origin origin) {
  public Activation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(parameter, "parameter");
    Objects.requireNonNull(origin, "origin");
    if (parameter.isPresent() != kind.parameterRole().isPresent()) {
      throw new IllegalArgumentException(kind + " activation with parameter " + parameter);
    }
  }

  /** The activation of a layer that declares none. */
  public static Activation identity(Origin layerOrigin) {
    return new Activation(ActivationKind.IDENTITY, Optional.empty(), layerOrigin);
  }

  /** How the generated code's comments describe it: {@code relu}, {@code theta_leaky(theta)}. */
  public String describe() {
    return kind.opName() + parameter.map(p -> "(" + p + ")").orElse("");
  }
}
