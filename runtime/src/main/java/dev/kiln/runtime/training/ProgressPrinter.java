package dev.kiln.runtime.training;

import dev.kiln.runtime.CheckpointPolicy;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The console side of a training run: what runs where at the start, a line per epoch (at most one a
 * second for short epochs without validation), a summary at the end.
 */
final class ProgressPrinter {
  private static final Duration LINE_INTERVAL = Duration.ofSeconds(1);
  /** How often the live status line is rewritten: often enough to look alive, rarely enough to cost nothing. */
  static final Duration STATUS_INTERVAL = Duration.ofMillis(250);

  private final PrintStream out;
  /** False for a quiet run: a full-batch run has an epoch a step, and formatting its line costs. */
  private final boolean printsEpochs;
  /** When the last epoch line was printed; null before the first. */
  private Long lastEpochLine;
  private final NetworkSpec spec;
  private final String deviceDescription;
  private final boolean hasAccuracy;
  /** Whether a status line is rewritten in place within an epoch. */
  private final boolean live;
  private final LongSupplier clock;
  /** When the status line was last written, in the clock's nanoseconds. */
  private long lastStatus;
  private boolean statusWritten;
  /** The length of the status line on the terminal now; 0 when there is none. */
  private int statusLength;

  ProgressPrinter(TrainingConfig config, NetworkSpec spec, String deviceDescription, boolean hasAccuracy) {
    this(config, spec, deviceDescription, hasAccuracy, System::nanoTime);
  }

  ProgressPrinter(TrainingConfig config, NetworkSpec spec, String deviceDescription, boolean hasAccuracy, LongSupplier clock) {
    this.out = config.output();
    this.printsEpochs = config.prints();
    this.live = config.showsLiveProgress();
    this.clock = clock;
    this.spec = spec;
    this.deviceDescription = deviceDescription;
    this.hasAccuracy = hasAccuracy;
  }

  void start(Dataset train, Dataset validation, TrainingConfig config, long stepsPerEpoch, int batchSize, Path runDirectory) {
    out.printf("Training %s (%s, %s) on %s%n", spec.name(), spec.loss(), spec.optimizer(), deviceDescription);
    out.printf(
        "  data: %d training examples%s; %d epochs of %d steps, batch size %d%n",
        train.size(), validation != null ? ", " + validation.size() + " for validation" + validatedEvery(config) : "", config.epochs(),
        stepsPerEpoch, batchSize);
    out.printf("  run directory: %s%n", runDirectory);
    out.printf("  watch it with: tensorboard --logdir %s%n", config.logRoot());
    out.flush();
  }

  private static String validatedEvery(TrainingConfig config) {
    return config.validateEvery() > 1 ? " (every " + config.validateEvery() + " epochs and after the last)" : "";
  }

  void checkpoints(Path directory, CheckpointPolicy policy) {
    out.printf("  checkpoints: %s, in %s%n", policy, directory);
    out.flush();
  }

  void resumed(Path checkpoint, TrainingState state, long stepsPerEpoch) {
    String within =
        state.batchesDone() > 0
            ? String.format(Locale.ROOT, ", and %d of %d batches of epoch %d", state.batchesDone(), stepsPerEpoch, state.epochsDone() + 1)
            : "";
    out.printf(Locale.ROOT, "  resuming from %s: step %d, %d epochs done%s%n", checkpoint, state.step(), state.epochsDone(), within);
    out.flush();
  }

  /**
   * After a step: on a live terminal and at most every {@link #STATUS_INTERVAL}, rewrites the status
   * line with the epoch's steps done, its examples per second and the time its remaining steps will
   * take at that rate. Costs nothing when not live and one clock read between two rewrites, so the
   * step loop can call it every step.
   *
   * @param epochStart when the epoch's training time began, on the clock (checkpoint writing moves it on)
   */
  void step(int epoch, int epochs, long batchesDone, long stepsPerEpoch, long examples, long epochStart) {
    if (!live) {
      return;
    }
    long now = clock.getAsLong();
    if (statusWritten && now - lastStatus < STATUS_INTERVAL.toNanos()) {
      return;
    }
    statusWritten = true;
    lastStatus = now;
    String status = status(epoch, epochs, batchesDone, stepsPerEpoch, examples, now - epochStart);
    // Pads over what a longer line before left.
    out.print("\r" + status + " ".repeat(Math.max(0, statusLength - status.length())));
    out.flush();
    statusLength = status.length();
  }

  /** {@code epoch 3/30  step 120/469  12,345 examples/s  0:27 left}. */
  static String status(int epoch, int epochs, long batchesDone, long stepsPerEpoch, long examples, long epochNanos) {
    double seconds = epochNanos / 1e9;
    String rate = seconds > 0 ? String.format(Locale.ROOT, "  %,.0f examples/s", examples / seconds) : "";
    String left = "";
    if (batchesDone > 0 && seconds > 0) {
      long remaining = Math.round(seconds / batchesDone * (stepsPerEpoch - batchesDone));
      left = String.format(Locale.ROOT, "  %d:%02d left", remaining / 60, remaining % 60);
    }
    int width = String.valueOf(epochs).length();
    int stepWidth = String.valueOf(stepsPerEpoch).length();
    return String.format(Locale.ROOT, "epoch %" + width + "d/%d  step %" + stepWidth + "d/%d", epoch, epochs, batchesDone, stepsPerEpoch)
        + rate + left;
  }

  /** Clears the status line, so that a full line can take its place. */
  private void clearStatus() {
    if (statusLength > 0) {
      out.print("\r" + " ".repeat(statusLength) + "\r");
      statusLength = 0;
    }
  }

  /** A line about the run's files or steps: a checkpoint set aside, event files cut back, a step skipped, a stop. */
  void note(String line) {
    clearStatus();
    out.println("  " + line);
    out.flush();
  }

  /**
   * The epoch's line: for every epoch that validated or skipped a step, the run's first and last,
   * and otherwise at most one a second (epochs of one step, as in full-batch training, would print
   * thousands).
   */
  void epoch(EpochStats stats, int epochs) {
    long now = System.nanoTime();
    boolean due =
        lastEpochLine == null || stats.hasValidation() || stats.skippedSteps() > 0 || stats.epoch() == epochs
            || now - lastEpochLine >= LINE_INTERVAL.toNanos();
    clearStatus();
    if (!printsEpochs || !due) {
      return;
    }
    lastEpochLine = now;
    int width = String.valueOf(epochs).length();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %" + width + "d/%d", stats.epoch(), epochs));
    line.append(metrics(stats));
    for (Map.Entry<String, Double> parameter : stats.parameters().entrySet()) {
      line.append(String.format(Locale.ROOT, "  %s %.4f", parameter.getKey(), parameter.getValue()));
    }
    stats.learnedWidths().forEach((layer, units) -> line.append(String.format(Locale.ROOT, "  %s %d units", layer, units)));
    line.append(String.format(Locale.ROOT, "  %,.0f examples/s", stats.examplesPerSecond()));
    if (stats.skippedSteps() > 0) {
      line.append(String.format(Locale.ROOT, "  %d steps skipped", stats.skippedSteps()));
    }
    out.println(line);
    out.flush();
  }

  void finish(TrainingResult result) {
    EpochStats last = result.last();
    out.printf(
        Locale.ROOT, "Done: %d epochs, %d steps in %.1f s.%s%n",
        result.history().size(), result.steps(), result.elapsed().toMillis() / 1000.0, metrics(last));
    files(result);
  }

  /** A resumed run whose checkpoint already holds every epoch asked for. */
  void alreadyTrained(TrainingResult result, int epochs) {
    out.printf(
        Locale.ROOT, "%s: run %s already trained %d epochs (%d asked for), %d steps; restored its last checkpoint.%s%n",
        spec.name(), result.runDirectory(), result.history().size(), epochs, result.steps(), metrics(result.last()));
    files(result);
  }

  private void files(TrainingResult result) {
    result.checkpoint().ifPresent(checkpoint -> out.printf("  checkpoint: %s%n", checkpoint));
    result.bestCheckpoint().ifPresent(best -> out.printf("  best checkpoint: %s%n", best));
    out.printf("  TensorBoard run: %s%n", result.runDirectory());
    out.flush();
  }

  private String metrics(EpochStats stats) {
    // A relaxed network's training figures are through its targets: named so, they cannot be
    // mistaken for the ordinary forward pass's, which validation reports.
    String training = spec.relaxation().isPresent() ? "relaxed_" : "";
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %sloss %.4f", training, stats.trainLoss()));
    if (hasAccuracy) {
      text.append(String.format(Locale.ROOT, "  %saccuracy %.4f", training, stats.trainAccuracy()));
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
