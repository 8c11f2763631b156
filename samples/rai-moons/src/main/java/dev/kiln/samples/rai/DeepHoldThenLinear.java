package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;
import dev.kiln.dsl.Linear;

/** α = 1 (relaxed) for 5,000 steps, then linearly to 0 (plain) over the reference's other 5,000. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, steps = 5000)
@Linear(from = 1, to = 0, steps = 5000)
final class DeepHoldThenLinear {}
