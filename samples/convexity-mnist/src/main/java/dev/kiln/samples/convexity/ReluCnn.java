package dev.kiln.samples.convexity;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Conv2D;
import dev.kiln.dsl.Fixed;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.ThetaLeaky;

/**
 * The reference CNN of the convexity-annealing experiments: three convolutions (16 filters of
 * 4×4, 3×3 and 3×3, valid padding) each followed by {@code max(x·tan θ, x)}, flattened into a
 * softmax over the 10 digits; Adam at 1e-3. Here for experiment 1, the baseline: θ fixed at 0,
 * every activation a ReLU.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
@Adam(learningRate = 1e-3)
public interface ReluCnn {
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

  @Fixed(0)
  double theta();
}
