package dev.kiln.runtime;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one training epoch achieved.
 *
 * @param epoch the epoch's number, from 1
 * @param step the global step after the epoch: training steps done so far
 * @param trainLoss the mean loss over the epoch's batches, weighted by batch size (as the weights
 *     changed during the epoch); for a relaxed network, the relaxed loss its steps minimised
 *     (through the targets, hidden losses included), since the steps do not compute the ordinary
 *     forward pass: {@link #validation} and {@link Model#evaluate} give that one
 * @param trainAccuracy likewise (for a relaxed network, of the predictions through the targets);
 *     NaN for a loss without accuracy
 * @param validation the evaluation of the validation data after the epoch (loss, accuracy,
 *     precision, recall, F1, confusion matrix); empty without validation data, and after the
 *     epochs that {@link TrainingConfig#withValidateEvery} skips
 * @param parameters every scalar parameter's value after the epoch (fixed, annealed, host-scheduled
 *     and shared trainable ones), by name in declaration order; per-neuron parameters are read
 *     with {@link Model#parameter}
 * @param learnedWidths the live width of every layer that learns its width ({@code @LearnedWidth}),
 *     by layer in declaration order, after the epoch; empty for a network without one
 * @param examplesPerSecond training examples per second of the epoch's steps (validation excluded)
 * @param elapsed time since training started (for a resumed run: training time before and after
 *     the interruption, without the time in between)
 * @param skippedSteps steps of the epoch skipped for a non-finite loss, learning rate or gradient
 *     ({@link NonFiniteSteps#SKIP}); their batches are left out of the training loss and accuracy
 */
public record EpochStats(
    int epoch,
    long step,
    double trainLoss,
    double trainAccuracy,
    Optional<Evaluation> validation,
    Map<String, Double> parameters,
    Map<String, Integer> learnedWidths,
    double examplesPerSecond,
    Duration elapsed,
    long skippedSteps) {
  public EpochStats {
    Objects.requireNonNull(validation, "validation");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    learnedWidths = Collections.unmodifiableMap(new LinkedHashMap<>(learnedWidths));
  }

  public boolean hasValidation() {
    return validation.isPresent();
  }

  /** The validation loss; NaN without validation data. */
  public double validationLoss() {
    return validation.map(Evaluation::loss).orElse(Double.NaN);
  }

  /** The validation accuracy; NaN without validation data or accuracy. */
  public double validationAccuracy() {
    return validation.map(Evaluation::accuracy).orElse(Double.NaN);
  }

  /** The validation macro precision; NaN without validation data or classes. */
  public double validationPrecision() {
    return validation.map(Evaluation::precision).orElse(Double.NaN);
  }

  /** The validation macro recall; NaN without validation data or classes. */
  public double validationRecall() {
    return validation.map(Evaluation::recall).orElse(Double.NaN);
  }

  /** The validation macro F1; NaN without validation data or classes. */
  public double validationF1() {
    return validation.map(Evaluation::f1).orElse(Double.NaN);
  }
}
