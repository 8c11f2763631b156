package dev.kiln.samples.convexity;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialStore;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case, through the sample's own command in a child JVM: a sweep stopped by SIGTERM
 * while its second run trains, then started again with the same command, resumes that run from
 * the checkpoint it stopped at (keeping its event files) and ends as a sweep that was never
 * stopped ends (training is deterministic for a seed).
 */
class SweepResumeTest {
  private static final int TRAIN_IMAGES = 2_000;
  private static final int EPOCHS = 3;
  private static final Pattern STOPPED_AT = Pattern.compile("Training interrupted at step (\\d+) ");

  @TempDir Path directory;

  private List<String> command(Path logRoot) {
    return List.of("--variants", "fixed,annealed-step", "--epochs", String.valueOf(EPOCHS), "--train-size", String.valueOf(TRAIN_IMAGES),
        "--logdir", logRoot.toString());
  }

  @Test
  void aSweepStoppedDuringItsSecondRunResumesThatRunFromItsCheckpoint() throws Exception {
    Path logRoot = directory.resolve("stopped");
    Path second = logRoot.resolve("annealed-step-seed1");

    String stopped;
    try (Child first = Child.start(command(logRoot))) {
      first.awaitLine("[2/2] annealed-step-seed1: running into");
      first.awaitLine("epoch 1/" + EPOCHS); // the second run is training
      first.process.toHandle().destroy(); // SIGTERM (Process.destroy would close its output too)
      int status = first.process.waitFor();
      stopped = first.output();
      assertWithMessage(stopped).that(status).isEqualTo(143);
    }
    Matcher at = STOPPED_AT.matcher(stopped);
    assertWithMessage(stopped).that(at.find()).isTrue();
    long step = Long.parseLong(at.group(1));
    long steps = EPOCHS * ((TRAIN_IMAGES - TRAIN_IMAGES / 20 + 31) / 32);
    assertThat(step).isAtLeast(steps / EPOCHS);
    assertThat(step).isLessThan(steps);
    assertThat(stopped)
        .contains("To resume, run the same command again: the sweep skips the finished runs and resumes annealed-step-seed1 from this checkpoint.");
    assertThat(TrialStore.load(logRoot.resolve("fixed-seed1"))).isPresent();
    assertThat(TrialStore.load(second)).isEmpty();
    List<Path> eventFilesBefore = eventFiles(second);
    assertThat(HParams.read(second).stream().filter(record -> record instanceof HParams.SessionEnd).toList()).isEmpty();

    String again = Child.run(command(logRoot));

    assertThat(again).contains("[1/2] fixed-seed1: finished earlier, not run again");
    assertThat(again).contains("[2/2] annealed-step-seed1: resuming the unfinished trial in " + second + " from its last checkpoint");
    assertThat(again).contains("resuming from " + second.resolve("checkpoints").resolve(String.format("step-%012d", step)) + ": step " + step);
    assertThat(again).doesNotContain("removing");
    assertThat(eventFiles(second)).containsAtLeastElementsIn(eventFilesBefore);
    List<HParams.Record> records = HParams.read(second);
    assertThat(records.stream().filter(record -> record instanceof HParams.SessionStart).count()).isEqualTo(1);
    assertThat(((HParams.SessionEnd) records.get(records.size() - 1)).status()).isEqualTo(HParams.Status.SUCCESS);

    TrialResult resumed = TrialStore.load(second).orElseThrow();
    TrialResult uninterrupted = uninterruptedSweep(directory.resolve("uninterrupted")).get(1);
    assertThat(resumed.last().step()).isEqualTo(steps);
    assertThat(resumed.history()).hasSize(EPOCHS);
    assertThat(resumed.metric("accuracy")).isEqualTo(uninterrupted.metric("accuracy"));
    assertThat(resumed.metric("loss")).isWithin(1e-6).of(uninterrupted.metric("loss"));
    for (int e = 0; e < EPOCHS; e++) {
      assertThat(resumed.history().get(e).value(MnistExperiment.TRAIN_LOSS)).isWithin(1e-6).of(uninterrupted.history().get(e).value(MnistExperiment.TRAIN_LOSS));
      assertThat(resumed.history().get(e).value(MnistExperiment.VALIDATION_ACCURACY)).isEqualTo(uninterrupted.history().get(e).value(MnistExperiment.VALIDATION_ACCURACY));
      assertThat(resumed.history().get(e).value(MnistExperiment.THETA)).isWithin(1e-6).of(uninterrupted.history().get(e).value(MnistExperiment.THETA));
    }
  }

  /** The same sweep in this JVM, never stopped. */
  private List<TrialResult> uninterruptedSweep(Path logRoot) throws IOException {
    ConvexityMnist.Settings settings = ConvexityMnist.Settings.parse(command(logRoot).toArray(String[]::new));
    Mnist mnist = Mnist.load();
    Dataset train = mnist.train().range(0, TRAIN_IMAGES);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    MnistExperiment experiment = new MnistExperiment(train, mnist.test(), EPOCHS, settings.protocol(), Device.cpu(), quiet);
    return new Sweep(logRoot, ConvexityMnist.HPARAMS, ConvexityMnist.METRIC_TAGS, quiet).run(settings.runs(experiment.trainingExamples()), experiment);
  }

  private static List<Path> eventFiles(Path run) throws IOException {
    try (Stream<Path> files = Files.list(run)) {
      return files.filter(file -> file.getFileName().toString().contains("tfevents")).sorted().toList();
    }
  }

  /** The sample's main in a JVM of its own, with the test's class path; its output merged and collected. */
  private static final class Child implements AutoCloseable {
    final Process process;
    private final List<String> lines = new ArrayList<>();
    private final BufferedReader reader;

    private Child(Process process) {
      this.process = process;
      this.reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Child start(List<String> args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"), "-cp",
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), ConvexityMnist.class.getName()));
      command.addAll(args);
      return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    static String run(List<String> args) throws Exception {
      try (Child child = start(args)) {
        int status = child.process.waitFor();
        String output = child.output();
        assertWithMessage(output).that(status).isEqualTo(0);
        return output;
      }
    }

    /** Reads until a line starts with {@code prefix} (failing if the process ends first). */
    void awaitLine(String prefix) throws IOException {
      for (String line; (line = reader.readLine()) != null; ) {
        lines.add(line);
        if (line.startsWith(prefix)) {
          return;
        }
      }
      throw new AssertionError("the child ended without a line starting '" + prefix + "':\n" + String.join("\n", lines));
    }

    String output() throws IOException {
      for (String line; (line = reader.readLine()) != null; ) {
        lines.add(line);
      }
      return String.join("\n", lines);
    }

    @Override
    public void close() throws IOException {
      process.destroyForcibly();
      reader.close();
    }
  }
}
