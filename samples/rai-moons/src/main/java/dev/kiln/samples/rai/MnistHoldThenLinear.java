package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Hold;
import dev.kiln.dsl.Linear;

/** α = 1 (relaxed) for 4 epochs, linearly to 0 over 3, then 0 (plain): the last 3 of 10 epochs train the plain network. */
@AnnealingSchedule(per = Granularity.STEP)
@Hold(value = 1, epochs = 4)
@Linear(from = 1, to = 0, epochs = 3)
final class MnistHoldThenLinear {}
