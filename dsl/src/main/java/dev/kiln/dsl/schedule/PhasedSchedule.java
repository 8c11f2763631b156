package dev.kiln.dsl.schedule;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Schedule;
import java.util.List;

/**
 * A declarative schedule: phases one after another; after the last, its end value holds. This is
 * the host-side reference formula; the runtime computes the same values with graph ops from the
 * step counter.
 */
public record PhasedSchedule(Granularity granularity, List<Phase> phases) implements Schedule {
  public PhasedSchedule {
    phases = List.copyOf(phases);
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("a schedule needs at least one phase");
    }
  }

  public static PhasedSchedule of(Granularity granularity, Phase... phases) {
    return new PhasedSchedule(granularity, List.of(phases));
  }

  /** The step the value is computed at: the step itself, or the first step of its epoch. */
  public long effectiveStep(long step, long stepsPerEpoch) {
    return granularity == Granularity.EPOCH ? (step / stepsPerEpoch) * stepsPerEpoch : step;
  }

  @Override
  public double valueAt(long step, long stepsPerEpoch) {
    if (stepsPerEpoch <= 0) {
      throw new IllegalArgumentException("stepsPerEpoch must be > 0, got " + stepsPerEpoch);
    }
    long t = effectiveStep(step, stepsPerEpoch);
    long start = 0;
    for (Phase phase : phases) {
      long length = phase.length().inSteps(stepsPerEpoch);
      if (t < start + length) {
        return phase.valueAt(t - start, stepsPerEpoch);
      }
      start += length;
    }
    Phase last = phases.get(phases.size() - 1);
    return last.valueAt(last.length().inSteps(stepsPerEpoch), stepsPerEpoch);
  }

  /** Where the schedule ends: the value after its last phase. */
  public double finalValue() {
    return phases.get(phases.size() - 1).to();
  }
}
