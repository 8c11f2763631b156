package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Linear;

/** The hidden-loss weight from 1 to 100, linearly over the reference's 10,000 steps. */
@AnnealingSchedule(per = Granularity.STEP)
@Linear(from = 1, to = 100, steps = 10000)
final class DeepWeightSchedule {}
