package dev.kiln.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts of examples by true class (rows) and predicted class (columns), and the classification
 * metrics computed from them. Immutable.
 *
 * <p>Precision, recall and F1 follow scikit-learn's {@code precision_recall_fscore_support} with
 * {@code labels=range(classes)} and {@code zero_division=0}: a class that is never predicted has
 * precision 0, a class with no examples has recall 0, and a class with neither true nor false
 * positives nor false negatives has F1 0. The macro averages are plain means over <em>every</em>
 * class, including such classes, so a class the model never predicts pulls the average down.
 * Macro F1 is the mean of the per-class F1 scores, not the harmonic mean of macro precision and
 * macro recall.
 */
public final class ConfusionMatrix {
  private final long[][] counts;
  private final long total;

  private ConfusionMatrix(long[][] counts) {
    this.counts = counts;
    long sum = 0;
    for (long[] row : counts) {
      for (long count : row) {
        sum += count;
      }
    }
    this.total = sum;
  }

  /**
   * A matrix over copies of {@code counts}: {@code counts[t][p]} examples of true class {@code t}
   * predicted as {@code p}.
   *
   * @throws IllegalArgumentException unless {@code counts} is square, non-empty and non-negative
   */
  public static ConfusionMatrix of(long[][] counts) {
    Objects.requireNonNull(counts, "counts");
    int classes = counts.length;
    if (classes == 0) {
      throw new IllegalArgumentException("a confusion matrix needs at least one class");
    }
    for (int t = 0; t < classes; t++) {
      if (counts[t] == null || counts[t].length != classes) {
        throw new IllegalArgumentException(
            "a confusion matrix must be square: row " + t + " has " + (counts[t] == null ? "no" : counts[t].length) + " columns, expected " + classes);
      }
      for (int p = 0; p < classes; p++) {
        if (counts[t][p] < 0) {
          throw new IllegalArgumentException("confusion matrix count [" + t + "][" + p + "] is negative: " + counts[t][p]);
        }
      }
    }
    return new ConfusionMatrix(copyOf(counts));
  }

  /**
   * The matrix of {@code predicted[i]} against {@code actual[i]} over {@code classes} classes.
   *
   * @throws IllegalArgumentException if the arrays differ in length or hold a class outside [0, classes)
   */
  public static ConfusionMatrix of(int[] actual, int[] predicted, int classes) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(predicted, "predicted");
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(actual.length + " true classes but " + predicted.length + " predicted ones");
    }
    Counter counter = new Counter(classes);
    for (int i = 0; i < actual.length; i++) {
      counter.add(actual[i], predicted[i], i);
    }
    return counter.matrix();
  }

  /** Accumulates counts one example at a time, as evaluation goes through the batches. */
  public static final class Counter {
    private final long[][] counts;

    public Counter(int classes) {
      if (classes <= 0) {
        throw new IllegalArgumentException("a confusion matrix needs at least one class, got " + classes);
      }
      counts = new long[classes][classes];
    }

    /** Counts example {@code example} (for the message of a bad class). */
    public void add(int actual, int predicted, int example) {
      int classes = counts.length;
      if (actual < 0 || actual >= classes || predicted < 0 || predicted >= classes) {
        throw new IllegalArgumentException(
            "example " + example + ": true class " + actual + " or predicted class " + predicted + " is outside [0, " + classes + ")");
      }
      counts[actual][predicted]++;
    }

    public ConfusionMatrix matrix() {
      return new ConfusionMatrix(copyOf(counts));
    }
  }

  public int classes() {
    return counts.length;
  }

  /** Examples of true class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    Objects.checkIndex(actual, counts.length);
    Objects.checkIndex(predicted, counts.length);
    return counts[actual][predicted];
  }

  /** A copy of the counts: {@code [true class][predicted class]}. */
  public long[][] counts() {
    return copyOf(counts);
  }

  /** Every example counted. */
  public long total() {
    return total;
  }

  /** The fraction of examples predicted as their true class; 0 for an empty matrix. */
  public double accuracy() {
    long correct = 0;
    for (int c = 0; c < counts.length; c++) {
      correct += counts[c][c];
    }
    return ratio(correct, total);
  }

  /** Of the examples predicted as {@code c}, the fraction that are {@code c}; 0 if none is predicted as {@code c}. */
  public double precision(int c) {
    Objects.checkIndex(c, counts.length);
    return ratio(counts[c][c], predictedAs(c));
  }

  /** Of the examples of class {@code c}, the fraction predicted as {@code c}; 0 if there are none. */
  public double recall(int c) {
    Objects.checkIndex(c, counts.length);
    return ratio(counts[c][c], examplesOf(c));
  }

  /**
   * The harmonic mean of class {@code c}'s precision and recall, {@code 2·tp / (2·tp + fp + fn)};
   * 0 when {@code c} is neither predicted nor present.
   */
  public double f1(int c) {
    Objects.checkIndex(c, counts.length);
    long truePositives = counts[c][c];
    long falsePositives = predictedAs(c) - truePositives;
    long falseNegatives = examplesOf(c) - truePositives;
    return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
  }

  /** The mean precision over every class. */
  public double macroPrecision() {
    double sum = 0;
    for (int c = 0; c < counts.length; c++) {
      sum += precision(c);
    }
    return sum / counts.length;
  }

  /** The mean recall over every class. */
  public double macroRecall() {
    double sum = 0;
    for (int c = 0; c < counts.length; c++) {
      sum += recall(c);
    }
    return sum / counts.length;
  }

  /** The mean F1 over every class. */
  public double macroF1() {
    double sum = 0;
    for (int c = 0; c < counts.length; c++) {
      sum += f1(c);
    }
    return sum / counts.length;
  }

  private long predictedAs(int c) {
    long sum = 0;
    for (long[] row : counts) {
      sum += row[c];
    }
    return sum;
  }

  private long examplesOf(int c) {
    long sum = 0;
    for (long count : counts[c]) {
      sum += count;
    }
    return sum;
  }

  private static long[][] copyOf(long[][] counts) {
    long[][] copy = new long[counts.length][];
    for (int t = 0; t < counts.length; t++) {
      copy[t] = counts[t].clone();
    }
    return copy;
  }

  /** {@code numerator / denominator}, or 0 for 0/0 (scikit-learn's {@code zero_division=0}). */
  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 0 : (double) numerator / denominator;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ConfusionMatrix that && Arrays.deepEquals(counts, that.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(counts);
  }

  /** The counts as a table, a row per true class and a column per predicted class. */
  @Override
  public String toString() {
    int width = 4;
    for (long[] row : counts) {
      for (long count : row) {
        width = Math.max(width, Long.toString(count).length() + 1);
      }
    }
    StringBuilder text = new StringBuilder("true\\pred");
    for (int p = 0; p < counts.length; p++) {
      text.append(String.format(Locale.ROOT, "%" + width + "d", p));
    }
    for (int t = 0; t < counts.length; t++) {
      text.append(String.format(Locale.ROOT, "%n%9d", t));
      for (long count : counts[t]) {
        text.append(String.format(Locale.ROOT, "%" + width + "d", count));
      }
    }
    return text.toString();
  }
}
