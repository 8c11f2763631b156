package dev.kiln.samples.width;

/**
 * What one run of the experiment measured.
 *
 * @param method {@code sparsifier} or {@code flexible}
 * @param start the hidden layer's declared width
 * @param learnedWidth its live units after training
 * @param gatedAccuracy test accuracy of the trained network as it is (gates or soft size)
 * @param prunedAccuracy test accuracy of the pruned network, before any further training
 * @param scratchAccuracy test accuracy of a network of the learned width trained from scratch for as long
 * @param parametersBefore the trained network's parameters
 * @param parametersAfter the pruned network's
 * @param gatedPredictionsPerSecond test images per second the trained network predicts
 * @param prunedPredictionsPerSecond the same for the pruned network
 * @param seconds the run's wall time, all three trainings and evaluations
 */
record Run(
    String method,
    int start,
    double penalty,
    long seed,
    int learnedWidth,
    double gatedAccuracy,
    double prunedAccuracy,
    double scratchAccuracy,
    long parametersBefore,
    long parametersAfter,
    double gatedPredictionsPerSecond,
    double prunedPredictionsPerSecond,
    double seconds) {

  /** The group a run's seeds are averaged in: method, start width and penalty. */
  String group() {
    return method + " " + start + " " + penalty;
  }

  static String csvHeader() {
    return "method,start,penalty,seed,learned_width,gated_accuracy,pruned_accuracy,scratch_accuracy,parameters_before,"
        + "parameters_after,gated_predictions_per_s,pruned_predictions_per_s,seconds";
  }

  String csv() {
    return String.join(",", method, Integer.toString(start), Double.toString(penalty), Long.toString(seed),
        Integer.toString(learnedWidth), Double.toString(gatedAccuracy), Double.toString(prunedAccuracy),
        Double.toString(scratchAccuracy), Long.toString(parametersBefore), Long.toString(parametersAfter),
        Double.toString(gatedPredictionsPerSecond), Double.toString(prunedPredictionsPerSecond), Double.toString(seconds));
  }
}
