package dev.kiln.samples.rai;

import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relaxed;
import dev.kiln.dsl.Relu;
import dev.kiln.dsl.Rprop;

/**
 * {@link ShallowPlain} trained with relaxed activation identities: every hidden layer and the
 * output get a target per training example for their pre-activation, as in the reference
 * implementation. Only {@code @Relaxed} differs, so both start from the same weights.
 *
 * <p>Every 200 steps the targets are set again from a forward pass: the relaxed path fits the
 * points almost at once, but small differences between each target and what its layer computes
 * add up through the layers, and the ordinary forward pass then disagrees on a few points; the
 * reset brings the two paths together again.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.01)
@Relaxed(resetEvery = 200)
public interface ShallowRelaxed {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 42)
  @Relu
  Layer hidden1();

  @Dense(units = 100)
  @Relu
  Layer hidden2();

  @Dense(units = 100)
  @Relu
  Layer hidden3();

  @Dense(units = 42)
  @Relu
  Layer hidden4();

  @Output(units = 1)
  Layer logit();
}
