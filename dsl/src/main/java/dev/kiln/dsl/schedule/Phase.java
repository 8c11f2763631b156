package dev.kiln.dsl.schedule;

/**
 * One phase of a {@link PhasedSchedule}, with every value explicit. At progress {@code p} in [0, 1]
 * through the phase:
 *
 * <ul>
 *   <li>{@code HOLD}: {@code from}
 *   <li>{@code LINEAR}: {@code from + (to - from)·p}
 *   <li>{@code COSINE}: {@code to + (from - to)·(1 + cos(π·p))/2}
 *   <li>{@code EXPONENTIAL}: {@code from·(to/from)^p}
 *   <li>{@code STEP}: {@code from·factor^floor(t/every)}, t the steps since the phase began
 * </ul>
 *
 * @param every for {@code STEP}, the interval between multiplications, in the unit of
 *     {@code length}; unused otherwise (null)
 */
public record Phase(Kind kind, double from, double to, double factor, Length every, Length length) {
  public enum Kind {
    HOLD,
    LINEAR,
    COSINE,
    EXPONENTIAL,
    STEP
  }

  public Phase {
    if (!Double.isFinite(from)) {
      throw new IllegalArgumentException(kind + " phase needs a finite start value, got " + from);
    }
    if (kind == Kind.EXPONENTIAL && (from == 0 || to == 0 || Math.signum(from) != Math.signum(to))) {
      throw new IllegalArgumentException(
          "an exponential phase needs non-zero start and end values of one sign, got " + from + " → " + to);
    }
    if (kind == Kind.STEP && (every == null || every.unit() != length.unit())) {
      throw new IllegalArgumentException("a step phase needs 'every' in the unit of its length (" + length.unit() + ")");
    }
  }

  public static Phase hold(double value, Length length) {
    return new Phase(Kind.HOLD, value, value, 1, null, length);
  }

  public static Phase linear(double from, double to, Length length) {
    return new Phase(Kind.LINEAR, from, to, 1, null, length);
  }

  public static Phase cosine(double from, double to, Length length) {
    return new Phase(Kind.COSINE, from, to, 1, null, length);
  }

  public static Phase exponential(double from, double to, Length length) {
    return new Phase(Kind.EXPONENTIAL, from, to, 1, null, length);
  }

  /** {@code from}, multiplied by {@code factor} every {@code every} (same unit as {@code length}). */
  public static Phase step(double from, double factor, Length every, Length length) {
    return new Phase(Kind.STEP, from, from * Math.pow(factor, Math.floor((double) length.amount() / every.amount())), factor, every, length);
  }

  /** The value {@code stepsIn} steps into this phase ({@code 0 <= stepsIn <= length}). */
  public double valueAt(long stepsIn, long stepsPerEpoch) {
    long total = length.inSteps(stepsPerEpoch);
    double p = total == 0 ? 1.0 : Math.min(1.0, (double) stepsIn / total);
    return switch (kind) {
      case HOLD -> from;
      case LINEAR -> from + (to - from) * p;
      case COSINE -> to + (from - to) * (1 + Math.cos(Math.PI * p)) / 2;
      case EXPONENTIAL -> from * Math.pow(to / from, p);
      case STEP -> from * Math.pow(factor, Math.floor((double) stepsIn / every.inSteps(stepsPerEpoch)));
    };
  }
}
