package dev.kiln.dsl.schedule;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Granularity;
import org.junit.jupiter.api.Test;

class PhasedScheduleTest {
  private static final double QUARTER_PI = Math.PI / 4;
  private static final long STEPS_PER_EPOCH = 10;

  @Test
  void holdThenLinearAnnealsThetaToZeroAndStaysThere() {
    PhasedSchedule theta =
        PhasedSchedule.of(
            Granularity.STEP,
            Phase.hold(QUARTER_PI, Length.epochs(1)),
            Phase.linear(QUARTER_PI, 0, Length.epochs(4)));

    assertThat(theta.valueAt(0, STEPS_PER_EPOCH)).isEqualTo(QUARTER_PI);
    assertThat(theta.valueAt(9, STEPS_PER_EPOCH)).isEqualTo(QUARTER_PI);
    // 10 steps into a 40-step linear phase: a quarter of the way down.
    assertThat(theta.valueAt(20, STEPS_PER_EPOCH)).isWithin(1e-12).of(QUARTER_PI * 0.75);
    assertThat(theta.valueAt(50, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.0);
    assertThat(theta.valueAt(1_000, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.0);
  }

  @Test
  void perEpochGranularityHoldsTheValueOfTheEpochsFirstStep() {
    PhasedSchedule perEpoch = PhasedSchedule.of(Granularity.EPOCH, Phase.linear(1, 0, Length.epochs(4)));

    assertThat(perEpoch.valueAt(10, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.75);
    assertThat(perEpoch.valueAt(19, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.75);
    assertThat(perEpoch.valueAt(20, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.5);
  }

  @Test
  void cosineIsSlowFastSlow() {
    PhasedSchedule cosine = PhasedSchedule.of(Granularity.STEP, Phase.cosine(2, 0, Length.steps(100)));

    assertThat(cosine.valueAt(0, STEPS_PER_EPOCH)).isWithin(1e-12).of(2.0);
    assertThat(cosine.valueAt(50, STEPS_PER_EPOCH)).isWithin(1e-12).of(1.0);
    assertThat(cosine.valueAt(25, STEPS_PER_EPOCH)).isWithin(1e-12).of(1 + Math.cos(Math.PI / 4));
    assertThat(cosine.valueAt(100, STEPS_PER_EPOCH)).isWithin(1e-12).of(0.0);
  }

  @Test
  void exponentialMovesGeometrically() {
    PhasedSchedule decay = PhasedSchedule.of(Granularity.STEP, Phase.exponential(1e-2, 1e-4, Length.steps(100)));

    assertThat(decay.valueAt(50, STEPS_PER_EPOCH)).isWithin(1e-15).of(1e-3);
    assertThat(decay.valueAt(100, STEPS_PER_EPOCH)).isWithin(1e-15).of(1e-4);
  }

  @Test
  void stepMultipliesByFactorEveryInterval() {
    PhasedSchedule step =
        PhasedSchedule.of(Granularity.STEP, Phase.step(1, 0.5, Length.epochs(2), Length.epochs(6)));

    assertThat(step.valueAt(19, STEPS_PER_EPOCH)).isEqualTo(1.0);
    assertThat(step.valueAt(20, STEPS_PER_EPOCH)).isEqualTo(0.5);
    assertThat(step.valueAt(45, STEPS_PER_EPOCH)).isEqualTo(0.25);
    assertThat(step.valueAt(60, STEPS_PER_EPOCH)).isEqualTo(0.125);
    assertThat(step.finalValue()).isEqualTo(0.125);
  }

  @Test
  void invalidPhasesAreRejectedWithTheReason() {
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> Length.steps(0));
    assertThat(length).hasMessageThat().contains("must be > 0");

    IllegalArgumentException exponential =
        assertThrows(IllegalArgumentException.class, () -> Phase.exponential(1, -1, Length.steps(5)));
    assertThat(exponential).hasMessageThat().contains("one sign");

    IllegalArgumentException start =
        assertThrows(IllegalArgumentException.class, () -> Phase.linear(Double.NaN, 0, Length.steps(5)));
    assertThat(start).hasMessageThat().contains("finite start value");

    assertThrows(IllegalArgumentException.class, () -> PhasedSchedule.of(Granularity.STEP));
  }
}
