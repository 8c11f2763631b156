package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;
import dev.kiln.dsl.Linear;

/** α = 1 (relaxed) for 1,000 steps, then linearly to 0 (plain) over the shallow run's other 1,000. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, steps = 1000)
@Linear(from = 1, to = 0, steps = 1000)
final class ShallowHoldThenLinear {}
