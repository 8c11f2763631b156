package dev.kiln.samples.rai;

import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relaxed;
import dev.kiln.dsl.Rprop;
import dev.kiln.dsl.Sigmoid;

/**
 * {@link DeepRelaxed} with its relaxation annealed away ({@link DeepHoldThenLinear}): relaxed for the first
 * 5,000 steps, then α falls to 0, so training ends as the ordinary network. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed(strengthParameter = "alpha")
public interface DeepAnnealedLinear {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 100, repeat = 100)
  @Sigmoid
  Layer hidden();

  @Output(units = 1)
  Layer logit();

  @Annealed(DeepHoldThenLinear.class)
  double alpha();
}
