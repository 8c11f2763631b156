package dev.kiln.runtime.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** A checkpoint directory whose files do not match its manifest, or that is incomplete. */
public final class CorruptCheckpointException extends IOException {
  private final Path checkpoint;
  private final String problem;

  public CorruptCheckpointException(Path checkpoint, String problem) {
    super("corrupt checkpoint " + checkpoint + ": " + problem);
    this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  /** The checkpoint directory. */
  public Path checkpoint() {
    return checkpoint;
  }

  /** What is wrong with it, naming the file at fault. */
  public String problem() {
    return problem;
  }
}
