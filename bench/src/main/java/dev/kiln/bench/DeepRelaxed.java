package dev.kiln.bench;

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
 * Workload W3: the deep network of the RAI experiments, 100 hidden layers of 100 sigmoid units and
 * a sigmoid output (101 dense layers), trained with relaxed activation identities (a target per
 * training example for every layer's pre-activation) and Rprop, as the rai-moons sample's
 * {@code DeepRelaxed}.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Rprop(learningRate = 0.1)
@Relaxed
public interface DeepRelaxed {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 100, repeat = 100)
  @Sigmoid
  Layer hidden();

  @Output(units = 1)
  Layer logit();
}
