package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.WithFixed;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers that learn their width: gates that a strong penalty closes for good and no penalty
 * leaves open, the live width as TensorBoard and the epoch line show it, resume, and the soft size.
 */
class LearnedWidthTest {
  private static final Dataset DATA = TestData.halfPlanes(256, 7);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.05, 0.9, 0.999, 1e-7);
  private static final double DEAD_BELOW = 0.05;

  @TempDir Path logs;

  private static TestMlp gated(String name, double penalty) {
    return TestMlp.of(name, 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16).withLearnedWidth(TestMlp.gates(penalty, 1.0, DEAD_BELOW));
  }

  private TrainingConfig config(String run, int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(32).withLogRoot(logs).withRunName(run).withCheckpoint(false).quiet();
  }

  private static List<Integer> closed(float[] gates) {
    List<Integer> closed = new ArrayList<>();
    for (int unit = 0; unit < gates.length; unit++) {
      if (gates[unit] == 0f) {
        closed.add(unit);
      }
    }
    return closed;
  }

  @Test
  void aStrongPenaltyClosesGatesAndClosedGatesStayClosed() {
    try (Model model = Model.build(gated("Strong", 0.02))) {
      model.train(DATA, config("strong", 15));
      float[] gates = model.parameter("hidden1/gates");
      List<Integer> closed = closed(gates);
      assertThat(closed.size()).isAtLeast(4);
      for (float gate : gates) {
        // Zero, or at the threshold and above: nothing in between survives a step.
        assertThat(gate == 0f || gate >= DEAD_BELOW).isTrue();
      }
      // Training on without any penalty's pull would reopen a unit if anything could.
      model.train(DATA, config("strong-more", 15));
      assertThat(closed(model.parameter("hidden1/gates"))).containsAtLeastElementsIn(closed);
      // A dead gate's gradient is zero: its Adam moments only decay.
      float[] m = model.parameter("hidden1/gates/adam_m");
      for (int unit : closed) {
        assertWithMessage("moment of dead unit " + unit).that(Math.abs(m[unit])).isLessThan(1e-3f);
      }
    }
  }

  @Test
  void noPenaltyKeepsEveryUnitAndTheNetworkLearns() {
    try (Model model = Model.build(gated("Free", 0))) {
      TrainingResult result = model.train(DATA, config("free", 15));
      assertThat(closed(model.parameter("hidden1/gates"))).isEmpty();
      assertThat(result.last().learnedWidths()).containsExactly("hidden1", 16);
      assertThat(result.last().trainAccuracy()).isAtLeast(0.9);
    }
  }

  @Test
  void theLiveWidthLoggedAndPrintedIsTheCountOfGatesAtTheThresholdOrAbove() throws IOException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    TrainingResult result;
    int live = 0;
    try (Model model = Model.build(gated("Logged", 0.02))) {
      result = model.train(DATA, config("logged", 12).withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      for (float gate : model.parameter("hidden1/gates")) {
        live += gate >= DEAD_BELOW ? 1 : 0;
      }
    }
    assertThat(live).isLessThan(16);
    assertThat(result.last().learnedWidths()).containsExactly("hidden1", live);
    List<ScalarPoint> sizes = EventFileReader.scalars(logs.resolve("logged")).get("size/hidden1");
    assertThat(sizes).hasSize(12);
    assertThat(sizes.get(11).value()).isEqualTo((double) live);
    assertThat(sizes.get(0).value()).isAtLeast(sizes.get(11).value());
    assertThat(EventFileReader.histograms(logs.resolve("logged"))).containsKey("parameters/hidden1/gates");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("hidden1 " + live + " units");
  }

  @Test
  void aResumedRunKeepsItsDeadUnitsDeadAndItsWidthHistory() {
    TrainingConfig checkpointed = config("resumed", 8).withCheckpoints(CheckpointPolicy.everyEpochs(1));
    List<Integer> closedBefore;
    try (Model model = Model.build(gated("Resumed", 0.02))) {
      model.train(DATA, checkpointed);
      closedBefore = closed(model.parameter("hidden1/gates"));
    }
    assertThat(closedBefore).isNotEmpty();
    try (Model model = Model.build(gated("Resumed", 0.02))) {
      TrainingResult result = model.train(DATA, checkpointed.withEpochs(14));
      assertThat(closed(model.parameter("hidden1/gates"))).containsAtLeastElementsIn(closedBefore);
      // The first eight epochs come back from the checkpoint, widths included.
      assertThat(result.history()).hasSize(14);
      assertThat(result.history().get(7).learnedWidths()).containsExactly("hidden1", 16 - closedBefore.size());
    }
  }

  @Test
  void aSoftSizeShrinksUnderItsPenaltyAndItsLiveWidthFollowsIt() throws IOException {
    TestMlp network = TestMlp.of("Soft", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16).withLearnedWidth(TestMlp.softSize(0.05, 1.0));
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(DATA, config("soft", 12));
      double size = model.parameter("hidden1/size")[0];
      assertThat(size).isLessThan(15.0);
      assertThat(size).isAtLeast(0.0);
      // Unit i is live while σ(k·(size − i)) >= 1/2, that is for i <= size.
      int live = (int) Math.floor(size) + 1;
      assertThat(result.last().learnedWidths()).containsExactly("hidden1", live);
      assertThat(result.last().parameters()).containsKey("hidden1/size");
    }
  }

  @Test
  void aSweepHoldsTheFixedPenaltyAtEachOfItsValues() {
    // The penalty as the declaration gives it: a fixed network parameter that gates read.
    TestMlp network =
        TestMlp.of("Swept", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16)
            .withLearnedWidth((graph, layer, x) -> graph.gates(graph.scope(layer), layer, x, graph.fixed("sparsity", 0), 1.0, DEAD_BELOW));
    try (Model model = Model.build(new WithFixed(network, Map.of("sparsity", 0.02)))) {
      TrainingResult result = model.train(DATA, config("swept", 10));
      assertThat(result.last().parameters()).containsEntry("sparsity", (double) 0.02f);
      assertThat(result.last().learnedWidths().get("hidden1")).isLessThan(16);
    }
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Model.build(new WithFixed(network, Map.of("sparsty", 0.02))));
    assertThat(error).hasMessageThat().isEqualTo("network Swept has no fixed parameter sparsty; its fixed parameters are sparsity");
  }

  @Test
  void aGateThresholdOutsideZeroToOneIsAnError() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class,
            () -> Model.build(TestMlp.of("Bad", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4).withLearnedWidth(TestMlp.gates(0.01, 1.0, 1.5))));
    assertThat(error).hasMessageThat().isEqualTo("Bad: layer 'hidden1' needs a dead-unit threshold in (0, 1) for its gates, got 1.5");
  }
}
