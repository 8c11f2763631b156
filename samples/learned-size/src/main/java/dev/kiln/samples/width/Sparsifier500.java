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
 * The journal's sparsifier network: one hidden layer of 500 ReLU units, each behind a trainable
 * gate that an L1 penalty pulls to zero; a unit whose gate falls below 0.01 is dead. The penalty
 * is the fixed parameter {@code sparsity}, which the experiment sets per run.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 1)
@Adam(learningRate = 1e-3)
interface Sparsifier500 {
  @Input(shape = {28, 28, 1}) Layer image();
  @Flatten Layer pixels();
  @Dense(units = 500) @Relu @LearnedWidth(penaltyParameter = "sparsity") Layer hidden();
  @Output(units = 10) Layer digit();

  @Fixed(1e-4) double sparsity();
}
