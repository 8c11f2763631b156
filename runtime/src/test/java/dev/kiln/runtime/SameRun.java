package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks that an interrupted and resumed run ended where the same run without interruption did:
 * the same final variables and the same TensorBoard scalars at the same steps, none twice.
 *
 * <p>Tolerance: {@value #TOLERANCE}, absolute, on every variable and every logged value. A resumed
 * run restores every variable bit for bit and visits the same batches with the same schedule
 * values, so it reproduces the uninterrupted run exactly (measured here: every bit equal, with a
 * tolerance of 0, across processes); the tolerance only allows for TensorFlow's CPU kernels summing
 * in another order on another machine or thread count, which moves float32 results by a few units in
 * the last place over a short run. A resume that got anything wrong (a step, a batch, a schedule
 * value, an optimiser slot) is off by orders of magnitude more.
 */
final class SameRun {
  static final double TOLERANCE = 1e-5;
  /** Timings, which no two runs share. */
  private static final List<String> UNTIMED_EXCEPT = List.of("epoch/examples_per_second");

  private SameRun() {}

  static void assertSameRun(Supplier<? extends NetworkGraph> network, Path resumed, Path uninterrupted) throws IOException {
    try (Model actual = Model.load(network.get(), resumed);
        Model expected = Model.load(network.get(), uninterrupted)) {
      assertWithMessage("steps of " + resumed).that(actual.step()).isEqualTo(expected.step());
      for (String variable : expected.variableNames()) {
        assertClose("variable " + variable + " of " + resumed, actual.parameter(variable), expected.parameter(variable));
      }
    }
    Map<String, List<ScalarPoint>> actual = EventFileReader.scalars(resumed);
    Map<String, List<ScalarPoint>> expected = EventFileReader.scalars(uninterrupted);
    assertWithMessage("tags logged in " + resumed).that(actual.keySet()).containsExactlyElementsIn(expected.keySet());
    for (String tag : expected.keySet()) {
      List<Long> steps = expected.get(tag).stream().map(ScalarPoint::step).toList();
      assertWithMessage("steps of " + tag + " in " + resumed)
          .that(actual.get(tag).stream().map(ScalarPoint::step).toList())
          .containsExactlyElementsIn(steps)
          .inOrder();
      if (UNTIMED_EXCEPT.contains(tag)) {
        continue;
      }
      for (int i = 0; i < steps.size(); i++) {
        double value = actual.get(tag).get(i).value();
        double reference = expected.get(tag).get(i).value();
        if (!(Double.isNaN(value) && Double.isNaN(reference))) {
          assertWithMessage(tag + " at step " + steps.get(i) + " in " + resumed).that(value).isWithin(TOLERANCE).of(reference);
        }
      }
    }
  }

  private static void assertClose(String what, float[] actual, float[] expected) {
    assertWithMessage(what + ": size").that(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage(what + "[" + i + "]").that((double) actual[i]).isWithin(TOLERANCE).of(expected[i]);
    }
  }
}
