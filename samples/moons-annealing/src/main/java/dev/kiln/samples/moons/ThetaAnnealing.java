package dev.kiln.samples.moons;

import dev.kiln.dsl.AnnealingSchedule;
import dev.kiln.dsl.Hold;
import dev.kiln.dsl.Linear;

/**
 * θ for {@link MoonsAnnealing}: two epochs at π/4 (a linear, convex network finds the coarse
 * direction), then smoothly, step by step, down to 0 (ReLU) over 18 epochs; ReLU after that.
 */
@AnnealingSchedule
@Hold(value = Math.PI / 4, epochs = 2)
@Linear(to = 0, epochs = 18)
final class ThetaAnnealing {}
