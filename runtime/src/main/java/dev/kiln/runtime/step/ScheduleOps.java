package dev.kiln.runtime.step;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * A {@link PhasedSchedule} as graph ops of the step counter and the steps per epoch, so that an
 * annealed parameter needs no feed. The ops follow {@link PhasedSchedule#valueAt} term by term, in
 * float64, and cast the result to float32 at the end.
 */
final class ScheduleOps {
  private ScheduleOps() {}

  /**
   * The schedule's value at {@code step}, named {@code value} in {@code tf}'s scope.
   *
   * @param step the global training step (int64 scalar)
   * @param stepsPerEpoch training steps per epoch of the bound data set (int64 scalar, > 0)
   */
  static Operand<TFloat32> value(
      Ops tf, PhasedSchedule schedule, Operand<TInt64> step, Operand<TInt64> stepsPerEpoch) {
    Operand<TInt64> t =
        schedule.granularity() == Granularity.EPOCH
            ? tf.math.mul(tf.math.floorDiv(step, stepsPerEpoch), stepsPerEpoch)
            : step;
    List<Phase> phases = schedule.phases();
    int count = phases.size();
    @SuppressWarnings("unchecked")
    Operand<TInt64>[] starts = new Operand[count];
    @SuppressWarnings("unchecked")
    Operand<TInt64>[] lengths = new Operand[count];
    Operand<TInt64> start = tf.constant(0L);
    for (int i = 0; i < count; i++) {
      starts[i] = start;
      lengths[i] = inSteps(tf, phases.get(i).length(), stepsPerEpoch);
      start = tf.math.add(start, lengths[i]);
    }
    // After the last phase its end value holds: the last phase evaluated at its full length.
    Operand<TFloat64> value = phaseValue(tf, phases.get(count - 1), lengths[count - 1], lengths[count - 1], stepsPerEpoch);
    for (int i = count - 1; i >= 0; i--) {
      Operand<TInt64> stepsIn = tf.math.sub(t, starts[i]);
      Operand<TFloat64> inPhase = phaseValue(tf, phases.get(i), stepsIn, lengths[i], stepsPerEpoch);
      value = tf.select(tf.math.less(t, tf.math.add(starts[i], lengths[i])), inPhase, value);
    }
    return tf.withName("value").dtypes.cast(value, TFloat32.class);
  }

  private static Operand<TInt64> inSteps(Ops tf, Length length, Operand<TInt64> stepsPerEpoch) {
    Operand<TInt64> amount = tf.constant(length.amount());
    return length.unit() == Length.Unit.EPOCHS ? tf.math.mul(amount, stepsPerEpoch) : amount;
  }

  /** {@link Phase#valueAt}: the phase's value {@code stepsIn} steps after it began. */
  private static Operand<TFloat64> phaseValue(
      Ops tf, Phase phase, Operand<TInt64> stepsIn, Operand<TInt64> total, Operand<TInt64> stepsPerEpoch) {
    Operand<TFloat64> from = tf.constant(phase.from());
    if (phase.kind() == Phase.Kind.HOLD) {
      return from;
    }
    if (phase.kind() == Phase.Kind.STEP) {
      Operand<TInt64> intervals = tf.math.floorDiv(stepsIn, inSteps(tf, phase.every(), stepsPerEpoch));
      return tf.math.mul(from, tf.math.pow(tf.constant(phase.factor()), toDouble(tf, intervals)));
    }
    Operand<TFloat64> p = tf.math.minimum(tf.constant(1.0), tf.math.div(toDouble(tf, stepsIn), toDouble(tf, total)));
    Operand<TFloat64> to = tf.constant(phase.to());
    return switch (phase.kind()) {
      case LINEAR -> tf.math.add(from, tf.math.mul(tf.math.sub(to, from), p));
      case COSINE -> {
        Operand<TFloat64> halfCosine =
            tf.math.div(tf.math.add(tf.constant(1.0), tf.math.cos(tf.math.mul(tf.constant(Math.PI), p))), tf.constant(2.0));
        yield tf.math.add(to, tf.math.mul(tf.math.sub(from, to), halfCosine));
      }
      case EXPONENTIAL -> tf.math.mul(from, tf.math.pow(tf.constant(phase.to() / phase.from()), p));
      case HOLD, STEP -> throw new AssertionError("handled above: " + phase.kind());
    };
  }

  private static Operand<TFloat64> toDouble(Ops tf, Operand<TInt64> x) {
    return tf.dtypes.cast(x, TFloat64.class);
  }
}
