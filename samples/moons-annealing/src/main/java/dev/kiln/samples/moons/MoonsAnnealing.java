package dev.kiln.samples.moons;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;

/**
 * The MLP (2, 42, 100, 100, 42, 1) of the convexity-annealing experiments on two moons: every
 * hidden activation is {@code max(x·tan θ, x)} with one θ, annealed from π/4 (the identity: the
 * network is linear, its loss convex) to 0 (ReLU) by {@link ThetaAnnealing}. Kiln generates
 * {@code MoonsAnnealingGraph} from this declaration.
 */
@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)
@Adam(learningRate = 3e-3)
public interface MoonsAnnealing {
  @Input(shape = 2)
  Layer point();

  @Dense(units = 42)
  @ThetaLeaky("theta")
  Layer hidden1();

  @Dense(units = 100)
  @ThetaLeaky("theta")
  Layer hidden2();

  @Dense(units = 100)
  @ThetaLeaky("theta")
  Layer hidden3();

  @Dense(units = 42)
  @ThetaLeaky("theta")
  Layer hidden4();

  @Output(units = 1)
  Layer logit();

  @Annealed(ThetaAnnealing.class)
  double theta();
}
