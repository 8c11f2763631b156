package dev.kiln.sweep;

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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.proto.Summary;

/**
 * Runs trials (groups × seeds), each into its own run directory {@code <log root>/<group>-seed<k>},
 * one after another in this process, resumably: a trial whose {@code result.json} exists finished
 * earlier and is not run again; a directory without one holds an unfinished trial (interrupted, or
 * failed), which the task resumes from its last checkpoint (the runtime does, training into a run
 * directory that holds checkpoints), keeping its event files; an unfinished trial without a
 * checkpoint is removed and run afresh.
 *
 * <p>For TensorBoard's HParams dashboard it writes the experiment (the hyperparameters and the
 * metric tags) once into the log root, and into each trial's directory the trial's hyperparameters
 * when it starts and, when it ends, its final scores as {@code test/<name>} scalars at the last
 * step, and its status.
 */
public final class Sweep {
  /** The checkpoints' directory in a run directory, as the runtime writes it. */
  static final String CHECKPOINTS = "checkpoints";

  /** Suffix of the event file holding a failed run's end record, removed when the run resumes. */
  static final String FAILURE_SUFFIX = ".failed";

  private final Path logRoot;
  private final List<HParams.Definition> hparams;
  private final List<String> metricTags;
  private final PrintStream out;

  /**
   * @param hparams the hyperparameters every trial records, as the dashboard's columns
   * @param metricTags the scalars the dashboard shows as metrics: ones the runtime logs per epoch
   *     ({@code validation/accuracy}) and the trials' final scores ({@code test/accuracy})
   * @param out where a line per trial goes
   */
  public Sweep(Path logRoot, List<HParams.Definition> hparams, List<String> metricTags, PrintStream out) {
    this.logRoot = Objects.requireNonNull(logRoot, "logRoot");
    this.hparams = List.copyOf(hparams);
    this.metricTags = List.copyOf(metricTags);
    this.out = Objects.requireNonNull(out, "out");
  }

  public Path logRoot() {
    return logRoot;
  }

  /**
   * Runs every trial not finished earlier, in order, and returns all their results (earlier ones
   * loaded from disk).
   *
   * @throws IllegalStateException if a finished trial of the same name was run with other
   *     hyperparameters (another number of epochs, say), naming its directory
   */
  public List<TrialResult> run(List<Trial> trials, TrialTask task) throws IOException {
    prepare();
    List<TrialResult> results = new ArrayList<>();
    for (int i = 0; i < trials.size(); i++) {
      results.add(runTrial(logRoot, trials.get(i), task, label(i, trials), out));
    }
    return results;
  }

  /** Makes the log root and writes the HParams experiment into it, once: what a sweep does before its first trial. */
  public void prepare() throws IOException {
    Files.createDirectories(logRoot);
    writeExperimentOnce();
  }

  /** How the lines printed name trial {@code i} of {@code trials}: {@code [2/10] fixed-seed1}. */
  public static String label(int i, List<Trial> trials) {
    return String.format(Locale.ROOT, "[%d/%d] %s", i + 1, trials.size(), trials.get(i).runName());
  }

  /**
   * Runs one trial into {@code <logRoot>/<trial.runName()>} unless it finished earlier, resuming it
   * if it was interrupted, and returns its result; a trial that throws is recorded as failed in its
   * directory and the exception passes on. Any process that sees the log root may run a trial:
   * what it needs is on disk.
   *
   * @param label how the lines printed to {@code out} name the trial
   */
  public static TrialResult runTrial(Path logRoot, Trial trial, TrialTask task, String label, PrintStream out) throws IOException {
    Path directory = logRoot.resolve(trial.runName());
    Optional<TrialResult> finished = TrialStore.load(directory);
    if (finished.isPresent()) {
      requireSameHParams(directory, finished.get(), trial);
      out.printf(Locale.ROOT, "%s: finished earlier, not run again%s%n", label, scores(finished.get()));
      return finished.get();
    }
    boolean resuming = hasCheckpoints(directory);
    if (resuming) {
      out.printf("%s: resuming the unfinished trial in %s from its last checkpoint%n", label, directory);
      for (Path failure : failureRecords(directory)) {
        Files.delete(failure); // the trial is going on: it has not failed (yet)
      }
    } else {
      if (Files.exists(directory)) {
        out.printf("%s: removing the unfinished trial in %s, which has no checkpoint to resume from%n", label, directory);
        Directories.deleteRecursively(directory);
      }
      out.printf("%s: running into %s%n", label, directory);
    }
    long start = System.nanoTime();
    if (!resuming || HParams.read(directory).stream().noneMatch(record -> record instanceof HParams.SessionStart)) {
      write(directory, 0, HParams.sessionStart(new HParams.SessionStart(trial.hparams(), "", epochSeconds())));
    }
    TrialOutcome outcome;
    try {
      outcome = task.run(trial, directory);
    } catch (TrainingInterruptedException e) {
      throw e; // stopped, not failed: the next sweep resumes it
    } catch (IOException | RuntimeException | Error e) {
      try (EventFileWriter events = EventFileWriter.create(directory, FAILURE_SUFFIX)) {
        events.summary(0, HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.FAILURE, epochSeconds())));
      }
      throw e;
    }
    TrialResult result = TrialResult.of(trial, outcome, (System.nanoTime() - start) / 1e9);
    long lastStep = result.last().step();
    try (EventFileWriter events = EventFileWriter.create(directory)) {
      for (Map.Entry<String, Double> metric : result.metrics().entrySet()) {
        events.scalar("test/" + metric.getKey(), lastStep, metric.getValue());
      }
      events.summary(lastStep, HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.SUCCESS, epochSeconds())));
    }
    TrialStore.save(directory, result);
    return result;
  }

  /** " (test accuracy 0.9812)", or nothing for a trial without an accuracy. */
  private static String scores(TrialResult result) {
    double accuracy = result.metric("accuracy");
    return Double.isNaN(accuracy) ? "" : String.format(Locale.ROOT, " (test accuracy %.4f)", accuracy);
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
      write(logRoot, 0, HParams.experiment(new HParams.Experiment(hparams, metricTags)));
    }
  }

  private static void requireSameHParams(Path directory, TrialResult finished, Trial trial) {
    if (!finished.hparams().equals(trial.hparams())) {
      throw new IllegalStateException(
          directory + " holds a finished trial with hyperparameters " + finished.hparams() + ", but this sweep asks for "
              + trial.hparams() + ": choose another log root, or delete that directory to run it again");
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
