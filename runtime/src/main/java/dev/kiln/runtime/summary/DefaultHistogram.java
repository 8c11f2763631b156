package dev.kiln.runtime.summary;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.HistogramProto;

/**
 * TensorFlow's default histogram ({@code tensorflow/core/lib/histogram/histogram.cc}): bucket
 * limits at 0 and ±1e-12 growing by 10% up to 1e20, then ±DBL_MAX; bucket {@code i} counts values
 * below limit {@code i} and at or above limit {@code i-1}. Encoded as TF's summary ops do, with each
 * run of empty buckets collapsed into one entry at the run's last limit, so TensorBoard renders it
 * like a histogram written by TensorFlow itself.
 */
final class DefaultHistogram {
  private static final double[] LIMITS = defaultLimits();

  private DefaultHistogram() {}

  /** A copy of the bucket limits, ascending. */
  static double[] limits() {
    return LIMITS.clone();
  }

  private static double[] defaultLimits() {
    List<Double> positive = new ArrayList<>();
    // The same repeated multiplication as histogram.cc, so the limits are bit-identical to TF's.
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) {
      positive.add(v);
    }
    positive.add(Double.MAX_VALUE);
    int n = positive.size();
    double[] limits = new double[2 * n + 1];
    for (int i = 0; i < n; i++) {
      limits[n - 1 - i] = -positive.get(i);
      limits[n + 1 + i] = positive.get(i);
    }
    limits[n] = 0.0;
    return limits;
  }

  /**
   * The histogram of {@code values}; {@code tag} only names the summary in the error for a
   * non-finite value, which TF's histogram op rejects too (it has no bucket).
   */
  static HistogramProto of(String tag, float[] values) {
    double[] counts = new double[LIMITS.length];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < values.length; i++) {
      double value = values[i];
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException(
            "histogram '" + tag + "': value " + value + " at index " + i + " is not finite");
      }
      counts[upperBound(value)] += 1;
      // IEEE comparisons as in histogram.cc (Math.min would order -0.0 before 0.0).
      if (value < min) {
        min = value;
      }
      if (value > max) {
        max = value;
      }
      sum += value;
      sumSquares += value * value;
    }
    HistogramProto.Builder proto =
        HistogramProto.newBuilder().setMin(min).setMax(max).setNum(values.length).setSum(sum).setSumSquares(sumSquares);
    for (int i = 0; i < counts.length; ) {
      double limit = LIMITS[i];
      double count = counts[i];
      i++;
      if (count <= 0) {
        while (i < counts.length && counts[i] <= 0) {
          limit = LIMITS[i];
          i++;
        }
      }
      proto.addBucketLimit(limit).addBucket(count);
    }
    return proto.build();
  }

  /**
   * The index of the first limit greater than {@code value}, as C++'s {@code std::upper_bound}.
   * Written out rather than {@code Arrays.binarySearch}, which orders -0.0 below 0.0 where IEEE
   * comparison (and so TF) treats them as equal.
   */
  private static int upperBound(double value) {
    int low = 0;
    int high = LIMITS.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (value < LIMITS[mid]) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
}
