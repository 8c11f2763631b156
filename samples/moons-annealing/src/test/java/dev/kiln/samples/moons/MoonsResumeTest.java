package dev.kiln.samples.moons;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Model;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise, through the sample's own command in a child JVM: a run stopped by SIGTERM
 * resumes when the same command runs again with the same {@code --run} name, and ends as the run
 * that was never stopped ends (training is deterministic for a seed); run once more, it says it is
 * finished and reports the same result.
 */
class MoonsResumeTest {
  private static final Pattern INTERRUPTED = Pattern.compile("Training interrupted at step (\\d+) ");
  private static final Pattern EPOCH_LINE = Pattern.compile("^epoch\\s+\\d+/30\\b.*");
  private static final String TEST_SET = "Test set (200 points): ";

  @TempDir Path logRoot;

  @Test
  void theSameCommandWithTheSameRunNameResumesAStoppedRunAndEndsAsAnUninterruptedOne() throws Exception {
    List<String> command = List.of("--run", "stopped", "--logdir", logRoot.toString());

    String stopped;
    try (Child first = Child.start(command)) {
      first.awaitLine(line -> EPOCH_LINE.matcher(line).matches()); // training has begun
      first.process.toHandle().destroy(); // SIGTERM, leaving the output readable (Process.destroy closes it)
      int status = first.process.waitFor();
      stopped = first.output();
      assertWithMessage(stopped).that(status).isEqualTo(143);
    }
    Matcher at = INTERRUPTED.matcher(stopped);
    assertWithMessage(stopped).that(at.find()).isTrue();
    long step = Long.parseLong(at.group(1));
    assertThat(step).isLessThan(690L); // 30 epochs of 23 steps: it stopped before the end
    assertThat(stopped).contains("Run stopped: the same command resumes it if it stops");
    assertThat(stopped).contains("To resume, run the same command again (run 'stopped' continues from its last checkpoint)");

    String resumed = Child.run(command);
    assertThat(resumed).contains("resuming from " + logRoot.resolve("stopped").resolve("checkpoints") + "/step-" + String.format("%012d", step) + ": step " + step);
    assertThat(resumed).contains("epoch 30/30");

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    MoonsAnnealingMain.Outcome uninterrupted =
        MoonsAnnealingMain.run(
            Device.cpu(),
            MoonsAnnealingMain.config(30, logRoot, 1).withRunName("uninterrupted").withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)),
            1);
    String expected = testSetLine(printed.toString(StandardCharsets.UTF_8));
    assertThat(testSetLine(resumed)).isEqualTo(expected);
    assertThat(uninterrupted.training().steps()).isEqualTo(690L);
    float[][] points = {{0.5f, -0.3f}, {-1f, 0.5f}, {1.5f, -0.5f}, {0f, 0.25f}};
    try (Model resumedModel = Model.load(new MoonsAnnealingGraph(), logRoot.resolve("stopped"));
        Model uninterruptedModel = Model.load(new MoonsAnnealingGraph(), logRoot.resolve("uninterrupted"))) {
      float[][] p = resumedModel.predict(points);
      float[][] q = uninterruptedModel.predict(points);
      for (int i = 0; i < points.length; i++) {
        assertThat((double) p[i][0]).isWithin(1e-6).of(q[i][0]);
      }
      assertThat(resumedModel.step()).isEqualTo(690L);
    }

    String again = Child.run(command);
    assertThat(again).contains("Run stopped had its 30 epochs already: nothing trained");
    assertThat(again).doesNotContain("epoch 1/30");
    assertThat(testSetLine(again)).isEqualTo(expected);
  }

  @Test
  void withoutARunNameEachCommandStartsANewRunAndSaysHowToResumeIt() throws Exception {
    Files.createDirectories(logRoot.resolve(MoonsAnnealingMain.newRunName(logRoot)));
    String name = MoonsAnnealingMain.newRunName(logRoot);
    // A run of the same second exists: the new one gets a counter (unless the second changed meanwhile).
    assertThat(name).matches("moons-\\d{8}-\\d{6}(-2)?");

    String output = Child.run(List.of("--epochs", "1", "--logdir", logRoot.toString()));

    Matcher named = Pattern.compile("Run (moons-\\d{8}-\\d{6}(-\\d+)?) \\(a new run; to resume it if it stops: the same command with --run \\1\\)")
        .matcher(output);
    assertWithMessage(output).that(named.find()).isTrue();
    assertThat(Files.isDirectory(logRoot.resolve(named.group(1)).resolve("checkpoints"))).isTrue();
  }

  private static String testSetLine(String output) {
    return output.lines().filter(line -> line.startsWith(TEST_SET)).findFirst().orElseThrow(() -> new AssertionError("no test line in:\n" + output));
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
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), MoonsAnnealingMain.class.getName()));
      command.addAll(args);
      return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs the command to its end and returns what it printed; it must succeed. */
    static String run(List<String> args) throws Exception {
      try (Child child = start(args)) {
        int status = child.process.waitFor();
        String output = child.output();
        assertWithMessage(output).that(status).isEqualTo(0);
        return output;
      }
    }

    /** Reads until a line matches (failing if the process ends first). */
    void awaitLine(Predicate<String> wanted) throws IOException {
      for (String line; (line = reader.readLine()) != null; ) {
        lines.add(line);
        if (wanted.test(line)) {
          return;
        }
      }
      throw new AssertionError("the child ended without the line awaited:\n" + String.join("\n", lines));
    }

    /** Everything it printed, reading to the end. */
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
