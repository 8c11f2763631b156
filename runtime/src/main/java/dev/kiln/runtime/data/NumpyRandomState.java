package dev.kiln.runtime.data;

/**
 * The parts of NumPy's legacy {@code numpy.random.RandomState} that scikit-learn's data set
 * generators use, reproducing its streams for the same integer seed: the MT19937 generator seeded
 * by {@code init_genrand}, {@code random_sample}, {@code shuffle} of a one-dimensional array, and
 * the polar Box–Muller {@code standard_normal}/{@code normal} that caches its second value.
 *
 * <p>Integer streams, uniform doubles and shuffles are bit-identical to NumPy's. Gaussians use
 * Java's {@code Math.log} where NumPy calls C's {@code log}; the two differ in the last bit for a
 * few values in ten thousand (measured against NumPy 2.4 on glibc), which never changes the
 * float32 values {@link TwoMoons} stores (identical to scikit-learn's in 300,000 points checked).
 *
 * <p>Not thread-safe: one instance per generated data set.
 */
final class NumpyRandomState {
  private static final int STATE_LENGTH = 624;
  private static final int SHIFT = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;
  private static final long MAX_SEED = 0xffffffffL;

  private final int[] key = new int[STATE_LENGTH];
  private int position;
  private boolean hasCachedGaussian;
  private double cachedGaussian;

  /**
   * {@code RandomState(seed)} for an integer seed, which NumPy accepts only in
   * [0, 2<sup>32</sup> − 1].
   */
  NumpyRandomState(long seed) {
    if (seed < 0 || seed > MAX_SEED) {
      throw new IllegalArgumentException(
          "seed must be between 0 and 2^32 - 1 (as NumPy's RandomState requires), got " + seed);
    }
    // init_genrand: Knuth's multiplicative initialisation, all arithmetic modulo 2^32.
    int s = (int) seed;
    for (int i = 0; i < STATE_LENGTH; i++) {
      key[i] = s;
      s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
    }
    position = STATE_LENGTH;
  }

  /** The next raw 32-bit output, as an unsigned value in an int. */
  int nextUnsignedInt() {
    if (position == STATE_LENGTH) {
      regenerate();
    }
    int y = key[position++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void regenerate() {
    for (int i = 0; i < STATE_LENGTH; i++) {
      int y = (key[i] & UPPER_MASK) | (key[(i + 1) % STATE_LENGTH] & LOWER_MASK);
      key[i] = key[(i + SHIFT) % STATE_LENGTH] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    position = 0;
  }

  /** {@code random_sample()}: a double in [0, 1) from 53 random bits of two outputs. */
  double randomSample() {
    long high = (nextUnsignedInt() >>> 5) & 0xffffffffL;
    long low = (nextUnsignedInt() >>> 6) & 0xffffffffL;
    return (high * 67108864.0 + low) / 9007199254740992.0;
  }

  /**
   * A uniform integer in [0, {@code max}] by rejection of masked 32-bit outputs (NumPy's
   * {@code random_interval} for bounds below 2<sup>32</sup>).
   */
  long interval(long max) {
    if (max < 0 || max > MAX_SEED) {
      throw new IllegalArgumentException("interval bound must be in [0, 2^32 - 1], got " + max);
    }
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = (nextUnsignedInt() & 0xffffffffL) & mask;
    } while (value > max);
    return value;
  }

  /** {@code shuffle(array)} for a one-dimensional array: Fisher–Yates from the last element down. */
  void shuffle(int[] array) {
    for (int i = array.length - 1; i > 0; i--) {
      int j = (int) interval(i);
      int t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
  }

  /** {@code standard_normal()}: the legacy polar Box–Muller method, which caches its second value. */
  double standardNormal() {
    if (hasCachedGaussian) {
      hasCachedGaussian = false;
      double cached = cachedGaussian;
      cachedGaussian = 0;
      return cached;
    }
    double x1;
    double x2;
    double r2;
    do {
      x1 = 2.0 * randomSample() - 1.0;
      x2 = 2.0 * randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
    cachedGaussian = f * x1;
    hasCachedGaussian = true;
    return f * x2;
  }

  /** {@code normal(loc=0, scale=scale)}, one value. */
  double normal(double scale) {
    if (!(scale >= 0)) {
      throw new IllegalArgumentException("normal scale must be >= 0, got " + scale);
    }
    return 0.0 + scale * standardNormal();
  }
}
