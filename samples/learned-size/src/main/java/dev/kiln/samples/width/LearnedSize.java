package dev.kiln.samples.width;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.PrunedNetwork;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.WithFixed;
import dev.kiln.runtime.graph.WithSeed;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The learned-size experiments of the journal on MNIST (or Fashion-MNIST): a network with one
 * hidden layer that learns its width, started at 250, 500 and 1,000 units, for each penalty and
 * seed; then the network it pruned to, and a network of the learned width trained from scratch
 * for as long (the journal's comparison); the sparsifier (gates) beside the flexible layer (a soft
 * size). Writes a table (results.md, results.csv) and plots (PNG) into the log root, with each
 * run's TensorBoard events.
 *
 * <p>usage: LearnedSize [--full] [--penalties P,...] [--starts 250,500,1000] [--seeds 1,2,...]
 * [--epochs N] [--train-size N] [--batch-size N] [--fashion-mnist DIR] [--log-root DIR] [--device cpu|gpu]
 *
 * <p>Batches of 32: a gate moves by about the learning rate a step under Adam, so from 1 to its
 * threshold takes on the order of a thousand steps. By default the short version: 6 epochs of the
 * first 12,000 training images (2,250 steps), seed 1, penalties 0, 1e-4, 1e-3, 3e-3 and 1e-2, all
 * three start widths for the sparsifier and 500 for the flexible layer, into
 * {@code runs/learned-size-short}. {@code --full} is the journal's protocol:
 * 60 epochs on all 60,000 images, seeds 1 to 3, penalties 0, 1e-5, 3e-5, 1e-4, 3e-4 and 1e-3, into
 * {@code runs/learned-size}.
 */
public final class LearnedSize {
  private static final String USAGE =
      "usage: LearnedSize [--full] [--penalties P,...] [--starts 250,500,1000] [--seeds 1,2,...] [--epochs N] [--train-size N] "
          + "[--batch-size N] [--fashion-mnist DIR] [--log-root DIR] [--device cpu|gpu]";
  /** The sparsifier networks by start width. */
  private static final Map<Integer, Supplier<NetworkGraph>> SPARSIFIERS =
      Map.of(250, Sparsifier250Graph::new, 500, Sparsifier500Graph::new, 1000, Sparsifier1000Graph::new);

  private LearnedSize() {}

  /** What to run. */
  record Settings(
      List<Double> penalties, List<Integer> starts, List<Long> seeds, int epochs, int trainSize, int batchSize,
      Optional<Path> fashion, Path logRoot, Device device) {
    static Settings parse(String... args) {
      boolean full = Arrays.asList(args).contains("--full");
      // The short version's 2,250 steps move a gate by about 2: the larger penalties show the curve the
      // journal's 60 epochs show with smaller ones.
      List<Double> penalties = full ? List.of(0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3) : List.of(0.0, 1e-4, 1e-3, 3e-3, 1e-2);
      List<Integer> starts = List.of(250, 500, 1000);
      List<Long> seeds = full ? List.of(1L, 2L, 3L) : List.of(1L);
      int epochs = full ? 60 : 6;
      int trainSize = full ? 60_000 : 12_000;
      int batchSize = 32;
      Optional<Path> fashion = Optional.empty();
      Path logRoot = null;
      Device device = Device.cpu();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--full")) {
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value; " + USAGE);
        }
        String value = args[++i];
        switch (arg) {
          case "--penalties" -> penalties = Arrays.stream(value.split(",")).map(Double::valueOf).toList();
          case "--starts" -> starts = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
          case "--seeds" -> seeds = Arrays.stream(value.split(",")).map(Long::valueOf).toList();
          case "--epochs" -> epochs = Integer.parseInt(value);
          case "--train-size" -> trainSize = Integer.parseInt(value);
          case "--batch-size" -> batchSize = Integer.parseInt(value);
          case "--fashion-mnist" -> fashion = Optional.of(Path.of(value));
          case "--log-root" -> logRoot = Path.of(value);
          case "--device" -> device = Device.parse(value);
          default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
        }
      }
      for (int start : starts) {
        if (!SPARSIFIERS.containsKey(start)) {
          throw new IllegalArgumentException("no network starts at " + start + " units: the sample declares 250, 500 and 1000");
        }
      }
      for (double penalty : penalties) {
        if (!(penalty >= 0)) {
          throw new IllegalArgumentException("a penalty is >= 0, got " + penalty);
        }
      }
      String data = fashion.isPresent() ? "-fashion" : "";
      Path root = logRoot != null ? logRoot : Path.of("runs", (full ? "learned-size" : "learned-size-short") + data);
      return new Settings(penalties, starts, seeds, epochs, trainSize, batchSize, fashion, root, device);
    }
  }

  public static void main(String[] args) throws IOException {
    Settings settings = Settings.parse(args);
    Mnist data = settings.fashion().map(Mnist::loadFashion).orElseGet(Mnist::load);
    List<Run> runs = run(settings, data, System.out);
    Report.Written written = new Report(runs, settings.epochs(), settings.trainSize(), settings.batchSize(), settings.fashion().isPresent())
        .write(settings.logRoot());
    System.out.println();
    System.out.println(Files.readString(written.markdown()));
    System.out.println("Table: " + written.markdown() + "; plots: "
        + written.plots().stream().map(Path::toString).collect(Collectors.joining(", ")));
    System.out.println("TensorBoard: tensorboard --logdir " + settings.logRoot());
  }

  /** Every run of the settings, the sparsifier at each start width, then the flexible layer at 500. */
  static List<Run> run(Settings settings, Mnist data, PrintStream out) throws IOException {
    Dataset train = data.train().range(0, Math.min(settings.trainSize(), data.train().size()));
    List<Run> runs = new ArrayList<>();
    for (long seed : settings.seeds()) {
      for (double penalty : settings.penalties()) {
        for (int start : settings.starts()) {
          runs.add(run(settings, "sparsifier", start, SPARSIFIERS.get(start).get(), penalty, seed, train, data.test(), out));
        }
        runs.add(run(settings, "flexible", 500, new Flexible500Graph(), penalty, seed, train, data.test(), out));
      }
    }
    return runs;
  }

  /** Trains the network at the penalty, prunes it, and trains a network of the learned width from scratch. */
  private static Run run(
      Settings settings, String method, int start, NetworkGraph declared, double penalty, long seed, Dataset train, Dataset test,
      PrintStream out) throws IOException {
    long began = System.nanoTime();
    String name = String.format(Locale.ROOT, "%s-%d-p%s-s%d", method, start, penalty, seed);
    NetworkGraph network = new WithSeed(new WithFixed(declared, Map.of("sparsity", penalty)), seed);
    Path prunedWeights = settings.logRoot().resolve(name).resolve("pruned");
    TrainingConfig config = TrainingConfig.defaults().withEpochs(settings.epochs()).withBatchSize(settings.batchSize()).withSeed(seed)
        .withLogRoot(settings.logRoot()).withCheckpoint(false).quiet();
    PrunedNetwork pruned;
    double gatedAccuracy;
    double gatedSpeed;
    try (Model model = Model.build(network, settings.device())) {
      model.train(train, config.withRunName(name));
      gatedAccuracy = model.evaluate(test).accuracy();
      gatedSpeed = predictionsPerSecond(model, test);
      Files.createDirectories(prunedWeights.getParent());
      String type = "Learned" + declared.spec().name();
      pruned = model.prune(type, prunedWeights);
      // The smaller network as a declaration to paste: its generated graph loads the pruned weights.
      Path source = prunedWeights.resolveSibling(type + ".java");
      Files.writeString(source, pruned.declaration().orElseThrow(() -> new IllegalStateException(declared.spec().name()
          + " has no generated declaration")));
    }
    double prunedAccuracy;
    double prunedSpeed;
    try (Model model = Model.fromWeights(pruned.network(network), prunedWeights, settings.device())) {
      prunedAccuracy = model.evaluate(test).accuracy();
      prunedSpeed = predictionsPerSecond(model, test);
    }
    double scratchAccuracy;
    try (Model model = Model.build(pruned.network(network), settings.device())) {
      model.train(train, config.withRunName(name + "-scratch"));
      scratchAccuracy = model.evaluate(test).accuracy();
    }
    int width = pruned.widths().get("hidden");
    Run run = new Run(method, start, penalty, seed, width, gatedAccuracy, prunedAccuracy, scratchAccuracy, pruned.parametersBefore(),
        pruned.parametersAfter(), gatedSpeed, prunedSpeed, (System.nanoTime() - began) / 1e9);
    out.printf(Locale.ROOT, "%-28s %4d -> %4d units; test accuracy %.4f gated, %.4f pruned, %.4f from scratch (%.0f s)%n",
        name, start, width, gatedAccuracy, prunedAccuracy, scratchAccuracy, run.seconds());
    return run;
  }

  /** Test images a second, the best of five passes after one that builds the prediction's kernels. */
  private static double predictionsPerSecond(Model model, Dataset test) {
    model.predict(test);
    double best = 0;
    for (int pass = 0; pass < 5; pass++) {
      long began = System.nanoTime();
      model.predict(test);
      best = Math.max(best, test.size() / ((System.nanoTime() - began) / 1e9));
    }
    return best;
  }
}
