package dev.kiln.samples.moons;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Convexity annealing on two moons, end to end: 1000 points (noise 0.1), 800 to train (10 % of
 * them held out for validation) and 200 to test; θ annealed from π/4 to 0; test accuracy printed;
 * with {@code --export DIR}, the trained network exported for serving (a TensorFlow SavedModel).
 *
 * <pre>
 * usage: MoonsAnnealingMain [--run NAME] [--epochs N] [--device cpu|gpu|gpu:N] [--logdir DIR] [--seed S] [--export DIR]
 * </pre>
 *
 * <p>The run goes into {@code <logdir>/<NAME>}. The same command with the same {@code --run NAME}
 * resumes the run from its last checkpoint if it stopped (Ctrl-C, SIGTERM, a crash), and reports it
 * if it has finished; {@code --epochs} larger than it has trains it on. Without {@code --run} each
 * command starts a new run named after its start time ({@code moons-yyyyMMdd-HHmmss}), and prints
 * the option that resumes it.
 */
public final class MoonsAnnealingMain {
  /** Two moons as in the experiments: 1000 points, Gaussian noise 0.1. */
  static final int POINTS = 1000;

  static final double NOISE = 0.1;

  private static final String USAGE =
      "usage: MoonsAnnealingMain [--run NAME] [--epochs N] [--device cpu|gpu|gpu:N] [--logdir DIR] [--seed S] [--export DIR]";

  private static final DateTimeFormatter START_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

  private MoonsAnnealingMain() {}

  /** What one run of the experiment measured. */
  record Outcome(TrainingResult training, Evaluation test) {}

  /** Generates the data, trains {@link MoonsAnnealing} and evaluates it on the held-out points. */
  static Outcome run(Device device, TrainingConfig config, long dataSeed) {
    return run(device, config, dataSeed, null);
  }

  /** {@link #run(Device, TrainingConfig, long)}, then exports the trained network to {@code export} unless it is null. */
  static Outcome run(Device device, TrainingConfig config, long dataSeed, Path export) {
    Dataset.Split data = TwoMoons.generate(POINTS, NOISE, dataSeed).randomSplit(0.8, dataSeed);
    try (Model model = Model.build(new MoonsAnnealingGraph(), device)) {
      TrainingResult training = model.train(data.first(), config);
      if (finishedEarlier(training)) {
        config.output().printf(
            "Run %s had its %d epochs already: nothing trained, its last checkpoint is tested below. --epochs with more trains it on;"
                + " another --run name starts a new run.%n",
            training.runDirectory().getFileName(), training.history().size());
      }
      Evaluation test = model.evaluate(data.second());
      config.output().printf("Test set (%d points): %s%n", data.second().size(), test);
      if (export != null) {
        model.export(export);
        config.output().printf("Exported for serving (SavedModel, signature serving_default): %s%n", export);
      }
      return new Outcome(training, test);
    }
  }

  /** Whether {@code training} only restored a run that had every epoch asked for, training nothing. */
  static boolean finishedEarlier(TrainingResult training) {
    return training.resumedFrom().isPresent() && training.resumedFrom().equals(training.checkpoint());
  }

  /**
   * A new run's name: the time it started (with a counter if a run of that second exists), so that
   * each command without {@code --run} starts a new run.
   */
  static String newRunName(Path logRoot) {
    String started = "moons-" + LocalDateTime.now().format(START_TIME);
    String name = started;
    for (int i = 2; Files.exists(logRoot.resolve(name)); i++) {
      name = started + "-" + i;
    }
    return name;
  }

  /** The sample's settings: 30 epochs of batches of 32, θ reaching 0 (ReLU) after epoch 20. */
  static TrainingConfig config(int epochs, Path logRoot, long seed) {
    return TrainingConfig.defaults()
        .withEpochs(epochs)
        .withBatchSize(32)
        .withValidationSplit(0.1)
        .withSeed(seed)
        .withLogRoot(logRoot);
  }

  public static void main(String[] args) {
    int epochs = 30;
    Device device = Device.cpu();
    Path logRoot = Path.of("runs");
    long seed = 1;
    Path export = null;
    String run = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw usage("missing value after " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--epochs" -> epochs = Integer.parseInt(value);
        case "--device" -> device = Device.parse(value);
        case "--logdir" -> logRoot = Path.of(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--export" -> export = Path.of(value);
        case "--run" -> run = value;
        default -> throw usage("unknown option " + flag);
      }
    }
    TrainingConfig config = config(epochs, logRoot, seed);
    if (run != null) {
      config = config.withRunName(run);
      System.out.printf("Run %s: the same command resumes it if it stops, and reports it if it has finished.%n", run);
    } else {
      run = newRunName(logRoot);
      // The same command would start another new run: resuming takes the name.
      String resume = "the same command with --run " + run;
      config = config.withRunName(run).withResumeInstruction("run " + resume);
      System.out.printf("Run %s (a new run; to resume it if it stops: %s).%n", run, resume);
    }
    try {
      run(device, config, seed, export);
    } catch (TrainingInterruptedException stopped) {
      // Ctrl-C or SIGTERM: the run saved a checkpoint and printed how to resume; no stack trace.
    }
  }

  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(problem + "; " + USAGE);
  }
}
