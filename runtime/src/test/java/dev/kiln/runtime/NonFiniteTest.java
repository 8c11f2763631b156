package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Relaxed;
import dev.kiln.dsl.Schedule;
import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import dev.kiln.runtime.step.NetworkBuilder;
import dev.kiln.runtime.step.NonFiniteGuard;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import dev.kiln.runtime.training.ModelSession;
import dev.kiln.runtime.training.RunCheckpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;


/**
 * Steps whose loss, learning rate or gradients are not finite: they change nothing, and stop the
 * run naming the step, the first non-finite value and the last good checkpoint, or are skipped.
 * 100 moons in batches of 10: 10 steps an epoch. Where the guard's way matters, each test runs
 * with the step run op by op (the guard gates) and compiled by XLA (the guard selects).
 */
class NonFiniteTest {
  private static final Dataset MOONS = TwoMoons.generate(100, 0.1, 8);
  private static final long NAN_AT = 13;

  @TempDir Path logs;

  /** 0.01, except NaN at step {@link #NAN_AT}. */
  private static final Schedule NAN_ONCE = (step, perEpoch) -> step == NAN_AT ? Double.NaN : 0.01;

  private static TestMlp withRate(Schedule rate) {
    return TestMlp.of("Diverging", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 8)
        .withLearningRate(g -> g.hostScheduled("lr", rate));
  }

  /** A checkpoint after every step, all kept: the one of a failing step holds the state it started from. */
  private TrainingConfig config(String run) {
    return TrainingConfig.defaults().withEpochs(3).withBatchSize(10).withLogEvery(1).withLogRoot(logs).withRunName(run)
        .withCheckpoints(CheckpointPolicy.everySteps(1).keepLast(100)).quiet();
  }

  private Path checkpoint(String run, long step) {
    return logs.resolve(run).resolve(RunCheckpoints.DIRECTORY).resolve(CheckpointStore.nameOf(step));
  }

  /** Every variable of {@code model} equals the checkpoint's, but {@code except}. */
  private static void assertVariablesOf(Model model, Supplier<? extends NetworkGraph> network, Path checkpoint, List<String> except) {
    try (Model saved = Model.load(network.get(), checkpoint)) {
      for (String variable : model.variableNames()) {
        if (!except.contains(variable)) {
          assertWithMessage(variable + " against " + checkpoint).that(model.parameter(variable)).isEqualTo(saved.parameter(variable));
        }
      }
    }
  }

  /** The step run op by op, and compiled. */
  static Stream<Device> devices() {
    return Stream.of(Device.cpu(), Device.cpu().withXla(true));
  }

  @ParameterizedTest
  @MethodSource("devices")
  void aNaNLearningRateStopsTheRunAtItsStepWithNothingAppliedAndTheLogsWritten(Device device) throws IOException {
    String run = "nan-rate";
    try (Model model = Model.build(withRate(NAN_ONCE), device)) {
      NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> model.train(MOONS, config(run)));
      Path lastGood = checkpoint(run, NAN_AT);
      assertThat(e.step()).isEqualTo(NAN_AT);
      assertThat(e.firstNonFinite()).isEqualTo("the host schedule of parameter lr gives NaN at step 13");
      assertThat(e.lastCheckpoint()).hasValue(lastGood);
      assertThat(e).hasMessageThat().startsWith(
          "Training stopped at step 13 (epoch 2, batch 4 of 10): its loss, learning rate or gradients are not finite; first non-finite value: "
              + "the host schedule of parameter lr gives NaN at step 13. The step was not applied, and the logs up to it are written. "
              + "Last good checkpoint: " + lastGood + ". ");
      assertThat(model.step()).isEqualTo(NAN_AT);
      assertVariablesOf(model, () -> withRate(NAN_ONCE), lastGood, List.of());
    }
    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(logs.resolve(run));
    List<ScalarPoint> rates = scalars.get("learning_rate");
    assertThat(rates).hasSize((int) NAN_AT + 1);
    assertThat(rates.get((int) NAN_AT).value()).isNaN();
    assertThat(scalars.get("loss").get((int) NAN_AT).step()).isEqualTo(NAN_AT);
  }

  @Test
  void aNonFiniteFeatureIsNamedWithItsExample() {
    float[] features = new float[2 * MOONS.size()];
    float[] labels = new float[MOONS.size()];
    MOONS.copyFeatures(ModelSession.identity(MOONS.size()), 0, MOONS.size(), features);
    MOONS.copyLabels(ModelSession.identity(MOONS.size()), 0, MOONS.size(), labels);
    features[2 * 57 + 1] = Float.POSITIVE_INFINITY;
    Dataset broken = Dataset.of(features, Shape.of(2), labels, 1);
    try (Model model = Model.build(withRate((step, perEpoch) -> 0.01))) {
      NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> model.train(broken, config("nan-feature")));
      assertThat(e.firstNonFinite()).isEqualTo("feature 1 of training example 57 is Infinity");
      assertThat(e.step()).isLessThan(10L);
    }
  }

  @Test
  void anOverflowInsideTheGraphIsNamedByTheFirstTensorThatHoldsIt() {
    // One target of 1e30: its squared error overflows float32 in the loss, from finite inputs.
    float[] features = new float[2 * MOONS.size()];
    float[] targets = new float[MOONS.size()];
    MOONS.copyFeatures(ModelSession.identity(MOONS.size()), 0, MOONS.size(), features);
    targets[31] = 1e30f;
    Dataset data = Dataset.of(features, Shape.of(2), targets, 1);
    try (Model model = Model.build(TestMlp.of("Overflowing", 2, 1, Loss.MEAN_SQUARED_ERROR, new OptimizerSpec.Sgd(0.01), 8))) {
      NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> model.train(data, config("overflow")));
      assertThat(e.firstNonFinite()).matches("head/[^ ]+:0 \\([A-Za-z]+, shape \\[[^]]*\\]\\): 0 NaN and [1-9]\\d* infinite of \\d+ values");
    }
  }

  @ParameterizedTest
  @MethodSource("devices")
  void skippedStepsChangeNothingAndTheRunGoesOn(Device device) throws IOException {
    String run = "skipped";
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    TrainingResult result;
    try (Model model = Model.build(withRate(NAN_ONCE), device)) {
      result =
          model.train(
              MOONS,
              config(run).withNonFiniteSteps(NonFiniteSteps.SKIP).withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      // The step counter moved on over the skipped step, so every schedule stays on time.
      assertThat(model.step()).isEqualTo(30);
      // The checkpoints after step 12 and after the skipped step 13 hold the same model.
      assertVariablesOf(model, () -> withRate(NAN_ONCE), result.checkpoint().orElseThrow(), List.of());
    }
    try (Model before = Model.load(withRate(NAN_ONCE), checkpoint(run, NAN_AT))) {
      assertVariablesOf(before, () -> withRate(NAN_ONCE), checkpoint(run, NAN_AT + 1), List.of("training/step"));
      assertThat(before.step()).isEqualTo(NAN_AT);
    }
    assertThat(result.history().stream().map(EpochStats::skippedSteps).toList()).containsExactly(0L, 1L, 0L).inOrder();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("skipped step 13 (epoch 2, batch 4 of 10): not finite; first non-finite value: the host schedule of parameter lr gives NaN at step 13");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("1 steps skipped");
    List<ScalarPoint> skipped = EventFileReader.scalars(logs.resolve(run)).get("epoch/skipped_steps");
    assertThat(skipped.stream().map(ScalarPoint::value).toList()).containsExactly(0.0, 1.0, 0.0).inOrder();
    assertThat(result.last().trainLoss()).isFinite();
  }

  @ParameterizedTest
  @MethodSource("devices")
  void aSkippedLastStepOfAnEpochIsLeftOutOfTheEpochsTrainingLoss(Device device) throws IOException {
    // The learning rate is NaN at step 9, the first epoch's last; the loss logged for it is finite.
    String run = "skipped-last";
    TrainingResult result;
    try (Model model = Model.build(withRate((step, perEpoch) -> step == 9 ? Double.NaN : 0.01), device)) {
      result = model.train(MOONS, config(run).withCheckpoint(false).withNonFiniteSteps(NonFiniteSteps.SKIP));
    }
    List<ScalarPoint> losses = EventFileReader.scalars(logs.resolve(run)).get("loss");
    assertThat(result.history().get(0).skippedSteps()).isEqualTo(1);
    assertThat(result.history().get(0).trainLoss()).isWithin(1e-6).of(meanLoss(losses, 0, 9));
    // The next epoch's sums start from zero, the skipped step's share never added.
    assertThat(result.history().get(1).trainLoss()).isWithin(1e-6).of(meanLoss(losses, 10, 20));
  }

  /** The mean of the losses logged at steps {@code from} (inclusive) to {@code to} (exclusive). */
  private static double meanLoss(List<ScalarPoint> losses, long from, long to) {
    return losses.stream().filter(p -> p.step() >= from && p.step() < to).mapToDouble(ScalarPoint::value).average().orElseThrow();
  }

  private static RelaxationSpec zeroTargets() {
    return new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.ZEROS, 0, 1.0);
  }

  /** The moons with feature 0 of example 73 NaN. */
  private static Dataset withNaNInExample73() {
    float[] features = new float[2 * MOONS.size()];
    float[] labels = new float[MOONS.size()];
    MOONS.copyFeatures(ModelSession.identity(MOONS.size()), 0, MOONS.size(), features);
    MOONS.copyLabels(ModelSession.identity(MOONS.size()), 0, MOONS.size(), labels);
    features[2 * 73] = Float.NaN;
    return Dataset.of(features, Shape.of(2), labels, 1);
  }

  @Test
  void aStateWithANonFiniteVariableIsNeverSaved() {
    // Relaxed targets set from a forward pass over the data take the NaN of example 73 into their
    // row 73 before the first step: the first checkpoint after it must not be written.
    String run = "targets";
    try (Model model = Model.build(RelaxedMlp.of("Targets", new OptimizerSpec.Sgd(0.1), RelaxedMlp.forward(), 6))) {
      NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> model.train(withNaNInExample73(), config(run)));
      assertThat(e.firstNonFinite()).isEqualTo("the variable relaxed/hidden1/targets");
      assertThat(e).hasMessageThat().startsWith("training stopped at step " + e.step() + ": the variable relaxed/hidden1/targets is not finite");
      assertThat(e.lastCheckpoint()).hasValue(checkpoint(run, e.step() - 1));
      assertThat(Files.exists(checkpoint(run, e.step()))).isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("devices")
  void aNonFiniteStepChangesNoVariableWhateverTheOptimiser(Device device) {
    Dataset broken = withNaNInExample73();
    List<Supplier<NetworkGraph>> networks =
        List.of(
            () -> TestMlp.of("Sgd", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 6),
            () -> TestMlp.of("Momentum", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Momentum(0.1, 0.9, true), 6)
                .withTheta(TestMlp.perNeuron(0.5, 2)),
            () -> TestMlp.of("Adam", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 6).withDropout(0.2),
            () -> TestMlp.of("RmsProp", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.RmsProp(0.01, 0.9, 0.5, 1e-7), 6),
            () -> TestMlp.of("Rprop", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Rprop(0.01, 1.2, 0.5, 1e-6, 50), 6),
            // Targets from zeros: from a forward pass, the broken example would make its row NaN before any step.
            () -> RelaxedMlp.of("RelaxedAdam", new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), zeroTargets(), 6),
            () -> RelaxedMlp.of("RelaxedRmsProp", new OptimizerSpec.RmsProp(0.01, 0.9, 0.5, 1e-7), zeroTargets(), 6),
            () -> RelaxedMlp.of("RelaxedMomentum", new OptimizerSpec.Momentum(0.1, 0.9, false), zeroTargets(), 6),
            () -> RelaxedMlp.of("RelaxedRprop", new OptimizerSpec.Rprop(0.01, 1.2, 0.5, 1e-6, 50), zeroTargets(), 6));
    for (Supplier<NetworkGraph> network : networks) {
      String run = network.get().spec().name();
      try (Model model = Model.build(network.get(), device)) {
        NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> model.train(broken, config(run)));
        assertWithMessage(run).that(e.firstNonFinite()).isEqualTo("feature 0 of training example 73 is NaN");
        assertWithMessage(run).that(e.lastCheckpoint()).hasValue(checkpoint(run, e.step()));
        assertVariablesOf(model, network, checkpoint(run, e.step()), List.of());
      }
    }
  }

  @Test
  void theGuardSeesANonFiniteValueInAnyGradientWhateverItsShapeShares() {
    float inf = Float.POSITIVE_INFINITY;
    // Gradients of one shape are added before they are summed: a NaN, and infinities of both signs
    // (whose sum is NaN), are still caught; large finite values are not mistaken for overflow.
    assertThat(guard(new float[] {1, 2}, new float[] {3, 4}, new float[] {5}).finite()).isTrue();
    assertThat(guard(new float[] {1, 2}, new float[] {Float.NaN, 4}, new float[] {5}).finite()).isFalse();
    assertThat(guard(new float[] {inf, 2}, new float[] {-inf, 4}, new float[] {5}).finite()).isFalse();
    assertThat(guard(new float[] {1, 2}, new float[] {3, 4}, new float[] {-inf}).finite()).isFalse();
    assertThat(guard(new float[] {1e30f, -1e30f}, new float[] {1e30f, 1e30f}, new float[] {5}).finite()).isTrue();
  }

  @Test
  void theGuardAddsTargetRowsOfTheBatchAlikeAndStillSeesEveryNonFiniteValue() {
    float inf = Float.POSITIVE_INFINITY;
    float[] vector = {1, 2};
    // Rows of a batch of 3 and of 1: the batch dimension is unknown until the step runs.
    assertThat(guard(List.of(vector), List.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}, new float[][] {{7, 8}, {9, 10}, {11, 12}})).finite())
        .isTrue();
    assertThat(guard(List.of(vector), List.of(new float[][] {{1}}, new float[][] {{Float.NaN}})).finite()).isFalse();
    assertThat(guard(List.of(vector), List.of(new float[][] {{inf, 2}}, new float[][] {{-inf, 4}})).finite()).isFalse();
    assertThat(guard(List.of(vector), List.of(new float[][] {{1, inf}}, new float[][] {{3, 4}})).finite()).isFalse();
  }

  @Test
  void theGuardChecksAWeightGradientThroughTheTwoFactorsOfItsProduct() {
    float[][] ones = {{1, 1}, {1, 1}};
    assertThat(productGuard(ones, new float[][] {{2, 3}, {4, 5}})).isTrue();
    assertThat(productGuard(ones, new float[][] {{2, Float.NaN}, {4, 5}})).isFalse();
    assertThat(productGuard(new float[][] {{Float.POSITIVE_INFINITY, 0}, {0, 0}}, ones)).isFalse();
    assertThat(productGuard(new float[][] {{Float.NEGATIVE_INFINITY, 0}, {0, 0}}, new float[][] {{0, 0}, {0, 0}})).isFalse();
    // 1e20 · 1e20 is past float32's range: the product itself holds an infinity.
    assertThat(productGuard(new float[][] {{1e20f, 0}, {0, 0}}, new float[][] {{1e20f, 0}, {0, 0}})).isFalse();
    assertThat(productGuard(new float[][] {{1e9f, -1e9f}, {0, 0}}, new float[][] {{1e9f, 0}, {0, 1e9f}})).isTrue();
    // Conservative past float32's range: norms of 1e19 and 100 multiply to an infinity although
    // the product (1e21) is finite; such a step is stopped or skipped as a diverging one.
    assertThat(productGuard(new float[][] {{1e19f, 0}, {0, 0}}, new float[][] {{100f, 0}, {0, 0}})).isFalse();
  }

  @Test
  void theGradientNormIsTheRootOfEveryGradientsSquares() {
    assertThat(guard(new float[] {3, 0}, new float[] {0, 4}, new float[] {12}).norm()).isWithin(1e-5f).of(13f);
    assertThat(guard(List.of(new float[] {1, 1}), List.of(new float[][] {{1, 1}, {1, 1}}, new float[][] {{2, 2}, {2, 2}})).norm())
        .isWithin(1e-5f).of((float) Math.sqrt(2 + 4 + 16));
  }

  /** Whether the guard passes a step whose one gradient is {@code aᵀ·b}, as a dense layer's weight gradient is. */
  private static boolean productGuard(float[][] a, float[][] b) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      NetworkBuilder state =
          new NetworkBuilder(graph, TestMlp.of("Guarded", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 2).spec(), Device.cpu().spec());
      Ops tf = state.scope("test");
      Operand<TFloat32> product =
          tf.linalg.matMul(tf.constant(StdArrays.ndCopyOf(a)), tf.constant(StdArrays.ndCopyOf(b)), MatMul.transposeA(true));
      NonFiniteGuard guard = NonFiniteGuard.build(graph, state, tf.constant(0.5f), List.of(product), tf.constant(0.1f), false);
      try (Result result = session.runner().fetch(guard.finite).run()) {
        return ((TBool) result.get(0)).getBoolean();
      }
    }
  }

  /** What the guard made of one step's gradients. */
  private record Checked(boolean finite, float norm) {}

  /** The guard over gradients of shapes [2], [2] and [1]. */
  private static Checked guard(float[] first, float[] second, float[] third) {
    return guard(List.of(first, second, third), List.of());
  }

  /**
   * The guard over {@code vectors} as gradients of a known shape, and over {@code rows} as
   * gradients of a batch's target rows, whose batch dimension the graph does not know.
   */
  private static Checked guard(List<float[]> vectors, List<float[][]> rows) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      NetworkBuilder state =
          new NetworkBuilder(graph, TestMlp.of("Guarded", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 2).spec(), Device.cpu().spec());
      Ops tf = state.scope("test");
      List<Operand<TFloat32>> gradients = new ArrayList<>();
      vectors.forEach(vector -> gradients.add(tf.constant(vector)));
      List<Placeholder<TFloat32>> fedRows = new ArrayList<>();
      for (float[][] batch : rows) {
        Placeholder<TFloat32> placeholder = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, batch[0].length)));
        fedRows.add(placeholder);
        gradients.add(placeholder);
      }
      NonFiniteGuard guard = NonFiniteGuard.build(graph, state, tf.constant(0.5f), gradients, tf.constant(0.1f), false);
      List<TFloat32> feeds = rows.stream().map(batch -> TFloat32.tensorOf(StdArrays.ndCopyOf(batch))).toList();
      try {
        Session.Runner runner = session.runner().fetch(guard.finite).fetch(guard.gradientNorm);
        for (int i = 0; i < feeds.size(); i++) {
          runner.feed(fedRows.get(i), feeds.get(i));
        }
        try (Result result = runner.run()) {
          return new Checked(((TBool) result.get(0)).getBoolean(), ((TFloat32) result.get(1)).getFloat());
        }
      } finally {
        feeds.forEach(TFloat32::close);
      }
    }
  }
}
