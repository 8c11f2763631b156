package dev.kiln.runtime;

/** A validation metric that picks the best checkpoint of a run ({@link CheckpointPolicy#keepBest}). */
public enum ValidationMetric {
  LOSS("validation/loss", false),
  ACCURACY("validation/accuracy", true),
  PRECISION("validation/precision", true),
  RECALL("validation/recall", true),
  F1("validation/f1", true);

  private final String tag;
  private final boolean higherIsBetter;

  ValidationMetric(String tag, boolean higherIsBetter) {
    this.tag = tag;
    this.higherIsBetter = higherIsBetter;
  }

  /** Its TensorBoard tag, as training logs it after every epoch. */
  public String tag() {
    return tag;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** Its value in {@code evaluation}; NaN if the network's loss does not define it. */
  public double of(Evaluation evaluation) {
    return switch (this) {
      case LOSS -> evaluation.loss();
      case ACCURACY -> evaluation.accuracy();
      case PRECISION -> evaluation.precision();
      case RECALL -> evaluation.recall();
      case F1 -> evaluation.f1();
    };
  }

  /** Whether {@code candidate} beats {@code best}; a tie does not, so the earlier checkpoint stays the best. */
  public boolean improves(double candidate, double best) {
    return higherIsBetter ? candidate > best : candidate < best;
  }
}
