package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class DatasetTest {
  /** {@code n} examples of shape [2, 3]: feature j of example i is 10·i + j; label i is (i, -i). */
  private static Dataset numbered(int n) {
    float[] features = new float[n * 6];
    float[] labels = new float[n * 2];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 6; j++) {
        features[i * 6 + j] = 10 * i + j;
      }
      labels[2 * i] = i;
      labels[2 * i + 1] = -i;
    }
    return Dataset.of(features, Shape.of(2, 3), labels, 2);
  }

  /** The example indices of a data set made by {@link #numbered}, in order. */
  private static int[] indices(Dataset data) {
    int[] indices = new int[data.size()];
    for (int i = 0; i < data.size(); i++) {
      indices[i] = (int) data.label(i, 0);
      assertThat(data.feature(i, 5)).isEqualTo(10f * indices[i] + 5);
      assertThat(data.label(i, 1)).isEqualTo(-indices[i]);
    }
    return indices;
  }

  @Test
  void sizesFollowFromTheShapeAndLabelWidth() {
    Dataset data = numbered(4);

    assertThat(data.size()).isEqualTo(4);
    assertThat(data.exampleShape()).isEqualTo(Shape.of(2, 3));
    assertThat(data.exampleSize()).isEqualTo(6);
    assertThat(data.labelWidth()).isEqualTo(2);
    assertThat(data.feature(3, 4)).isEqualTo(34f);
    assertThat(data.label(3, 1)).isEqualTo(-3f);
    assertThat(data.toString()).contains("4 examples");
  }

  @Test
  void inputArraysAreCopied() {
    float[] features = {1, 2};
    float[] labels = {0};
    Dataset data = Dataset.of(features, Shape.of(2), labels, 1);

    features[0] = 99;
    labels[0] = 99;

    assertThat(data.feature(0, 0)).isEqualTo(1f);
    assertThat(data.label(0, 0)).isEqualTo(0f);
  }

  @Test
  void inconsistentArraysAreRejectedWithTheCounts() {
    IllegalArgumentException ragged = assertThrows(
        IllegalArgumentException.class, () -> Dataset.of(new float[7], Shape.of(2, 3), new float[1], 1));
    assertThat(ragged).hasMessageThat().contains("7 feature values");
    assertThat(ragged).hasMessageThat().contains("[2, 3]");

    IllegalArgumentException labels = assertThrows(
        IllegalArgumentException.class, () -> Dataset.of(new float[12], Shape.of(2, 3), new float[3], 2));
    assertThat(labels).hasMessageThat().contains("need 4 label values");
    assertThat(labels).hasMessageThat().contains("got 3");

    assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[2], Shape.of(2), new float[0], 0));
    assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[2], Shape.of(-1, 2), new float[1], 1));
    assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[2], Shape.unknown(), new float[1], 1));
    assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[0], Shape.of(0), new float[0], 1));
    assertThrows(NullPointerException.class, () -> Dataset.of(null, Shape.of(2), new float[1], 1));
  }

  @Test
  void subsetTakesExamplesInTheGivenOrder() {
    Dataset subset = numbered(5).subset(new int[] {4, 0, 4});

    assertThat(indices(subset)).asList().containsExactly(4, 0, 4).inOrder();
  }

  @Test
  void rangeTakesAContiguousSlice() {
    Dataset data = numbered(5);

    assertThat(indices(data.range(1, 4))).asList().containsExactly(1, 2, 3).inOrder();
    assertThat(data.range(2, 2).size()).isEqualTo(0);
    assertThrows(IndexOutOfBoundsException.class, () -> data.range(3, 6));
    assertThrows(IndexOutOfBoundsException.class, () -> data.range(3, 2));
  }

  @Test
  void splitKeepsOrderAndRoundsTheCut() {
    Dataset.Split split = numbered(10).split(0.75);

    // 7.5 rounds to 8.
    assertThat(indices(split.first())).asList().containsExactly(0, 1, 2, 3, 4, 5, 6, 7).inOrder();
    assertThat(indices(split.second())).asList().containsExactly(8, 9).inOrder();
  }

  @Test
  void fractionsOutsideTheOpenUnitIntervalAreRejected() {
    Dataset data = numbered(10);

    for (double bad : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.split(bad));
      assertThat(e).hasMessageThat().contains(String.valueOf(bad));
      assertThrows(IllegalArgumentException.class, () -> data.randomSplit(bad, 1));
    }
  }

  @Test
  void randomSplitPartitionsTheExamplesReproducibly() {
    Dataset data = numbered(100);

    Dataset.Split split = data.randomSplit(0.8, 7);

    int[] first = indices(split.first());
    int[] second = indices(split.second());
    assertThat(first).hasLength(80);
    assertThat(second).hasLength(20);
    Set<Integer> all = new HashSet<>();
    Arrays.stream(first).forEach(all::add);
    Arrays.stream(second).forEach(all::add);
    assertThat(all).hasSize(100);
    assertThat(indices(data.randomSplit(0.8, 7).first())).isEqualTo(first);
    assertThat(indices(data.randomSplit(0.8, 8).first())).isNotEqualTo(first);
    // Not simply the first 80 in order.
    assertThat(first).isNotEqualTo(indices(data.split(0.8).first()));
  }

  @Test
  void permutationIsASeededPermutation() {
    int[] permutation = Dataset.permutation(50, 3);

    assertThat(Arrays.stream(permutation).sorted().toArray()).isEqualTo(indices(numbered(50)));
    assertThat(Dataset.permutation(50, 3)).isEqualTo(permutation);
    assertThat(Dataset.permutation(50, 4)).isNotEqualTo(permutation);
    assertThat(Dataset.permutation(0, 3)).isEmpty();
  }

  @Test
  void copiesFillTheDestinationFromAnOffsetIntoTheOrder() {
    Dataset data = numbered(4);
    int[] order = {3, 1, 2, 0};
    float[] features = new float[2 * 6];
    float[] labels = new float[2 * 2];

    data.copyFeatures(order, 1, 2, features);
    data.copyLabels(order, 1, 2, labels);

    assertThat(features[0]).isEqualTo(10f);
    assertThat(features[5]).isEqualTo(15f);
    assertThat(features[6]).isEqualTo(20f);
    assertThat(features[11]).isEqualTo(25f);
    assertThat(labels).isEqualTo(new float[] {1, -1, 2, -2});
  }

  @Test
  void positionsOutsideAnExampleOrLabelAreRejected() {
    Dataset data = numbered(2);

    assertThrows(IndexOutOfBoundsException.class, () -> data.feature(0, 6));
    assertThrows(IndexOutOfBoundsException.class, () -> data.label(0, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> data.feature(2, 0));
  }
}
