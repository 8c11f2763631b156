package dev.kiln.samples.convexity;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Conv2D;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;

/**
 * {@link AnnealedPerStepCnn} for the short version: θ annealed from π/4 to 0 a little every step
 * of its first epoch ({@link ShortThetaPerStep}), ReLU in its second.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface ShortAnnealedPerStepCnn {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Conv2D(filters = 16, kernel = 4)
  @ThetaLeaky("theta")
  Layer conv1();

  @Conv2D(filters = 16, kernel = 3)
  @ThetaLeaky("theta")
  Layer conv2();

  @Conv2D(filters = 16, kernel = 3)
  @ThetaLeaky("theta")
  Layer conv3();

  @Flatten
  Layer flat();

  @Output(units = 10)
  Layer digit();

  @Annealed(ShortThetaPerStep.class)
  double theta();
}
