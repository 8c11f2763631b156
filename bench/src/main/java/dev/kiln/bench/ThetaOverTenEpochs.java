package dev.kiln.bench;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Linear;

/** θ for {@link LargeCnn}: from π/4 to 0 in a straight line over ten epochs, as the convexity sample's {@code ThetaPerStep}. */
@AnnealingSchedule
@Linear(from = Math.PI / 4, to = 0, epochs = 10)
final class ThetaOverTenEpochs {}
