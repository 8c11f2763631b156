package dev.kiln.samples.rai;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relu;

/** An MLP (784, 256, 256, 10) for MNIST with ReLU and Adam, trained the ordinary way in mini-batches. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 7)
@Adam(learningRate = 1e-3)
public interface MnistPlain {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Flatten
  Layer pixels();

  @Dense(units = 256, repeat = 2)
  @Relu
  Layer hidden();

  @Output(units = 10)
  Layer digit();
}
