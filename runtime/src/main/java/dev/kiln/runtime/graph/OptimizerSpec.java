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

  /**
   * Resilient back-propagation as PyTorch's {@code Rprop} (iRprop⁻): per-weight step sizes that
   * start at {@code learningRate}, grow by {@code growth} while the gradient keeps its sign and
   * shrink by {@code shrink} when it flips (the weight then rests one step), within
   * [{@code minStep}, {@code maxStep}]; each weight moves by its step against its gradient's sign.
   */
  record Rprop(double learningRate, double growth, double shrink, double minStep, double maxStep) implements OptimizerSpec {
    public Rprop {
      if (!(learningRate > 0) || !(growth > 1) || !(shrink > 0 && shrink < 1) || !(minStep > 0) || !(maxStep >= minStep)
          || Double.isInfinite(learningRate) || Double.isInfinite(growth) || Double.isInfinite(maxStep)) {
        throw new IllegalArgumentException(
            "Rprop needs a finite learningRate > 0, growth > 1, 0 < shrink < 1 and 0 < minStep <= maxStep (finite); got "
                + "learningRate=" + learningRate + ", growth=" + growth + ", shrink=" + shrink + ", minStep=" + minStep
                + ", maxStep=" + maxStep);
      }
    }
  }
}
