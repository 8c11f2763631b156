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
 * {@link MnistRelaxed} with its relaxation annealed away ({@link MnistHoldThenCosine}): relaxed for 4 epochs,
 * α along a half cosine to 0 over 3, then 3 epochs as the plain network. Same weights at the start.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 7)
@Adam(learningRate = 1e-3)
@Relaxed(targetLearningRateScale = 300, strengthParameter = "alpha")
public interface MnistAnnealedCosine {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Flatten
  Layer pixels();

  @Dense(units = 256, repeat = 2)
  @Relu
  Layer hidden();

  @Output(units = 10)
  Layer digit();

  @Annealed(MnistHoldThenCosine.class)
  double alpha();
}
