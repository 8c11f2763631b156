package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving every variable and loading it into a new model. */
class CheckpointTest {
  private static final Dataset MOONS = TwoMoons.generate(120, 0.1, 4);
  private static final PhasedSchedule THETA = PhasedSchedule.of(Granularity.STEP, Phase.linear(Math.PI / 4, 0, Length.epochs(4)));

  @TempDir Path directory;

  private static TestMlp network() {
    return TestMlp.of("Saved", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 12, 6)
        .withTheta((g, layer, units) ->
            layer.equals("hidden1")
                ? g.trainable("hidden1/theta", org.tensorflow.ndarray.Shape.of(units), 0.5, 0, Math.PI / 4, 10)
                : g.annealed("theta", THETA));
  }

  private TrainingConfig config(int epochs, String run) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(16).withLogRoot(directory.resolve("logs")).withRunName(run).quiet();
  }

  @Test
  void savedWeightsRestoreToIdenticalPredictionsAndState() {
    Path saved = directory.resolve("model");
    float[][] predictions;
    try (Model model = Model.build(network())) {
      model.train(MOONS, config(2, "first"));
      model.save(saved);
      predictions = model.predict(MOONS);
      try (Model loaded = Model.load(network(), saved)) {
        assertThat(loaded.predict(MOONS)).isEqualTo(predictions);
        assertThat(loaded.step()).isEqualTo(model.step());
        assertThat(loaded.parameter("hidden1/theta")).isEqualTo(model.parameter("hidden1/theta"));
        assertThat(loaded.parameter("theta")).isEqualTo(model.parameter("theta"));
        assertThat(loaded.evaluate(MOONS)).isEqualTo(model.evaluate(MOONS));
        for (String variable : model.variableNames()) {
          assertThat(loaded.parameter(variable)).isEqualTo(model.parameter(variable));
        }
      }
    }
    assertThat(Files.exists(saved.resolve("model.index"))).isTrue();
  }

  @Test
  void aLoadedModelTrainsOnExactlyAsTheOriginalWould() {
    // Optimiser slots, β powers, the step counter and the steps per epoch are all restored, so one
    // more epoch from the checkpoint equals one more epoch of the original.
    Path saved = directory.resolve("model");
    try (Model original = Model.build(network())) {
      original.train(MOONS, config(1, "a"));
      original.save(saved);
      original.train(MOONS, config(1, "b"));
      try (Model loaded = Model.load(network(), saved)) {
        assertThat(loaded.parameter("optimizer/beta1_power")).isNotEqualTo(new float[] {0.9f});
        loaded.train(MOONS, config(1, "c"));
        for (String variable : original.variableNames()) {
          assertThat(loaded.parameter(variable)).isEqualTo(original.parameter(variable));
        }
      }
    }
  }

  @Test
  void trainingSavesACheckpointInTheRunDirectory() {
    try (Model model = Model.build(network())) {
      TrainingResult result = model.train(MOONS, config(1, "with-checkpoint"));
      // 120 examples in batches of 16: 8 steps.
      assertThat(result.checkpoint())
          .isEqualTo(Optional.of(directory.resolve("logs").resolve("with-checkpoint").resolve("checkpoints").resolve("step-000000000008")));
      try (Model loaded = Model.load(network(), result.checkpoint().orElseThrow())) {
        assertThat(loaded.predict(MOONS)).isEqualTo(model.predict(MOONS));
      }
      TrainingResult without = model.train(MOONS, config(1, "without").withCheckpoint(false));
      assertThat(without.checkpoint()).isEmpty();
      assertThat(Files.exists(without.runDirectory().resolve("checkpoints"))).isFalse();
    }
  }

  /** The checkpoint directories of a run, by step. */
  private List<String> checkpointsOf(TrainingResult result) throws IOException {
    try (Stream<Path> entries = Files.list(result.runDirectory().resolve("checkpoints"))) {
      return entries.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("step-")).sorted().toList();
    }
  }

  @Test
  void aMinimumIntervalLeavesOutIntervalCheckpointsButNotTheStartAndTheEnd() throws IOException {
    try (Model model = Model.build(network())) {
      // 8 steps an epoch; every epoch's checkpoint is written without a minimum interval ...
      TrainingResult every = model.train(MOONS, config(3, "every").withCheckpoints(CheckpointPolicy.everyEpochs(1).keepLast(10)));
      assertThat(checkpointsOf(every))
          .containsExactly("step-000000000000", "step-000000000008", "step-000000000016", "step-000000000024").inOrder();
      // ... and with one of an hour only the run's first and last are.
      TrainingResult hourly = model.train(MOONS,
          config(3, "hourly").withCheckpoints(CheckpointPolicy.everyEpochs(1).keepLast(10).atMostEvery(Duration.ofHours(1))));
      assertThat(checkpointsOf(hourly)).containsExactly("step-000000000024", "step-000000000048").inOrder();
    }
    assertThat(CheckpointPolicy.defaults().minimumInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(CheckpointPolicy.defaults().toString()).isEqualTo("every 1 epoch (at most every 30 s), keeping the last 2");
  }

  @Test
  void aSavedModelWithAChangedFileIsRefusedNamingTheFile() throws IOException {
    Path saved = directory.resolve("model");
    try (Model model = Model.build(network())) {
      model.save(saved);
    }
    assertThat(Files.readAllLines(saved.resolve(CheckpointStore.MANIFEST))).hasSize(2);
    Path data = saved.resolve("model.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 1;
    Files.write(data, bytes);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(network(), saved));
    assertThat(e).hasMessageThat().startsWith("corrupt checkpoint " + saved + ": model.data-00000-of-00001 does not match its SHA-256");
  }

  @Test
  void aRunDirectoryLoadsItsNewestValidCheckpoint() {
    try (Model model = Model.build(network())) {
      TrainingResult result = model.train(MOONS, config(2, "loaded"));
      try (Model loaded = Model.load(network(), result.runDirectory())) {
        assertThat(loaded.step()).isEqualTo(model.step());
        assertThat(loaded.predict(MOONS)).isEqualTo(model.predict(MOONS));
      }
    }
  }

  @Test
  void loadingFromADirectoryWithoutACheckpointSaysSo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(network(), directory));
    assertThat(e).hasMessageThat().contains("no checkpoint in " + directory);
  }

  @Test
  void loadingAnotherNetworksCheckpointSaysItDoesNotFit() {
    Path saved = directory.resolve("other");
    TestMlp other = TestMlp.of("Other", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 3);
    try (Model model = Model.build(other)) {
      model.save(saved);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(network(), saved));
    assertThat(e).hasMessageThat().contains("does not fit network Saved");
  }

  @Test
  void aCheckpointOfTheSameNamesAtAnotherWidthDoesNotLoad() {
    // Resource variables take a value of any shape unless told: the restore must check.
    Path saved = directory.resolve("wider");
    TestMlp wider = TestMlp.of("Wider", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 7);
    try (Model model = Model.build(wider)) {
      model.save(saved);
    }
    TestMlp narrower = TestMlp.of("Narrower", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(narrower, saved));
    assertThat(e).hasMessageThat().contains("does not fit network Narrower: Trying to assign to variable with tensor with wrong shape");
  }
}
