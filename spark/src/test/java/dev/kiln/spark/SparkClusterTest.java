package dev.kiln.spark;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.CheckpointPolicy;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.WithSeed;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.sweep.Epoch;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialOutcome;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone Spark cluster on loopback: a master and two workers started in child JVMs from
 * this classpath (Spark's own Master and Worker classes). A sweep of two trials runs on it; the
 * executor running the first trial is killed, with its worker, after the trial's first checkpoint.
 * Spark retries the task on the other worker, the trial resumes from its checkpoint, and the
 * results are complete, once each, and what the in-process sweep gives.
 */
class SparkClusterTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final int EPOCHS = 40;

  @TempDir Path root;
  private LoopbackCluster closeAfter;

  @AfterEach
  void stopTheCluster() {
    if (closeAfter != null) {
      closeAfter.close();
    }
  }

  /** A longer moons trial with a checkpoint every epoch; each attempt leaves its executor's process id. */
  static TrialOutcome train(Trial trial, Path runDirectory) throws IOException {
    TaskContext task = TaskContext.get();
    if (task != null) {
      Files.writeString(runDirectory.resolveSibling(trial.runName() + ".attempt" + task.attemptNumber()),
          Long.toString(ProcessHandle.current().pid()));
    }
    TrainingConfig config = TrainingConfig.defaults().withEpochs(EPOCHS).withBatchSize(10).withSeed(trial.seed())
        .withLogRoot(runDirectory.getParent()).withRunName(runDirectory.getFileName().toString())
        .withCheckpoints(CheckpointPolicy.everyEpochs(1)).withOutput(QUIET).quiet();
    try (Model model = Model.build(new WithSeed(new SparkSweepTest.Moons(), trial.seed()))) {
      TrainingResult result = model.train(TwoMoons.generate(100, 0.1, 3), config);
      List<Epoch> history = new ArrayList<>();
      result.history().forEach(stats ->
          history.add(new Epoch(stats.epoch(), stats.step(), stats.elapsed().toNanos() / 1e9, Map.of("train_loss", stats.trainLoss()))));
      return new TrialOutcome(history, Map.of("accuracy", model.evaluate(TwoMoons.generate(200, 0.1, 4)).accuracy()));
    }
  }

  @Test
  void aTrialWhoseExecutorIsKilledResumesOnTheOtherWorkerAndTheSweepCompletes() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(Files.createDirectories(Path.of("target", "spark-cluster")), 2);
    closeAfter = cluster;
    String master = cluster.master();

    Path logRoot = root.resolve("sweep");
    List<Trial> trials = List.of(new Trial("moons", 1, Map.of("seed", 1)), new Trial("moons", 2, Map.of("seed", 2)));
    Sweep sweep = new Sweep(logRoot, List.of(HParams.Definition.of("seed", HParams.Type.FLOAT64)), List.of("test/accuracy"), QUIET);
    CompletableFuture<List<TrialResult>> running = CompletableFuture.supplyAsync(() -> {
      try {
        return new SparkSweep(sweep, master).run(trials, () -> SparkClusterTest::train);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });

    // Kill the first trial's executor (and its worker, so that it is not started again there)
    // once the trial has saved a checkpoint.
    Path firstAttempt = logRoot.resolve("moons-seed1.attempt0");
    Path checkpoints = logRoot.resolve("moons-seed1").resolve("checkpoints");
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (!(Files.exists(firstAttempt) && Files.isDirectory(checkpoints) && hasCheckpoint(checkpoints))) {
      assertThat(Instant.now().isBefore(deadline) && !running.isDone()).isTrue();
      Thread.sleep(100);
    }
    ProcessHandle executor = ProcessHandle.of(Long.parseLong(Files.readString(firstAttempt).trim())).orElseThrow();
    executor.parent().ifPresent(ProcessHandle::destroyForcibly);
    executor.destroyForcibly();

    List<TrialResult> results = running.get(5, TimeUnit.MINUTES);
    assertThat(results).hasSize(2);
    assertThat(Files.exists(logRoot.resolve("moons-seed1.attempt1"))).isTrue();
    for (TrialResult result : results) {
      assertThat(result.history()).hasSize(EPOCHS);
      assertThat(TrialStore.load(logRoot.resolve("moons-seed" + result.seed()))).hasValue(result);
    }
    // The retried trial resumed from its checkpoint and ended as a trial that was never stopped.
    TrialResult uninterrupted =
        new Sweep(root.resolve("in-process"), List.of(), List.of(), QUIET).run(List.of(trials.get(0)), SparkClusterTest::train).get(0);
    assertThat(results.get(0).metrics()).isEqualTo(uninterrupted.metrics());
  }

  private static boolean hasCheckpoint(Path checkpoints) throws IOException {
    try (var entries = Files.list(checkpoints)) {
      return entries.anyMatch(entry -> entry.getFileName().toString().startsWith("step-"));
    }
  }
}
