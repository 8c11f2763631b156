package dev.kiln.runtime.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.tensorflow.ndarray.Shape;

/**
 * An in-memory data set: {@code size()} examples of one shape, each with {@code labelWidth()}
 * label values. Features and labels are row-major float arrays owned by the data set (copied in,
 * never handed out), so a data set is immutable.
 *
 * <p>Labels are class indices (width 1) for softmax cross-entropy, 0/1 values for sigmoid
 * cross-entropy, and targets for mean squared error.
 */
public final class Dataset {
  private final float[] features;
  private final Shape exampleShape;
  private final float[] labels;
  private final int labelWidth;
  private final int size;
  private final int exampleSize;

  private Dataset(float[] features, Shape exampleShape, float[] labels, int labelWidth) {
    this.features = features;
    this.exampleShape = exampleShape;
    this.labels = labels;
    this.labelWidth = labelWidth;
    this.exampleSize = Math.toIntExact(exampleShape.size());
    this.size = features.length / exampleSize;
  }

  /**
   * A data set over copies of {@code features} (row-major, {@code n × exampleShape}) and
   * {@code labels} ({@code n × labelWidth}).
   */
  public static Dataset of(float[] features, Shape exampleShape, float[] labels, int labelWidth) {
    requireConsistent(features, exampleShape, labels, labelWidth);
    return new Dataset(features.clone(), exampleShape, labels.clone(), labelWidth);
  }

  /**
   * Like {@link #of} but takes ownership of the arrays instead of copying them: for loaders that
   * build large arrays (MNIST's training images are 188 MB as floats) and hand them over.
   */
  static Dataset owning(float[] features, Shape exampleShape, float[] labels, int labelWidth) {
    requireConsistent(features, exampleShape, labels, labelWidth);
    return new Dataset(features, exampleShape, labels, labelWidth);
  }

  private static void requireConsistent(float[] features, Shape exampleShape, float[] labels, int labelWidth) {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (exampleShape.isUnknown() || exampleShape.hasUnknownDimension() || exampleShape.size() <= 0) {
      throw new IllegalArgumentException("example shape must be fully known and non-empty, got " + exampleShape);
    }
    if (labelWidth <= 0) {
      throw new IllegalArgumentException("label width must be > 0, got " + labelWidth);
    }
    long exampleSize = exampleShape.size();
    if (features.length % exampleSize != 0) {
      throw new IllegalArgumentException(
          features.length + " feature values are not a whole number of examples of shape " + exampleShape);
    }
    long n = features.length / exampleSize;
    if (labels.length != n * labelWidth) {
      throw new IllegalArgumentException(
          n + " examples need " + n * labelWidth + " label values (width " + labelWidth + "), got " + labels.length);
    }
  }

  public int size() {
    return size;
  }

  /** The shape of one example, without the batch dimension. */
  public Shape exampleShape() {
    return exampleShape;
  }

  /** Number of float values in one example. */
  public int exampleSize() {
    return exampleSize;
  }

  public int labelWidth() {
    return labelWidth;
  }

  /** The examples at {@code indices}, in that order. */
  public Dataset subset(int[] indices) {
    float[] f = new float[indices.length * exampleSize];
    float[] l = new float[indices.length * labelWidth];
    copyFeatures(indices, 0, indices.length, f);
    copyLabels(indices, 0, indices.length, l);
    return new Dataset(f, exampleShape, l, labelWidth);
  }

  /** Examples {@code from} (inclusive) to {@code to} (exclusive). */
  public Dataset range(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    return new Dataset(
        Arrays.copyOfRange(features, from * exampleSize, to * exampleSize),
        exampleShape,
        Arrays.copyOfRange(labels, from * labelWidth, to * labelWidth),
        labelWidth);
  }

  /** Two data sets: the first {@code fraction} of the examples in order, and the rest. */
  public Split split(double fraction) {
    int cut = cut(fraction);
    return new Split(range(0, cut), range(cut, size));
  }

  /** Two data sets: a random {@code fraction} of the examples (seeded), and the rest. */
  public Split randomSplit(double fraction, long seed) {
    int cut = cut(fraction);
    int[] order = permutation(size, seed);
    return new Split(subset(Arrays.copyOfRange(order, 0, cut)), subset(Arrays.copyOfRange(order, cut, size)));
  }

  /** A seeded Fisher–Yates permutation of {@code 0..n-1}. */
  public static int[] permutation(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Copies the features of examples {@code order[from..from+count)} into {@code dst}, row-major. */
  public void copyFeatures(int[] order, int from, int count, float[] dst) {
    for (int i = 0; i < count; i++) {
      System.arraycopy(features, order[from + i] * exampleSize, dst, i * exampleSize, exampleSize);
    }
  }

  /** Copies the labels of examples {@code order[from..from+count)} into {@code dst}, row-major. */
  public void copyLabels(int[] order, int from, int count, float[] dst) {
    for (int i = 0; i < count; i++) {
      System.arraycopy(labels, order[from + i] * labelWidth, dst, i * labelWidth, labelWidth);
    }
  }

  /** One feature value: example {@code i}, flat position {@code j} within the example. */
  public float feature(int i, int j) {
    Objects.checkIndex(j, exampleSize);
    return features[i * exampleSize + j];
  }

  /** One label value: example {@code i}, position {@code j} within its label. */
  public float label(int i, int j) {
    Objects.checkIndex(j, labelWidth);
    return labels[i * labelWidth + j];
  }

  private int cut(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
    }
    return (int) Math.round(size * fraction);
  }

  public record Split(Dataset first, Dataset second) {}

  @Override
  public String toString() {
    return "Dataset[" + size + " examples of shape " + exampleShape + ", label width " + labelWidth + "]";
  }
}
