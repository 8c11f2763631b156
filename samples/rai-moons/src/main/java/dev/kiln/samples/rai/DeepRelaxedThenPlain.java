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
 * {@link DeepRelaxed} for 2,000 steps, then the plain network ({@link DeepRelaxedThenPlainSchedule}):
 * relaxation as the start that plain back-propagation cannot find on its own through 100 sigmoid
 * layers. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed(strengthParameter = "alpha")
public interface DeepRelaxedThenPlain {
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
