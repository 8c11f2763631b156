package dev.kiln.samples.rai;

import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relaxed;
import dev.kiln.dsl.Relu;
import dev.kiln.dsl.Rprop;

/**
 * {@link ShallowRelaxed} with the hidden losses' weight annealed upwards ({@link ShallowWeightSchedule}), from 1 to
 * 100 over the 2,000 steps. Same weights at the start.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.01)
@Relaxed(resetEvery = 200, hiddenLossWeightParameter = "weight")
public interface ShallowWeightUp {
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

  @Annealed(ShallowWeightSchedule.class)
  double weight();
}
