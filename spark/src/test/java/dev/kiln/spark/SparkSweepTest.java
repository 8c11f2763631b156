package dev.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.WithSeed;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.sweep.Epoch;
import dev.kiln.sweep.Report;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialOutcome;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialStore;
import dev.kiln.sweep.TrialTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A sweep of tiny trials, each a real training run, in process and as Spark tasks on
 * {@code local[N]}: the same results; a task that fails once is retried and its trial completes;
 * a trial that always fails is named, and the others keep their results.
 */
class SparkSweepTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final List<HParams.Definition> HPARAMS = List.of(HParams.Definition.of("seed", HParams.Type.FLOAT64));

  @TempDir Path root;

  /** Two moons, a ReLU layer of 8 units, 3 epochs of batches of 20: a trial in a second. */
  static final class Moons implements NetworkGraph {
    @Override
    public NetworkSpec spec() {
      return new NetworkSpec("SparkMoons", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.05, 0.9, 0.999, 1e-7), 1);
    }

    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      Ops tf = graph.tf();
      Operand<TFloat32> x = graph.input("point");
      Operand<TFloat32> hidden =
          tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(x, graph.weights("hidden/weights", Shape.of(2, 8))), graph.bias("hidden/bias", 8)));
      return tf.nn.biasAdd(tf.linalg.matMul(hidden, graph.weights("logit/weights", Shape.of(8, 1))), graph.bias("logit/bias", 1));
    }
  }

  /** Trains the moons network with the trial's seed into its run directory. */
  static TrialOutcome train(Trial trial, Path runDirectory) {
    TrainingConfig config = TrainingConfig.defaults().withEpochs(3).withBatchSize(20).withSeed(trial.seed())
        .withLogRoot(runDirectory.getParent()).withRunName(runDirectory.getFileName().toString()).withOutput(QUIET).quiet();
    try (Model model = Model.build(new WithSeed(new Moons(), trial.seed()))) {
      TrainingResult result = model.train(TwoMoons.generate(100, 0.1, 3), config);
      List<Epoch> history = new ArrayList<>();
      result.history().forEach(stats ->
          history.add(new Epoch(stats.epoch(), stats.step(), stats.elapsed().toNanos() / 1e9, Map.of("train_loss", stats.trainLoss()))));
      return new TrialOutcome(history, Map.of("accuracy", model.evaluate(TwoMoons.generate(200, 0.1, 4)).accuracy()));
    }
  }

  private static List<Trial> trials(String group, long... seeds) {
    List<Trial> trials = new ArrayList<>();
    for (long seed : seeds) {
      trials.add(new Trial(group, seed, Map.of("seed", seed)));
    }
    return trials;
  }

  private Sweep sweep(String name, PrintStream out) {
    return new Sweep(root.resolve(name), HPARAMS, List.of("test/accuracy"), out);
  }

  @Test
  void onLocalTwoTheTrialsEndAsTheyDoInProcess() throws IOException {
    List<Trial> trials = trials("moons", 1, 2, 3);
    List<TrialResult> inProcess = sweep("in-process", QUIET).run(trials, SparkSweepTest::train);
    List<TrialResult> onSpark = new SparkSweep(sweep("spark", QUIET), "local[2]").run(trials, () -> SparkSweepTest::train);

    assertThat(onSpark).hasSize(3);
    for (int i = 0; i < trials.size(); i++) {
      assertThat(onSpark.get(i).seed()).isEqualTo(trials.get(i).seed());
      assertThat(onSpark.get(i).metrics()).isEqualTo(inProcess.get(i).metrics());
      assertThat(onSpark.get(i).history().stream().map(epoch -> epoch.value("train_loss")).toList())
          .isEqualTo(inProcess.get(i).history().stream().map(epoch -> epoch.value("train_loss")).toList());
      assertThat(TrialStore.load(root.resolve("spark").resolve(trials.get(i).runName()))).isPresent();
    }
    // Seeds differ, so do their trials.
    assertThat(onSpark.get(0).metrics()).isNotEqualTo(onSpark.get(1).metrics());
    // The driver wrote the HParams experiment once, each task its trial's records.
    assertThat(HParams.read(root.resolve("spark"))).hasSize(1);
    // And the report is the same.
    Report.Spec spec = new Report.Spec("network", List.of(new Report.Column("accuracy", "accuracy")), List.of(), List.of());
    assertThat(Report.of(onSpark, spec).markdown()).isEqualTo(Report.of(inProcess, spec).markdown());
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndItsTrialCompletes() throws IOException {
    SparkSweep.Tasks failingOnce = () -> (trial, runDirectory) -> {
      Path attempted = runDirectory.resolveSibling(trial.runName() + ".attempted");
      if (!Files.exists(attempted)) {
        Files.createFile(attempted);
        throw new IOException("the first attempt at " + trial.runName() + " fails");
      }
      return train(trial, runDirectory);
    };
    List<TrialResult> results = new SparkSweep(sweep("retried", QUIET), "local[1,2]").run(trials("moons", 1), failingOnce);

    assertThat(results).hasSize(1);
    assertThat(TrialStore.load(root.resolve("retried").resolve("moons-seed1"))).hasValue(results.get(0));
  }

  @Test
  void aTrialThatAlwaysFailsIsNamedAndTheOthersKeepTheirResults() {
    List<Trial> trials = new ArrayList<>(trials("moons", 1));
    trials.addAll(trials("broken", 1));
    SparkSweep.Tasks brokenTrials = () -> (trial, runDirectory) -> {
      if (trial.group().equals("broken")) {
        throw new IllegalStateException("trial " + trial.runName() + " cannot train");
      }
      return train(trial, runDirectory);
    };
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    IllegalStateException error = assertThrows(IllegalStateException.class,
        () -> new SparkSweep(sweep("failing", new PrintStream(printed)), "local[1,2]").run(trials, brokenTrials));

    assertThat(error).hasMessageThat().contains("trial broken-seed1 cannot train");
    assertThat(error).hasMessageThat().contains("finished trials keep their results; running the sweep again skips them");
    assertThat(Files.exists(root.resolve("failing").resolve("moons-seed1").resolve(TrialStore.RESULT_FILE))).isTrue();
    assertThat(Files.exists(root.resolve("failing").resolve("broken-seed1").resolve(TrialStore.RESULT_FILE))).isFalse();
  }

  @Test
  void anUnreachableMasterIsNamedAtOnce() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String master = "spark://127.0.0.1:" + port;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new SparkSweep(sweep("unreachable", QUIET), master).run(trials("moons", 1), () -> SparkSweepTest::train));
    assertThat(error).hasMessageThat().startsWith("cannot reach the Spark master " + master + " (");
    assertThat(error).hasMessageThat().endsWith("For Spark in this JVM, use local[N]");
    // Nothing was written: the sweep did not start.
    assertThat(Files.exists(root.resolve("unreachable"))).isFalse();
  }

  @Test
  void aLogRootThatCannotBeWrittenIsNamedBeforeAnyTask() throws IOException {
    Path file = Files.writeString(root.resolve("a-file"), "not a directory");
    Sweep sweep = new Sweep(file.resolve("runs"), HPARAMS, List.of(), QUIET);
    IOException error =
        assertThrows(IOException.class, () -> new SparkSweep(sweep, "local[1]").run(trials("moons", 1), () -> SparkSweepTest::train));
    assertThat(error).hasMessageThat().contains(file.toString());
  }
}
