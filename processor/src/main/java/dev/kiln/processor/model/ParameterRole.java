package dev.kiln.processor.model;

/**
 * What a network parameter stands for. A trainable parameter without explicit initial value or
 * bounds takes its role's natural ones.
 */
public enum ParameterRole {
  /** θ of {@code @ThetaLeaky}: starts at the identity (π/4) and stays between ReLU (0) and identity. */
  THETA("θ", Math.PI / 4, 0.0, Math.PI / 4),
  /** β of {@code @Swish}: starts at 1 (the SiLU), unbounded. */
  BETA("β", 1.0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
  /** The optimiser's learning rate; never trainable, so it has no trainable defaults. */
  LEARNING_RATE("the learning rate", Double.NaN, Double.NaN, Double.NaN),
  /** The weight of a relaxed network's hidden losses; never trainable, like the learning rate. */
  HIDDEN_LOSS_WEIGHT("the hidden-loss weight", Double.NaN, Double.NaN, Double.NaN),
  /** α of {@code @Relaxed(strengthParameter)}: starts fully relaxed (1) and stays between plain (0) and relaxed (1). */
  RELAXATION_STRENGTH("the relaxation strength α", 1.0, 0.0, 1.0),
  /** ρ of {@code @Relaxed(resetStrengthParameter)}: a schedule, never trainable (the targets' loss does not depend on it). */
  RESET_STRENGTH("the reset strength ρ", Double.NaN, Double.NaN, Double.NaN),
  /** The weight of a {@code @LearnedWidth} layer's penalty; never trainable: training would drive it to 0. */
  WIDTH_PENALTY("a width penalty", Double.NaN, Double.NaN, Double.NaN);

  private final String displayName;
  private final double defaultInitial;
  private final double defaultMin;
  private final double defaultMax;

  ParameterRole(String displayName, double defaultInitial, double defaultMin, double defaultMax) {
    this.displayName = displayName;
    this.defaultInitial = defaultInitial;
    this.defaultMin = defaultMin;
    this.defaultMax = defaultMax;
  }

  public String displayName() {
    return displayName;
  }

  public double defaultInitial() {
    return defaultInitial;
  }

  public double defaultMin() {
    return defaultMin;
  }

  public double defaultMax() {
    return defaultMax;
  }
}
