package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.EventFileWriter;
import dev.kiln.runtime.summary.ScalarPoint;
import dev.kiln.runtime.training.RunCheckpoints;
import dev.kiln.runtime.training.RunEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Resuming in one JVM: runs stopped with {@link Model#requestStop} (at a step boundary, like a
 * signal) or finished, then trained again under the same name by a new model, as the same command
 * run again would. The run is {@link ResumableRun}'s: 10 steps an epoch, 4 epochs, a checkpoint
 * every 4 steps, the last 3 kept.
 */
class ResumeTest {
  private static final String UNINTERRUPTED = "uninterrupted";

  @TempDir static Path logs;
  private static TrainingResult uninterrupted;

  @BeforeAll
  static void runWithoutInterruption() {
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      uninterrupted = model.train(ResumableRun.data(), ResumableRun.config(logs, UNINTERRUPTED));
    }
  }

  private static Path checkpoints(String run) {
    return logs.resolve(run).resolve(RunCheckpoints.DIRECTORY);
  }

  /** Trains {@code run} with a new model that asks itself to stop while step {@code step} is fed; it stops before the next one. */
  private static TrainingInterruptedException stoppedAt(String run, long step, TrainingConfig config) {
    AtomicReference<Model> self = new AtomicReference<>();
    AtomicBoolean asked = new AtomicBoolean();
    try (Model model = Model.build(ResumableRun.network(at -> {
      if (at == step && asked.compareAndSet(false, true)) {
        assertThat(self.get().requestStop()).isTrue();
      }
    }))) {
      self.set(model);
      return assertThrows(TrainingInterruptedException.class, () -> model.train(ResumableRun.data(), config));
    }
  }

  /** Trains {@code run} again with a new model, as running the same command again does; returns what it printed. */
  private static String trainAgain(TrainingConfig config) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      model.train(ResumableRun.data(), config.withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static void assertLikeUninterrupted(String run) throws IOException {
    SameRun.assertSameRun(() -> ResumableRun.network(ResumableRun.StepHook.NONE), logs.resolve(run), logs.resolve(UNINTERRUPTED));
  }

  @Test
  void aStoppedRunSavesAtTheNextStepAndResumesToTheUninterruptedResult() throws IOException {
    String run = "stopped";
    TrainingInterruptedException stop = stoppedAt(run, 17, ResumableRun.config(logs, run));
    Path saved = checkpoints(run).resolve(CheckpointStore.nameOf(18));
    assertThat(stop.step()).isEqualTo(18);
    assertThat(stop.checkpoint()).hasValue(saved);
    assertThat(stop).hasMessageThat()
        .isEqualTo("Training interrupted at step 18 (epoch 2, before batch 9 of 10): Model.requestStop() was called. Saved checkpoint "
            + saved + ". To resume, run the same command again (run 'stopped' continues from its last checkpoint)"
            + ProcessHandle.current().info().commandLine().map(line -> ": " + line).orElse(""));
    Map<String, String> state = CheckpointStore.verify(saved).state();
    assertThat(state).containsEntry("kind", "interrupted");
    assertThat(state).containsEntry("position.epochs_done", "1");
    assertThat(state).containsEntry("position.batches_done", "8");
    // The schedule position: θ falls linearly over 30 steps, the rate is 0.02 · 0.8 in epoch 2.
    assertThat(Double.parseDouble(state.get("parameter.theta"))).isWithin(1e-6).of(Math.PI / 4 * (1 - 18 / 30.0));
    assertThat(Double.parseDouble(state.get("parameter.lr"))).isWithin(1e-9).of((float) (0.02 * 0.8));

    String printed = trainAgain(ResumableRun.config(logs, run));
    assertThat(printed).contains("resuming from " + saved + ": step 18, 1 epochs done, and 8 of 10 batches of epoch 2");
    assertLikeUninterrupted(run);
  }

  @Test
  void aTruncatedCheckpointIsReportedSetAsideAndNeverOverwrittenAndTheRunResumesFromTheOneBefore() throws IOException {
    String run = "truncated";
    // Every checkpoint kept, to see the new one of step 16 next to the corrupt one.
    TrainingConfig config = ResumableRun.config(logs, run).withCheckpoints(CheckpointPolicy.everySteps(4).keepLast(20));
    // Stopped while step 15 is fed: the checkpoint of step 16 is due on the interval anyway.
    stoppedAt(run, 15, config);
    Path newest = checkpoints(run).resolve(CheckpointStore.nameOf(16));
    Path data = newest.resolve("model.data-00000-of-00001");
    long size = Files.size(data);
    try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
      channel.truncate(size / 2);
    }
    byte[] truncated = Files.readAllBytes(data);

    String printed = trainAgain(config);
    Path aside = checkpoints(run).resolve(CheckpointStore.nameOf(16) + ".corrupt");
    assertThat(printed).contains("corrupt checkpoint " + newest + ": model.data-00000-of-00001 does not match its SHA-256 in MANIFEST.sha256 ("
        + size / 2 + " bytes");
    assertThat(printed).contains("set aside as " + aside + " and continuing from the checkpoint before it");
    assertThat(printed).contains("resuming from " + checkpoints(run).resolve(CheckpointStore.nameOf(12)));
    // The resumed run wrote a new checkpoint of step 16; the corrupt one is kept as it was.
    assertThat(CheckpointStore.verify(newest).state()).containsEntry("kind", "interval");
    assertThat(Files.readAllBytes(aside.resolve("model.data-00000-of-00001"))).isEqualTo(truncated);
    assertLikeUninterrupted(run);
  }

  @Test
  void eventsLoggedAfterTheCheckpointAreCutBackSoNoStepIsLoggedTwice() throws IOException {
    String run = "events";
    stoppedAt(run, 21, ResumableRun.config(logs, run));
    Path runDirectory = logs.resolve(run);
    Path own;
    try (Stream<Path> files = Files.list(runDirectory)) {
      own = files.filter(p -> p.getFileName().toString().endsWith(RunEvents.SUFFIX)).findFirst().orElseThrow();
    }
    long length = Files.size(own);
    // What a killed process leaves: events after the checkpoint, the last one half written ...
    Files.write(own, new byte[] {42, 0, 0, 0, 0, 0, 0, 0, 7, 7}, StandardOpenOption.APPEND);
    // ... and a file of a later process; a file of someone else's (a sweep's records) stays.
    Path later;
    try (EventFileWriter writer = EventFileWriter.create(runDirectory, RunEvents.SUFFIX)) {
      writer.scalar("loss", 23, 0.5);
      later = writer.file();
    }
    Path foreign;
    try (EventFileWriter writer = EventFileWriter.create(runDirectory)) {
      writer.scalar("test/accuracy", 0, 0.25);
      foreign = writer.file();
    }

    String printed = trainAgain(ResumableRun.config(logs, run));
    assertThat(printed).contains("cut 10 bytes logged after the checkpoint from " + own);
    assertThat(printed).contains("removed " + later + ", logged after the checkpoint");
    assertThat(Files.size(own)).isEqualTo(length);
    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(runDirectory);
    assertThat(scalars.get("test/accuracy")).hasSize(1);
    // Without the foreign record, the run's events are the uninterrupted run's.
    Files.delete(foreign);
    assertLikeUninterrupted(run);
  }

  @Test
  void aFinishedRunIsRestoredWithoutTraining() throws IOException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    long eventBytes = eventBytes(UNINTERRUPTED);
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      TrainingResult again =
          model.train(ResumableRun.data(), ResumableRun.config(logs, UNINTERRUPTED).withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      assertThat(model.step()).isEqualTo(40);
      assertThat(again.steps()).isEqualTo(40);
      assertThat(again.history()).isEqualTo(uninterrupted.history());
      assertThat(again.checkpoint()).isEqualTo(uninterrupted.checkpoint());
      assertThat(again.resumedFrom()).isEqualTo(uninterrupted.checkpoint());
      try (Model finished = Model.load(ResumableRun.network(ResumableRun.StepHook.NONE), uninterrupted.checkpoint().orElseThrow())) {
        for (String variable : finished.variableNames()) {
          assertThat(model.parameter(variable)).isEqualTo(finished.parameter(variable));
        }
      }
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("run " + logs.resolve(UNINTERRUPTED) + " already trained 4 epochs (4 asked for), 40 steps");
    assertThat(eventBytes(UNINTERRUPTED)).isEqualTo(eventBytes);
  }

  @Test
  void moreEpochsContinueAFinishedRun() throws IOException {
    String run = "extended";
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      assertThat(model.train(ResumableRun.data(), ResumableRun.config(logs, run).withEpochs(2)).steps()).isEqualTo(20);
    }
    trainAgain(ResumableRun.config(logs, run));
    assertLikeUninterrupted(run);
  }

  @Test
  void aRunWithOtherSettingsOrDataIsRefusedAndTheModelLeftAsItWas() {
    String run = "settings";
    stoppedAt(run, 5, ResumableRun.config(logs, run));
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      IllegalArgumentException batch =
          assertThrows(IllegalArgumentException.class, () -> model.train(ResumableRun.data(), ResumableRun.config(logs, run).withBatchSize(8)));
      assertThat(batch).hasMessageThat()
          .isEqualTo("run directory " + logs.resolve(run) + " holds a run with batch size 16 (this run has 8) (checkpoint "
              + checkpoints(run).resolve(CheckpointStore.nameOf(6))
              + "); resume it with the same settings and data, or give this run another name");
      IllegalArgumentException data =
          assertThrows(IllegalArgumentException.class, () -> model.train(TwoMoons.generate(200, 0.1, 4), ResumableRun.config(logs, run)));
      assertThat(data).hasMessageThat().containsMatch("holds a run with 160 training examples with checksum [0-9a-f]{8} \\(this run has 160 with checksum [0-9a-f]{8}\\)");
      assertThat(model.step()).isEqualTo(0);
    }
  }

  @Test
  void checkpointsKeepTheLastFewAndTheBestByTheChosenMetric() throws IOException {
    String run = "best";
    TrainingConfig config =
        ResumableRun.config(logs, run).withCheckpoints(CheckpointPolicy.everySteps(4).keepLast(2).keepBest(ValidationMetric.LOSS));
    TrainingResult result;
    try (Model model = Model.build(ResumableRun.network(ResumableRun.StepHook.NONE))) {
      result = model.train(ResumableRun.data(), config);
    }
    EpochStats best = result.history().get(0);
    for (EpochStats stats : result.history()) {
      if (stats.validationLoss() < best.validationLoss()) {
        best = stats;
      }
    }
    Path bestCheckpoint = checkpoints(run).resolve(CheckpointStore.nameOf(best.step()));
    assertThat(result.bestCheckpoint()).hasValue(bestCheckpoint);
    assertThat(CheckpointStore.at(checkpoints(run)).checkpoints())
        .containsExactlyElementsIn(
            Stream.of(bestCheckpoint, checkpoints(run).resolve(CheckpointStore.nameOf(36)), checkpoints(run).resolve(CheckpointStore.nameOf(40)))
                .distinct()
                .toList());
    Map<String, String> state = CheckpointStore.verify(result.checkpoint().orElseThrow()).state();
    assertThat(state).containsEntry("best.metric", "LOSS");
    assertThat(state).containsEntry("best.step", Long.toString(best.step()));
    assertThat(Double.parseDouble(state.get("best.value"))).isEqualTo(best.validationLoss());
  }

  @Test
  void anUnnamedRunSaysHowToResumeIt() {
    TrainingConfig config = TrainingConfig.defaults().withEpochs(2).withBatchSize(16).withLogRoot(logs.resolve("unnamed")).quiet();
    TrainingInterruptedException stop = stoppedAt("unnamed", 3, config);
    assertThat(stop).hasMessageThat()
        .containsMatch("To resume, train again with TrainingConfig\\.withRunName\\(\"Resumable-\\d{8}-\\d{6}(-\\d+)?\"\\) and the same log root \\("
            + Pattern.quote(logs.resolve("unnamed").toString()) + "\\)\\.");
  }

  @Test
  void aProgramThatNamesItsRunsSaysHowToResumeInItsOwnWords() {
    String run = "instructed";
    TrainingInterruptedException stop =
        stoppedAt(run, 3, ResumableRun.config(logs, run).withResumeInstruction("run the sample again with --run " + run));
    assertThat(stop).hasMessageThat()
        .endsWith("Saved checkpoint " + checkpoints(run).resolve(CheckpointStore.nameOf(4)) + ". To resume, run the sample again with --run instructed.");
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.defaults().withResumeInstruction(" "));
  }

  private static long eventBytes(String run) throws IOException {
    try (Stream<Path> files = Files.list(logs.resolve(run))) {
      long total = 0;
      for (Path file : files.filter(p -> p.getFileName().toString().contains("tfevents")).toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }
}
