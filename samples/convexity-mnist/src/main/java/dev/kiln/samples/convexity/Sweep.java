package dev.kiln.samples.convexity;

import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.summary.EventFileWriter;
import dev.kiln.runtime.summary.HParams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.proto.Summary;

/**
 * Runs variants × seeds, each into its own run directory {@code <log root>/<variant>-seed<k>},
 * resumably: a run whose {@code result.json} exists finished earlier and is not run again; a
 * directory without one holds an unfinished run (interrupted, or failed), which the task resumes
 * from its last checkpoint (the runtime does, training into a run directory that holds
 * checkpoints), keeping its event files; an unfinished run without a checkpoint is removed and run
 * afresh.
 *
 * <p>For TensorBoard's HParams dashboard it writes the experiment (hyperparameters and
 * {@link #METRIC_TAGS}) once into the log root, and into each run's directory the run's
 * hyperparameters when it starts and, when it ends, its test scores as {@code test/...} scalars at
 * the last step, and its status.
 */
public final class Sweep {
  /** The metrics the HParams dashboard shows: validation ones the runtime logs per epoch, test ones this class logs. */
  /** The checkpoints' directory in a run directory, as the runtime writes it. */
  static final String CHECKPOINTS = "checkpoints";

  /** Suffix of the event file holding a failed run's end record, removed when the run resumes. */
  static final String FAILURE_SUFFIX = ".failed";

  public static final List<String> METRIC_TAGS =
      List.of("validation/accuracy", "validation/f1", "validation/loss", "test/accuracy", "test/f1", "test/loss");

  /**
   * Trains and tests one run, writing its TensorBoard events into {@code runDirectory}; if the
   * directory holds checkpoints of the run, continues from the last one.
   */
  @FunctionalInterface
  public interface RunTask {
    Outcome run(RunSpec spec, Path runDirectory) throws IOException;
  }

  /** What a run measured. */
  public record Outcome(List<EpochRecord> history, TestMetrics test) {}

  private final Path logRoot;
  private final List<HParams.Definition> hparams;
  private final PrintStream out;

  /**
   * @param hparams the hyperparameters every run records, as the dashboard's columns
   * @param out where a line per run goes
   */
  public Sweep(Path logRoot, List<HParams.Definition> hparams, PrintStream out) {
    this.logRoot = Objects.requireNonNull(logRoot, "logRoot");
    this.hparams = List.copyOf(hparams);
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * Runs every spec not finished earlier, in order, and returns all their results (earlier ones
   * loaded from disk).
   *
   * @throws IllegalStateException if a finished run of the same name was run with other
   *     hyperparameters (another number of epochs, say), naming its directory
   */
  public List<RunResult> run(List<RunSpec> specs, RunTask task) throws IOException {
    Files.createDirectories(logRoot);
    writeExperimentOnce();
    List<RunResult> results = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      results.add(runOne(specs.get(i), task, String.format(Locale.ROOT, "[%d/%d] %s", i + 1, specs.size(), specs.get(i).runName())));
    }
    return results;
  }

  private RunResult runOne(RunSpec spec, RunTask task, String label) throws IOException {
    Path directory = logRoot.resolve(spec.runName());
    Optional<RunResult> finished = RunStore.load(directory);
    if (finished.isPresent()) {
      requireSameHParams(directory, finished.get(), spec);
      out.printf(Locale.ROOT, "%s: finished earlier, not run again (test accuracy %.4f)%n", label, finished.get().test().accuracy());
      return finished.get();
    }
    boolean resuming = hasCheckpoints(directory);
    if (resuming) {
      out.printf("%s: resuming the unfinished run in %s from its last checkpoint%n", label, directory);
      for (Path failure : failureRecords(directory)) {
        Files.delete(failure); // the run is going on: it has not failed (yet)
      }
    } else {
      if (Files.exists(directory)) {
        out.printf("%s: removing the unfinished run in %s, which has no checkpoint to resume from%n", label, directory);
        Directories.deleteRecursively(directory);
      }
      out.printf("%s: running into %s%n", label, directory);
    }
    long start = System.nanoTime();
    if (!resuming || HParams.read(directory).stream().noneMatch(record -> record instanceof HParams.SessionStart)) {
      write(directory, 0, HParams.sessionStart(new HParams.SessionStart(spec.hparams(), "", epochSeconds())));
    }
    Outcome outcome;
    try {
      outcome = task.run(spec, directory);
    } catch (TrainingInterruptedException e) {
      throw e; // stopped, not failed: the next sweep resumes it
    } catch (IOException | RuntimeException | Error e) {
      try (EventFileWriter events = EventFileWriter.create(directory, FAILURE_SUFFIX)) {
        events.summary(0, HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.FAILURE, epochSeconds())));
      }
      throw e;
    }
    RunResult result =
        new RunResult(spec.variant(), spec.seed(), spec.hparams(), outcome.history(), outcome.test(), (System.nanoTime() - start) / 1e9);
    long lastStep = result.last().step();
    try (EventFileWriter events = EventFileWriter.create(directory)) {
      TestMetrics test = result.test();
      events.scalar("test/loss", lastStep, test.loss());
      events.scalar("test/accuracy", lastStep, test.accuracy());
      events.scalar("test/precision", lastStep, test.precision());
      events.scalar("test/recall", lastStep, test.recall());
      events.scalar("test/f1", lastStep, test.f1());
      events.summary(lastStep, HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.SUCCESS, epochSeconds())));
    }
    RunStore.save(directory, result);
    return result;
  }

  /** Whether {@code directory} holds a checkpoint the runtime can resume from (it verifies it, and says so if it cannot). */
  private static boolean hasCheckpoints(Path directory) throws IOException {
    Path checkpoints = directory.resolve(CHECKPOINTS);
    if (!Files.isDirectory(checkpoints)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(checkpoints)) {
      return entries.anyMatch(Files::isDirectory);
    }
  }

  private static List<Path> failureRecords(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().contains("tfevents") && file.getFileName().toString().endsWith(FAILURE_SUFFIX))
          .toList();
    }
  }

  /** The dashboard takes the first experiment it finds, so one is written per log root. */
  private void writeExperimentOnce() throws IOException {
    boolean present = HParams.read(logRoot).stream().anyMatch(record -> record instanceof HParams.Experiment);
    if (!present) {
      write(logRoot, 0, HParams.experiment(new HParams.Experiment(hparams, METRIC_TAGS)));
    }
  }

  private static void requireSameHParams(Path directory, RunResult finished, RunSpec spec) {
    if (!finished.hparams().equals(spec.hparams())) {
      throw new IllegalStateException(
          directory + " holds a finished run with hyperparameters " + finished.hparams() + ", but this sweep asks for "
              + spec.hparams() + ": choose another log root, or delete that directory to run it again");
    }
  }

  /** Each record in a file of its own: the runtime's writer owns the run's main event file. */
  private static void write(Path directory, long step, Summary.Value value) throws IOException {
    try (EventFileWriter events = EventFileWriter.create(directory)) {
      events.summary(step, value);
    }
  }

  private static double epochSeconds() {
    return System.currentTimeMillis() / 1000.0;
  }
}
