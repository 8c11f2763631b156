package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import java.util.Random;
import org.tensorflow.ndarray.Shape;

/** Small data sets for runtime tests. */
final class TestData {
  private TestData() {}

  /**
   * {@code n} points in [-1, 1]², labelled 1 when {@code x + y > 0}: separable by a line, so any
   * network here should learn it.
   */
  static Dataset halfPlanes(int n, long seed) {
    Random random = new Random(seed);
    float[] features = new float[2 * n];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      float x = random.nextFloat() * 2 - 1;
      float y = random.nextFloat() * 2 - 1;
      features[2 * i] = x;
      features[2 * i + 1] = y;
      labels[i] = x + y > 0 ? 1 : 0;
    }
    return Dataset.of(features, Shape.of(2), labels, 1);
  }
}
