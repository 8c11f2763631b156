package dev.kiln.bench;

import com.google.gson.Gson;
import dev.kiln.bench.hand.HandModel;
import dev.kiln.bench.hand.HandNetworks;
import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.samples.rai.DeepRelaxedGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One measurement in its own JVM, so that peak memory and start-up time belong to it alone:
 * loads the data, builds the network (Kiln's or the hand-written one), trains a first step (the
 * start-up time ends there), warms up, then times the workload's steps. Prints one line,
 * {@link TrialResult#PREFIX} followed by the result as JSON.
 *
 * <pre>
 * usage: Trial W1|W2|W3 kiln|hand [--xla] [--intra N] [--inter N]
 * </pre>
 */
public final class Trial {
  /** MNIST's batch size in W1 and W2, and its steps per epoch of 60,000 examples. */
  static final int MNIST_BATCH = 128;

  static final int MNIST_STEPS_PER_EPOCH = (60_000 + MNIST_BATCH - 1) / MNIST_BATCH;

  /** W2 times this many steps and extrapolates the epoch: a whole one takes minutes on 2 cores. */
  static final int CNN_STEPS = 200;

  /** W3: the reference's 100 two-moons training points, trained full batch for 1,000 steps. */
  static final int RAI_EXAMPLES = 100;

  static final int RAI_STEPS = 1000;

  private Trial() {}

  /** What a workload trains, and how: data, batch size, warm-up and timed phase. */
  record Plan(Dataset data, Dataset timed, int batchSize, int warmUpSteps, int timedEpochs, long stepsPerEpoch) {
    long timedSteps() {
      return timedEpochs * ((timed.size() + batchSize - 1) / batchSize);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: Trial W1|W2|W3 kiln|hand [--xla] [--intra N] [--inter N]");
    }
    Workload workload = Workload.valueOf(args[0]);
    String side = args[1];
    Tuning tuning = Tuning.parse(List.of(args).subList(2, args.length));
    Path logRoot = Files.createTempDirectory("kiln-bench-runs");
    TrialResult result;
    try {
      result = run(workload, side, tuning, logRoot);
    } finally {
      deleteRecursively(logRoot);
    }
    System.out.println(TrialResult.PREFIX + new Gson().toJson(result));
  }

  /** Removes the trial's TensorBoard runs: only the figures are kept. */
  static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  static TrialResult run(Workload workload, String side, Tuning tuning, Path logRoot) {
    Plan plan = plan(workload);
    try (Subject subject = subject(workload, side, tuning, logRoot)) {
      double startup = warmUp(subject, plan);
      long start = System.nanoTime();
      subject.train(plan.timed(), plan.batchSize(), plan.timedEpochs());
      double seconds = (System.nanoTime() - start) / 1e9;
      long steps = plan.timedSteps();
      double examples = (double) plan.timed().size() * plan.timedEpochs();
      boolean extrapolated = steps != plan.stepsPerEpoch() * plan.timedEpochs();
      double epochSeconds = seconds / steps * plan.stepsPerEpoch();
      return new TrialResult(
          workload, side, tuning.label(), steps, seconds, examples / seconds, epochSeconds, extrapolated, startup,
          ProcessStats.peakResidentBytes() / (1024.0 * 1024.0), ProcessStats.loadAverage());
    }
  }

  /**
   * Trains a first step (the end of start-up), then the plan's warm-up steps.
   *
   * @return seconds from process start to the end of the first step
   */
  static double warmUp(Subject subject, Plan plan) {
    Dataset data = plan.data();
    // A full-batch plan trains on all of its data every step (a relaxed network must).
    boolean fullBatch = data.size() <= plan.batchSize();
    subject.train(data.range(0, Math.min(plan.batchSize(), data.size())), plan.batchSize(), 1);
    double startup = Duration.between(ProcessStats.processStart(), Instant.now()).toNanos() / 1e9;
    if (fullBatch) {
      subject.train(data, plan.batchSize(), plan.warmUpSteps());
    } else {
      subject.train(data.range(0, Math.min(plan.warmUpSteps() * plan.batchSize(), data.size())), plan.batchSize(), 1);
    }
    return startup;
  }

  static Plan plan(Workload workload) {
    return switch (workload) {
      case W1 -> {
        Dataset train = Mnist.load().train();
        yield new Plan(train, train, MNIST_BATCH, 30, 1, MNIST_STEPS_PER_EPOCH);
      }
      case W2 -> {
        Dataset train = Mnist.load().train();
        yield new Plan(train, train.range(0, CNN_STEPS * MNIST_BATCH), MNIST_BATCH, 10, 1, MNIST_STEPS_PER_EPOCH);
      }
      case W3 -> {
        Dataset train = TwoMoons.generate(RAI_EXAMPLES, 0.1, 42);
        // Full batch: every step is an epoch.
        yield new Plan(train, train, RAI_EXAMPLES, 20, RAI_STEPS, 1);
      }
      case W4 -> throw new IllegalArgumentException(workload + " is not a step-timed workload here");
    };
  }

  private static Subject subject(Workload workload, String side, Tuning tuning, Path logRoot) {
    return switch (side) {
      case "kiln" -> new KilnSubject(kilnNetwork(workload).get(), device(tuning), logRoot, 10, System.out);
      case "hand" -> new HandSubject(handNetwork(workload), Sessions.config(tuning));
      default -> throw new IllegalArgumentException("unknown side '" + side + "': expected kiln or hand");
    };
  }

  /** Kiln's CPU device with the trial's tuning. */
  static Device device(Tuning tuning) {
    return Device.cpu().withXla(tuning.xla()).withGrappler(tuning.grappler()).withThreads(tuning.intraOpThreads(), tuning.interOpThreads());
  }

  static Supplier<dev.kiln.runtime.graph.NetworkGraph> kilnNetwork(Workload workload) {
    return switch (workload) {
      case W1 -> MnistMlpGraph::new;
      case W2 -> LargeCnnGraph::new;
      case W3 -> DeepRelaxedGraph::new;
      case W4 -> throw new IllegalArgumentException(workload + " has no step-timed Kiln network");
    };
  }

  static HandModel handNetwork(Workload workload) {
    return switch (workload) {
      // θ ramps over the timed epoch, as Kiln's one-epoch schedule does.
      case W1 -> HandNetworks.mnistMlp(MNIST_STEPS_PER_EPOCH);
      case W2 -> HandNetworks.largeCnn(10L * MNIST_STEPS_PER_EPOCH);
      case W3 -> HandNetworks.deepRelaxed(RAI_EXAMPLES, 100, 100);
      case W4 -> throw new IllegalArgumentException(workload + " has no step-timed hand-written network");
    };
  }
}
