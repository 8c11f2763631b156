package dev.kiln.processor.model;

import java.util.Optional;

/**
 * The network's optimiser and its settings as written (or Adam's defaults when none is).
 * {@code learningRateParameter} names a parameter whose value is the learning rate instead of the
 * constant {@code learningRate}.
 */
public sealed interface OptimizerModel {
  double learningRate();

  Optional<String> learningRateParameter();

  /** The optimiser annotation; for the default Adam, the network type and its {@code @Network}. */
  Origin origin();

  record Sgd(double learningRate, Optional<String> learningRateParameter, Origin origin)
      implements OptimizerModel {}

  record Momentum(
      double learningRate, Optional<String> learningRateParameter, double momentum, boolean nesterov, Origin origin)
      implements OptimizerModel {}

  record Adam(
      double learningRate,
      Optional<String> learningRateParameter,
      double beta1,
      double beta2,
      double epsilon,
      Origin origin)
      implements OptimizerModel {}

  /** Rprop: per-weight step sizes; {@code learningRate} is where they start, never a parameter. */
  record Rprop(double learningRate, double growth, double shrink, double minStep, double maxStep, Origin origin)
      implements OptimizerModel {
    @Override
    public Optional<String> learningRateParameter() {
      return Optional.empty();
    }
  }

  record RmsProp(
      double learningRate,
      Optional<String> learningRateParameter,
      double decay,
      double momentum,
      double epsilon,
      Origin origin)
      implements OptimizerModel {}
}
