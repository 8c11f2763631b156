package dev.kiln.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Made-up trial results for tests of the sweep's files and the report. */
final class Trials {
  /** What the convexity sample's report shows: test scores, times to 97 % and 98 % validation accuracy, validation accuracy and θ. */
  static final Report.Spec SPEC = new Report.Spec("variant",
      List.of(new Report.Column("test accuracy", "accuracy"), new Report.Column("test F1 (macro)", "f1"), new Report.Column("test loss", "loss")),
      List.of(new Report.Target("validation/accuracy", 0.97, "97 % val. accuracy"), new Report.Target("validation/accuracy", 0.98, "98 % val. accuracy")),
      List.of(
          new Report.Plot("validation-accuracy-by-epoch", "Validation accuracy", "validation accuracy", "validation/accuracy", false),
          new Report.Plot("validation-accuracy-by-time", "Validation accuracy", "validation accuracy", "validation/accuracy", true),
          new Report.Plot("theta-by-epoch", "θ after each epoch", "θ (rad)", "theta", false),
          new Report.Plot("theta-by-time", "θ after each epoch", "θ (rad)", "theta", true)));

  private Trials() {}

  /**
   * A trial of {@code validationAccuracies.length} epochs, {@code secondsPerEpoch} each, θ falling
   * from 0.8 by 0.1 per epoch.
   */
  static TrialResult result(String group, long seed, double testAccuracy, double testF1, double testLoss, double secondsPerEpoch,
      double... validationAccuracies) {
    List<Epoch> history = new ArrayList<>();
    for (int e = 1; e <= validationAccuracies.length; e++) {
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("train_loss", 1.0 / e);
      values.put("train_accuracy", 0.5 + 0.01 * e);
      values.put("validation/loss", 0.9 / e);
      values.put("validation/accuracy", validationAccuracies[e - 1]);
      values.put("validation/f1", validationAccuracies[e - 1] - 0.01);
      values.put("theta", 0.8 - 0.1 * e);
      history.add(new Epoch(e, 100L * e, secondsPerEpoch * e, values));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", testLoss);
    metrics.put("accuracy", testAccuracy);
    metrics.put("precision", testF1 + 0.01);
    metrics.put("recall", testF1 - 0.01);
    metrics.put("f1", testF1);
    return new TrialResult(group, seed, Map.of("variant", group, "seed", (double) seed), history, metrics,
        secondsPerEpoch * history.size() + 1);
  }
}
