package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Linear;

/** The hidden-loss weight from 1 to 100, linearly over the shallow run's 2,000 steps. */
@AnnealingSchedule(per = Granularity.STEP)
@Linear(from = 1, to = 100, steps = 2000)
final class ShallowWeightSchedule {}
