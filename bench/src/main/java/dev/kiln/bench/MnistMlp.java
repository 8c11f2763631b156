package dev.kiln.bench;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;

/**
 * Workload W1: the MLP 784-512-512-10 on MNIST, θ-leaky hidden activations with θ annealed every
 * step from π/4 to 0 over one epoch ({@link ThetaOverOneEpoch}), Adam 1e-3.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface MnistMlp {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Flatten
  Layer pixels();

  @Dense(units = 512, repeat = 2)
  @ThetaLeaky("theta")
  Layer hidden();

  @Output(units = 10)
  Layer digit();

  @Annealed(ThetaOverOneEpoch.class)
  double theta();
}
