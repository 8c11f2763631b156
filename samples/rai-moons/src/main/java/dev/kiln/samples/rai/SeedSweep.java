package dev.kiln.samples.rai;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.WithSeed;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.sweep.Epoch;
import dev.kiln.sweep.Report;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialOutcome;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialTask;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The experiments over several seeds, through kiln-sweep: every network (plain, relaxed, annealed;
 * shallow and deep on the moons, and MNIST) with every seed is a trial with initial weights of its
 * own (the moons points stay the reference's), trained into {@code <log root>/<network>-seed<k>/}. A
 * stopped sweep resumes: finished trials are kept, the unfinished one goes on from its checkpoint.
 * The reports, one a kind of network, compare them by the ordinary forward pass as mean ± std over
 * the seeds.
 */
final class SeedSweep implements TrialTask {
  /** What a network trains on: the moons full batch (an epoch is one step), or MNIST in batches of 128. */
  enum Data {
    MOONS,
    MNIST
  }

  /**
   * One network of the experiments, as a group of trials.
   *
   * @param kind what its report is about: "deep", "shallow" or "mnist"
   */
  record Network(String group, String kind, Supplier<NetworkGraph> graph, Data data, int epochs) {}

  static final List<String> METRIC_TAGS = List.of("validation/accuracy", "validation/loss", "test/test_accuracy", "test/train_accuracy");

  static final List<HParams.Definition> HPARAMS = List.of(
      HParams.Definition.of("network", HParams.Type.STRING),
      HParams.Definition.of("seed", HParams.Type.FLOAT64),
      HParams.Definition.of("steps", HParams.Type.FLOAT64),
      HParams.Definition.of("epochs", HParams.Type.FLOAT64));

  /** The ordinary forward pass on the training and test points, and how often the two passes disagree. */
  static final Report.Spec REPORT = new Report.Spec("network",
      List.of(
          new Report.Column("train accuracy", "train_accuracy"), new Report.Column("test accuracy", "test_accuracy"),
          new Report.Column("train loss", "train_loss"), new Report.Column("test loss", "test_loss"),
          new Report.Column("disagreement", "disagreement")),
      List.of(new Report.Target("validation/accuracy", 0.97, "97 % test accuracy")),
      List.of(
          new Report.Plot("test-accuracy-by-epoch", "Test accuracy of the ordinary forward pass", "test accuracy", "validation/accuracy", false),
          new Report.Plot("test-accuracy-by-time", "Test accuracy of the ordinary forward pass", "test accuracy", "validation/accuracy", true),
          new Report.Plot("alpha-by-epoch", "The relaxation's strength α (1: relaxed, 0: plain)", "α", "alpha", false)));

  private final Map<String, Network> networks = new LinkedHashMap<>();
  private final Device device;
  private final PrintStream out;
  private Mnist mnist;

  SeedSweep(List<Network> networks, Device device, PrintStream out) {
    networks.forEach(network -> this.networks.put(network.group(), network));
    this.device = device;
    this.out = out;
  }

  /** Every network with every seed, seeds outermost: a stopped sweep has compared every network at least once. */
  List<Trial> trials(List<Long> seeds) {
    List<Trial> trials = new ArrayList<>();
    for (long seed : seeds) {
      for (Network network : networks.values()) {
        Map<String, Object> hparams = new LinkedHashMap<>();
        hparams.put("network", network.group());
        hparams.put("seed", seed);
        // On the moons an epoch is one step.
        hparams.put(network.data() == Data.MOONS ? "steps" : "epochs", network.epochs());
        trials.add(new Trial(network.group(), seed, hparams));
      }
    }
    return trials;
  }

  /**
   * Runs the trials into {@code logRoot} (skipping and resuming as a sweep does) and returns a
   * report for each kind of network, in the order of the networks.
   */
  Map<String, Report> sweep(Path logRoot, List<Long> seeds) throws IOException {
    List<TrialResult> results = new Sweep(logRoot, HPARAMS, METRIC_TAGS, out).run(trials(seeds), this);
    Map<String, List<TrialResult>> byKind = new LinkedHashMap<>();
    for (TrialResult result : results) {
      byKind.computeIfAbsent(networks.get(result.group()).kind(), kind -> new ArrayList<>()).add(result);
    }
    Map<String, Report> reports = new LinkedHashMap<>();
    byKind.forEach((kind, kindResults) -> reports.put(kind, Report.of(kindResults, REPORT)));
    return reports;
  }

  private TrainingConfig config(Network network, Trial trial, Path runDirectory) {
    TrainingConfig config = network.data() == Data.MOONS
        ? RaiMoons.fullBatch(network.epochs(), runDirectory.getParent(), runDirectory.getFileName().toString(), out)
        : RaiMoons.mnistBatches(network.epochs(), runDirectory.getParent(), out).withRunName(runDirectory.getFileName().toString())
            .withSeed(trial.seed());
    return config.withResumeInstruction("run the same command again: the sweep keeps the finished trials and resumes this one").quiet();
  }

  private Dataset train(Network network) {
    return network.data() == Data.MOONS ? RaiMoons.trainingPoints() : mnist().train();
  }

  private Dataset test(Network network) {
    return network.data() == Data.MOONS ? RaiMoons.testPoints() : mnist().test();
  }

  /** MNIST, read once for all its trials. */
  private Mnist mnist() {
    if (mnist == null) {
      mnist = Mnist.load();
    }
    return mnist;
  }

  @Override
  public TrialOutcome run(Trial trial, Path runDirectory) throws IOException {
    Network network = networks.get(trial.group());
    Dataset train = train(network);
    Dataset test = test(network);
    try (Model model = Model.build(new WithSeed(network.graph().get(), trial.seed()), device)) {
      TrainingResult result = model.train(train, test, config(network, trial, runDirectory));
      List<Epoch> history = new ArrayList<>();
      boolean relaxed = network.graph().get().spec().relaxation().isPresent();
      for (EpochStats stats : result.history()) {
        // On the moons every step is an epoch: the ones that validated on the test points tell the curve.
        if (stats.hasValidation()) {
          // α as the network has it: its parameter, or 1 for relaxed training without one, 0 for plain.
          double alpha = stats.parameters().getOrDefault("alpha", relaxed ? 1.0 : 0.0);
          history.add(new Epoch(stats.epoch(), stats.step(), stats.elapsed().toNanos() / 1e9,
              Map.of("train_loss", stats.trainLoss(), "validation/accuracy", stats.validationAccuracy(), "validation/loss",
                  stats.validationLoss(), "alpha", alpha)));
        }
      }
      Evaluation onTrain = model.evaluate(train);
      Evaluation onTest = model.evaluate(test);
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("train_accuracy", onTrain.accuracy());
      metrics.put("test_accuracy", onTest.accuracy());
      metrics.put("train_loss", onTrain.loss());
      metrics.put("test_loss", onTest.loss());
      metrics.put("disagreement", relaxed ? model.evaluateRelaxed(train).disagreement() : Double.NaN);
      out.printf("%s seed %d: train accuracy %.4f, test accuracy %.4f%n", trial.group(), trial.seed(), onTrain.accuracy(), onTest.accuracy());
      return new TrialOutcome(history, metrics);
    }
  }
}
