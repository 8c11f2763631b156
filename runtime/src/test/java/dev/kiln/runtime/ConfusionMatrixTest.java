package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Metrics of a small confusion matrix, against values worked out by hand. */
class ConfusionMatrixTest {
  /**
   * Rows true class, columns predicted. Class 2 has no examples but one prediction; class 3 has an
   * example but is never predicted.
   */
  private static final long[][] COUNTS = {
    {5, 1, 0, 0},
    {2, 3, 1, 0},
    {0, 0, 0, 0},
    {1, 0, 0, 0},
  };

  private static final ConfusionMatrix MATRIX = ConfusionMatrix.of(COUNTS);

  @Test
  void accuracyIsTheDiagonalOverTheTotal() {
    assertThat(MATRIX.total()).isEqualTo(13);
    assertThat(MATRIX.accuracy()).isWithin(1e-12).of(8.0 / 13);
  }

  @Test
  void perClassPrecisionRecallAndF1WithZeroForUndefinedRatios() {
    // Predicted as 0: 8 (5 right); as 1: 4 (3 right); as 2: 1 (0 right); as 3: none -> 0.
    assertThat(MATRIX.precision(0)).isWithin(1e-12).of(5.0 / 8);
    assertThat(MATRIX.precision(1)).isWithin(1e-12).of(3.0 / 4);
    assertThat(MATRIX.precision(2)).isEqualTo(0.0);
    assertThat(MATRIX.precision(3)).isEqualTo(0.0);
    // Class 0: 6 examples (5 found); 1: 6 (3 found); 2: none -> 0; 3: 1 (0 found).
    assertThat(MATRIX.recall(0)).isWithin(1e-12).of(5.0 / 6);
    assertThat(MATRIX.recall(1)).isWithin(1e-12).of(3.0 / 6);
    assertThat(MATRIX.recall(2)).isEqualTo(0.0);
    assertThat(MATRIX.recall(3)).isEqualTo(0.0);
    // 2·tp / (2·tp + fp + fn): 10/14, 6/10, 0/1, 0/1.
    assertThat(MATRIX.f1(0)).isWithin(1e-12).of(10.0 / 14);
    assertThat(MATRIX.f1(1)).isWithin(1e-12).of(6.0 / 10);
    assertThat(MATRIX.f1(2)).isEqualTo(0.0);
    assertThat(MATRIX.f1(3)).isEqualTo(0.0);
  }

  @Test
  void macroAveragesAreMeansOverEveryClass() {
    assertThat(MATRIX.macroPrecision()).isWithin(1e-12).of((5.0 / 8 + 3.0 / 4) / 4);
    assertThat(MATRIX.macroRecall()).isWithin(1e-12).of((5.0 / 6 + 3.0 / 6) / 4);
    assertThat(MATRIX.macroF1()).isWithin(1e-12).of((10.0 / 14 + 6.0 / 10) / 4);
    // Not the harmonic mean of macro precision and recall.
    double harmonic = 2 * MATRIX.macroPrecision() * MATRIX.macroRecall() / (MATRIX.macroPrecision() + MATRIX.macroRecall());
    assertThat(MATRIX.macroF1()).isNotWithin(1e-3).of(harmonic);
  }

  @Test
  void aPerfectClassifierScoresOneAndAnEmptyMatrixZero() {
    ConfusionMatrix perfect = ConfusionMatrix.of(new long[][] {{3, 0}, {0, 4}});
    assertThat(perfect.macroPrecision()).isEqualTo(1.0);
    assertThat(perfect.macroRecall()).isEqualTo(1.0);
    assertThat(perfect.macroF1()).isEqualTo(1.0);
    ConfusionMatrix empty = ConfusionMatrix.of(new long[2][2]);
    assertThat(empty.accuracy()).isEqualTo(0.0);
    assertThat(empty.macroF1()).isEqualTo(0.0);
  }

  @Test
  void buildsFromClassArraysAsTheCountsSay() {
    int[] actual = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 3};
    int[] predicted = {0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 0};
    assertThat(ConfusionMatrix.of(actual, predicted, 4)).isEqualTo(MATRIX);
    assertThat(MATRIX.count(1, 0)).isEqualTo(2);
  }

  @Test
  void countsAreCopiedInAndOut() {
    long[][] counts = {{1, 2}, {3, 4}};
    ConfusionMatrix matrix = ConfusionMatrix.of(counts);
    counts[0][0] = 100;
    long[][] out = matrix.counts();
    out[1][1] = 100;
    assertThat(matrix.counts()).isEqualTo(new long[][] {{1, 2}, {3, 4}});
  }

  @Test
  void badInputIsRejectedWithWhereItIs() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new long[][] {{1, 2}, {3}})))
        .hasMessageThat().contains("row 1 has 1 columns, expected 2");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new long[][] {{1, -2}, {3, 4}})))
        .hasMessageThat().contains("[0][1] is negative: -2");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new long[0][])))
        .hasMessageThat().contains("at least one class");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {0, 2}, new int[] {0, 1}, 2)))
        .hasMessageThat().contains("example 1: true class 2 or predicted class 1 is outside [0, 2)");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {0}, new int[] {0, 1}, 2)))
        .hasMessageThat().contains("1 true classes but 2 predicted ones");
  }

  @Test
  void printsATable() {
    assertThat(ConfusionMatrix.of(new long[][] {{12, 0}, {3, 7}}).toString())
        .isEqualTo(String.format("true\\pred   0   1%n        0  12   0%n        1   3   7"));
  }
}
