package dev.kiln.runtime;

/**
 * A model's loss and accuracy on a data set.
 *
 * @param loss the mean loss over the examples
 * @param accuracy the fraction of correct outputs (for sigmoid cross-entropy, of correct 0/1
 *     outputs; for softmax cross-entropy, of examples whose arg-max is the label); NaN for mean
 *     squared error, which has no accuracy
 * @param count the number of examples
 */
public record Evaluation(double loss, double accuracy, int count) {
  /** Whether the loss defines an accuracy (the classification losses do). */
  public boolean hasAccuracy() {
    return !Double.isNaN(accuracy);
  }

  @Override
  public String toString() {
    return String.format("loss %.4f", loss) + (hasAccuracy() ? String.format(", accuracy %.4f", accuracy) : "") + " on " + count + " examples";
  }
}
