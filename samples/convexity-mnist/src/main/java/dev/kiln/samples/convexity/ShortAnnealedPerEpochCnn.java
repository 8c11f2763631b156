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
 * {@link AnnealedPerEpochCnn} for the short version: θ annealed per epoch over the first epoch
 * ({@link ShortThetaPerEpoch}), so π/4 (a linear network) in epoch 1 and 0 (ReLU) in epoch 2.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface ShortAnnealedPerEpochCnn {
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

  @Annealed(ShortThetaPerEpoch.class)
  double theta();
}
