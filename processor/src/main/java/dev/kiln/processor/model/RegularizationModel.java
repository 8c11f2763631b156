package dev.kiln.processor.model;

/**
 * A weight penalty {@code l1·Σ|w| + l2·Σw²}, as written in {@code @Regularization} on the network
 * type or on a layer.
 */
public record RegularizationModel(double l1, double l2, Origin origin) {
  /** Whether it adds anything: both weights 0 turn the network's penalty off for one layer. */
  public boolean penalizes() {
    return l1 != 0 || l2 != 0;
  }
}
