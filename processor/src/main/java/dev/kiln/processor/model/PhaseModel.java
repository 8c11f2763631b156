package dev.kiln.processor.model;

import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;

/**
 * One phase of a declarative schedule as written, with its start resolved.
 *
 * @param from the start value: as written, or (when {@code continued}) where the previous phase
 *     ended; NaN when it cannot be known (a first phase without a start, or a previous phase that
 *     is itself in error)
 * @param continued whether {@code from} was left out and taken from the previous phase
 * @param to the end value of {@code LINEAR}, {@code COSINE} and {@code EXPONENTIAL} phases; for
 *     {@code HOLD} equal to {@code from}; unused (NaN) for {@code STEP}
 * @param factor the {@code STEP} multiplier; unused (NaN) otherwise
 * @param every the {@code STEP} interval in the length's unit; unused (0) otherwise
 * @param epochs the length in epochs as written (0 when not given)
 * @param steps the length in steps as written (0 when not given)
 */
public record PhaseModel(
    Phase.Kind kind,
    double from,
    boolean continued,
    double to,
    double factor,
    long every,
    long epochs,
    long steps,
    Origin origin) {

  /** Whether exactly one of epochs and steps is given, and it is positive. */
  public boolean hasValidLength() {
    return (epochs > 0 && steps == 0) || (steps > 0 && epochs == 0);
  }

  /** The unit of the length; only meaningful when {@link #hasValidLength()}. */
  public Length.Unit unit() {
    return epochs != 0 ? Length.Unit.EPOCHS : Length.Unit.STEPS;
  }

  /** The length in its unit; only meaningful when {@link #hasValidLength()}. */
  public long length() {
    return epochs != 0 ? epochs : steps;
  }

  /** Where the phase ends, the start of a following phase that gives no {@code from}; NaN if unknown. */
  public double end() {
    return switch (kind) {
      case HOLD -> from;
      case LINEAR, COSINE, EXPONENTIAL -> to;
      case STEP -> hasValidLength() && every > 0
          ? from * Math.pow(factor, Math.floor((double) length() / every))
          : Double.NaN;
    };
  }
}
