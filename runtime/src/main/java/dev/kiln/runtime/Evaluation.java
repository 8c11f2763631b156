package dev.kiln.runtime;

import dev.kiln.runtime.summary.EventFileWriter;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's loss and metrics on a data set, all computed from one forward pass over it.
 *
 * @param loss the mean loss over the examples (with the network's weight penalties, if any)
 * @param accuracy the fraction of correct outputs (for sigmoid cross-entropy, of correct 0/1
 *     outputs; for softmax cross-entropy, of examples whose arg-max is the label); NaN for mean
 *     squared error, which has no accuracy
 * @param count the number of examples
 * @param confusion true against predicted classes, for a classifier: softmax cross-entropy
 *     ({@code outputUnits} classes, the arg-max predicted) or sigmoid cross-entropy with one output
 *     (classes 0 and 1, 1 predicted for a probability above 0.5); empty for mean squared error and
 *     for sigmoid cross-entropy with several outputs (several independent labels per example)
 */
public record Evaluation(double loss, double accuracy, int count, Optional<ConfusionMatrix> confusion) {
  public Evaluation {
    Objects.requireNonNull(confusion, "confusion");
  }

  /** Whether the loss defines an accuracy (the classification losses do). */
  public boolean hasAccuracy() {
    return !Double.isNaN(accuracy);
  }

  /** Whether the network is a classifier with a confusion matrix, precision, recall and F1. */
  public boolean hasClasses() {
    return confusion.isPresent();
  }

  /** The macro precision over every class (see {@link ConfusionMatrix}); NaN without classes. */
  public double precision() {
    return confusion.map(ConfusionMatrix::macroPrecision).orElse(Double.NaN);
  }

  /** The macro recall over every class (see {@link ConfusionMatrix}); NaN without classes. */
  public double recall() {
    return confusion.map(ConfusionMatrix::macroRecall).orElse(Double.NaN);
  }

  /** The macro F1 over every class (see {@link ConfusionMatrix}); NaN without classes. */
  public double f1() {
    return confusion.map(ConfusionMatrix::macroF1).orElse(Double.NaN);
  }

  /**
   * The confusion matrix's counts, {@code [true class][predicted class]}.
   *
   * @throws IllegalStateException for a network without classes (see {@link #confusion})
   */
  public long[][] confusionMatrix() {
    return confusion
        .orElseThrow(() -> new IllegalStateException("this evaluation has no classes (mean squared error, or sigmoid cross-entropy with several outputs)"))
        .counts();
  }

  /**
   * Writes {@code <prefix>/loss} and, as far as defined, {@code <prefix>/accuracy},
   * {@code <prefix>/precision}, {@code <prefix>/recall} and {@code <prefix>/f1} at {@code step}:
   * how training logs {@code validation/...}, and how a caller can log a test set.
   */
  public void writeTo(EventFileWriter events, String prefix, long step) {
    events.scalar(prefix + "/loss", step, loss);
    if (hasAccuracy()) {
      events.scalar(prefix + "/accuracy", step, accuracy);
    }
    if (hasClasses()) {
      events.scalar(prefix + "/precision", step, precision());
      events.scalar(prefix + "/recall", step, recall());
      events.scalar(prefix + "/f1", step, f1());
    }
  }

  @Override
  public String toString() {
    return String.format("loss %.4f", loss)
        + (hasAccuracy() ? String.format(", accuracy %.4f", accuracy) : "")
        + (hasClasses() ? String.format(", precision %.4f, recall %.4f, F1 %.4f", precision(), recall(), f1()) : "")
        + " on " + count + " examples";
  }
}
