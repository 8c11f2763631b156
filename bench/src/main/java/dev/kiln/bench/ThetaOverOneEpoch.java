package dev.kiln.bench;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Linear;

/** θ for {@link MnistMlp}: from π/4 (the identity) to 0 (ReLU) in a straight line over one epoch, a little every step. */
@AnnealingSchedule
@Linear(from = Math.PI / 4, to = 0, epochs = 1)
final class ThetaOverOneEpoch {}
