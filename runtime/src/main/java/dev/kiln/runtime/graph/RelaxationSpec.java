package dev.kiln.runtime.graph;

import dev.kiln.dsl.Relaxed;
import java.util.Objects;

/**
 * How a relaxed network ({@code @Relaxed}) trains its per-example targets. Which layers have
 * targets, and whether they stand for pre- or post-activations, is in the generated forward pass:
 * it calls {@link GraphBuilder#relax} where a target replaces a layer's value.
 *
 * @param hiddenLoss the loss between each layer's targets and the values they stand for
 * @param hiddenLossWeight the hidden losses' weight in the training loss; a network that anneals
 *     it passes the scheduled value with {@link GraphBuilder#hiddenLossWeight} instead
 * @param init how the targets start when training first binds its data
 * @param resetEvery every this many epochs the targets are set again from a forward pass; 0 never
 * @param targetLearningRateScale the targets' learning rate (for Rprop, initial step) as a multiple
 *     of the optimiser's
 */
public record RelaxationSpec(
    Relaxed.HiddenLoss hiddenLoss, double hiddenLossWeight, Relaxed.Init init, int resetEvery, double targetLearningRateScale) {
  public RelaxationSpec {
    Objects.requireNonNull(hiddenLoss, "hiddenLoss");
    Objects.requireNonNull(init, "init");
    if (!(hiddenLossWeight >= 0) || Double.isInfinite(hiddenLossWeight)) {
      throw new IllegalArgumentException("hiddenLossWeight must be finite and >= 0, got " + hiddenLossWeight);
    }
    if (resetEvery < 0) {
      throw new IllegalArgumentException("resetEvery must be >= 0 (0: never), got " + resetEvery);
    }
    if (!(targetLearningRateScale > 0) || Double.isInfinite(targetLearningRateScale)) {
      throw new IllegalArgumentException("targetLearningRateScale must be finite and > 0, got " + targetLearningRateScale);
    }
  }
}
