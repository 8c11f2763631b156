package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Training stopped at a step boundary because it was asked to: by SIGINT or SIGTERM (Ctrl-C, a
 * scheduler), {@code System.exit} during training, or {@link Model#requestStop}. The message says
 * where the final checkpoint is and how to resume.
 */
public final class TrainingInterruptedException extends RuntimeException {
  private final long step;
  private final Path checkpoint;

  public TrainingInterruptedException(String message, long step, Optional<Path> checkpoint) {
    super(message);
    this.step = step;
    this.checkpoint = checkpoint.orElse(null);
  }

  /** The global step training stopped at: every step before it is done and saved. */
  public long step() {
    return step;
  }

  /** The checkpoint written when training stopped; empty if checkpoints are switched off. */
  public Optional<Path> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }
}
