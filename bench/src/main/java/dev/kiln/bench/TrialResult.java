package dev.kiln.bench;

/**
 * What one trial (one child JVM) measured.
 *
 * @param side {@code kiln} or {@code hand}
 * @param tuning the session settings' label
 * @param measuredSteps training steps in the timed phase (after the first step and warm-up); W4: 0
 * @param measuredSeconds wall time of the timed phase; W4: from process start to the program's last line
 * @param examplesPerSecond training examples per second of the timed phase; null for W4
 * @param epochSeconds seconds per epoch: measured, or extrapolated from the timed steps (see
 *     {@code epochExtrapolated}); null for W4
 * @param startupSeconds from process start to the end of the first training step (W4: to the line announcing training)
 * @param peakResidentMiB the process's peak resident memory (VmHWM)
 * @param loadAverage the machine's 1-minute load average when the trial ended
 */
record TrialResult(
    Workload workload, String side, String tuning, long measuredSteps, double measuredSeconds, Double examplesPerSecond,
    Double epochSeconds, boolean epochExtrapolated, double startupSeconds, double peakResidentMiB, double loadAverage) {
  /** Marks the one line of a trial's output that carries its result. */
  static final String PREFIX = "BENCH-RESULT ";
}
