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
 * {@link DeepRelaxedThenPlain} with hidden losses of absolute rather than squared errors
 * ({@code mean(|Z − z|)}): relaxed so for 2,000 steps, then the plain network
 * ({@link DeepRelaxedThenPlainSchedule}). An absolute error pulls a target towards what its layer
 * computes as hard when it is close as when it is far, so the targets stay on the ordinary pass
 * and the weights, not the targets, take the change the output asks for. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed(hiddenLoss = Relaxed.HiddenLoss.MEAN_ABSOLUTE_ERROR, strengthParameter = "alpha")
public interface DeepRelaxedL1ThenPlain {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 100, repeat = 100)
  @Sigmoid
  Layer hidden();

  @Output(units = 1)
  Layer logit();

  @Annealed(DeepRelaxedThenPlainSchedule.class)
  double alpha();
}
