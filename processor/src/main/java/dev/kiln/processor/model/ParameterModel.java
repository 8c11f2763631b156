package dev.kiln.processor.model;

/** A scalar network parameter that activations (θ, β) or the optimiser (learning rate) name. */
public sealed interface ParameterModel {
  /** The member's name, which activations and {@code learningRateParameter} refer to. */
  String name();

  Origin origin();

  /** Held at one value for the whole run. */
  record FixedParameter(String name, double value, Origin origin) implements ParameterModel {}

  /** Following a schedule: phased (computed in the graph) or host (evaluated in Java and fed). */
  record AnnealedParameter(String name, ScheduleModel schedule, Origin origin) implements ParameterModel {}

  /**
   * Learned with the weights: one scalar shared by every layer that names it, or one value per
   * neuron of each such layer. {@code initial}, {@code min} and {@code max} are resolved: written
   * values, else the defaults of the parameter's role; NaN only where the parameter has no single
   * role to take defaults from (it is unused, or used in two roles, both reported).
   */
  record TrainableParameter(
      String name,
      double initial,
      double min,
      double max,
      boolean perNeuron,
      double learningRateScale,
      Origin origin)
      implements ParameterModel {}
}
