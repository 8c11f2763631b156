package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The console side of a training run: what runs where at the start, a line per epoch, a summary at the end. */
final class ProgressPrinter {
  private final PrintStream out;
  private final NetworkSpec spec;
  private final String deviceDescription;
  private final boolean hasAccuracy;

  ProgressPrinter(PrintStream out, NetworkSpec spec, String deviceDescription, boolean hasAccuracy) {
    this.out = out;
    this.spec = spec;
    this.deviceDescription = deviceDescription;
    this.hasAccuracy = hasAccuracy;
  }

  void start(Dataset train, Dataset validation, TrainingConfig config, long stepsPerEpoch, int batchSize, Path runDirectory) {
    out.printf("Training %s (%s, %s) on %s%n", spec.name(), spec.loss(), spec.optimizer(), deviceDescription);
    out.printf(
        "  data: %d training examples%s; %d epochs of %d steps, batch size %d%n",
        train.size(), validation != null ? ", " + validation.size() + " for validation" : "", config.epochs(), stepsPerEpoch, batchSize);
    out.printf("  run directory: %s%n", runDirectory);
    out.printf("  watch it with: tensorboard --logdir %s%n", config.logRoot());
    out.flush();
  }

  void epoch(EpochStats stats, int epochs) {
    int width = String.valueOf(epochs).length();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %" + width + "d/%d", stats.epoch(), epochs));
    line.append(metrics(stats));
    for (Map.Entry<String, Double> parameter : stats.parameters().entrySet()) {
      line.append(String.format(Locale.ROOT, "  %s %.4f", parameter.getKey(), parameter.getValue()));
    }
    line.append(String.format(Locale.ROOT, "  %,.0f examples/s", stats.examplesPerSecond()));
    out.println(line);
    out.flush();
  }

  void finish(TrainingResult result) {
    EpochStats last = result.last();
    out.printf(
        Locale.ROOT, "Done: %d epochs, %d steps in %.1f s.%s%n",
        result.history().size(), result.steps(), result.elapsed().toMillis() / 1000.0, metrics(last));
    result.checkpoint().ifPresent(checkpoint -> out.printf("  checkpoint: %s%n", checkpoint));
    out.printf("  TensorBoard run: %s%n", result.runDirectory());
    out.flush();
  }

  private String metrics(EpochStats stats) {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  loss %.4f", stats.trainLoss()));
    if (hasAccuracy) {
      text.append(String.format(Locale.ROOT, "  accuracy %.4f", stats.trainAccuracy()));
    }
    if (stats.hasValidation()) {
      text.append(String.format(Locale.ROOT, "  val_loss %.4f", stats.validationLoss()));
      if (hasAccuracy) {
        text.append(String.format(Locale.ROOT, "  val_accuracy %.4f", stats.validationAccuracy()));
      }
      if (!Double.isNaN(stats.validationF1())) {
        text.append(String.format(Locale.ROOT, "  val_f1 %.4f", stats.validationF1()));
      }
    }
    return text.toString();
  }
}
