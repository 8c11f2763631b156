package dev.kiln.runtime.training;

import java.util.Optional;

/**
 * A request, from any thread, that the training run in progress stop at its next step boundary.
 * A request while no run is in progress does nothing.
 */
public final class StopRequest {
  private volatile boolean active;
  private volatile String reason;

  /** A run starts: it will see requests from now on. */
  synchronized void begin() {
    reason = null;
    active = true;
  }

  /** The run ended. */
  synchronized void end() {
    active = false;
  }

  /**
   * Asks the run in progress to stop, the first reason given being kept.
   *
   * @return whether a run was in progress
   */
  public synchronized boolean request(String why) {
    if (!active) {
      return false;
    }
    if (reason == null) {
      reason = why;
    }
    return true;
  }

  /** Why the run should stop, once asked. */
  Optional<String> reason() {
    return Optional.ofNullable(reason);
  }
}
