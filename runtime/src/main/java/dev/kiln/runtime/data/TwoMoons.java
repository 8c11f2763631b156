package dev.kiln.runtime.data;

import org.tensorflow.ndarray.Shape;

/**
 * Two interleaving half circles in the plane, the toy classification problem of scikit-learn's
 * {@code make_moons}.
 */
public final class TwoMoons {
  private TwoMoons() {}

  /**
   * The data set of scikit-learn's
   * {@code make_moons(n_samples=n, shuffle=True, noise=noise, random_state=seed)}: {@code n / 2}
   * points on the outer moon (the upper half of the unit circle, label 0) and the rest on the inner
   * moon (the lower half circle centred at (1, 0.5), label 1), evenly spaced by angle, shuffled,
   * plus Gaussian noise of standard deviation {@code noise} on each coordinate.
   *
   * <p>It uses the same algorithm and random streams as scikit-learn (NumPy's legacy
   * {@code RandomState}, see {@link NumpyRandomState}), so a seed gives the points scikit-learn
   * gives, to float precision: features are stored as float32 and labels (0 or 1, width 1) as
   * float. Examples have shape {@code [2]}.
   *
   * @param n number of examples, at least 2 (one per moon)
   * @param noise standard deviation of the noise, finite and >= 0
   * @param seed NumPy seed, in [0, 2<sup>32</sup> − 1]
   * @throws IllegalArgumentException for any argument outside those ranges, naming it
   */
  public static Dataset generate(int n, double noise, long seed) {
    if (n <= 1) {
      throw new IllegalArgumentException("two moons need n >= 2 examples (one per moon), got n = " + n);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("two-moons noise must be a finite standard deviation >= 0, got " + noise);
    }
    NumpyRandomState random = new NumpyRandomState(seed);
    int outer = n / 2;
    int inner = n - outer;
    double[] x = new double[n];
    double[] y = new double[n];
    float[] labels = new float[n];
    double[] outerAngles = linspace(0, Math.PI, outer);
    for (int i = 0; i < outer; i++) {
      x[i] = Math.cos(outerAngles[i]);
      y[i] = Math.sin(outerAngles[i]);
    }
    double[] innerAngles = linspace(0, Math.PI, inner);
    for (int i = 0; i < inner; i++) {
      x[outer + i] = 1 - Math.cos(innerAngles[i]);
      y[outer + i] = 1 - Math.sin(innerAngles[i]) - 0.5;
      labels[outer + i] = 1;
    }

    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    random.shuffle(order);

    float[] features = new float[2 * n];
    float[] shuffledLabels = new float[n];
    // The noise is drawn after the shuffle, row by row (x then y), as NumPy fills an (n, 2) array.
    for (int i = 0; i < n; i++) {
      features[2 * i] = (float) (x[order[i]] + random.normal(noise));
      features[2 * i + 1] = (float) (y[order[i]] + random.normal(noise));
      shuffledLabels[i] = labels[order[i]];
    }
    return Dataset.of(features, Shape.of(2), shuffledLabels, 1);
  }

  /** NumPy's {@code linspace(start, stop, num)}: {@code i * step + start}, the last point exactly {@code stop}. */
  private static double[] linspace(double start, double stop, int num) {
    double[] points = new double[num];
    if (num == 1) {
      points[0] = start;
      return points;
    }
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num - 1; i++) {
      points[i] = i * step + start;
    }
    points[num - 1] = stop;
    return points;
  }
}
