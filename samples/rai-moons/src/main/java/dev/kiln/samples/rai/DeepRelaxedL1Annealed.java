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
 * {@link DeepRelaxedL1ThenPlain} with the relaxation annealed away instead of switched off
 * ({@link DeepL1HoldThenLinear}): relaxed with absolute-error hidden losses for 2,000 steps, α
 * linearly to 0 over the next 2,000, then the plain network. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed(hiddenLoss = Relaxed.HiddenLoss.MEAN_ABSOLUTE_ERROR, strengthParameter = "alpha")
public interface DeepRelaxedL1Annealed {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 100, repeat = 100)
  @Sigmoid
  Layer hidden();

  @Output(units = 1)
  Layer logit();

  @Annealed(DeepL1HoldThenLinear.class)
  double alpha();
}
