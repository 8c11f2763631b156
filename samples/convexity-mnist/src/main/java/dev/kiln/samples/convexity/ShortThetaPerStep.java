package dev.kiln.samples.convexity;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Linear;

/**
 * {@link ThetaPerStep} at the short version's length: θ from π/4 (the identity) to 0 (ReLU) a
 * little every step of the first epoch, the first half of the 2-epoch short version as 10 epochs
 * are of the full protocol's 20; ReLU from epoch 2 on.
 */
@AnnealingSchedule
@Linear(from = Math.PI / 4, to = 0, epochs = 1)
final class ShortThetaPerStep {}
