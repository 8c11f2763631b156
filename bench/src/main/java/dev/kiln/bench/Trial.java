package dev.kiln.bench;

import com.google.gson.Gson;
import dev.kiln.bench.hand.HandModel;
import dev.kiln.bench.hand.HandNetworks;
import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One measurement in its own JVM, so that peak memory and start-up time belong to it alone:
 * loads the data, builds the network (Kiln's or the hand-written one), trains a first step (the
 * start-up time ends there), warms up, then times the workload's steps. Prints one line,
 * {@link TrialResult#PREFIX} followed by the result as JSON.
 *
 * <pre>
 * usage: Trial W1|W2|W3 kiln|hand [--xla] [--intra N] [--inter N] [--log-every N]
 * </pre>
 */
public final class Trial {
  /** MNIST's batch size in W1 and W2, and its steps per epoch of 60,000 examples. */
  static final int MNIST_BATCH = 128;

  static final int MNIST_STEPS_PER_EPOCH = (60_000 + MNIST_BATCH - 1) / MNIST_BATCH;

  /** W2 times this many steps and extrapolates the epoch: a whole one takes minutes on 2 cores. */
  static final int CNN_STEPS = 200;

  private Trial() {}

  /** What a workload trains, and how: data, batch size, warm-up and timed phase. */
  private record Plan(Dataset data, Dataset timed, int batchSize, int warmUpSteps, int timedEpochs, long stepsPerEpoch) {
    long timedSteps() {
      return timedEpochs * ((timed.size() + batchSize - 1) / batchSize);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: Trial W1|W2|W3 kiln|hand [--xla] [--intra N] [--inter N] [--log-every N]");
    }
    Workload workload = Workload.valueOf(args[0]);
    String side = args[1];
    boolean xla = false;
    int intra = 0;
    int inter = 0;
    int logEvery = 10;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--xla" -> xla = true;
        case "--intra" -> intra = Integer.parseInt(args[++i]);
        case "--inter" -> inter = Integer.parseInt(args[++i]);
        case "--log-every" -> logEvery = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Tuning tuning = new Tuning(xla, intra, inter);
    Path logRoot = Files.createTempDirectory("kiln-bench-runs");
    TrialResult result;
    try {
      result = run(workload, side, tuning, logEvery, logRoot);
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

  static TrialResult run(Workload workload, String side, Tuning tuning, int logEvery, Path logRoot) {
    Plan plan = plan(workload);
    try (Subject subject = subject(workload, side, tuning, logEvery, logRoot)) {
      Dataset first = plan.data().range(0, Math.min(plan.batchSize(), plan.data().size()));
      Dataset warmUp = plan.data().range(0, Math.min(plan.warmUpSteps() * plan.batchSize(), plan.data().size()));
      int warmUpEpochs = warmUp.size() == plan.data().size() && plan.data().size() <= plan.batchSize() ? plan.warmUpSteps() : 1;
      subject.train(first, plan.batchSize(), 1);
      double startup = Duration.between(ProcessStats.processStart(), Instant.now()).toNanos() / 1e9;
      subject.train(warmUp, plan.batchSize(), warmUpEpochs);
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

  private static Plan plan(Workload workload) {
    return switch (workload) {
      case W1 -> {
        Dataset train = Mnist.load().train();
        yield new Plan(train, train, MNIST_BATCH, 30, 1, MNIST_STEPS_PER_EPOCH);
      }
      case W2 -> {
        Dataset train = Mnist.load().train();
        yield new Plan(train, train.range(0, CNN_STEPS * MNIST_BATCH), MNIST_BATCH, 10, 1, MNIST_STEPS_PER_EPOCH);
      }
      case W3, W4 -> throw new IllegalArgumentException(workload + " is not a step-timed workload here");
    };
  }

  private static Subject subject(Workload workload, String side, Tuning tuning, int logEvery, Path logRoot) {
    return switch (side) {
      case "kiln" -> new KilnSubject(kilnNetwork(workload).get(), device(tuning), logRoot, logEvery, System.out);
      case "hand" -> new HandSubject(handNetwork(workload), Sessions.config(tuning));
      default -> throw new IllegalArgumentException("unknown side '" + side + "': expected kiln or hand");
    };
  }

  /** Kiln's CPU device with the trial's tuning. */
  static Device device(Tuning tuning) {
    return Device.cpu().withXla(tuning.xla()).withThreads(tuning.intraOpThreads(), tuning.interOpThreads());
  }

  private static Supplier<dev.kiln.runtime.graph.NetworkGraph> kilnNetwork(Workload workload) {
    return switch (workload) {
      case W1 -> MnistMlpGraph::new;
      case W2 -> LargeCnnGraph::new;
      case W3, W4 -> throw new IllegalArgumentException(workload + " has no step-timed Kiln network");
    };
  }

  private static HandModel handNetwork(Workload workload) {
    return switch (workload) {
      // θ ramps over the timed epoch, as Kiln's one-epoch schedule does.
      case W1 -> HandNetworks.mnistMlp(MNIST_STEPS_PER_EPOCH);
      case W2 -> HandNetworks.largeCnn(10L * MNIST_STEPS_PER_EPOCH);
      case W3, W4 -> throw new IllegalArgumentException(workload + " has no step-timed hand-written network");
    };
  }
}
