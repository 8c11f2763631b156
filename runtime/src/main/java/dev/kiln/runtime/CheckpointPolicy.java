package dev.kiln.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When training writes checkpoints and which it keeps: an immutable value, set with
 * {@link TrainingConfig#withCheckpoints}.
 *
 * <pre>{@code
 * CheckpointPolicy.everySteps(500).keepLast(3).keepBest(ValidationMetric.ACCURACY)
 * }</pre>
 *
 * <p>Besides the interval, a checkpoint is written when a run starts (its first state, so that a
 * run cut off before its first interval restarts cleanly), when it finishes, when it is
 * interrupted (SIGINT, SIGTERM, {@link Model#requestStop}) and, with {@link #keepBest}, after every
 * epoch whose validation metric is the best so far. After each write, every checkpoint but the
 * newest {@link #keepLast()} and the best one is deleted.
 *
 * <p>A checkpoint is forced to the disk file by file before it counts, tens of milliseconds
 * however small the network: more than a short epoch takes. {@link #atMostEvery} leaves out the
 * interval checkpoints that would come sooner than a given time after the last one; the default
 * policy writes one after every epoch, but at most every 30 seconds.
 */
public final class CheckpointPolicy {
  /** What {@link #every()} counts. */
  public enum Unit {
    STEPS,
    EPOCHS
  }

  private final long every;
  private final Unit unit;
  private final int keepLast;
  private final ValidationMetric best;
  private final Duration minimumInterval;

  private CheckpointPolicy(long every, Unit unit, int keepLast, ValidationMetric best, Duration minimumInterval) {
    this.every = every;
    this.unit = unit;
    this.keepLast = keepLast;
    this.best = best;
    this.minimumInterval = minimumInterval;
  }

  /** The default: a checkpoint after every epoch but at most every 30 seconds, keeping the last 2. */
  public static CheckpointPolicy defaults() {
    return everyEpochs(1).atMostEvery(Duration.ofSeconds(30));
  }

  /** A checkpoint after every {@code epochs} epochs of a run, keeping the last 2. */
  public static CheckpointPolicy everyEpochs(int epochs) {
    requirePositive("epochs", epochs);
    return new CheckpointPolicy(epochs, Unit.EPOCHS, 2, null, Duration.ZERO);
  }

  /**
   * A checkpoint after every {@code steps} training steps of a run (counted from its first step),
   * keeping the last 2. One that falls on the last step of an epoch is written after the epoch's
   * validation, so that it holds the epoch's results.
   */
  public static CheckpointPolicy everySteps(long steps) {
    requirePositive("steps", steps);
    return new CheckpointPolicy(steps, Unit.STEPS, 2, null, Duration.ZERO);
  }

  /** Keeps the newest {@code count} checkpoints (at least 1) and deletes older ones. */
  public CheckpointPolicy keepLast(int count) {
    requirePositive("keepLast", count);
    return new CheckpointPolicy(every, unit, count, best, minimumInterval);
  }

  /**
   * Also keeps the checkpoint of the epoch with the best {@code metric} on the validation data,
   * writing one after each epoch that improves on the best so far. Training needs validation data
   * on which the network's loss defines the metric.
   */
  public CheckpointPolicy keepBest(ValidationMetric metric) {
    return new CheckpointPolicy(every, unit, keepLast, Objects.requireNonNull(metric, "metric"), minimumInterval);
  }

  /**
   * Leaves out an interval checkpoint that falls less than {@code interval} after the last
   * checkpoint written (or resumed from); {@link Duration#ZERO} writes every one. The checkpoints of
   * a run's start and end, of an interruption and of a new best are written regardless.
   */
  public CheckpointPolicy atMostEvery(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must be >= 0, got " + interval);
    }
    return new CheckpointPolicy(every, unit, keepLast, best, interval);
  }

  public long every() {
    return every;
  }

  public Unit unit() {
    return unit;
  }

  public int keepLast() {
    return keepLast;
  }

  /** The least time between interval checkpoints; zero for none. */
  public Duration minimumInterval() {
    return minimumInterval;
  }

  /** The metric that picks the best checkpoint, if one is kept. */
  public Optional<ValidationMetric> best() {
    return Optional.ofNullable(best);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CheckpointPolicy that
        && every == that.every && unit == that.unit && keepLast == that.keepLast && best == that.best
        && minimumInterval.equals(that.minimumInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(every, unit, keepLast, best, minimumInterval);
  }

  @Override
  public String toString() {
    String interval = every + " " + (unit == Unit.STEPS ? "step" : "epoch") + (every == 1 ? "" : "s");
    String atMost = minimumInterval.isZero() ? "" : " (at most every " + seconds(minimumInterval) + ")";
    return "every " + interval + atMost + ", keeping the last " + keepLast + (best != null ? " and the best by " + best.tag() : "");
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
