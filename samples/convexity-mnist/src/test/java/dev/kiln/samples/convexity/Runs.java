package dev.kiln.samples.convexity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Made-up run results for tests of the sweep's files and the report. */
final class Runs {
  private Runs() {}

  /**
   * A run of {@code validationAccuracies.length} epochs, {@code secondsPerEpoch} each, θ falling
   * from 0.8 by 0.1 per epoch.
   */
  static RunResult run(String variant, long seed, double testAccuracy, double testF1, double testLoss, double secondsPerEpoch,
      double... validationAccuracies) {
    List<EpochRecord> history = new ArrayList<>();
    for (int e = 1; e <= validationAccuracies.length; e++) {
      history.add(new EpochRecord(e, 100L * e, secondsPerEpoch * e, 1.0 / e, 0.5 + 0.01 * e, 0.9 / e,
          validationAccuracies[e - 1], validationAccuracies[e - 1] - 0.01, 0.8 - 0.1 * e));
    }
    return new RunResult(variant, seed, Map.of("variant", variant, "seed", (double) seed), history,
        new TestMetrics(testLoss, testAccuracy, testF1 + 0.01, testF1 - 0.01, testF1), secondsPerEpoch * history.size() + 1);
  }
}
