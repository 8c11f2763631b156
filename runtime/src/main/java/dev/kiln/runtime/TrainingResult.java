package dev.kiln.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link Model#train}.
 *
 * @param history one entry per epoch of the run, in order (for a resumed run, the epochs before
 *     the interruption too)
 * @param runDirectory the run's TensorBoard directory, {@code <log root>/<run name>}
 * @param checkpoint the run's final checkpoint, {@code <run directory>/checkpoints/step-...}
 *     (loadable with {@link Model#load}); empty if checkpoints were switched off
 * @param bestCheckpoint the checkpoint of the epoch with the best validation metric, if the
 *     checkpoint policy keeps one ({@link CheckpointPolicy#keepBest})
 * @param resumedFrom the checkpoint this run continued from, if it resumed an interrupted run
 * @param steps the global step at the end: training steps done by this model, over all runs
 * @param elapsed the whole run's time, validation and saving included (for a resumed run, before
 *     and after the interruption)
 */
public record TrainingResult(
    List<EpochStats> history,
    Path runDirectory,
    Optional<Path> checkpoint,
    Optional<Path> bestCheckpoint,
    Optional<Path> resumedFrom,
    long steps,
    Duration elapsed) {
  public TrainingResult {
    history = List.copyOf(history);
    if (history.isEmpty()) {
      throw new IllegalArgumentException("a training result needs at least one epoch");
    }
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(bestCheckpoint, "bestCheckpoint");
    Objects.requireNonNull(resumedFrom, "resumedFrom");
  }

  /** The last epoch: the final losses, accuracies and parameter values. */
  public EpochStats last() {
    return history.get(history.size() - 1);
  }
}
