package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One place that names a network parameter: an activation of a layer, or the optimiser.
 *
 * @param user the layer's name, or the optimiser annotation ({@code @Adam})
 * @param layer the layer whose activation names it; null for the optimiser
 * @param origin the naming annotation
 */
public record ParameterUse(String parameter, ParameterRole role, String user, LayerModel layer, Origin origin) {

  /** Every use of every parameter name, keyed by name, in declaration order (optimiser last). */
  public static Map<String, List<ParameterUse>> collect(List<LayerModel> layers, OptimizerModel optimizer) {
    Map<String, List<ParameterUse>> uses = new LinkedHashMap<>();
    for (LayerModel layer : layers) {
      Activation activation = layer.appliedActivation().orElse(null);
      if (activation != null && activation.parameter().isPresent()) {
        String parameter = activation.parameter().get();
        ParameterRole role = activation.kind().parameterRole().orElseThrow();
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(parameter, role, layer.name(), layer, activation.origin()));
      }
    }
    optimizer.learningRateParameter().ifPresent(parameter ->
        uses.computeIfAbsent(parameter, name -> new ArrayList<>())
            .add(new ParameterUse(
                parameter, ParameterRole.LEARNING_RATE, optimizer.origin().annotationName(), null,
                optimizer.origin())));
    return uses;
  }

  /** How messages name the use: "@ThetaLeaky on 'hidden'", or "@Adam's learningRateParameter". */
  public String describe() {
    return layer == null
        ? user + "'s learningRateParameter"
        : origin.annotationName() + " on '" + user + "'";
  }
}
