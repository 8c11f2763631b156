package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.checkpoint.StoredCheckpoint;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import dev.kiln.runtime.training.ShutdownStop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Real interruptions of a training run in a child JVM ({@link ResumableRun}), each followed by the
 * very same command, which must resume and end where the run without interruption ends
 * ({@link SameRun}): SIGKILL in the middle of an epoch, SIGTERM, and a full disk.
 */
class InterruptedRunTest {
  private static final String UNINTERRUPTED = "uninterrupted";

  @TempDir static Path logs;

  @BeforeAll
  static void runWithoutInterruption() {
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      model.train(ResumableRun.data(), ResumableRun.config(logs, UNINTERRUPTED));
    }
  }

  /** The command of a run that holds training step {@code hold} the first time it runs. */
  private static ChildJvm start(String run, long hold) {
    return ChildJvm.start(ResumableRun.class, logs.toString(), run, logs.resolve(run + ".marker").toString(), Long.toString(hold));
  }

  private static Optional<StoredCheckpoint> latestCheckpoint(String run) throws IOException {
    return CheckpointStore.at(logs.resolve(run).resolve("checkpoints")).latestValid(problem -> {
      throw new AssertionError(problem);
    });
  }

  /** The largest step of any scalar in the run's event files. */
  private static long lastLoggedStep(String run) throws IOException {
    return EventFileReader.scalars(logs.resolve(run)).values().stream()
        .flatMap(List::stream)
        .mapToLong(ScalarPoint::step)
        .max()
        .orElseThrow();
  }

  /** Runs the same command again and checks that it resumes from {@code step} and finishes the run as if never interrupted. */
  private static void resumesFrom(String run, long hold, long step) throws Exception {
    try (ChildJvm again = start(run, hold)) {
      int status = again.exitCode();
      String output = again.output();
      assertWithMessage(output).that(status).isEqualTo(0);
      assertThat(output).contains("resuming from " + logs.resolve(run).resolve("checkpoints").resolve(CheckpointStore.nameOf(step)));
      assertThat(output).contains("FINISHED steps=" + ResumableRun.EPOCHS * ResumableRun.STEPS_PER_EPOCH);
    }
    SameRun.assertSameRun(() -> ResumableRun.network(ResumableRun.StepHook.NONE), logs.resolve(run), logs.resolve(UNINTERRUPTED));
  }

  @Test
  void aRunKilledMidEpochResumesFromItsLastCheckpointAndEndsAsIfNeverKilled() throws Exception {
    String run = "killed";
    // Step 31: after the checkpoint at 28 and the end of epoch 3 at step 30.
    try (ChildJvm child = start(run, 31)) {
      child.awaitLine(line -> line.startsWith(ResumableRun.BLOCKED));
      child.kill();
      assertThat(child.exitCode()).isEqualTo(137);
    }
    // Killed at step 31: the newest checkpoint is the one at step 28, in the middle of epoch 3 ...
    StoredCheckpoint checkpoint = latestCheckpoint(run).orElseThrow();
    assertThat(checkpoint.step()).isEqualTo(28);
    assertThat(checkpoint.state()).containsEntry("position.epochs_done", "2");
    assertThat(checkpoint.state()).containsEntry("position.batches_done", "8");
    // ... and the killed process had logged beyond it (the end of epoch 3, at step 30), which the
    // resumed run must drop before it logs those steps again.
    assertThat(lastLoggedStep(run)).isEqualTo(30);
    resumesFrom(run, 31, 28);
  }

  @Test
  void sigtermStopsAtTheNextStepWithACheckpointAndSaysHowToResume() throws Exception {
    String run = "terminated";
    try (ChildJvm child = start(run, 33)) {
      child.awaitLine(line -> line.startsWith(ResumableRun.BLOCKED));
      child.terminate();
      int status = child.exitCode();
      String output = child.output();
      // The JVM's status for SIGTERM: non-zero, and the step it was holding, 33, finished first.
      assertWithMessage(output).that(status).isEqualTo(143);
      Path saved = logs.resolve(run).resolve("checkpoints").resolve(CheckpointStore.nameOf(34));
      assertThat(output).contains("Training interrupted at step 34 (epoch 4, before batch 5 of 10): " + ShutdownStop.REASON);
      assertThat(output).contains("Saved checkpoint " + saved);
      assertThat(output).contains("To resume, run the same command again (run 'terminated' continues from its last checkpoint)");
    }
    StoredCheckpoint checkpoint = latestCheckpoint(run).orElseThrow();
    assertThat(checkpoint.step()).isEqualTo(34);
    assertThat(checkpoint.state()).containsEntry("kind", "interrupted");
    assertThat(checkpoint.state()).containsEntry("position.batches_done", "4");
    resumesFrom(run, 33, 34);
  }

  @Test
  void aFullDiskStopsTheRunNamingTheFileAndTheErrorAndKeepsEveryCheckpointValid() throws Exception {
    String run = "full";
    // A file-size limit makes the event file's write fail with EFBIG ("File too large") once it
    // outgrows 8 KiB, in epoch 3 (the whole run logs about 15 KiB); each file of a checkpoint
    // stays smaller. The JVM ignores SIGXFSZ, so the write fails instead of killing the process.
    List<String> limited = List.of("bash", "-c", "ulimit -f 8 && exec \"$0\" \"$@\"");
    // The marker exists: this run never holds a step.
    Files.createFile(logs.resolve(run + ".marker"));
    long stoppedAt;
    try (ChildJvm child =
        ChildJvm.start(limited, List.of(), ResumableRun.class, logs.toString(), run, logs.resolve(run + ".marker").toString(), "31")) {
      int status = child.exitCode();
      String output = child.output();
      assertWithMessage(output).that(status).isEqualTo(1);
      assertThat(output).containsMatch("cannot (flush|sync|write) event file " + logs.resolve(run) + "/events\\.out\\.tfevents\\.[^:]+\\.kiln: File too large");
      assertThat(output).contains("is intact. To resume, run the same command again");
    }
    StoredCheckpoint checkpoint = latestCheckpoint(run).orElseThrow();
    stoppedAt = checkpoint.step();
    assertThat(stoppedAt).isGreaterThan(0L);
    assertThat(stoppedAt).isLessThan(ResumableRun.EPOCHS * ResumableRun.STEPS_PER_EPOCH);
    List<Long> steps = new ArrayList<>();
    for (Path directory : CheckpointStore.at(logs.resolve(run).resolve("checkpoints")).checkpoints()) {
      steps.add(CheckpointStore.verify(directory).step());
    }
    assertThat(steps).contains(stoppedAt);
    resumesFrom(run, 31, stoppedAt);
  }
}
