package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Cosine;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;

/** α = 1 (relaxed) for 4 epochs, along a half cosine to 0 over 3, then 0 (plain) for the last 3 of 10. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, epochs = 4)
@Cosine(from = 1, to = 0, epochs = 3)
final class MnistHoldThenCosine {}
