package dev.kiln.runtime;

/**
 * What training does with a step whose loss, learning rate or gradients hold a NaN or an infinity
 * ({@link TrainingConfig#withNonFiniteSteps}). Either way the step changes nothing: no weight,
 * optimiser state or epoch sum is updated.
 */
public enum NonFiniteSteps {
  /**
   * Stops the run with a {@link NonFiniteStepException} naming the step, the first non-finite
   * tensor and the last good checkpoint, after writing the logs up to that step (the default).
   */
  STOP,
  /**
   * Skips the step (its batch is left out, the step counter moves on, so schedules stay on time),
   * reports it with the first non-finite tensor, counts it in the epoch's statistics, and goes on.
   */
  SKIP
}
