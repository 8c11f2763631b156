package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What training refuses before its first step: directories it cannot write, checkpoint policies the run cannot keep. */
class RunDirectoryTest {
  private static final Dataset MOONS = TwoMoons.generate(60, 0.1, 1);

  @TempDir Path temp;

  private static Model model() {
    return Model.build(TestMlp.of("Refused", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 4));
  }

  private static TrainingConfig config(Path logRoot) {
    return TrainingConfig.defaults().withEpochs(1).withBatchSize(10).withLogRoot(logRoot).withRunName("run").quiet();
  }

  @Test
  void aLogRootTrainingCannotWriteIsReportedWithThePathAndTheErrorBeforeTheFirstStep() throws IOException {
    Path file = Files.writeString(temp.resolve("runs"), "a file where the log root should be");
    try (Model model = model()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.train(MOONS, config(file)));
      assertThat(e).hasMessageThat().startsWith("cannot write checkpoints to " + file.resolve("run").resolve("checkpoints") + ": Not a directory");
      UncheckedIOException withoutCheckpoints =
          assertThrows(UncheckedIOException.class, () -> model.train(MOONS, config(file).withCheckpoint(false)));
      assertThat(withoutCheckpoints).hasMessageThat().startsWith("cannot create TensorBoard run directory " + file.resolve("run") + ": Not a directory");
      assertThat(model.step()).isEqualTo(0);
    }
  }

  @Test
  void somethingInTheWayOfTheCheckpointsIsReported() throws IOException {
    Path run = Files.createDirectories(temp.resolve("logs").resolve("run"));
    Files.writeString(run.resolve("checkpoints"), "in the way");
    try (Model model = model()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.train(MOONS, config(temp.resolve("logs"))));
      assertThat(e).hasMessageThat().isEqualTo("cannot write checkpoints to " + run.resolve("checkpoints") + ": File exists");
      assertThat(model.step()).isEqualTo(0);
    }
  }

  @Test
  void keepingTheBestNeedsValidationDataAndAMetricTheNetworkHas() {
    try (Model model = model()) {
      TrainingConfig best = config(temp).withCheckpoints(CheckpointPolicy.defaults().keepBest(ValidationMetric.ACCURACY));
      IllegalArgumentException noValidation = assertThrows(IllegalArgumentException.class, () -> model.train(MOONS, best));
      assertThat(noValidation).hasMessageThat()
          .isEqualTo("the checkpoint policy keeps the best by validation/accuracy, which needs validation data: pass a validation set or set a validation split");
    }
    try (Model regression = Model.build(TestMlp.of("Plane", 2, 1, Loss.MEAN_SQUARED_ERROR, new OptimizerSpec.Sgd(0.1)))) {
      TrainingConfig f1 = config(temp).withValidationSplit(0.2).withCheckpoints(CheckpointPolicy.defaults().keepBest(ValidationMetric.F1));
      IllegalArgumentException noClasses = assertThrows(IllegalArgumentException.class, () -> regression.train(MOONS, f1));
      assertThat(noClasses).hasMessageThat()
          .isEqualTo("the checkpoint policy keeps the best by validation/f1, which network Plane (MEAN_SQUARED_ERROR, 1 outputs) does not have");
    }
  }
}
