package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One place that names a network parameter: an activation of a layer, a layer's
 * {@code @LearnedWidth}, the optimiser, or {@code @Relaxed}.
 *
 * @param user the layer's name, or the naming annotation ({@code @Adam}, {@code @Relaxed})
 * @param layer the layer whose activation or learned width names it; null for the optimiser and {@code @Relaxed}
 * @param origin the naming annotation
 */
public record ParameterUse(String parameter, ParameterRole role, String user, LayerModel layer, Origin origin) {

  /** Every use of every parameter name, keyed by name, in declaration order (optimiser, then {@code @Relaxed}, last). */
  public static Map<String, List<ParameterUse>> collect(
      List<LayerModel> layers, OptimizerModel optimizer, Optional<RelaxationModel> relaxation) {
    Map<String, List<ParameterUse>> uses = new LinkedHashMap<>();
    for (LayerModel layer : layers) {
      Activation activation = layer.appliedActivation().orElse(null);
      if (activation != null && activation.parameter().isPresent()) {
        String parameter = activation.parameter().get();
        ParameterRole role = activation.kind().parameterRole().orElseThrow();
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(parameter, role, layer.name(), layer, activation.origin()));
      }
      layer.learnedWidth().flatMap(width -> width.penaltyParameter().map(parameter -> new ParameterUse(
          parameter, ParameterRole.WIDTH_PENALTY, layer.name(), layer, width.origin())))
          .ifPresent(use -> uses.computeIfAbsent(use.parameter(), name -> new ArrayList<>()).add(use));
    }
    optimizer.learningRateParameter().ifPresent(parameter ->
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(
                parameter, ParameterRole.LEARNING_RATE, optimizer.origin().annotationName(), null,
                optimizer.origin())));
    relaxation.ifPresent(relaxed -> relaxed.hiddenLossWeightParameter().ifPresent(parameter ->
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(
                parameter, ParameterRole.HIDDEN_LOSS_WEIGHT, relaxed.origin().annotationName(), null, relaxed.origin()))));
    relaxation.ifPresent(relaxed -> relaxed.strengthParameter().ifPresent(parameter ->
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(
                parameter, ParameterRole.RELAXATION_STRENGTH, relaxed.origin().annotationName(), null, relaxed.origin()))));
    relaxation.ifPresent(relaxed -> relaxed.resetStrengthParameter().ifPresent(parameter ->
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(
                parameter, ParameterRole.RESET_STRENGTH, relaxed.origin().annotationName(), null, relaxed.origin()))));
    return uses;
  }

  /** The attribute of the naming annotation that holds the name. */
  public String attribute() {
    return switch (role) {
      case LEARNING_RATE -> "learningRateParameter";
      case HIDDEN_LOSS_WEIGHT -> "hiddenLossWeightParameter";
      case WIDTH_PENALTY -> "penaltyParameter";
      case RELAXATION_STRENGTH -> "strengthParameter";
      case RESET_STRENGTH -> "resetStrengthParameter";
      case THETA, BETA -> "value";
    };
  }

  /** How messages name the use: "@ThetaLeaky on 'hidden'", or "@Adam's learningRateParameter". */
  public String describe() {
    return layer == null
        ? user + "'s " + attribute()
        : origin.annotationName() + " on '" + user + "'";
  }
}
