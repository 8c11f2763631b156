package dev.kiln.runtime;

/**
 * Whether training shows its progress within an epoch ({@link TrainingConfig#withEpochProgress}).
 * Either way each epoch ends with one line.
 */
public enum EpochProgress {
  /** {@link #LIVE} when the output is {@code System.out} and that is a terminal; else {@link #LINES}. */
  AUTO,
  /**
   * One status line rewritten in place ({@code \r}) a few times a second: steps done of the epoch's,
   * examples per second and the time left in the epoch; cleared before the epoch's line. For a
   * terminal: in a log file it would leave every update behind.
   */
  LIVE,
  /** Only the epoch lines: what a log, a pipe or CI wants. */
  LINES
}
