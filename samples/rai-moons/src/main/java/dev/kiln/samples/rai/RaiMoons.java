package dev.kiln.samples.rai;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.RelaxedEvaluation;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.samples.rai.SeedSweep.Data;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.sweep.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

/**
 * Relaxed activation identities against plain back-propagation on two moons, as in the reference
 * experiments: make_moons(n = 100, noise 0.1, seed 42) to train on and 1000 more points of the same
 * distribution to test on; the shallow MLP (2, 42, 100, 100, 42, 1) with ReLU and the deep one
 * (2, 100 × 100 sigmoid, 1), each plain and relaxed, full-batch Rprop. Prints one table row per run:
 * the loss through the targets (relaxed runs), the ordinary forward pass's loss and accuracy on the
 * training and test points, and the time taken. The runs {@code mnist} add an MLP on MNIST,
 * relaxed in mini-batches next to plain.
 *
 * <pre>
 * usage: RaiMoons [--run NAME] [--runs shallow,deep,mnist,annealed] [--shallow-steps N] [--deep-steps N] [--mnist-epochs N]
 *                 [--seeds 1,2,3] [--device cpu|gpu|gpu:N] [--logdir DIR]
 * </pre>
 *
 * <p>With {@code --seeds}, the selected experiments (and with {@code annealed} among the runs,
 * each one's network with its relaxation annealed away or its hidden losses weighed up) run once
 * per seed, each with initial weights of its own, as a sweep ({@link SeedSweep}):
 * {@code <logdir>/<NAME>/<network>-seed<k>/}, resumable as a whole, and a report of mean ± std over
 * the seeds for each of shallow, deep and mnist (table and plots in {@code <logdir>/<NAME>/report/<kind>/}).</p>
 *
 * <p>The runs go into {@code <logdir>/<NAME>/} ({@code shallow-plain}, {@code deep-relaxed}, ...),
 * with checkpoints. The same command with the same {@code --run NAME} resumes a run that stopped
 * from its last checkpoint, and evaluates the finished ones from theirs without training them
 * again. Without {@code --run} each command is a new set of runs named after its start time
 * ({@code rai-yyyyMMdd-HHmmss}), and prints the option that resumes it.
 */
public final class RaiMoons {
  static final int TRAIN_POINTS = 100;
  static final double NOISE = 0.1;
  static final long TRAIN_SEED = 42;
  static final int TEST_POINTS = 1000;
  /** Another seed than the training points': the same distribution, other points. */
  static final long TEST_SEED = 7;

  static final int SHALLOW_STEPS = 2000;
  /** The reference's schedule for the deep network. */
  static final int DEEP_STEPS = 10_000;
  static final int MNIST_EPOCHS = 10;

  private static final DateTimeFormatter START_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

  private RaiMoons() {}

  static Dataset trainingPoints() {
    return TwoMoons.generate(TRAIN_POINTS, NOISE, TRAIN_SEED);
  }

  static Dataset testPoints() {
    return TwoMoons.generate(TEST_POINTS, NOISE, TEST_SEED);
  }

  /**
   * What one run measured.
   *
   * @param relaxed for a relaxed network, its losses through the targets on the training data
   * @param train the ordinary forward pass on the training data
   * @param test the ordinary forward pass on the test data
   * @param build building the graph and session
   * @param training the training steps, the first (which optimises the graph) included, the
   *     validations on the test points during training and the checkpoints (for a resumed run,
   *     before and after the stop)
   */
  record Run(
      String name, long steps, Optional<RelaxedEvaluation> relaxed, Evaluation train, Evaluation test, Duration build,
      Duration training) {
    double millisecondsPerStep() {
      return training.toNanos() / 1e6 / steps;
    }
  }

  /** Builds {@code network} on {@code device}, trains it on {@code train} as {@code config} says and evaluates it. */
  static Run run(String name, NetworkGraph network, Device device, Dataset train, Dataset test, TrainingConfig config) {
    config.output().printf("%s: %d epochs of batches of %d ...%n", name, config.epochs(), Math.min(config.batchSize(), train.size()));
    long start = System.nanoTime();
    try (Model model = Model.build(network, device)) {
      long built = System.nanoTime();
      // The test points validate the run, so TensorBoard shows the ordinary pass on them as it trains.
      TrainingResult result = model.train(train, test, config.quiet());
      long trained = System.nanoTime();
      Optional<RelaxedEvaluation> relaxed =
          network.spec().relaxation().isPresent() ? Optional.of(model.evaluateRelaxed(train)) : Optional.empty();
      Run run = new Run(name, result.steps(), relaxed, model.evaluate(train), model.evaluate(test),
          Duration.ofNanos(built - start), result.elapsed());
      if (result.resumedFrom().isPresent() && result.resumedFrom().equals(result.checkpoint())) {
        config.output().printf("%s: finished earlier (%,d steps), evaluated from its last checkpoint%n", name, result.steps());
      } else {
        String resumed = result.resumedFrom().map(from -> ", resumed from " + from).orElse("");
        config.output().printf("%s: done in %.1f s%s%n", name, (trained - start) / 1e9, resumed);
      }
      return run;
    }
  }

  /**
   * Full-batch training as the reference does it: one step an epoch, in data order; the test points
   * evaluated 100 times over the run, not after every one-step epoch. Checkpoints as by default (at
   * most every 30 s, and when the run stops), so that a stopped run resumes.
   */
  static TrainingConfig fullBatch(int steps, Path logRoot, String runName, PrintStream output) {
    return TrainingConfig.defaults()
        .withEpochs(steps)
        .withBatchSize(TRAIN_POINTS)
        .withShuffle(false)
        .withLogEvery(Math.max(1, steps / 500))
        .withValidateEvery(Math.max(1, steps / 100))
        .withLogRoot(logRoot)
        .withRunName(runName)
        .withOutput(output);
  }

  /**
   * A network {@code name} plain and relaxed on the two moons, each {@code steps} full-batch steps.
   *
   * @param resume how the user resumes a stopped run, for its message
   */
  static List<Run> plainAndRelaxed(
      String name, NetworkGraph plain, NetworkGraph relaxed, int steps, Device device, Path logRoot, PrintStream output, String resume) {
    return List.of(
        run(name + " plain", plain, device, trainingPoints(), testPoints(),
            fullBatch(steps, logRoot, name + "-plain", output).withResumeInstruction(resume)),
        run(name + " relaxed", relaxed, device, trainingPoints(), testPoints(),
            fullBatch(steps, logRoot, name + "-relaxed", output).withResumeInstruction(resume)));
  }

  /** MNIST in batches of 128, {@code epochs} epochs, the test set validating every epoch. */
  static TrainingConfig mnistBatches(int epochs, Path logRoot, PrintStream output) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(128).withSeed(1).withLogRoot(logRoot).withOutput(output);
  }

  /** The plain and the relaxed MLP on MNIST, {@code epochs} epochs of batches of 128 each. */
  static List<Run> mnist(int epochs, Device device, Path logRoot, PrintStream output, String resume) {
    Mnist mnist = Mnist.load();
    TrainingConfig config = mnistBatches(epochs, logRoot, output).withResumeInstruction(resume);
    return List.of(
        run("mnist plain", new MnistPlainGraph(), device, mnist.train(), mnist.test(), config.withRunName("mnist-plain")),
        run("mnist relaxed", new MnistRelaxedGraph(), device, mnist.train(), mnist.test(), config.withRunName("mnist-relaxed")));
  }

  /** A Markdown table, one row per run. */
  static String table(List<Run> runs) {
    StringBuilder table = new StringBuilder(
        "| run | steps | loss through the targets (output) | train loss | train accuracy | test loss | test accuracy "
            + "| disagreement | build | training | per step |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Run run : runs) {
      String relaxedLoss = run.relaxed().map(r -> format("%.3g (%.3g)", r.loss(), r.outputLoss())).orElse("–");
      String disagreement = run.relaxed().map(r -> format("%.1f %%", 100 * r.disagreement())).orElse("–");
      table.append(format("| %s | %,d | %s | %.4f | %.1f %% | %.4f | %.1f %% | %s | %.1f s | %.1f s | %.1f ms |%n",
          run.name(), run.steps(), relaxedLoss, run.train().loss(), 100 * run.train().accuracy(), run.test().loss(),
          100 * run.test().accuracy(), disagreement, run.build().toNanos() / 1e9, run.training().toNanos() / 1e9,
          run.millisecondsPerStep()));
    }
    return table.toString();
  }

  private static String format(String pattern, Object... values) {
    return String.format(Locale.ROOT, pattern, values);
  }

  public static void main(String[] args) {
    List<String> selected = List.of("shallow", "deep");
    int shallowSteps = SHALLOW_STEPS;
    int deepSteps = DEEP_STEPS;
    int mnistEpochs = MNIST_EPOCHS;
    Device device = Device.cpu();
    Path logdir = Path.of("runs");
    String name = null;
    List<Long> seeds = List.of();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw usage("missing value after " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--runs" -> {
          selected = List.of(value.split(","));
          for (String selection : selected) {
            if (!List.of("shallow", "deep", "mnist", "annealed").contains(selection)) {
              throw usage("--runs takes some of shallow, deep, mnist and annealed, not " + selection);
            }
          }
        }
        case "--shallow-steps" -> shallowSteps = Integer.parseInt(value);
        case "--deep-steps" -> deepSteps = Integer.parseInt(value);
        case "--mnist-epochs" -> mnistEpochs = Integer.parseInt(value);
        case "--device" -> device = Device.parse(value);
        case "--logdir" -> logdir = Path.of(value);
        case "--run" -> name = value;
        case "--seeds" -> seeds = Arrays.stream(value.split(",")).map(String::trim).map(Long::parseLong).distinct().toList();
        default -> throw usage("unknown option " + flag);
      }
    }
    PrintStream out = System.out;
    boolean named = name != null;
    if (!named) {
      name = newRunName(logdir);
    }
    requireDirectoryName(name);
    Path logRoot = logdir.resolve(name);
    out.println(named
        ? "Runs " + name + " in " + logRoot + ": the same command resumes them if they stop, and reports the finished ones."
        : "Runs " + name + " in " + logRoot + " (new runs; to resume them if they stop: the same command with --run " + name + ").");
    String resume = named ? "run the same command again" : "run the same command with --run " + name;
    out.println(device.describe(Device.visible()));
    out.println("TensorBoard: tensorboard --logdir " + logRoot);
    if (seeds.isEmpty() && selected.contains("annealed")) {
      throw usage("--runs annealed compares over seeds: give --seeds, e.g. --seeds 1,2,3,4,5");
    }
    if (selected.contains("annealed") && selected.stream().noneMatch(List.of("shallow", "deep", "mnist")::contains)) {
      throw usage("--runs annealed adds the annealed networks of the experiments it goes with: name some of shallow, deep "
          + "and mnist too, e.g. --runs deep,annealed");
    }
    if (!seeds.isEmpty()) {
      try {
        sweepSeeds(selected, shallowSteps, deepSteps, mnistEpochs, seeds, device, logRoot, out);
      } catch (TrainingInterruptedException stopped) {
        out.println(stopped.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    List<Run> runs = new ArrayList<>();
    try {
      runAll(selected, shallowSteps, deepSteps, mnistEpochs, device, logRoot, out, resume, runs);
    } catch (TrainingInterruptedException stopped) {
      out.println(stopped.getMessage()); // the runs train quietly: this says where the checkpoint is and how to resume
      return;
    }
    out.println();
    out.print(table(runs));
  }

  private static void runAll(
      List<String> selected, int shallowSteps, int deepSteps, int mnistEpochs, Device device, Path logRoot, PrintStream out, String resume,
      List<Run> runs) {
    if (selected.contains("shallow")) {
      runs.addAll(plainAndRelaxed("shallow", new ShallowPlainGraph(), new ShallowRelaxedGraph(), shallowSteps, device, logRoot, out, resume));
    }
    if (selected.contains("deep")) {
      runs.addAll(plainAndRelaxed("deep", new DeepPlainGraph(), new DeepRelaxedGraph(), deepSteps, device, logRoot, out, resume));
    }
    if (selected.contains("mnist")) {
      runs.addAll(mnist(mnistEpochs, device, logRoot, out, resume));
    }
  }

  /**
   * The selected moons experiments over {@code seeds}, as a sweep, and its report.
   *
   * @throws TrainingInterruptedException if a signal or a stop request stopped a trial, which the same call resumes
   */
  static List<Report.Written> sweepSeeds(
      List<String> selected, int shallowSteps, int deepSteps, int mnistEpochs, List<Long> seeds, Device device, Path logRoot,
      PrintStream out) throws IOException {
    Data moons = Data.MOONS;
    List<SeedSweep.Network> networks = new ArrayList<>();
    boolean annealed = selected.contains("annealed");
    if (selected.contains("shallow")) {
      networks.add(new SeedSweep.Network("shallow-plain", "shallow", ShallowPlainGraph::new, moons, shallowSteps));
      networks.add(new SeedSweep.Network("shallow-relaxed", "shallow", ShallowRelaxedGraph::new, moons, shallowSteps));
      if (annealed) {
        networks.add(new SeedSweep.Network("shallow-weight-up", "shallow", ShallowWeightUpGraph::new, moons, shallowSteps));
        networks.add(new SeedSweep.Network("shallow-annealed-linear", "shallow", ShallowAnnealedLinearGraph::new, moons, shallowSteps));
        networks.add(new SeedSweep.Network("shallow-annealed-cosine", "shallow", ShallowAnnealedCosineGraph::new, moons, shallowSteps));
      }
    }
    if (selected.contains("deep")) {
      networks.add(new SeedSweep.Network("deep-plain", "deep", DeepPlainGraph::new, moons, deepSteps));
      networks.add(new SeedSweep.Network("deep-relaxed", "deep", DeepRelaxedGraph::new, moons, deepSteps));
      if (annealed) {
        // The hidden losses weighed ever more, and the relaxation annealed away after 5,000 steps.
        networks.add(new SeedSweep.Network("deep-weight-up", "deep", DeepWeightUpGraph::new, moons, deepSteps));
        networks.add(new SeedSweep.Network("deep-annealed-linear", "deep", DeepAnnealedLinearGraph::new, moons, deepSteps));
        networks.add(new SeedSweep.Network("deep-annealed-cosine", "deep", DeepAnnealedCosineGraph::new, moons, deepSteps));
        // Relaxed for 2,000 steps, then plain: relaxation as a start for back-propagation.
        networks.add(new SeedSweep.Network("deep-relaxed-then-plain", "deep", DeepRelaxedThenPlainGraph::new, moons, deepSteps));
        // The same with absolute errors as hidden losses.
        networks.add(new SeedSweep.Network("deep-relaxed-l1-then-plain", "deep", DeepRelaxedL1ThenPlainGraph::new, moons, deepSteps));
        // And with α annealed away over 2,000 steps instead of switched off.
        networks.add(new SeedSweep.Network("deep-relaxed-l1-annealed", "deep", DeepRelaxedL1AnnealedGraph::new, moons, deepSteps));
      }
    }
    if (selected.contains("mnist")) {
      networks.add(new SeedSweep.Network("mnist-plain", "mnist", MnistPlainGraph::new, Data.MNIST, mnistEpochs));
      networks.add(new SeedSweep.Network("mnist-relaxed", "mnist", MnistRelaxedGraph::new, Data.MNIST, mnistEpochs));
      if (annealed) {
        networks.add(new SeedSweep.Network("mnist-weight-up", "mnist", MnistWeightUpGraph::new, Data.MNIST, mnistEpochs));
        networks.add(new SeedSweep.Network("mnist-annealed-linear", "mnist", MnistAnnealedLinearGraph::new, Data.MNIST, mnistEpochs));
        networks.add(new SeedSweep.Network("mnist-annealed-cosine", "mnist", MnistAnnealedCosineGraph::new, Data.MNIST, mnistEpochs));
      }
    }
    Map<String, Report> reports = new SeedSweep(networks, device, out).sweep(logRoot, seeds);
    List<Report.Written> written = new ArrayList<>();
    for (Map.Entry<String, Report> entry : reports.entrySet()) {
      String caption = switch (entry.getKey()) {
        case "mnist" -> format("MNIST, %d epochs of batches of 128, Adam; seeds %s.", mnistEpochs, seeds);
        default -> format("Two moons (the reference's 100 points; 1000 test points), the %s network, full-batch Rprop "
            + "(an epoch is one step); seeds %s.", entry.getKey(), seeds);
      };
      Report.Written report = entry.getValue().write(logRoot.resolve("report").resolve(entry.getKey()),
          "Relaxed, annealed and plain training over seeds: " + entry.getKey(), caption);
      out.println();
      out.print(entry.getValue().markdown());
      out.printf("%nReport: %s; plots in %s%n", report.markdown(), report.markdown().getParent());
      written.add(report);
    }
    return written;
  }

  /** A new set of runs' name: the time it started (with a counter if one of that second exists). */
  static String newRunName(Path logdir) {
    String started = "rai-" + LocalDateTime.now().format(START_TIME);
    String name = started;
    for (int i = 2; Files.exists(logdir.resolve(name)); i++) {
      name = started + "-" + i;
    }
    return name;
  }

  /** The name becomes a directory under the log root: one name, as a run name is. */
  private static void requireDirectoryName(String name) {
    TrainingConfig.defaults().withRunName(name); // throws, naming the rule, for a path or a name with other characters
  }

  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(problem + "; usage: RaiMoons [--run NAME] [--runs shallow,deep,mnist,annealed] [--shallow-steps N] "
        + "[--deep-steps N] [--mnist-epochs N] [--seeds 1,2,3] [--device cpu|gpu|gpu:N] [--logdir DIR]");
  }
}
