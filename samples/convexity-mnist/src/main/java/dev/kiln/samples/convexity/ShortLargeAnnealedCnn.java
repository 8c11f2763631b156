package dev.kiln.samples.convexity;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Annealed;
import dev.kiln.dsl.Conv2D;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.MaxPool;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;

/**
 * {@link LargeAnnealedCnn} for the short version: θ annealed smoothly from π/4 to 0 over the first
 * epoch ({@link ShortThetaPerStep}), ReLU in the second.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface ShortLargeAnnealedCnn {
  @Input(shape = {28, 28, 1})
  Layer image();

  @Conv2D(filters = 32, kernel = 5)
  @ThetaLeaky("theta")
  @MaxPool(2)
  Layer conv1();

  @Conv2D(filters = 64, kernel = 5)
  @ThetaLeaky("theta")
  @MaxPool(2)
  Layer conv2();

  @Flatten
  Layer flat();

  @Dense(units = 1024)
  @ThetaLeaky("theta")
  Layer fc();

  @Output(units = 10)
  Layer digit();

  @Annealed(ShortThetaPerStep.class)
  double theta();
}
