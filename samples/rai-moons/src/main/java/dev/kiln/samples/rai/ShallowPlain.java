package dev.kiln.samples.rai;

import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relu;
import dev.kiln.dsl.Rprop;

/**
 * The reference's shallow two-moons MLP (2, 42, 100, 100, 42, 1): ReLU hidden layers, a sigmoid
 * output, full-batch Rprop; trained the ordinary way, by back-propagation through every layer.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.01)
public interface ShallowPlain {
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
}
