package dev.kiln.samples.rai;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Linear;

/** The hidden-loss weight from 1 to 100, linearly over 10 epochs. */
@AnnealingSchedule(per = Granularity.STEP)
@Linear(from = 1, to = 100, epochs = 10)
final class MnistWeightSchedule {}
