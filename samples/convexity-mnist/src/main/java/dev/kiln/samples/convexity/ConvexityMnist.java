package dev.kiln.samples.convexity;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.spark.SparkSweep;
import dev.kiln.sweep.Report;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialStore;
import dev.kiln.sweep.TrialTask;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The convexity-annealing experiments on MNIST: trains the chosen variants for each seed (a run
 * directory each, resumable), then writes and prints the comparison report.
 *
 * <pre>
 * usage: ConvexityMnist [--full] [--variants ID,...|all] [--seeds 1,2,...|FIRST-LAST] [--epochs N]
 *                       [--train-size N] [--logdir DIR] [--mnist DIR] [--device cpu|gpu|gpu:N] [--report-only]
 *                       [--spark MASTER]
 * </pre>
 *
 * By default a short version that runs on a CPU in a few minutes: the reference variants, 2
 * epochs, seed 1, the first 12,000 training images, all 10,000 test images, into
 * {@code runs/convexity-mnist-short}. {@code --full} is the full protocol: 20 epochs, seeds 1 to 5,
 * all 60,000 training images, into {@code runs/convexity-mnist-full}. Other flags override either.
 *
 * <p>{@code --spark MASTER} runs each trial as a task on Apache Spark ({@code local[2]} in this
 * JVM, {@code spark://host:7077} on a standalone cluster) instead of one after another here; the
 * log root must then be a path every worker sees, and each executor loads MNIST itself.
 */
public final class ConvexityMnist {
  private static final String USAGE =
      "usage: ConvexityMnist [--full] [--variants ID,...|all] [--seeds 1,2,...|FIRST-LAST] [--epochs N] [--train-size N]"
          + " [--logdir DIR] [--mnist DIR] [--device cpu|gpu|gpu:N] [--report-only] [--spark MASTER]";

  private ConvexityMnist() {}

  /** What to run: the protocol's settings after the command line. */
  record Settings(
      Protocol protocol, List<Variant> variants, List<Long> seeds, int epochs, int trainSize, Path logRoot, Path mnist, Device device,
      boolean reportOnly, Optional<String> spark) {
    static Settings parse(String... args) {
      boolean full = Arrays.asList(args).contains("--full");
      Protocol protocol = full ? Protocol.FULL : Protocol.SHORT;
      List<Variant> variants = Variant.REFERENCE;
      List<Long> seeds = full ? List.of(1L, 2L, 3L, 4L, 5L) : List.of(1L);
      int epochs = protocol.epochs();
      int trainSize = protocol.trainSize();
      Path logRoot = Path.of("runs", full ? "convexity-mnist-full" : "convexity-mnist-short");
      Path mnist = null;
      Device device = Device.cpu();
      boolean reportOnly = false;
      Optional<String> spark = Optional.empty();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--full")) {
          continue;
        }
        if (flag.equals("--report-only")) {
          reportOnly = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw usage("missing value after " + flag);
        }
        String value = args[++i];
        switch (flag) {
          case "--variants" ->
              variants = value.equals("all") ? List.of(Variant.values()) : Arrays.stream(value.split(",")).map(Variant::of).distinct().toList();
          case "--seeds" -> seeds = parseSeeds(value);
          case "--epochs" -> epochs = positive(flag, value);
          case "--train-size" -> trainSize = positive(flag, value);
          case "--logdir" -> logRoot = Path.of(value);
          case "--mnist" -> mnist = Path.of(value);
          case "--device" -> device = Device.parse(value);
          case "--spark" -> spark = Optional.of(value);
          default -> throw usage("unknown option " + flag);
        }
      }
      return new Settings(protocol, variants, seeds, epochs, trainSize, logRoot, mnist, device, reportOnly, spark);
    }

    /**
     * What the table shows: which version, how long, and what the annealed variants did in it. The
     * short version says it is a first look, not the protocol's figures.
     */
    String caption() {
      String seedList = seeds.size() == 1 ? "seed " + seeds.get(0) : "seeds " + seeds.stream().map(String::valueOf).collect(Collectors.joining(", "));
      String annealing = variants.stream().anyMatch(Variant::annealed)
          ? "; the annealed variants take θ from π/4 to 0 over " + (protocol.annealingEpochs() == 1 ? "epoch 1" : "epochs 1–" + protocol.annealingEpochs())
              + (epochs > protocol.annealingEpochs() ? " and train at ReLU after it" : "")
          : "";
      String what = String.format(Locale.ROOT, "%s%s: %d epoch%s, %s, %,d training images%s.",
          Character.toUpperCase(protocol.title().charAt(0)), protocol.title().substring(1), epochs, epochs == 1 ? "" : "s", seedList, trainSize,
          annealing);
      return protocol == Protocol.SHORT
          ? what + " A first look at the ideas in a few minutes, not the protocol's figures: --full runs the full protocol"
              + " (20 epochs × 5 seeds, all of MNIST; see the README)."
          : what;
    }

    /** Every variant for every seed, seeds outermost: an interrupted sweep has compared every variant at least once. */
    List<Trial> runs(int trainExamples) {
      List<Trial> runs = new ArrayList<>();
      for (long seed : seeds) {
        for (Variant variant : variants) {
          Map<String, Object> hparams = new LinkedHashMap<>();
          hparams.put("variant", variant.id());
          hparams.put("schedule", variant.schedule(protocol));
          hparams.put("seed", seed);
          hparams.put("learning_rate", variant.network(protocol).spec().optimizer().learningRate());
          hparams.put("epochs", epochs);
          hparams.put("train_examples", trainExamples);
          hparams.put("batch_size", MnistExperiment.BATCH_SIZE);
          runs.add(new Trial(variant.id(), seed, hparams));
        }
      }
      return runs;
    }
  }

  /** The metrics the HParams dashboard shows: validation ones the runtime logs per epoch, test ones the sweep logs. */
  static final List<String> METRIC_TAGS =
      List.of("validation/accuracy", "validation/f1", "validation/loss", "test/accuracy", "test/f1", "test/loss");

  /** The validation accuracies whose time to reach the report shows. */
  static final double[] TARGETS = {0.97, 0.98};

  /**
   * The comparison of the variants: final test accuracy, F1 and loss (mean ± std over seeds), the
   * time to reach 97 % and 98 % validation accuracy, and validation accuracy and θ against epoch
   * and wall time, one line per variant.
   */
  static final Report.Spec REPORT = new Report.Spec("variant",
      List.of(new Report.Column("test accuracy", "accuracy"), new Report.Column("test F1 (macro)", "f1"), new Report.Column("test loss", "loss")),
      Arrays.stream(TARGETS)
          .mapToObj(level -> new Report.Target(MnistExperiment.VALIDATION_ACCURACY, level,
              String.format(Locale.ROOT, "%.0f %% val. accuracy", level * 100)))
          .toList(),
      List.of(
          new Report.Plot("validation-accuracy-by-epoch", "Validation accuracy", "validation accuracy", MnistExperiment.VALIDATION_ACCURACY, false),
          new Report.Plot("validation-accuracy-by-time", "Validation accuracy", "validation accuracy", MnistExperiment.VALIDATION_ACCURACY, true),
          new Report.Plot("theta-by-epoch", "θ after each epoch (per-channel θ: its mean)", "θ (rad)", MnistExperiment.THETA, false),
          new Report.Plot("theta-by-time", "θ after each epoch (per-channel θ: its mean)", "θ (rad)", MnistExperiment.THETA, true)));

  /** The HParams dashboard's columns. */
  static final List<HParams.Definition> HPARAMS = List.of(
      HParams.Definition.discrete("variant", Arrays.stream(Variant.values()).map(Variant::id).toList()),
      HParams.Definition.of("schedule", HParams.Type.STRING),
      HParams.Definition.of("seed", HParams.Type.FLOAT64),
      HParams.Definition.of("learning_rate", HParams.Type.FLOAT64),
      HParams.Definition.of("epochs", HParams.Type.FLOAT64),
      HParams.Definition.of("train_examples", HParams.Type.FLOAT64),
      HParams.Definition.of("batch_size", HParams.Type.FLOAT64));

  public static void main(String[] args) throws IOException {
    Settings settings = Settings.parse(args);
    PrintStream out = System.out;
    List<TrialResult> results;
    if (settings.reportOnly()) {
      // In the protocol's order, as a sweep lists them, rather than by directory name.
      results = TrialStore.loadAll(settings.logRoot()).stream()
          .sorted(Comparator.comparing((TrialResult r) -> Variant.of(r.group())).thenComparingLong(TrialResult::seed))
          .toList();
    } else {
      MnistExperiment experiment = experiment(settings, out);
      out.printf("Variants %s; seeds %s; %d epochs; %d training images (%d of them validate), %d test images%s%n",
          Variant.ids(settings.variants()), settings.seeds(), settings.epochs(), experiment.trainSize(),
          experiment.trainSize() - experiment.trainingExamples(), experiment.testSize(),
          settings.spark().map(master -> "; each trial a Spark task on " + master).orElse(""));
      Sweep sweep = new Sweep(settings.logRoot(), HPARAMS, METRIC_TAGS, out);
      List<Trial> trials = settings.runs(experiment.trainingExamples());
      try {
        results = settings.spark().isPresent()
            ? new SparkSweep(sweep, settings.spark().get()).run(trials, new SparkTasks(List.of(args)))
            : sweep.run(trials, experiment);
      } catch (TrainingInterruptedException stopped) {
        return; // Ctrl-C or SIGTERM: the run saved a checkpoint and printed how to resume; no stack trace
      }
    }
    Report report = Report.of(results, REPORT);
    String caption = settings.caption();
    Report.Written written = report.write(settings.logRoot().resolve("report"), "Convexity annealing on MNIST", caption);
    out.println();
    out.println(caption);
    out.println();
    out.print(report.markdown());
    out.println();
    out.printf("Report: %s and %s%n", written.markdown(), written.csv());
    out.printf("Plots:  %s%n", written.plots().get(0).getParent());
    out.printf("TensorBoard (scalars and the HParams dashboard): tensorboard --logdir %s%n", settings.logRoot());
  }

  /** The experiment the settings describe, with MNIST loaded (from the cache, or the directory given). */
  static MnistExperiment experiment(Settings settings, PrintStream out) {
    Mnist mnist = settings.mnist() != null ? Mnist.load(settings.mnist()) : Mnist.load();
    Dataset train = settings.trainSize() < mnist.train().size() ? mnist.train().range(0, settings.trainSize()) : mnist.train();
    return new MnistExperiment(train, mnist.test(), settings.epochs(), settings.protocol(), settings.device(), out);
  }

  /**
   * What a Spark executor runs a trial with: the experiment of the same command line, made in the
   * executor (MNIST is loaded there, once per executor JVM, not shipped with each task).
   */
  record SparkTasks(List<String> args) implements SparkSweep.Tasks {
    private static final Map<List<String>, MnistExperiment> MADE = new ConcurrentHashMap<>();

    @Override
    public TrialTask create() {
      return MADE.computeIfAbsent(args, given -> experiment(Settings.parse(given.toArray(String[]::new)), System.out));
    }
  }

  private static List<Long> parseSeeds(String value) {
    try {
      int dash = value.indexOf('-', 1);
      if (dash > 0) {
        long first = Long.parseLong(value.substring(0, dash));
        long last = Long.parseLong(value.substring(dash + 1));
        if (last < first) {
          throw usage("--seeds " + value + " is an empty range");
        }
        List<Long> seeds = new ArrayList<>();
        for (long seed = first; seed <= last; seed++) {
          seeds.add(seed);
        }
        return seeds;
      }
      return Arrays.stream(value.split(",")).map(String::trim).map(Long::parseLong).distinct().toList();
    } catch (NumberFormatException e) {
      throw usage("--seeds takes numbers such as 1,2,3 or 1-5, got " + value);
    }
  }

  private static int positive(String flag, String value) {
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // Reported below with the flag's name.
    }
    throw usage(flag + " takes a whole number > 0, got " + value);
  }

  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(problem + "; " + USAGE);
  }
}
