package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;
import dev.kiln.dsl.Linear;

/** α = 1 (relaxed) for 2,000 steps, linearly to 0 over 2,000, then 0 (plain) for the reference's other 6,000. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, steps = 2000)
@Linear(from = 1, to = 0, steps = 2000)
final class DeepL1HoldThenLinear {}
