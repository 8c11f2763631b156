package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Cosine;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;

/** α = 1 (relaxed) for 1,000 steps, then along a half cosine to 0 (plain) over the shallow run's other 1,000. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, steps = 1000)
@Cosine(from = 1, to = 0, steps = 1000)
final class ShallowHoldThenCosine {}
