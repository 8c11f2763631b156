package dev.kiln.samples.width;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Fixed;
import dev.kiln.dsl.Flatten;
import dev.kiln.dsl.Input;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.LearnedWidth;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Network;
import dev.kiln.dsl.Output;
import dev.kiln.dsl.Relu;

/**
 * The journal's flexible layer: 500 ReLU units, unit i scaled by 1 − σ(k·(i − x0)) with the soft
 * size x0 trainable, and a penalty on the soft unit count (the fixed parameter {@code sparsity}).
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 1)
@Adam(learningRate = 1e-3)
interface Flexible500 {
  @Input(shape = {28, 28, 1}) Layer image();
  @Flatten Layer pixels();
  @Dense(units = 500) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penaltyParameter = "sparsity", slope = 0.1)
  Layer hidden();
  @Output(units = 10) Layer digit();

  @Fixed(1e-4) double sparsity();
}
