package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;

/** α = 1 (relaxed) for 2,000 steps, then 0 (plain) for the reference's other 8,000. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, steps = 2000)
@Hold(value = 0, steps = 8000)
final class DeepRelaxedThenPlainSchedule {}
