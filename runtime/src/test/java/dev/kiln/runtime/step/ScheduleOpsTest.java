package dev.kiln.runtime.step;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;


/** The graph's schedule ops against the DSL's host formula and against values worked out by hand. */
class ScheduleOpsTest {
  private static Graph graph;
  private static Ops tf;
  private static Placeholder<TInt64> step;
  private static Placeholder<TInt64> stepsPerEpoch;
  private static Session session;

  @BeforeAll
  static void createGraph() {
    graph = new Graph();
    tf = Ops.create(graph);
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    stepsPerEpoch = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
  }

  @AfterAll
  static void closeGraph() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  /** The graph's value at {@code at}, with the schedule's ops built into the shared graph. */
  private static float[] graphValues(PhasedSchedule schedule, long stepsPerEpochValue, long... at) {
    Operand<TFloat32> value = ScheduleOps.value(tf.withSubScope("schedule"), schedule, step, stepsPerEpoch);
    if (session == null) {
      session = new Session(graph);
    }
    float[] values = new float[at.length];
    for (int i = 0; i < at.length; i++) {
      try (TInt64 s = TInt64.scalarOf(at[i]);
          TInt64 e = TInt64.scalarOf(stepsPerEpochValue);
          Result result = session.runner().feed(step, s).feed(stepsPerEpoch, e).fetch(value).run()) {
        values[i] = ((TFloat32) result.get(0)).getFloat();
      }
    }
    return values;
  }

  /** Checks the graph against the host formula at every step from 0 to {@code until} and against {@code expected} at {@code at}. */
  private static void check(PhasedSchedule schedule, long stepsPerEpochValue, long until, long[] at, double[] expected) {
    long[] all = new long[(int) until + 1];
    for (int i = 0; i <= until; i++) {
      all[i] = i;
    }
    float[] graph = graphValues(schedule, stepsPerEpochValue, all);
    for (int i = 0; i <= until; i++) {
      assertWithMessage("step %s of %s", i, schedule)
          .that((double) graph[i])
          .isWithin(1e-6)
          .of(schedule.valueAt(i, stepsPerEpochValue));
    }
    for (int i = 0; i < at.length; i++) {
      assertWithMessage("step %s by hand", at[i]).that((double) graph[(int) at[i]]).isWithin(1e-6).of(expected[i]);
    }
  }

  @Test
  void holdThenLinearOverEpochs() {
    PhasedSchedule schedule =
        PhasedSchedule.of(Granularity.STEP, Phase.hold(Math.PI / 4, Length.epochs(1)), Phase.linear(Math.PI / 4, 0, Length.epochs(2)));
    // 5 steps per epoch: held for steps 0-4, then linear over steps 5-14, then 0.
    check(schedule, 5, 20, new long[] {0, 4, 5, 8, 14, 15, 20},
        new double[] {Math.PI / 4, Math.PI / 4, Math.PI / 4, Math.PI / 4 * (1 - 3 / 10.0), Math.PI / 4 * (1 - 9 / 10.0), 0, 0});
  }

  @Test
  void cosineOverSteps() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.cosine(1, 0.2, Length.steps(8)));
    check(schedule, 3, 12, new long[] {0, 2, 4, 8, 12},
        new double[] {1, 0.2 + 0.8 * (1 + Math.cos(Math.PI / 4)) / 2, 0.6, 0.2, 0.2});
  }

  @Test
  void exponentialOverSteps() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.exponential(1, 0.01, Length.steps(4)));
    check(schedule, 7, 6, new long[] {0, 1, 2, 4, 6}, new double[] {1, Math.pow(0.01, 0.25), 0.1, 0.01, 0.01});
  }

  @Test
  void stepDecayEveryFewSteps() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.step(1, 0.5, Length.steps(3), Length.steps(9)));
    // Halved at steps 3 and 6; after the phase, the value at its end (9 steps: 3 halvings) holds.
    check(schedule, 4, 14, new long[] {0, 2, 3, 7, 8, 9, 14}, new double[] {1, 1, 0.5, 0.25, 0.25, 0.125, 0.125});
  }

  @Test
  void stepDecayEveryEpoch() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.step(0.1, 0.1, Length.epochs(1), Length.epochs(3)));
    check(schedule, 4, 14, new long[] {0, 3, 4, 11, 12}, new double[] {0.1, 0.1, 0.01, 0.001, 1e-4});
  }

  @Test
  void perEpochGranularityHoldsEachEpochsFirstValue() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.EPOCH, Phase.linear(1, 0, Length.epochs(2)));
    // 5 steps per epoch: steps 5-9 all take step 5's value, p = 5/10.
    check(schedule, 5, 12, new long[] {0, 4, 5, 9, 10}, new double[] {1, 1, 0.5, 0.5, 0});
  }

  @Test
  void perEpochGranularityWithPhasesInSteps() {
    PhasedSchedule schedule =
        PhasedSchedule.of(Granularity.EPOCH, Phase.hold(2, Length.steps(3)), Phase.exponential(2, 0.5, Length.steps(8)));
    // 4 steps per epoch: effective steps 0, 4, 8, 12 → hold, 2·0.25^(1/8), 2·0.25^(5/8), end value.
    check(schedule, 4, 15, new long[] {3, 5, 9, 13}, new double[] {2, 2 * Math.pow(0.25, 1 / 8.0), 2 * Math.pow(0.25, 5 / 8.0), 0.5});
  }

  @Test
  void stepsPerEpochIsReadFromTheGraph() {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.linear(0, 1, Length.epochs(1)));
    assertThat(graphValues(schedule, 10, 5)[0]).isWithin(1e-6f).of(0.5f);
    assertThat(graphValues(schedule, 20, 5)[0]).isWithin(1e-6f).of(0.25f);
  }
}
