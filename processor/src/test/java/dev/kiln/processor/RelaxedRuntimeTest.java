package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.source;

import dev.kiln.runtime.Model;
import dev.kiln.runtime.RelaxedEvaluation;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.summary.EventFileReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated {@code @Relaxed} network against the runtime: one target variable per relaxed layer,
 * with a row per training example and a column per unit, each with its hidden loss, and an
 * annealed hidden-loss weight.
 */
class RelaxedRuntimeTest {
  @TempDir Path runs;

  @Test
  void oneTargetPerRelaxedLayerWithARowPerExampleAndItsHiddenLoss() throws Exception {
    NetworkGraph network = GeneratedClasses.instantiate(compile(
        source("Small",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "@Adam(learningRate = 0.01)",
            "@Relaxed(layers = {\"wide\", \"narrow\"}, hiddenLossWeightParameter = \"weight\")",
            "interface Small {",
            "  @Input(shape = 2) Layer point();",
            "  @Dense(units = 6) @Tanh Layer wide();",
            "  @Dense(units = 4, repeat = 2) @Sigmoid Layer narrow();",
            "  @Output(units = 1) Layer logit();",
            "  @Annealed(WeightSchedule.class) double weight();",
            "}"),
        source("WeightSchedule",
            "@AnnealingSchedule",
            "@Linear(from = 0.1, to = 1, epochs = 4)",
            "final class WeightSchedule {}")), "test.SmallGraph");
    Dataset moons = TwoMoons.generate(30, 0.1, 5);

    try (Model model = Model.build(network)) {
      assertThat(model.variableNames()).containsAtLeast(
          "relaxed/wide/targets", "relaxed/narrow1/targets", "relaxed/narrow2/targets", "relaxed/wide/targets/adam_m");
      assertThat(model.variableNames()).doesNotContain("relaxed/logit/targets");

      model.train(moons, TrainingConfig.defaults().withEpochs(2).withBatchSize(10).withLogRoot(runs).withRunName("small")
          .withLogEvery(1).quiet());

      assertThat(model.parameter("relaxed/wide/targets")).hasLength(30 * 6);
      assertThat(model.parameter("relaxed/narrow1/targets")).hasLength(30 * 4);
      assertThat(model.parameter("relaxed/narrow2/targets")).hasLength(30 * 4);
      RelaxedEvaluation relaxed = model.evaluateRelaxed(moons);
      assertThat(relaxed.hiddenLosses().keySet()).containsExactly("wide", "narrow1", "narrow2").inOrder();
      // Half-way through the schedule: weight 0.1 + 0.9 · 2/4.
      assertThat(model.parameter("weight")[0]).isWithin(1e-6f).of(0.55f);
      assertThat(relaxed.loss()).isWithin(1e-5).of(relaxed.outputLoss() + 0.55 * relaxed.hiddenLoss());
    }
    assertThat(EventFileReader.scalars(runs.resolve("small")).keySet()).containsAtLeast(
        "relaxed/loss", "relaxed/wide/hidden_loss", "relaxed/narrow2/hidden_loss", "relaxed/disagreement",
        "parameters/weight");
  }
}
