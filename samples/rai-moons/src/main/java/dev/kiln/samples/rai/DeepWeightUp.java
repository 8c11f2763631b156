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
 * {@link DeepRelaxed} with the hidden losses' weight annealed upwards ({@link DeepWeightSchedule}), from 1 to
 * 100 over the 10,000 steps: the targets are pulled ever harder towards what the layers compute,
 * so that the relaxed path and the ordinary pass come to agree. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed(hiddenLossWeightParameter = "weight")
public interface DeepWeightUp {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 100, repeat = 100)
  @Sigmoid
  Layer hidden();

  @Output(units = 1)
  Layer logit();

  @Annealed(DeepWeightSchedule.class)
  double weight();
}
