package dev.kiln.sweep;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
  private static final List<String> METRIC_TAGS = List.of("validation/accuracy", "test/accuracy", "test/f1", "test/loss");
  private static final List<HParams.Definition> HPARAMS =
      List.of(HParams.Definition.discrete("variant", List.of("fixed", "trainable")), HParams.Definition.of("seed", HParams.Type.FLOAT64));

  @TempDir Path logRoot;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final List<String> ran = new ArrayList<>();

  /** Pretends to train: a run of "fixed" reaches 0.9, of "trainable" 0.95, over two epochs. */
  private final TrialTask fakeTraining = (trial, runDirectory) -> {
    ran.add(trial.runName());
    double accuracy = trial.group().equals("fixed") ? 0.9 : 0.95;
    TrialResult made = Trials.result(trial.group(), trial.seed(), accuracy, accuracy - 0.01, 0.2, 3, accuracy - 0.05, accuracy);
    return new TrialOutcome(made.history(), made.metrics());
  };

  private Sweep sweep() {
    return new Sweep(logRoot, HPARAMS, METRIC_TAGS, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private static Trial spec(String variant, long seed) {
    return new Trial(variant, seed, Map.of("variant", variant, "seed", seed));
  }

  @Test
  void eachRunGetsItsDirectoryResultFilesAndHParamsRecords() throws IOException {
    List<TrialResult> results = sweep().run(List.of(spec("fixed", 1), spec("trainable", 1)), fakeTraining);

    assertThat(ran).containsExactly("fixed-seed1", "trainable-seed1").inOrder();
    assertThat(results.stream().map(r -> r.metric("accuracy")).toList()).containsExactly(0.9, 0.95).inOrder();
    Path run = logRoot.resolve("trainable-seed1");
    assertThat(TrialStore.load(run)).hasValue(results.get(1));
    assertThat(Files.readAllLines(run.resolve(TrialStore.HISTORY_FILE))).hasSize(3); // header + 2 epochs

    assertThat(HParams.read(logRoot)).containsExactly(new HParams.Experiment(HPARAMS, METRIC_TAGS));
    List<HParams.Record> records = HParams.read(run);
    assertThat(records).hasSize(2);
    assertThat(records.get(0)).isInstanceOf(HParams.SessionStart.class);
    assertThat(((HParams.SessionStart) records.get(0)).hparams()).containsExactly("variant", "trainable", "seed", 1.0);
    assertThat(((HParams.SessionEnd) records.get(1)).status()).isEqualTo(HParams.Status.SUCCESS);
    // Test scores as scalars at the last training step, where the dashboard finds its metrics.
    List<ScalarPoint> testAccuracy = EventFileReader.scalars(run).get("test/accuracy");
    assertThat(testAccuracy).hasSize(1);
    assertThat(testAccuracy.get(0).step()).isEqualTo(200);
    assertThat(testAccuracy.get(0).value()).isWithin(1e-7).of(0.95);
  }

  @Test
  void aFinishedRunIsNotRunAgain() throws IOException {
    List<TrialResult> first = sweep().run(List.of(spec("fixed", 1)), fakeTraining);
    ran.clear();

    List<TrialResult> second = sweep().run(List.of(spec("fixed", 1), spec("fixed", 2)), fakeTraining);

    assertThat(ran).containsExactly("fixed-seed2");
    assertThat(second.get(0)).isEqualTo(first.get(0));
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("[1/2] fixed-seed1: finished earlier, not run again");
    // One experiment record in the log root, however often the sweep resumes.
    assertThat(HParams.read(logRoot)).hasSize(1);
  }

  @Test
  void anUnfinishedRunWithACheckpointIsResumedInItsDirectoryKeepingItsFiles() throws IOException {
    Path run = logRoot.resolve("fixed-seed1");
    TrialTask interrupted = (trial, runDirectory) -> {
      Files.createDirectories(runDirectory.resolve("checkpoints").resolve("step-000000000100"));
      Files.writeString(runDirectory.resolve("what-epoch-1-wrote.txt"), "epoch 1");
      throw new TrainingInterruptedException("stopped at step 100", 100, Optional.empty());
    };
    assertThrows(TrainingInterruptedException.class, () -> sweep().run(List.of(spec("fixed", 1)), interrupted));
    // Stopped, not failed: no end record, no result.
    assertThat(HParams.read(run)).hasSize(1);
    assertThat(TrialStore.load(run)).isEmpty();

    List<String> seenByTheTask = new ArrayList<>();
    sweep().run(List.of(spec("fixed", 1)), (spec, runDirectory) -> {
      seenByTheTask.add(Files.readString(runDirectory.resolve("what-epoch-1-wrote.txt")));
      return fakeTraining.run(spec, runDirectory);
    });

    assertThat(seenByTheTask).containsExactly("epoch 1");
    assertThat(Files.isDirectory(run.resolve("checkpoints").resolve("step-000000000100"))).isTrue();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("[1/1] fixed-seed1: resuming the unfinished trial in " + run + " from its last checkpoint");
    // One start record (from the first attempt) and the end record of the one that finished.
    List<HParams.Record> records = HParams.read(run);
    assertThat(records).hasSize(2);
    assertThat(records.get(0)).isInstanceOf(HParams.SessionStart.class);
    assertThat(((HParams.SessionEnd) records.get(1)).status()).isEqualTo(HParams.Status.SUCCESS);
    assertThat(TrialStore.load(run)).isPresent();
  }

  @Test
  void aFailedRunThatResumesAndFinishesEndsAsASuccessOnly() throws IOException {
    Path run = logRoot.resolve("fixed-seed1");
    TrialTask failing = (trial, runDirectory) -> {
      Files.createDirectories(runDirectory.resolve("checkpoints").resolve("step-000000000100"));
      throw new IllegalStateException("out of memory");
    };
    assertThrows(IllegalStateException.class, () -> sweep().run(List.of(spec("fixed", 1)), failing));

    sweep().run(List.of(spec("fixed", 1)), fakeTraining);

    List<HParams.Record> records = HParams.read(run);
    assertThat(records.stream().filter(record -> record instanceof HParams.SessionEnd).toList())
        .containsExactly(((HParams.SessionEnd) records.get(records.size() - 1)));
    assertThat(((HParams.SessionEnd) records.get(records.size() - 1)).status()).isEqualTo(HParams.Status.SUCCESS);
  }

  @Test
  void anUnfinishedRunWithoutACheckpointIsRunAfresh() throws IOException {
    Path leftover = Files.createDirectories(logRoot.resolve("fixed-seed1")).resolve("events.out.tfevents.1.host.1.0");
    Files.writeString(leftover, "half a run");

    sweep().run(List.of(spec("fixed", 1)), fakeTraining);

    assertThat(ran).containsExactly("fixed-seed1");
    assertThat(Files.exists(leftover)).isFalse();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("removing the unfinished trial in " + logRoot.resolve("fixed-seed1") + ", which has no checkpoint");
  }

  @Test
  void aFinishedRunWithOtherHParamsIsAnErrorNamingItsDirectory() throws IOException {
    sweep().run(List.of(spec("fixed", 1)), fakeTraining);
    Trial longer = new Trial("fixed", 1, Map.of("variant", "fixed", "seed", 1, "epochs", 20));

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sweep().run(List.of(longer), fakeTraining));

    assertThat(e).hasMessageThat().contains(logRoot.resolve("fixed-seed1").toString());
    assertThat(e).hasMessageThat().contains("epochs=20.0");
  }

  @Test
  void aFailedRunIsRecordedAsFailedAndLeavesNoResult() throws IOException {
    TrialTask failing = (trial, runDirectory) -> {
      throw new IllegalStateException("diverged");
    };

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sweep().run(List.of(spec("fixed", 1)), failing));

    assertThat(e).hasMessageThat().isEqualTo("diverged");
    Path run = logRoot.resolve("fixed-seed1");
    assertThat(TrialStore.load(run)).isEmpty();
    List<HParams.Record> records = HParams.read(run);
    assertThat(((HParams.SessionEnd) records.get(records.size() - 1)).status()).isEqualTo(HParams.Status.FAILURE);
  }

  @Test
  void resultsKeepUnmeasuredMetricsAsNaN() throws IOException {
    TrialResult made = Trials.result("fixed", 1, 0.9, Double.NaN, 0.2, 3, 0.8);
    TrialStore.save(logRoot.resolve("fixed-seed1"), made);

    TrialResult loaded = TrialStore.load(logRoot.resolve("fixed-seed1")).orElseThrow();

    assertThat(loaded).isEqualTo(made);
    assertThat(loaded.metric("f1")).isNaN();
  }

  @Test
  void aCorruptResultFileIsAnErrorNamingIt() throws IOException {
    Path run = Files.createDirectories(logRoot.resolve("fixed-seed1"));
    Files.writeString(run.resolve(TrialStore.RESULT_FILE), "{\"variant\": \"fixed\", \"history\": []");

    IOException e = assertThrows(IOException.class, () -> TrialStore.load(run));

    assertThat(e).hasMessageThat().contains(run.resolve(TrialStore.RESULT_FILE).toString());
    assertThat(e).hasMessageThat().contains("delete the run directory to run it again");
  }
}
