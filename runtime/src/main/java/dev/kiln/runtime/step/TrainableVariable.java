package dev.kiln.runtime.step;

import org.tensorflow.types.TFloat32;

/**
 * A variable the optimiser updates, with the bounds it is clipped into after every step (infinite:
 * unbounded) and the factor on the optimiser's learning rate.
 *
 * @param deadBelow for learned-width gates: after every step a value below this becomes zero, and a
 *     value at zero stays there (its gradient is zero); 0 for every other variable
 */
record TrainableVariable(StateVariable<TFloat32> variable, double min, double max, double learningRateScale, double deadBelow) {
  TrainableVariable(StateVariable<TFloat32> variable, double min, double max, double learningRateScale) {
    this(variable, min, max, learningRateScale, 0);
  }

  static TrainableVariable unbounded(StateVariable<TFloat32> variable) {
    return new TrainableVariable(variable, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0);
  }

  boolean bounded() {
    return min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY;
  }

  /** Whether values that fall below {@link #deadBelow} are zero for good: learned-width gates. */
  boolean dies() {
    return deadBelow > 0;
  }
}
