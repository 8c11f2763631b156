package dev.kiln.samples.convexity;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Linear;

/**
 * {@link ThetaPerEpoch} at the short version's length: the full protocol anneals over the first
 * half of its 20 epochs, the 2-epoch short version over its first epoch. Per epoch, that is π/4
 * (the identity, a linear network) in epoch 1 and 0 (ReLU) from epoch 2 on.
 */
@AnnealingSchedule(per = Granularity.EPOCH)
@Linear(from = Math.PI / 4, to = 0, epochs = 1)
final class ShortThetaPerEpoch {}
