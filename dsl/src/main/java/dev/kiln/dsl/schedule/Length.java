package dev.kiln.dsl.schedule;

/** How long a schedule phase lasts: a number of epochs or of steps. */
public record Length(long amount, Unit unit) {
  public enum Unit {
    EPOCHS,
    STEPS
  }

  public Length {
    if (amount <= 0) {
      throw new IllegalArgumentException("a phase length must be > 0 " + unit.name().toLowerCase() + ", got " + amount);
    }
  }

  public static Length epochs(long epochs) {
    return new Length(epochs, Unit.EPOCHS);
  }

  public static Length steps(long steps) {
    return new Length(steps, Unit.STEPS);
  }

  /** This length in training steps. */
  public long inSteps(long stepsPerEpoch) {
    return unit == Unit.EPOCHS ? amount * stepsPerEpoch : amount;
  }

  @Override
  public String toString() {
    return amount + " " + unit.name().toLowerCase();
  }
}
