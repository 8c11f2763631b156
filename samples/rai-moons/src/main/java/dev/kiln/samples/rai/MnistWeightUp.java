package dev.kiln.samples.rai;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relaxed;
import dev.kiln.dsl.Relu;

/**
 * {@link MnistRelaxed} with the hidden losses' weight annealed upwards ({@link MnistWeightSchedule}), from 1 to
 * 100 over the 10 epochs. Same weights at the start.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 7)
@Adam(learningRate = 1e-3)
@Relaxed(targetLearningRateScale = 300, hiddenLossWeightParameter = "weight")
public interface MnistWeightUp {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Flatten
  Layer pixels();

  @Dense(units = 256, repeat = 2)
  @Relu
  Layer hidden();

  @Output(units = 10)
  Layer digit();

  @Annealed(MnistWeightSchedule.class)
  double weight();
}
