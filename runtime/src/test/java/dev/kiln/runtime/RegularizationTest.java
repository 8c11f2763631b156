package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** L1/L2 weight penalties: added to the loss, logged as their own scalar, and absent when unused. */
class RegularizationTest {
  private static final Dataset MOONS = TwoMoons.generate(100, 0.1, 4);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);
  private static final double L1 = 0.003;
  private static final double L2 = 0.02;
  private static final List<String> LAYERS = List.of("hidden1", "hidden2", "output");

  @TempDir Path logs;

  private static TestMlp mlp() {
    return TestMlp.of("Penalised", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 8, 4);
  }

  private TrainingConfig config(int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(25).withLogEvery(1).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  /** {@code l1·Σ|w| + l2·Σw²} over every layer's weights, from the model's current values. */
  private static double penalty(Model model, double l1, double l2) {
    double sum = 0;
    for (String layer : LAYERS) {
      for (float w : model.parameter(layer + "/weights")) {
        sum += l1 * Math.abs(w) + l2 * w * w;
      }
    }
    return sum;
  }

  @Test
  void theLossIncludesThePenaltyOfEveryRegularizedLayer() {
    // Same network name and seed: both models start from the same weights.
    try (Model plain = Model.build(mlp()); Model penalised = Model.build(mlp().withRegularization(L1, L2))) {
      double expected = penalty(penalised, L1, L2);
      assertThat(expected).isGreaterThan(0.01);
      assertThat(penalised.evaluate(MOONS).loss() - plain.evaluate(MOONS).loss()).isWithin(1e-5).of(expected);
    }
  }

  @Test
  void thePenaltyIsLoggedAsItsOwnScalarAndIncludedInTheLoss() throws IOException {
    try (Model model = Model.build(mlp().withRegularization(L1, L2))) {
      double initialPenalty = penalty(model, L1, L2);
      TrainingResult result = model.train(MOONS, config(2).withRunName("penalised").withShuffle(false));
      Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(result.runDirectory());
      List<ScalarPoint> logged = scalars.get("loss/regularization");
      assertThat(logged).hasSize(8);
      assertThat(logged.get(0).step()).isEqualTo(0L);
      assertThat(logged.get(0).value()).isWithin(1e-5).of(initialPenalty);
      // Step 0's loss is the data loss on the first batch, at the initial weights, plus the penalty.
      try (Model plain = Model.build(mlp())) {
        double firstBatchLoss = plain.evaluate(MOONS.range(0, 25)).loss();
        assertThat(scalars.get("loss").get(0).value()).isWithin(1e-5).of(firstBatchLoss + initialPenalty);
      }
      assertThat(logged.get(7).value()).isNotWithin(1e-6).of(initialPenalty);
    }
  }

  @Test
  void anL2PenaltyKeepsTheWeightsSmaller() {
    try (Model plain = Model.build(mlp()); Model penalised = Model.build(mlp().withRegularization(0, 0.05))) {
      plain.train(MOONS, config(10));
      penalised.train(MOONS, config(10));
      assertThat(penalty(penalised, 0, 1)).isLessThan(0.7 * penalty(plain, 0, 1));
    }
  }

  @Test
  void anL1PenaltyDrivesWeightsTowardsZero() {
    try (Model plain = Model.build(mlp()); Model penalised = Model.build(mlp().withRegularization(0.05, 0))) {
      plain.train(MOONS, config(10));
      penalised.train(MOONS, config(10));
      assertThat(penalty(penalised, 1, 0)).isLessThan(0.7 * penalty(plain, 1, 0));
    }
  }

  @Test
  void withoutPenaltiesTheGraphAndLogsHaveNoRegularization() throws IOException {
    try (Model model = Model.build(mlp().withRegularization(0, 0))) {
      TrainingResult result = model.train(MOONS, config(1).withRunName("plain"));
      assertThat(EventFileReader.scalars(result.runDirectory())).doesNotContainKey("loss/regularization");
    }
    try (ModelGraph graph = ModelGraph.build(mlp().withRegularization(0, 0), Device.cpu().spec())) {
      assertThat(graph.regularization).isNull();
      assertThat(graph.loss).isSameInstanceAs(graph.head.loss());
      assertThat(graph.graph.operation("loss/regularization")).isNull();
    }
    try (ModelGraph graph = ModelGraph.build(mlp().withRegularization(L1, 0), Device.cpu().spec())) {
      assertThat(graph.graph.operation("loss/regularization")).isNotNull();
      assertThat(graph.graph.operation("hidden1/regularization/l1")).isNotNull();
      assertThat(graph.graph.operation("hidden1/regularization/l2")).isNull();
    }
  }

  @Test
  void negativeOrInfiniteFactorsAreRejectedByName() {
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> Model.build(mlp().withRegularization(-0.1, 0)));
    assertThat(negative).hasMessageThat().contains("Penalised: regularization 'hidden1/regularization' needs a finite l1 >= 0, got -0.1");
    IllegalArgumentException infinite =
        assertThrows(IllegalArgumentException.class, () -> Model.build(mlp().withRegularization(0, Double.POSITIVE_INFINITY)));
    assertThat(infinite).hasMessageThat().contains("needs a finite l2 >= 0, got Infinity");
  }
}
