package dev.kiln.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link Model#train}.
 *
 * @param history one entry per epoch, in order
 * @param runDirectory the run's TensorBoard directory, {@code <log root>/<run name>}
 * @param checkpoint where the final weights were saved (loadable with {@link Model#load}); empty if
 *     checkpoints were switched off
 * @param steps the global step at the end: training steps done by this model, over all runs
 * @param elapsed the whole run's time, validation and saving included
 */
public record TrainingResult(List<EpochStats> history, Path runDirectory, Optional<Path> checkpoint, long steps, Duration elapsed) {
  public TrainingResult {
    history = List.copyOf(history);
    if (history.isEmpty()) {
      throw new IllegalArgumentException("a training result needs at least one epoch");
    }
  }

  /** The last epoch: the final losses, accuracies and parameter values. */
  public EpochStats last() {
    return history.get(history.size() - 1);
  }
}
