package dev.kiln.processor;

import dev.kiln.dsl.LearnedWidth;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Padding;
import dev.kiln.dsl.Relaxed;
import dev.kiln.processor.model.Activation;
import dev.kiln.processor.model.ActivationKind;
import dev.kiln.processor.model.DropoutModel;
import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.FlattenLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.LearnedWidthModel;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.OptimizerModel;
import dev.kiln.processor.model.Origin;
import dev.kiln.processor.model.ParameterModel;
import dev.kiln.processor.model.ParameterModel.AnnealedParameter;
import dev.kiln.processor.model.ParameterModel.FixedParameter;
import dev.kiln.processor.model.ParameterModel.TrainableParameter;
import dev.kiln.processor.model.ParameterRole;
import dev.kiln.processor.model.ParameterUse;
import dev.kiln.processor.model.PoolingModel;
import dev.kiln.processor.model.RegularizationModel;
import dev.kiln.processor.model.RelaxationModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Reads a {@code @Network} type into a {@link NetworkModel}. It reports only what the model cannot
 * represent (a member that is two things at once, a type that cannot be a network); everything
 * else is checked by {@link NetworkValidator} on the model.
 */
final class NetworkParser {
  static final String NETWORK = "dev.kiln.dsl.Network";
  private static final String INPUT = "dev.kiln.dsl.Input";
  private static final String DENSE = "dev.kiln.dsl.Dense";
  private static final String OUTPUT = "dev.kiln.dsl.Output";
  private static final String CONV_2D = "dev.kiln.dsl.Conv2D";
  private static final String FLATTEN = "dev.kiln.dsl.Flatten";
  private static final String FIXED = "dev.kiln.dsl.Fixed";
  private static final String ANNEALED = "dev.kiln.dsl.Annealed";
  private static final String TRAINABLE = "dev.kiln.dsl.Trainable";
  private static final Set<String> LAYERS = Set.of(INPUT, DENSE, CONV_2D, FLATTEN, OUTPUT);
  private static final String MAX_POOL = "dev.kiln.dsl.MaxPool";
  private static final String DROPOUT = "dev.kiln.dsl.Dropout";
  private static final String REGULARIZATION = "dev.kiln.dsl.Regularization";
  private static final String LEARNED_WIDTH = "dev.kiln.dsl.LearnedWidth";
  /** What each layer modifier applies to, as messages say it. */
  private static final Map<String, String> MODIFIER_PLACES = Map.of(
      MAX_POOL, "max-pooling goes beside a @Conv2D layer, after its activation",
      DROPOUT, "dropout goes beside a hidden @Dense or @Conv2D layer, after its activation (and pooling)",
      REGULARIZATION, "a weight penalty goes on a @Dense, @Conv2D or @Output layer, or on the network type for "
          + "all of them",
      LEARNED_WIDTH, "a learned width goes on a hidden @Dense or @Conv2D layer (the output's width is the number of "
          + "logits)");
  private static final Set<String> PARAMETERS = Set.of(FIXED, ANNEALED, TRAINABLE);
  private static final String SGD = "dev.kiln.dsl.Sgd";
  private static final String MOMENTUM = "dev.kiln.dsl.Momentum";
  private static final String ADAM = "dev.kiln.dsl.Adam";
  private static final String RMS_PROP = "dev.kiln.dsl.RmsProp";
  private static final String RPROP = "dev.kiln.dsl.Rprop";
  private static final Set<String> OPTIMIZERS = Set.of(SGD, MOMENTUM, ADAM, RMS_PROP, RPROP);
  private static final String RELAXED = "dev.kiln.dsl.Relaxed";
  private static final String LAYER_TYPE = "dev.kiln.dsl.Layer";

  private final Elements elements;
  private final AnnotationReader reader;
  private final ScheduleParser schedules;
  private final Diagnostics diagnostics;

  NetworkParser(Elements elements, AnnotationReader reader, ScheduleParser schedules, Diagnostics diagnostics) {
    this.elements = elements;
    this.reader = reader;
    this.schedules = schedules;
    this.diagnostics = diagnostics;
  }

  /** The network declared by {@code type}; empty if the type cannot declare one (reported). */
  Optional<NetworkModel> parse(TypeElement type) {
    Origin origin = Origin.of(type, AnnotationReader.find(type, NETWORK).orElseThrow());
    if (!canDeclareNetwork(type, origin)) {
      return Optional.empty();
    }
    Loss loss = reader.enumValue(origin, "loss", Loss.class);
    long seed = reader.longValue(origin, "seed");

    List<LayerModel> layers = new ArrayList<>();
    List<Element> parameterMembers = new ArrayList<>();
    for (Element member : type.getEnclosedElements()) {
      if (member.getKind() != ElementKind.METHOD && member.getKind() != ElementKind.FIELD) {
        continue;
      }
      MemberAnnotations annotations = MemberAnnotations.of(member);
      if (!hasNetworkForm(type, member, annotations)) {
        continue;
      }
      if (!annotations.layers().isEmpty()) {
        layers.add(layer(member, annotations, loss));
      } else if (!annotations.parameters().isEmpty()) {
        parameterMembers.add(member);
      }
      reportConflicts(member, annotations);
    }
    OptimizerModel optimizer = optimizer(type, origin);
    Optional<RelaxationModel> relaxation =
        AnnotationReader.find(type, RELAXED).map(mirror -> relaxation(Origin.of(type, mirror)));

    // Trainable defaults depend on what the parameter is used as, so parameters come last.
    Map<String, List<ParameterUse>> uses = ParameterUse.collect(layers, optimizer, relaxation);
    List<ParameterModel> parameters = new ArrayList<>();
    for (Element member : parameterMembers) {
      parameters.add(parameter(member, MemberAnnotations.of(member).parameters().get(0), uses));
    }
    return Optional.of(new NetworkModel(
        type,
        type.getSimpleName().toString(),
        elements.getPackageOf(type).getQualifiedName().toString(),
        loss,
        seed,
        layers,
        parameters,
        optimizer,
        AnnotationReader.find(type, REGULARIZATION).map(mirror -> regularization(Origin.of(type, mirror))),
        relaxation,
        origin));
  }

  private RelaxationModel relaxation(Origin origin) {
    String weightParameter = reader.stringValue(origin, "hiddenLossWeightParameter");
    String strengthParameter = reader.stringValue(origin, "strengthParameter");
    String resetStrengthParameter = reader.stringValue(origin, "resetStrengthParameter");
    return new RelaxationModel(
        reader.stringArrayValue(origin, "layers"),
        reader.enumValue(origin, "targets", Relaxed.Targets.class),
        reader.enumValue(origin, "hiddenLoss", Relaxed.HiddenLoss.class),
        reader.doubleValue(origin, "hiddenLossWeight"),
        weightParameter.isEmpty() ? Optional.empty() : Optional.of(weightParameter),
        strengthParameter.isEmpty() ? Optional.empty() : Optional.of(strengthParameter),
        reader.enumValue(origin, "init", Relaxed.Init.class),
        reader.intValue(origin, "resetEvery"),
        resetStrengthParameter.isEmpty() ? Optional.empty() : Optional.of(resetStrengthParameter),
        reader.doubleValue(origin, "targetLearningRateScale"),
        origin);
  }

  private boolean canDeclareNetwork(TypeElement type, Origin origin) {
    boolean isInterface = type.getKind() == ElementKind.INTERFACE;
    boolean isAbstractClass = type.getKind() == ElementKind.CLASS && type.getModifiers().contains(Modifier.ABSTRACT);
    if (isInterface || isAbstractClass) {
      return true;
    }
    String kind = switch (type.getKind()) {
      case CLASS -> "a class that is not abstract";
      case ENUM -> "an enum";
      case ANNOTATION_TYPE -> "an annotation type";
      default -> "a " + type.getKind().toString().toLowerCase();
    };
    diagnostics.error(origin, "@Network goes on an interface or an abstract class, not on " + kind
        + ": declare " + type.getSimpleName() + " as an interface (its members are never called)");
    return false;
  }

  /** The Kiln annotations on one member, by what they make of it. */
  private record MemberAnnotations(
      List<AnnotationMirror> layers,
      List<AnnotationMirror> activations,
      List<AnnotationMirror> modifiers,
      List<AnnotationMirror> parameters) {
    static MemberAnnotations of(Element member) {
      List<AnnotationMirror> layers = new ArrayList<>();
      List<AnnotationMirror> activations = new ArrayList<>();
      List<AnnotationMirror> modifiers = new ArrayList<>();
      List<AnnotationMirror> parameters = new ArrayList<>();
      for (AnnotationMirror mirror : member.getAnnotationMirrors()) {
        String name = AnnotationReader.qualifiedName(mirror);
        if (LAYERS.contains(name)) {
          layers.add(mirror);
        } else if (PARAMETERS.contains(name)) {
          parameters.add(mirror);
        } else if (MODIFIER_PLACES.containsKey(name)) {
          modifiers.add(mirror);
        } else if (ActivationKind.forAnnotationType(name).isPresent()) {
          activations.add(mirror);
        }
      }
      return new MemberAnnotations(layers, activations, modifiers, parameters);
    }

    boolean isEmpty() {
      return all().isEmpty();
    }

    /** Every Kiln annotation on the member: layers, parameters, activations, modifiers. */
    List<AnnotationMirror> all() {
      List<AnnotationMirror> all = new ArrayList<>(layers);
      all.addAll(parameters);
      all.addAll(activations);
      all.addAll(modifiers);
      return all;
    }

    /** The modifier of type {@code qualifiedName} on the member, if written. */
    Optional<AnnotationMirror> modifier(String qualifiedName) {
      return modifiers.stream().filter(mirror -> AnnotationReader.qualifiedName(mirror).equals(qualifiedName))
          .findFirst();
    }
  }

  /**
   * Whether {@code member} has the form of a network member: every method of a network type is a
   * layer or a parameter, declared abstract, without parameters or type parameters (the generated
   * graph reads its annotations and never calls it); fields (constants) may give annotation values.
   * Reports a method that is none of these on the method, saying how to declare it.
   */
  private boolean hasNetworkForm(TypeElement network, Element member, MemberAnnotations annotations) {
    if (!(member instanceof ExecutableElement method)) {
      // An abstract class may declare layers and parameters as fields; a static field is a constant.
      if (!annotations.isEmpty() && member.getModifiers().contains(Modifier.STATIC)) {
        diagnostics.error(Origin.of(member, annotations.all().get(0)), "'" + member.getSimpleName()
            + "' is a constant (a static field, as every field of an interface is): a layer or parameter is an "
            + "abstract method, e.g. @Dense(units = 42) Layer hidden(); or @Fixed(0) double theta();");
        return false;
      }
      return true;
    }
    if (annotations.isEmpty() && network.getKind() != ElementKind.INTERFACE) {
      // An abstract class may keep methods of its own beside the network's members.
      return true;
    }
    String name = method.getSimpleName().toString();
    String what = !annotations.layers().isEmpty() ? "layer '" + name + "'"
        : !annotations.parameters().isEmpty() ? "parameter '" + name + "'"
        : "method '" + name + "'";
    String declaration = !annotations.parameters().isEmpty() && annotations.layers().isEmpty()
        ? "double " + name + "();" : "Layer " + name + "();";
    Set<Modifier> modifiers = method.getModifiers();
    String problem = null;
    if (modifiers.contains(Modifier.STATIC)) {
      problem = what + " is static";
    } else if (modifiers.contains(Modifier.DEFAULT)) {
      problem = what + " is a default method with a body";
    } else if (modifiers.contains(Modifier.PRIVATE)) {
      problem = what + " is private";
    } else if (!modifiers.contains(Modifier.ABSTRACT)) {
      problem = what + " is not abstract";
    } else if (!method.getParameters().isEmpty()) {
      problem = what + " takes parameters";
    } else if (!method.getTypeParameters().isEmpty()) {
      problem = what + " has type parameters";
    }
    if (problem != null && annotations.isEmpty()) {
      diagnostics.error(method, problem + ": every method of @Network " + network.getSimpleName() + " declares a layer or "
          + "a parameter, which the generated graph reads and never calls; move the code out of the network type");
      return false;
    }
    if (problem != null) {
      diagnostics.error(origin(method, annotations), problem + ": every method of @Network " + network.getSimpleName()
          + " declares a layer or a parameter as an abstract method without parameters, which the generated graph "
          + "reads and never calls; declare it as " + declaration + " with its annotations, or move the code out of "
          + "the network type");
      return false;
    }
    if (annotations.layers().isEmpty() && annotations.parameters().isEmpty()) {
      if (annotations.isEmpty()) {
        diagnostics.error(method, "'" + name + "' is neither a layer nor a parameter: annotate it as a "
            + "layer (@Input, @Dense, @Conv2D, @Flatten or @Output) returning Layer, or as a parameter (@Fixed, "
            + "@Annealed or @Trainable) returning double, or remove it");
        return false;
      }
      // Activations or modifiers without a layer: reportConflicts says what is missing.
      return true;
    }
    if (!annotations.layers().isEmpty() && !method.getReturnType().toString().equals(LAYER_TYPE)) {
      diagnostics.error(Origin.of(member, annotations.layers().get(0)), "layer '" + name + "' returns "
          + method.getReturnType() + ": a layer is declared as Layer " + name + "(); (dev.kiln.dsl.Layer)");
      return false;
    }
    return true;
  }

  /** Where an error about {@code method} points: its first Kiln annotation. */
  private static Origin origin(ExecutableElement method, MemberAnnotations annotations) {
    return Origin.of(method, annotations.all().get(0));
  }

  /** A member may be one layer or one parameter, and a layer has at most one activation. */
  private void reportConflicts(Element member, MemberAnnotations annotations) {
    String name = member.getSimpleName().toString();
    if (annotations.layers().size() > 1) {
      Origin second = Origin.of(member, annotations.layers().get(1));
      diagnostics.error(second, "'" + name + "' is declared as two layers, "
          + Origin.of(member, annotations.layers().get(0)).annotationName() + " and " + second.annotationName()
          + ": a member declares one layer; keep one annotation");
    }
    if (!annotations.layers().isEmpty()) {
      for (AnnotationMirror parameter : annotations.parameters()) {
        Origin origin = Origin.of(member, parameter);
        diagnostics.error(origin, "'" + name + "' is a layer ("
            + Origin.of(member, annotations.layers().get(0)).annotationName() + ") and cannot also be a parameter ("
            + origin.annotationName() + "): declare the parameter as a separate double member");
      }
    }
    if (annotations.parameters().size() > 1) {
      Origin second = Origin.of(member, annotations.parameters().get(1));
      diagnostics.error(second, "parameter '" + name + "' is declared twice, as "
          + Origin.of(member, annotations.parameters().get(0)).annotationName() + " and as " + second.annotationName()
          + ": a parameter is fixed, annealed or trainable; keep one annotation");
    }
    if (annotations.layers().isEmpty() && !annotations.activations().isEmpty()) {
      Origin activation = Origin.of(member, annotations.activations().get(0));
      diagnostics.error(activation, activation.annotationName() + " on '" + name
          + "' has no layer to act on: activations go beside @Dense or @Conv2D (or @Input) on a layer member");
    }
    if (annotations.layers().isEmpty()) {
      for (AnnotationMirror mirror : annotations.modifiers()) {
        Origin modifier = Origin.of(member, mirror);
        diagnostics.error(modifier, modifier.annotationName() + " on '" + name + "' has no layer to act on: "
            + MODIFIER_PLACES.get(AnnotationReader.qualifiedName(mirror)));
      }
    }
    if (annotations.activations().size() > 1 && !annotations.layers().isEmpty()) {
      Origin second = Origin.of(member, annotations.activations().get(1));
      diagnostics.error(second, "layer '" + name + "' has two activations, "
          + Origin.of(member, annotations.activations().get(0)).annotationName() + " and " + second.annotationName()
          + ": keep one (a layer without one is the identity)");
    }
    if (!annotations.parameters().isEmpty() && annotations.layers().isEmpty()) {
      TypeMirror type = memberType(member);
      if (type.getKind() != TypeKind.DOUBLE) {
        diagnostics.error(Origin.of(member, annotations.parameters().get(0)), "parameter '" + name
            + "' must be declared as double, not " + type + ": it is a scalar network parameter");
      }
    }
  }

  private static TypeMirror memberType(Element member) {
    return member instanceof ExecutableElement method ? method.getReturnType() : member.asType();
  }

  private LayerModel layer(Element member, MemberAnnotations annotations, Loss loss) {
    String name = member.getSimpleName().toString();
    Origin origin = Origin.of(member, annotations.layers().get(0));
    Optional<Activation> activation = annotations.activations().isEmpty()
        ? Optional.empty()
        : Optional.of(activation(Origin.of(member, annotations.activations().get(0))));
    String kind = AnnotationReader.qualifiedName(origin.annotation());
    reportMisplacedModifiers(member, origin, annotations, switch (kind) {
      case DENSE -> Set.of(DROPOUT, REGULARIZATION, LEARNED_WIDTH);
      case CONV_2D -> Set.of(MAX_POOL, DROPOUT, REGULARIZATION, LEARNED_WIDTH);
      case OUTPUT -> Set.of(REGULARIZATION);
      default -> Set.of();
    });
    Optional<DropoutModel> dropout = annotations.modifier(DROPOUT)
        .map(mirror -> Origin.of(member, mirror))
        .map(dropoutOrigin -> new DropoutModel(reader.doubleValue(dropoutOrigin, "value"), dropoutOrigin));
    Optional<RegularizationModel> regularization = annotations.modifier(REGULARIZATION)
        .map(mirror -> regularization(Origin.of(member, mirror)));
    Optional<LearnedWidthModel> learnedWidth = annotations.modifier(LEARNED_WIDTH)
        .map(mirror -> learnedWidth(Origin.of(member, mirror)));
    return switch (kind) {
      case INPUT -> new InputLayer(name, reader.longArrayValue(origin, "shape"), activation, origin);
      case DENSE -> new DenseLayer(
          name,
          reader.intValue(origin, "units"),
          reader.intValue(origin, "repeat"),
          activation.orElseGet(() -> Activation.identity(origin)),
          learnedWidth,
          dropout,
          regularization,
          origin);
      case CONV_2D -> new Conv2DLayer(
          name,
          reader.intValue(origin, "filters"),
          reader.intValue(origin, "kernel"),
          reader.intValue(origin, "stride"),
          reader.enumValue(origin, "padding", Padding.class),
          activation.orElseGet(() -> Activation.identity(origin)),
          learnedWidth,
          annotations.modifier(MAX_POOL).map(mirror -> pooling(Origin.of(member, mirror))),
          dropout,
          regularization,
          origin);
      case FLATTEN -> {
        activation.ifPresent(given -> diagnostics.error(given.origin(), given.origin().annotationName()
            + " cannot go on @Flatten layer '" + name + "': a flatten layer only reshapes; put the activation on the "
            + "layer before it"));
        yield new FlattenLayer(name, origin);
      }
      case OUTPUT -> {
        activation.ifPresent(given -> diagnostics.error(given.origin(), "the @Output layer '" + name
            + "' takes no activation: " + lossOutput(loss) + "; remove " + given.origin().annotationName()));
        yield new OutputLayer(name, reader.intValue(origin, "units"), regularization, origin);
      }
      default -> throw new IllegalStateException("not a layer annotation: " + origin.annotation());
    };
  }

  /** Reports each modifier beside a layer of a kind it does not apply to. */
  private void reportMisplacedModifiers(
      Element member, Origin layer, MemberAnnotations annotations, Set<String> applicable) {
    for (AnnotationMirror mirror : annotations.modifiers()) {
      String modifier = AnnotationReader.qualifiedName(mirror);
      if (!applicable.contains(modifier)) {
        Origin origin = Origin.of(member, mirror);
        diagnostics.error(origin, origin.annotationName() + " cannot go on " + layer.annotationName() + " layer '"
            + layer.elementName() + "': " + MODIFIER_PLACES.get(modifier) + "; move it there or remove it");
      }
    }
  }

  private PoolingModel pooling(Origin origin) {
    return new PoolingModel(
        reader.intValue(origin, "value"),
        reader.intValue(origin, "stride"),
        reader.enumValue(origin, "padding", Padding.class),
        origin);
  }

  private LearnedWidthModel learnedWidth(Origin origin) {
    String parameter = reader.stringValue(origin, "penaltyParameter");
    return new LearnedWidthModel(
        reader.enumValue(origin, "mode", LearnedWidth.Mode.class),
        reader.doubleValue(origin, "penalty"),
        parameter.isEmpty() ? Optional.empty() : Optional.of(parameter),
        reader.doubleValue(origin, "initial"),
        reader.doubleValue(origin, "deadBelow"),
        reader.doubleValue(origin, "slope"),
        reader.doubleValue(origin, "initialSize"),
        AnnotationReader.writtenElements(origin),
        origin);
  }

  private RegularizationModel regularization(Origin origin) {
    return new RegularizationModel(reader.doubleValue(origin, "l1"), reader.doubleValue(origin, "l2"), origin);
  }

  /** What the loss does with the output layer's values, which is why the layer takes no activation. */
  private static String lossOutput(Loss loss) {
    return switch (loss) {
      case SIGMOID_CROSS_ENTROPY -> "its logits go to the loss " + loss + ", which applies the sigmoid itself";
      case SOFTMAX_CROSS_ENTROPY -> "its logits go to the loss " + loss + ", which applies the softmax itself";
      case MEAN_SQUARED_ERROR -> "its values go to the loss " + loss + " as they are, and are the predictions";
    };
  }

  private Activation activation(Origin origin) {
    ActivationKind kind = ActivationKind.forAnnotationType(AnnotationReader.qualifiedName(origin.annotation()))
        .orElseThrow();
    Optional<String> parameter = kind.parameterRole().isPresent()
        ? Optional.of(reader.stringValue(origin, "value"))
        : Optional.empty();
    return new Activation(kind, parameter, origin);
  }

  private OptimizerModel optimizer(TypeElement type, Origin networkOrigin) {
    List<Origin> written = type.getAnnotationMirrors().stream()
        .filter(mirror -> OPTIMIZERS.contains(AnnotationReader.qualifiedName(mirror)))
        .map(mirror -> Origin.of(type, (AnnotationMirror) mirror))
        .collect(Collectors.toList());
    for (Origin extra : written.subList(Math.min(1, written.size()), written.size())) {
      diagnostics.error(extra, type.getSimpleName() + " has more than one optimiser ("
          + written.stream().map(Origin::annotationName).collect(Collectors.joining(", "))
          + "): keep one");
    }
    if (written.isEmpty()) {
      return new OptimizerModel.Adam(
          reader.defaultDoubleValue(ADAM, "learningRate"),
          Optional.empty(),
          reader.defaultDoubleValue(ADAM, "beta1"),
          reader.defaultDoubleValue(ADAM, "beta2"),
          reader.defaultDoubleValue(ADAM, "epsilon"),
          networkOrigin);
    }
    Origin origin = written.get(0);
    double learningRate = reader.doubleValue(origin, "learningRate");
    if (AnnotationReader.qualifiedName(origin.annotation()).equals(RPROP)) {
      return new OptimizerModel.Rprop(
          learningRate, reader.doubleValue(origin, "growth"), reader.doubleValue(origin, "shrink"),
          reader.doubleValue(origin, "minStep"), reader.doubleValue(origin, "maxStep"), origin);
    }
    String parameterName = reader.stringValue(origin, "learningRateParameter");
    Optional<String> parameter = parameterName.isEmpty() ? Optional.empty() : Optional.of(parameterName);
    return switch (AnnotationReader.qualifiedName(origin.annotation())) {
      case SGD -> new OptimizerModel.Sgd(learningRate, parameter, origin);
      case MOMENTUM -> new OptimizerModel.Momentum(
          learningRate, parameter, reader.doubleValue(origin, "momentum"), reader.booleanValue(origin, "nesterov"),
          origin);
      case ADAM -> new OptimizerModel.Adam(
          learningRate, parameter, reader.doubleValue(origin, "beta1"), reader.doubleValue(origin, "beta2"),
          reader.doubleValue(origin, "epsilon"), origin);
      case RMS_PROP -> new OptimizerModel.RmsProp(
          learningRate, parameter, reader.doubleValue(origin, "decay"), reader.doubleValue(origin, "momentum"),
          reader.doubleValue(origin, "epsilon"), origin);
      default -> throw new IllegalStateException("not an optimiser annotation: " + origin.annotation());
    };
  }

  private ParameterModel parameter(Element member, AnnotationMirror annotation, Map<String, List<ParameterUse>> uses) {
    String name = member.getSimpleName().toString();
    Origin origin = Origin.of(member, annotation);
    return switch (AnnotationReader.qualifiedName(annotation)) {
      case FIXED -> new FixedParameter(name, reader.doubleValue(origin, "value"), origin);
      case ANNEALED -> new AnnealedParameter(name, schedules.parse(reader.classValue(origin, "value")), origin);
      case TRAINABLE -> trainable(name, origin, uses.getOrDefault(name, List.of()));
      default -> throw new IllegalStateException("not a parameter annotation: " + annotation);
    };
  }

  /** A trainable parameter with the unwritten initial value and bounds taken from its one role. */
  private TrainableParameter trainable(String name, Origin origin, List<ParameterUse> uses) {
    Set<ParameterRole> roles = uses.stream().map(ParameterUse::role).collect(Collectors.toSet());
    ParameterRole role = roles.size() == 1 ? roles.iterator().next() : null;
    return new TrainableParameter(
        name,
        orDefault(reader.doubleValue(origin, "initial"), role == null ? Double.NaN : role.defaultInitial()),
        orDefault(reader.doubleValue(origin, "min"), role == null ? Double.NaN : role.defaultMin()),
        orDefault(reader.doubleValue(origin, "max"), role == null ? Double.NaN : role.defaultMax()),
        reader.booleanValue(origin, "perNeuron"),
        reader.doubleValue(origin, "learningRateScale"),
        origin);
  }

  /** The DSL writes "not given" as NaN. */
  private static double orDefault(double written, double fallback) {
    return Double.isNaN(written) ? fallback : written;
  }
}
