package dev.kiln.runtime.graph;

/**
 * An optimiser and its settings. {@code learningRate} is the constant rate; a network that anneals
 * its learning rate passes the scheduled value with {@link GraphBuilder#learningRate} instead.
 */
public sealed interface OptimizerSpec {
  double learningRate();

  record Sgd(double learningRate) implements OptimizerSpec {}

  record Momentum(double learningRate, double momentum, boolean nesterov) implements OptimizerSpec {}

  record Adam(double learningRate, double beta1, double beta2, double epsilon) implements OptimizerSpec {}

  record RmsProp(double learningRate, double decay, double momentum, double epsilon) implements OptimizerSpec {}
}
