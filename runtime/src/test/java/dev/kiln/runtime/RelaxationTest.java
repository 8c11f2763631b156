package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import dev.kiln.runtime.training.ModelRunner;
import dev.kiln.runtime.training.ModelSession;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;


/**
 * Training with relaxed activation identities: the targets' rows and starting values, the relaxed
 * loss, mini-batch updates of the batch's rows only, checkpoints, resets and the logged values.
 */
class RelaxationTest {
  private static final Dataset MOONS = TwoMoons.generate(40, 0.1, 3);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);
  /** A rate of 0: training steps change nothing, so the targets stay as they started. */
  private static final OptimizerSpec FROZEN = new OptimizerSpec.Sgd(0);

  @TempDir Path logs;

  private TrainingConfig config(int epochs, int batchSize) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(batchSize).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  @Test
  void targetsGetOneRowPerTrainingExampleFromTheForwardPass() {
    try (Model model = Model.build(RelaxedMlp.of("Forward", FROZEN, RelaxedMlp.forward(), 5, 3))) {
      assertThat(model.variableNames()).containsAtLeast("relaxed/hidden1/targets", "relaxed/hidden2/targets", "relaxed/output/targets");
      assertThat(model.parameter("relaxed/hidden1/targets")).isEmpty();

      model.train(MOONS, config(1, 40));

      float[] hidden1 = model.parameter("relaxed/hidden1/targets");
      assertThat(hidden1).hasLength(40 * 5);
      assertThat(model.parameter("relaxed/hidden2/targets")).hasLength(40 * 3);
      assertThat(model.parameter("relaxed/output/targets")).hasLength(40);
      // The first layer's pre-activations x·W + b, worked out from the weights.
      float[] weights = model.parameter("hidden1/weights");
      float[] bias = model.parameter("hidden1/bias");
      for (int example = 0; example < 40; example++) {
        for (int unit = 0; unit < 5; unit++) {
          double expected = MOONS.feature(example, 0) * weights[unit] + MOONS.feature(example, 1) * weights[5 + unit] + bias[unit];
          assertThat((double) hidden1[example * 5 + unit]).isWithin(1e-5).of(expected);
        }
      }
      // Every target is what its layer computes from the previous targets: nothing to relax yet.
      RelaxedEvaluation relaxed = model.evaluateRelaxed(MOONS);
      assertThat(relaxed.hiddenLoss()).isWithin(1e-10).of(0);
      assertThat(relaxed.disagreement()).isEqualTo(0);
      assertThat(relaxed.outputLoss()).isWithin(1e-6).of(model.evaluate(MOONS).loss());
      assertThat(relaxed.loss()).isWithin(1e-6).of(relaxed.outputLoss());
      assertThat(relaxed.hiddenLosses().keySet()).containsExactly("hidden1", "hidden2", "output").inOrder();
      assertThat(relaxed.count()).isEqualTo(40);
    }
  }

  @Test
  void postActivationTargetsStartAtTheActivations() {
    try (Model model = Model.build(
        RelaxedMlp.of("Post", FROZEN, RelaxedMlp.forward(), 4).withTargets(Relaxed.Targets.POST_ACTIVATION).withoutOutputTargets())) {
      model.train(MOONS, config(1, 40));

      float[] targets = model.parameter("relaxed/hidden1/targets");
      float[] weights = model.parameter("hidden1/weights");
      float[] bias = model.parameter("hidden1/bias");
      double linear = MOONS.feature(7, 0) * weights[2] + MOONS.feature(7, 1) * weights[4 + 2] + bias[2];
      assertThat((double) targets[7 * 4 + 2]).isWithin(1e-6).of(1 / (1 + Math.exp(-linear)));
      assertThat(model.variableNames()).doesNotContain("relaxed/output/targets");
      assertThat(model.evaluateRelaxed(MOONS).hiddenLoss()).isWithin(1e-10).of(0);
    }
  }

  @Test
  void zerosAndSeededNormalTargets() {
    RelaxationSpec zeros = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.ZEROS, 0, 1.0);
    try (Model model = Model.build(RelaxedMlp.of("Zeros", FROZEN, zeros, 6))) {
      model.train(MOONS, config(1, 40));
      assertThat(model.parameter("relaxed/hidden1/targets")).isEqualTo(new float[40 * 6]);
    }
    RelaxationSpec random = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.RANDOM, 0, 1.0);
    float[] first;
    try (Model model = Model.build(RelaxedMlp.of("Random", FROZEN, random, 50))) {
      model.train(MOONS, config(1, 40));
      first = model.parameter("relaxed/hidden1/targets");
    }
    double mean = 0;
    double square = 0;
    for (float value : first) {
      mean += value / (double) first.length;
      square += value * (double) value / first.length;
    }
    assertThat(mean).isWithin(0.05).of(0);
    assertThat(Math.sqrt(square - mean * mean)).isWithin(0.05).of(1);
    try (Model again = Model.build(RelaxedMlp.of("Random", FROZEN, random, 50))) {
      again.train(MOONS, config(1, 40));
      assertThat(again.parameter("relaxed/hidden1/targets")).isEqualTo(first);
    }
  }

  @Test
  void theTrainingLossIsTheOutputLossPlusTheWeightedHiddenLosses() {
    RelaxationSpec absolute = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_ABSOLUTE_ERROR, 1.0, Relaxed.Init.ZEROS, 0, 1.0);
    try (Model model = Model.build(
        RelaxedMlp.of("Weighted", FROZEN, absolute, 3).withHiddenLossWeight(graph -> graph.fixed("hidden_weight", 0.25)))) {
      model.train(MOONS, config(1, 40));
      RelaxedEvaluation relaxed = model.evaluateRelaxed(MOONS);

      // Zero targets: the output loss is ln 2 per example, the output's hidden loss the mean |logit|.
      assertThat(relaxed.outputLoss()).isWithin(1e-6).of(Math.log(2));
      assertThat(relaxed.hiddenLoss()).isGreaterThan(0);
      assertThat(relaxed.hiddenLoss()).isWithin(1e-5).of(relaxed.hiddenLosses().values().stream().mapToDouble(Double::doubleValue).sum());
      assertThat(relaxed.loss()).isWithin(1e-5).of(relaxed.outputLoss() + 0.25 * relaxed.hiddenLoss());
      // All-zero output targets predict no positive: the passes disagree where the network predicts one.
      long positives = Stream.of(model.predict(MOONS)).filter(p -> p[0] > 0.5f).count();
      assertThat(relaxed.disagreement()).isWithin(1e-7).of(positives / 40.0);
      assertThat(model.parameter("hidden_weight")).isEqualTo(new float[] {0.25f});
    }
  }

  static Stream<OptimizerSpec> optimizers() {
    return Stream.of(
        new OptimizerSpec.Sgd(0.5), new OptimizerSpec.Momentum(0.1, 0.9, true), ADAM, new OptimizerSpec.RmsProp(0.01, 0.9, 0.5, 1e-7),
        new OptimizerSpec.Rprop(0.05, 1.2, 0.5, 1e-6, 50));
  }

  /**
   * One training step on examples 6, 1 and 4 of 8 changes those rows of every target, and no other
   * row of a target or of the targets' optimiser state. Random targets, so that every hidden loss
   * has a gradient.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void aMiniBatchStepUpdatesOnlyTheBatchRows(OptimizerSpec optimizer) {
    Dataset data = MOONS.range(0, 8);
    int[] batch = {6, 1, 4};
    RelaxationSpec random = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.RANDOM, 0, 1.0);
    try (ModelGraph graph = ModelGraph.build(RelaxedMlp.of("Rows", optimizer, random, 5), Device.cpu().spec());
        Session session = new Session(graph.graph)) {
      ModelSession model = new ModelSession(graph, graph.graph, session);
      model.relaxedTargets().orElseThrow().bind(model, data);
      List<String> perExample = graph.state.perExampleVariables().stream().map(v -> v.variable().name()).toList();
      assertThat(perExample).containsAtLeast("relaxed/hidden1/targets", "relaxed/output/targets");
      if (!(optimizer instanceof OptimizerSpec.Sgd)) {
        // The targets' optimiser state: slots per target (relaxed/<layer>/targets/<slot>), or for Rprop two slots side by side.
        assertThat(perExample.stream().filter(name -> !name.endsWith("/targets")).toList()).isNotEmpty();
      }
      Map<String, float[]> before = perExample.stream().collect(java.util.stream.Collectors.toMap(name -> name, model::valueOf));

      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelRunner runner = model.runner();
        model.feedBatch(runner, feeds, data, batch, 0, batch.length, new ModelSession.BatchBuffers(data, batch.length));
        model.relaxedTargets().orElseThrow().feedExampleIndices(runner, feeds, batch, 0, batch.length);
        runner.addTarget(graph.train).run().close();
      }

      for (String name : perExample) {
        float[] old = before.get(name);
        float[] now = model.valueOf(name);
        int width = old.length / 8;
        for (int row = 0; row < 8; row++) {
          float[] oldRow = java.util.Arrays.copyOfRange(old, row * width, (row + 1) * width);
          float[] newRow = java.util.Arrays.copyOfRange(now, row * width, (row + 1) * width);
          if (row == 1 || row == 4 || row == 6) {
            if (name.endsWith("/targets")) {
              assertThat(newRow).isNotEqualTo(oldRow);
            }
          } else {
            assertThat(newRow).isEqualTo(oldRow);
          }
        }
      }
    }
  }

  /**
   * With plain gradient descent a step moves each target by rate × scale × gradient: ten times as
   * far at scale 10 as at scale 1, from the same seeded random start, while the weights move alike.
   */
  @Test
  void theTargetsLearningRateScaleMultipliesTheirStepsOnly() {
    Map<Double, float[]> targets = new HashMap<>();
    Map<Double, float[]> weights = new HashMap<>();
    for (double scale : new double[] {1, 10}) {
      for (OptimizerSpec optimizer : List.of(FROZEN, new OptimizerSpec.Sgd(0.05))) {
        RelaxationSpec random = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.RANDOM, 0, scale);
        try (Model model = Model.build(RelaxedMlp.of("Scaled", optimizer, random, 4))) {
          model.train(MOONS, config(1, 40));
          double key = optimizer == FROZEN ? -scale : scale;
          targets.put(key, model.parameter("relaxed/hidden1/targets"));
          weights.put(key, model.parameter("hidden1/weights"));
        }
      }
    }
    float[] start = targets.get(-1.0);
    assertThat(targets.get(-10.0)).isEqualTo(start);
    float[] once = targets.get(1.0);
    float[] tenfold = targets.get(10.0);
    boolean moved = false;
    for (int i = 0; i < start.length; i++) {
      moved |= once[i] != start[i];
      assertThat((double) (tenfold[i] - start[i])).isWithin(1e-5).of(10.0 * (once[i] - start[i]));
    }
    assertThat(moved).isTrue();
    assertThat(weights.get(10.0)).usingTolerance(1e-7).containsExactly(weights.get(1.0)).inOrder();
    assertThat(weights.get(1.0)).isNotEqualTo(weights.get(-1.0));
  }

  /** Rprop's steps for the targets start at the initial step times the scale. */
  @Test
  void rpropTargetStepsStartScaled() {
    RelaxationSpec scaled = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.RANDOM, 0, 4.0);
    try (Model model = Model.build(RelaxedMlp.of("ScaledRprop", new OptimizerSpec.Rprop(0.05, 1.2, 0.5, 1e-6, 50), scaled, 4))) {
      model.train(MOONS, config(1, 40));
      // The first step has no previous gradient to compare signs with: every step stays as it started.
      for (float step : model.parameter("optimizer/rprop_row_step")) {
        assertThat(step).isWithin(1e-7f).of(0.2f);
      }
      for (float step : model.parameter("optimizer/rprop_step")) {
        assertThat(step).isWithin(1e-7f).of(0.05f);
      }
    }
  }

  @Test
  void fullBatchRelaxedTrainingLowersTheRelaxedLossAndTheNetworkLearns() {
    try (Model model = Model.build(RelaxedMlp.of("Learns", ADAM, RelaxedMlp.forward(), 16, 16))) {
      model.train(MOONS, config(1, 40));
      double start = model.evaluateRelaxed(MOONS).loss();
      model.train(MOONS, config(300, 40));
      RelaxedEvaluation relaxed = model.evaluateRelaxed(MOONS);
      assertThat(relaxed.loss()).isLessThan(start / 2);
      assertThat(model.evaluate(MOONS).accuracy()).isAtLeast(0.85);
    }
  }

  @Test
  void trainingOnDataOfAnotherSizeIsAnError() {
    try (Model model = Model.build(RelaxedMlp.of("Sized", ADAM, RelaxedMlp.forward(), 4))) {
      model.train(MOONS, config(1, 8));
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> model.train(MOONS.range(0, 30), config(1, 8)));
      assertThat(error).hasMessageThat().contains("training data has 30 examples");
      assertThat(error).hasMessageThat().contains("relaxed network Sized have rows for 40 training examples");
      assertThrows(IllegalArgumentException.class, () -> model.evaluateRelaxed(MOONS.range(0, 30)));
    }
  }

  @Test
  void relaxedEvaluationNeedsARelaxedTrainedNetwork() {
    try (Model model = Model.build(RelaxedMlp.of("Untrained", ADAM, RelaxedMlp.forward(), 4))) {
      assertThat(assertThrows(IllegalStateException.class, () -> model.evaluateRelaxed(MOONS)))
          .hasMessageThat().contains("has not trained yet");
    }
    try (Model plain = Model.build(TestMlp.of("Plain", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4))) {
      assertThat(assertThrows(IllegalStateException.class, () -> plain.evaluateRelaxed(MOONS)))
          .hasMessageThat().contains("network Plain is not relaxed");
    }
  }

  @Test
  void savedTargetsAndOptimizerStateLoadBack() {
    Path saved = logs.resolve("saved");
    try (Model model = Model.build(RelaxedMlp.of("Saved", ADAM, RelaxedMlp.forward(), 6))) {
      model.train(MOONS, config(3, 10));
      model.save(saved);
      try (Model loaded = Model.load(RelaxedMlp.of("Saved", ADAM, RelaxedMlp.forward(), 6), saved)) {
        for (String variable : model.variableNames()) {
          assertThat(loaded.parameter(variable)).isEqualTo(model.parameter(variable));
        }
        assertThat(loaded.predict(MOONS)).isEqualTo(model.predict(MOONS));
        assertThat(loaded.evaluateRelaxed(MOONS)).isEqualTo(model.evaluateRelaxed(MOONS));
        // Training goes on from the saved targets: they keep their rows.
        loaded.train(MOONS, config(1, 10));
        assertThat(loaded.parameter("relaxed/hidden1/targets")).hasLength(40 * 6);
        assertThat(loaded.parameter("relaxed/hidden1/targets")).isNotEqualTo(model.parameter("relaxed/hidden1/targets"));
      }
    }
  }

  @Test
  void targetsAreResetFromAForwardPassEveryGivenEpochs() throws Exception {
    RelaxationSpec resetEveryTwo = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.FORWARD, 2, 1.0);
    try (Model model = Model.build(RelaxedMlp.of("Reset", ADAM, resetEveryTwo, 8))) {
      model.train(MOONS, config(3, 20).withLogEvery(1).withRunName("reset"));
    }
    List<ScalarPoint> hidden = EventFileReader.scalars(logs.resolve("reset")).get("relaxed/hidden_loss");
    // Two steps an epoch; what a step logs is its state before the update.
    assertThat(hidden.stream().map(ScalarPoint::step).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L).inOrder();
    assertThat(hidden.get(0).value()).isWithin(1e-9).of(0);
    assertThat(hidden.get(3).value()).isGreaterThan(0.0);
    assertThat(hidden.get(4).value()).isWithin(1e-9).of(0);
    assertThat(hidden.get(5).value()).isGreaterThan(0.0);
  }

  @Test
  void loggingStepsWriteTheRelaxedLossesAndTheDisagreement() throws Exception {
    try (Model model = Model.build(RelaxedMlp.of("Logged", ADAM, RelaxedMlp.forward(), 4, 4))) {
      model.train(MOONS, config(2, 40).withLogEvery(1).withRunName("logged"));
    }
    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(logs.resolve("logged"));
    assertThat(scalars.keySet()).containsAtLeast(
        "loss", "accuracy", "relaxed/loss", "relaxed/output_loss", "relaxed/hidden_loss", "relaxed/hidden1/hidden_loss",
        "relaxed/hidden2/hidden_loss", "relaxed/output/hidden_loss", "relaxed/disagreement", "epoch/relaxed/train_loss",
        "epoch/relaxed/train_accuracy");
    // The epoch's training figures are through the targets, under their own names.
    assertThat(scalars.keySet()).containsNoneOf("epoch/train_loss", "epoch/train_accuracy");
    ScalarPoint second = scalars.get("relaxed/loss").get(1);
    assertThat(second.value()).isGreaterThan(0.0);
    double sum = Stream.of("hidden1", "hidden2", "output")
        .mapToDouble(layer -> scalars.get("relaxed/" + layer + "/hidden_loss").get(1).value())
        .sum();
    assertThat((double) scalars.get("relaxed/hidden_loss").get(1).value()).isWithin(1e-6).of(sum);
    assertThat((double) second.value()).isWithin(1e-6).of(scalars.get("relaxed/output_loss").get(1).value() + sum);
  }

  /** A network that relaxes a layer but whose spec asks for no relaxation, or the other way round. */
  private record Mismatched(NetworkSpec spec, boolean relaxes) implements NetworkGraph {
    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      Ops ops = graph.tf();
      Operand<TFloat32> logits = ops.math.add(
          ops.linalg.matMul(graph.input("input"), graph.weights("output/weights", Shape.of(2, 1))), graph.bias("output/bias", 1));
      return relaxes ? graph.relax("output", logits) : logits;
    }
  }

  @Test
  void eachLayersLoggedHiddenLossIsItsOwn() throws Exception {
    // Random targets and frozen weights: every layer's hidden loss differs, and stays as it was.
    RelaxationSpec random = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.RANDOM, 0, 1.0);
    try (Model model = Model.build(RelaxedMlp.of("Layers", FROZEN, random, 6, 3))) {
      model.train(MOONS, config(1, 40).withLogEvery(1).withRunName("layers"));
      Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(logs.resolve("layers"));
      Map<String, Double> expected = model.evaluateRelaxed(MOONS).hiddenLosses();
      assertThat(expected.values().stream().distinct().count()).isEqualTo(3);
      for (Map.Entry<String, Double> layer : expected.entrySet()) {
        assertThat((double) scalars.get("relaxed/" + layer.getKey() + "/hidden_loss").get(0).value()).isWithin(1e-5).of(layer.getValue());
      }
    }
  }

  @Test
  void theEpochsTrainingLossIsTheRelaxedLossItsStepsMinimised() throws Exception {
    // Targets from zeros: the relaxed loss is far from the ordinary pass's from the start.
    RelaxationSpec zeros = new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.ZEROS, 0, 1.0);
    try (Model model = Model.build(RelaxedMlp.of("Epochs", ADAM, zeros, 4, 4))) {
      // Full batch: each epoch is one step, whose relaxed loss the step before its update logs.
      List<EpochStats> history = model.train(MOONS, config(3, 40).withLogEvery(1).withRunName("epochs")).history();
      Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(logs.resolve("epochs"));
      List<ScalarPoint> relaxedLoss = scalars.get("relaxed/loss");
      List<ScalarPoint> epochLoss = scalars.get("epoch/relaxed/train_loss");
      for (int epoch = 0; epoch < 3; epoch++) {
        assertThat(epochLoss.get(epoch).step()).isEqualTo(epoch + 1);
        assertThat((double) epochLoss.get(epoch).value()).isWithin(1e-6).of(relaxedLoss.get(epoch).value());
        assertThat(history.get(epoch).trainLoss()).isWithin(1e-6).of(relaxedLoss.get(epoch).value());
      }
      assertThat((double) scalars.get("loss").get(2).value()).isNotWithin(0.1).of(relaxedLoss.get(2).value());
    }
  }

  @Test
  void aTrainingStepDoesNotComputeTheOrdinaryForwardPass() {
    try (ModelGraph graph = ModelGraph.build(RelaxedMlp.of("Step", ADAM, RelaxedMlp.forward(), 4, 4), Device.cpu().spec())) {
      // What a step runs: the training op and the guard's check, which the trainer fetches.
      Set<GraphOperation> step = reachable(graph.train, graph.guard.finite);
      assertThat(step).contains((GraphOperation) graph.relaxation.logits.op());
      assertThat(step).doesNotContain((GraphOperation) graph.logits.op());
      assertThat(step).doesNotContain((GraphOperation) graph.loss.op());
      // Nor does an epoch's last step, which also reads the epoch's sums.
      Set<GraphOperation> last = reachable(graph.trainClosingEpoch, graph.guard.finite, graph.epochSums.totals());
      assertThat(last).contains((GraphOperation) graph.relaxation.logits.op());
      assertThat(last).doesNotContain((GraphOperation) graph.logits.op());
      // A logging step fetches the ordinary loss, and so computes it then.
      assertThat(reachable(graph.loss)).contains((GraphOperation) graph.logits.op());
    }
  }

  /** Every op {@code fetched} depends on, through inputs and control inputs. */
  private static Set<GraphOperation> reachable(Op... fetched) {
    Set<GraphOperation> reached = new HashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    Stream.of(fetched).forEach(op -> pending.add((GraphOperation) op.op()));
    while (!pending.isEmpty()) {
      GraphOperation op = pending.pop();
      if (reached.add(op)) {
        op.inputs().forEach(input -> pending.add((GraphOperation) input.op()));
        pending.addAll(op.controlInputs());
      }
    }
    return reached;
  }

  @Test
  void relaxingNeedsARelaxedSpecAndARelaxedSpecNeedsARelaxedLayer() {
    NetworkSpec plain = new NetworkSpec("Plain", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 1);
    assertThat(assertThrows(IllegalStateException.class, () -> Model.build(new Mismatched(plain, true))))
        .hasMessageThat().contains("Plain: the forward pass calls relax(\"output\", ...), but its spec has no relaxation");
    NetworkSpec relaxed = new NetworkSpec("Relaxed", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 1, Optional.of(RelaxedMlp.forward()));
    assertThat(assertThrows(IllegalStateException.class, () -> Model.build(new Mismatched(relaxed, false))))
        .hasMessageThat().contains("Relaxed: its spec asks for relaxed training, but buildForward relaxes no layer");
  }
}
