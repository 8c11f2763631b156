package dev.kiln.samples.convexity;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Linear;

/**
 * θ from π/4 (the identity) to 0 (ReLU) over 10 epochs like {@link ThetaPerEpoch}, but smoothly, a
 * little every step.
 */
@AnnealingSchedule
@Linear(from = Math.PI / 4, to = 0, epochs = 10)
final class ThetaPerStep {}
