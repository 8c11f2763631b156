package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.training.ModelRunner;
import dev.kiln.runtime.training.ModelSession;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;


/** Weights and the four kinds of parameter: fixed, annealed, host-scheduled, trainable (shared and per neuron). */
class ParametersTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);
  private static final Dataset MOONS = TwoMoons.generate(200, 0.1, 1);
  private static final float QUARTER_PI = (float) (Math.PI / 4);

  @TempDir Path logs;

  private TrainingConfig config(int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(20).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  private static TestMlp mlp(String name) {
    return TestMlp.of(name, 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16, 8);
  }

  @Test
  void twoBuildsStartFromTheSameGlorotWeightsAndZeroBiases() {
    try (Model first = Model.build(mlp("Net")); Model second = Model.build(mlp("Net"))) {
      float[] weights = first.parameter("hidden1/weights");
      assertThat(weights).hasLength(2 * 16);
      assertThat(second.parameter("hidden1/weights")).isEqualTo(weights);
      assertThat(second.parameter("hidden2/weights")).isEqualTo(first.parameter("hidden2/weights"));
      float limit = (float) Math.sqrt(6.0 / (2 + 16));
      for (float w : weights) {
        assertThat(Math.abs(w)).isAtMost(limit);
      }
      assertThat(weights[0]).isNotEqualTo(weights[1]);
      // Seeded by name: layers of one shape still differ.
      assertThat(first.parameter("output/weights")).isNotEqualTo(first.parameter("hidden2/weights"));
      assertThat(first.parameter("hidden1/bias")).isEqualTo(new float[16]);
    }
  }

  @Test
  void twoModelsInOneProcessKeepTheirOwnVariables() {
    try (Model trained = Model.build(mlp("Net")); Model untouched = Model.build(mlp("Net"))) {
      float[] initial = untouched.parameter("hidden1/weights");
      trained.train(MOONS, config(1));
      assertThat(trained.parameter("hidden1/weights")).isNotEqualTo(initial);
      assertThat(untouched.parameter("hidden1/weights")).isEqualTo(initial);
    }
  }

  @Test
  void lossHasANonZeroGradientWithRespectToTheta() {
    TestMlp network = mlp("Theta").withTheta(TestMlp.shared(g -> g.trainable("theta", Shape.scalar(), 0.5, 0, Math.PI / 4, 1)));
    try (ModelGraph graph = ModelGraph.build(network, Device.cpu().spec())) {
      Gradients gradient = graph.state.scope("test").gradients(graph.head.loss(), List.of(graph.state.parameter("theta").orElseThrow().value()));
      try (Session session = new Session(graph.graph); ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelSession model = new ModelSession(graph, graph.graph, session);
        ModelRunner runner =
            model.feedBatch(model.runner(), feeds, MOONS, ModelSession.identity(50), 0, 50, new ModelSession.BatchBuffers(MOONS, 50));
        try (Result result = runner.fetch(gradient.dy(0)).run()) {
          float dLossDTheta = ((TFloat32) result.get(0)).getFloat();
          assertThat(Float.isFinite(dLossDTheta)).isTrue();
          assertThat(Math.abs(dLossDTheta)).isGreaterThan(1e-6f);
        }
      }
    }
  }

  @Test
  void trainableSharedThetaMovesAndStaysWithinItsBounds() {
    TestMlp network =
        mlp("Trainable").withTheta(TestMlp.shared(g -> g.trainable("theta", Shape.scalar(), Math.PI / 8, 0, Math.PI / 4, 5)));
    try (Model model = Model.build(network)) {
      assertThat(model.parameter("theta")).isEqualTo(new float[] {(float) (Math.PI / 8)});
      TrainingResult result = model.train(MOONS, config(8));
      float theta = model.parameter("theta")[0];
      assertThat(theta).isNotWithin(1e-4f).of((float) (Math.PI / 8));
      assertThat(theta).isAtLeast(0f);
      assertThat(theta).isAtMost(QUARTER_PI);
      for (EpochStats epoch : result.history()) {
        assertThat(epoch.parameters().get("theta")).isAtLeast(0.0);
        assertThat(epoch.parameters().get("theta")).isAtMost((double) QUARTER_PI);
      }
      assertThat(result.last().parameters().get("theta")).isEqualTo((double) theta);
    }
  }

  @Test
  void aParameterPushedPastItsBoundIsClippedToIt() {
    // Plain SGD with a huge rate: the first step overshoots the narrow range whichever way it goes.
    TestMlp network =
        TestMlp.of("Clipped", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(1.0), 8)
            .withTheta(TestMlp.shared(g -> g.trainable("theta", Shape.scalar(), 0.305, 0.3, 0.31, 1e5)));
    try (Model model = Model.build(network)) {
      model.train(MOONS, config(1));
      assertThat(model.parameter("theta")[0]).isAnyOf(0.3f, 0.31f);
    }
  }

  @Test
  void perNeuronThetaHasOneValuePerNeuronAndEachLearnsItsOwn() {
    try (Model model = Model.build(mlp("PerNeuron").withTheta(TestMlp.perNeuron(0.5, 20)))) {
      assertThat(model.parameterNames()).containsExactly("hidden1/theta", "hidden2/theta").inOrder();
      float[] initial = model.parameter("hidden1/theta");
      assertThat(initial).hasLength(16);
      assertThat(model.parameter("hidden2/theta")).hasLength(8);
      TrainingResult result = model.train(MOONS, config(5));
      float[] trained = model.parameter("hidden1/theta");
      assertThat(trained).hasLength(16);
      long distinct = distinctValues(trained);
      assertThat(distinct).isGreaterThan(1L);
      for (float theta : trained) {
        assertThat(theta).isAtLeast(0f);
        assertThat(theta).isAtMost(QUARTER_PI);
      }
      // Epoch lines and history carry scalars only.
      assertThat(result.last().parameters()).isEmpty();
    }
  }

  @Test
  void aLearningRateScaleOfZeroFreezesAParameter() {
    try (Model model = Model.build(mlp("Frozen").withTheta(TestMlp.perNeuron(0.5, 0)))) {
      float[] weights = model.parameter("hidden1/weights");
      model.train(MOONS, config(2));
      float[] expected = new float[16];
      java.util.Arrays.fill(expected, 0.5f);
      assertThat(model.parameter("hidden1/theta")).isEqualTo(expected);
      assertThat(model.parameter("hidden1/weights")).isNotEqualTo(weights);
    }
  }

  @Test
  void fixedParameterHoldsItsValue() {
    try (Model model = Model.build(mlp("Fixed").withTheta(TestMlp.shared(g -> g.fixed("theta", 0.25))))) {
      TrainingResult result = model.train(MOONS, config(2));
      assertThat(model.parameter("theta")).isEqualTo(new float[] {0.25f});
      assertThat(result.last().parameters()).containsExactly("theta", (double) 0.25f);
    }
  }

  @Test
  void annealedParameterFollowsItsScheduleFromTheStepCounter() {
    PhasedSchedule schedule =
        PhasedSchedule.of(Granularity.STEP, Phase.hold(Math.PI / 4, Length.epochs(1)), Phase.linear(Math.PI / 4, 0, Length.epochs(2)));
    try (Model model = Model.build(mlp("Annealed").withTheta(TestMlp.shared(g -> g.annealed("theta", schedule))))) {
      assertThat(model.parameter("theta")[0]).isEqualTo(QUARTER_PI);
      TrainingResult result = model.train(MOONS, config(4));
      long stepsPerEpoch = 200 / 20;
      for (EpochStats epoch : result.history()) {
        assertThat(epoch.parameters().get("theta")).isWithin(1e-6).of(schedule.valueAt(epoch.step(), stepsPerEpoch));
      }
      assertThat(result.history().get(1).parameters().get("theta")).isWithin(1e-6).of(Math.PI / 8);
      assertThat(model.step()).isEqualTo(4 * stepsPerEpoch);
      assertThat(model.parameter("theta")[0]).isEqualTo(0f);
    }
  }

  @Test
  void hostScheduledParameterIsEvaluatedAtTheCurrentStep() {
    try (Model model = Model.build(mlp("Host").withTheta(TestMlp.shared(g -> g.hostScheduled("theta", (step, perEpoch) -> 0.5 / (1 + step)))))) {
      assertThat(model.parameter("theta")).isEqualTo(new float[] {0.5f});
      TrainingResult result = model.train(MOONS, config(2));
      assertThat(result.last().parameters().get("theta")).isWithin(1e-7).of(0.5 / (1 + 20));
      assertThat(model.parameter("theta")[0]).isWithin(1e-7f).of((float) (0.5 / 21));
    }
  }

  @Test
  void aTrainableParameterTheLossDoesNotUseIsRejectedByName() {
    TestMlp network =
        TestMlp.of("Unused", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4)
            .withTheta((g, layer, units) -> {
              g.trainable("forgotten", Shape.scalar(), 0.1, 0, 1, 1);
              return null;
            });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Model.build(network));
    assertThat(e).hasMessageThat().contains("Unused");
    assertThat(e).hasMessageThat().contains("[forgotten]");
  }

  @Test
  void aNameUsedTwiceIsRejected() {
    TestMlp network = mlp("Twice").withTheta((g, layer, units) -> g.fixed("theta", 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.build(network));
    assertThat(e).hasMessageThat().contains("'theta' is used twice");
  }

  @Test
  void badBoundsAndInitialValuesAreRejected() {
    IllegalArgumentException outside =
        assertThrows(IllegalArgumentException.class,
            () -> Model.build(mlp("Outside").withTheta(TestMlp.shared(g -> g.trainable("theta", Shape.scalar(), 1.0, 0, Math.PI / 4, 1)))));
    assertThat(outside).hasMessageThat().contains("'theta' starts at 1.0, outside its bounds");
    IllegalArgumentException reversed =
        assertThrows(IllegalArgumentException.class,
            () -> Model.build(mlp("Reversed").withTheta(TestMlp.shared(g -> g.trainable("theta", Shape.scalar(), 0.5, 1, 0, 1)))));
    assertThat(reversed).hasMessageThat().contains("min <= max");
  }

  @Test
  void unknownParameterNamesListTheKnownOnes() {
    try (Model model = Model.build(mlp("Names").withTheta(TestMlp.shared(g -> g.fixed("theta", 0))))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.parameter("beta"));
      assertThat(e).hasMessageThat().contains("no parameter or variable 'beta'");
      assertThat(e).hasMessageThat().contains("parameters: [theta]");
      assertThat(e).hasMessageThat().contains("hidden1/weights");
    }
  }

  private static long distinctValues(float[] values) {
    return java.util.stream.IntStream.range(0, values.length).mapToObj(i -> values[i]).distinct().count();
  }
}
