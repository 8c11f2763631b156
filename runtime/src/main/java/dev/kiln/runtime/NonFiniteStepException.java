package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Training stopped at a step whose loss, learning rate or gradients were not finite ({@link NonFiniteSteps#STOP}). */
public final class NonFiniteStepException extends RuntimeException {
  private final long step;
  private final String firstNonFinite;
  private final Path lastCheckpoint;

  public NonFiniteStepException(String message, long step, String firstNonFinite, Optional<Path> lastCheckpoint) {
    super(message);
    this.step = step;
    this.firstNonFinite = Objects.requireNonNull(firstNonFinite, "firstNonFinite");
    this.lastCheckpoint = lastCheckpoint.orElse(null);
  }

  /** The global step that was not finite; the model holds the state from before it. */
  public long step() {
    return step;
  }

  /** The first non-finite value found, in graph order: a data example, a parameter or a tensor. */
  public String firstNonFinite() {
    return firstNonFinite;
  }

  /** The newest checkpoint of the run, every value of which is finite; empty if there is none. */
  public Optional<Path> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }
}
