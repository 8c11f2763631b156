package dev.kiln.runtime;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training epoch achieved.
 *
 * @param epoch the epoch's number, from 1
 * @param step the global step after the epoch: training steps done so far
 * @param trainLoss the mean loss over the epoch's batches, weighted by batch size (as the weights
 *     changed during the epoch)
 * @param trainAccuracy likewise; NaN for a loss without accuracy
 * @param validationLoss the loss on the validation data after the epoch; NaN without validation data
 * @param validationAccuracy likewise; NaN without validation data or accuracy
 * @param parameters every scalar parameter's value after the epoch (fixed, annealed, host-scheduled
 *     and shared trainable ones), by name in declaration order; per-neuron parameters are read
 *     with {@link Model#parameter}
 * @param examplesPerSecond training examples per second of the epoch's steps (validation excluded)
 * @param elapsed time since training started
 */
public record EpochStats(
    int epoch,
    long step,
    double trainLoss,
    double trainAccuracy,
    double validationLoss,
    double validationAccuracy,
    Map<String, Double> parameters,
    double examplesPerSecond,
    Duration elapsed) {
  public EpochStats {
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public boolean hasValidation() {
    return !Double.isNaN(validationLoss);
  }
}
