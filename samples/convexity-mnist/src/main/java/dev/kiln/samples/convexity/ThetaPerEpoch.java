package dev.kiln.samples.convexity;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Linear;

/**
 * θ as the reference anneals it, once per epoch: π/4 (the identity, a linear network) in epoch 1,
 * then a tenth of π/4 less each epoch, 0 (ReLU) from epoch 11 on.
 */
@AnnealingSchedule(per = Granularity.EPOCH)
@Linear(from = Math.PI / 4, to = 0, epochs = 10)
final class ThetaPerEpoch {}
