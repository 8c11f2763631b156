package dev.kiln.samples.rai;

import dev.kiln.dsl.Annealed;
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
 * {@link ShallowRelaxed} with its relaxation annealed away ({@link ShallowHoldThenLinear}): relaxed for the
 * first 1,000 steps, then α falls linearly to 0 over the other 1,000. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.01)
@Relaxed(resetEvery = 200, strengthParameter = "alpha")
public interface ShallowAnnealedLinear {
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

  @Annealed(ShallowHoldThenLinear.class)
  double alpha();
}
