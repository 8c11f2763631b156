package dev.kiln.runtime.step;

import org.tensorflow.types.TFloat32;

/**
 * A variable the optimiser updates, with the bounds it is clipped into after every step (infinite:
 * unbounded) and the factor on the optimiser's learning rate.
 */
record TrainableVariable(StateVariable<TFloat32> variable, double min, double max, double learningRateScale) {
  static TrainableVariable unbounded(StateVariable<TFloat32> variable) {
    return new TrainableVariable(variable, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0);
  }

  boolean bounded() {
    return min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY;
  }
}
