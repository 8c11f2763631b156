package dev.kiln.runtime.training;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While a training run is in progress, a JVM shutdown hook (run on SIGINT, SIGTERM, SIGHUP or
 * {@code System.exit}) that asks the run to stop at its next step boundary and holds the JVM's
 * exit until the run has written its final checkpoint and flushed its logs, or until
 * {@link #WAIT} has passed. The JVM then exits with its usual status for the signal (130 for
 * SIGINT, 143 for SIGTERM).
 */
public final class ShutdownStop implements AutoCloseable {
  /** How long an exit waits for a step to end; a step that takes longer leaves the last checkpoint as it was. */
  static final Duration WAIT = Duration.ofMinutes(2);
  public static final String REASON = "the process is shutting down (SIGINT, SIGTERM or System.exit)";
  public static final String THREAD_NAME = "kiln-training-shutdown";

  private final Thread hook;
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile boolean shuttingDown;

  private ShutdownStop(StopRequest stop) {
    this.hook = new Thread(() -> {
      shuttingDown = true;
      stop.request(REASON);
      try {
        if (!released.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          System.err.println(
              "Kiln: training did not reach the end of a step within " + WAIT.toSeconds() + " s of the shutdown; exiting without a final checkpoint");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, THREAD_NAME);
  }

  /** Installs the hook; empty if the JVM is already shutting down. */
  static Optional<ShutdownStop> install(StopRequest stop) {
    ShutdownStop shutdownStop = new ShutdownStop(stop);
    try {
      Runtime.getRuntime().addShutdownHook(shutdownStop.hook);
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
    return Optional.of(shutdownStop);
  }

  /** Whether the JVM is shutting down, so the stop request came from it. */
  boolean shuttingDown() {
    return shuttingDown;
  }

  /** Lets a waiting shutdown proceed and, if the JVM is not shutting down, removes the hook. */
  @Override
  public void close() {
    released.countDown();
    if (!shuttingDown) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutdown began meanwhile: the hook runs and finds itself released.
      }
    }
  }
}
