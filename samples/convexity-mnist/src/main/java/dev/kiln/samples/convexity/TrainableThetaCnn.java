package dev.kiln.samples.convexity;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Conv2D;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;
import dev.kiln.dsl.Trainable;

/**
 * The reference CNN ({@link ReluCnn}) for experiment 3: one θ shared by every activation, learned
 * from π/4 within [0, π/4] at a tenth of the learning rate, so that the loss landscape changes
 * slowly.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface TrainableThetaCnn {
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

  @Trainable(learningRateScale = 0.1)
  double theta();
}
