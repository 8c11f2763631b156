package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.processor.ForwardPasses.ACTIVATIONS;
import static dev.kiln.processor.ForwardPasses.activate;
import static dev.kiln.processor.ForwardPasses.assertClose;
import static dev.kiln.processor.ForwardPasses.dense;
import static dev.kiln.processor.ForwardPasses.run;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.moons;
import static dev.kiln.processor.Sources.source;
import static dev.kiln.processor.Sources.thetaSchedule;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.function.DoubleBinaryOperator;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Runs generated forward passes on TensorFlow with known weights and checks them against the
 * network's function computed in Java: the generated code does what the declaration says.
 */
class GeneratedGraphTest {
  /** Points on both sides of zero in both coordinates. */
  private static final double[][] POINTS = {{-1.5, 0.5}, {0.2, -0.7}, {2.0, 1.0}, {-0.3, -2.2}};
  private static final double P = 0.3;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "@Identity, identity", "@Relu, relu", "@Sigmoid, sigmoid", "@Tanh, tanh", "@Softplus, softplus", "@Elu, elu",
      "@Selu, selu", "@Gelu, gelu", "@Swish(\"p\"), swish", "@ThetaLeaky(\"p\"), theta_leaky",
  })
  void eachActivationComputesItsFunction(String annotation, String activation) {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 3) " + annotation + " Layer hidden();",
        "  @Output(units = 2) Layer out();",
        annotation.contains("\"p\"") ? "  @Fixed(" + P + ") double p();" : "",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      Operand<TFloat32> logits = network.buildForward(builder);

      DoubleBinaryOperator function = ACTIVATIONS.get(activation);
      double[][] hidden = activate(dense(POINTS, builder, "hidden", 3), (x, neuron) -> function.applyAsDouble(x, P));
      assertClose(run(graph, builder, logits, POINTS), dense(hidden, builder, "out", 2));
      assertThat(graph.operation("hidden/linear")).isNotNull();
      assertThat(graph.operation("out/linear")).isNotNull();
      if (!activation.equals("identity")) {
        assertThat(graph.operation("hidden/" + activation)).isNotNull();
      }
    }
  }

  @Test
  void perNeuronThetaHasOneValuePerNeuronOfEachLayer() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 3) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 1) Layer out();",
        "  @Trainable(perNeuron = true, min = -1, max = 1) double theta();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      Operand<TFloat32> logits = network.buildForward(builder);

      float[] theta = builder.values.get("hidden/theta");
      assertThat(theta).hasLength(3);
      assertThat(builder.calls.toString()).contains("bounds hidden/theta [-1.0, 1.0] x1.0");
      double[][] hidden = activate(dense(POINTS, builder, "hidden", 3),
          (x, neuron) -> Math.max(x * Math.tan(theta[neuron]), x));
      assertClose(run(graph, builder, logits, POINTS), dense(hidden, builder, "out", 1));
    }
  }

  @Test
  void repeatedLayersAreChainedWithTheirOwnWeights() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Deep",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Deep {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 4, repeat = 3) @Tanh Layer hidden();",
        "  @Output(units = 2) Layer out();",
        "}")), "test.DeepGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      Operand<TFloat32> logits = network.buildForward(builder);

      assertThat(builder.calls.toString()).isEqualTo(""
          + "input point\n"
          + "weights hidden1/weights [2, 4]\nbias hidden1/bias [4]\n"
          + "weights hidden2/weights [4, 4]\nbias hidden2/bias [4]\n"
          + "weights hidden3/weights [4, 4]\nbias hidden3/bias [4]\n"
          + "weights out/weights [4, 2]\nbias out/bias [2]\n");
      double[][] values = POINTS;
      for (int layer = 1; layer <= 3; layer++) {
        values = activate(dense(values, builder, "hidden" + layer, 4), (x, neuron) -> Math.tanh(x));
      }
      assertClose(run(graph, builder, logits, POINTS), dense(values, builder, "out", 2));
      assertThat(graph.operation("hidden3/tanh")).isNotNull();
    }
  }

  @Test
  void flattenLayerReshapesRowMajor() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Grid",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Grid {",
        "  @Input(shape = {2, 1}) @Softplus Layer cells();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 3) @Relu Layer hidden();",
        "  @Output(units = 1) Layer out();",
        "}")), "test.GridGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2, 1));
      Operand<TFloat32> logits = network.buildForward(builder);

      double[][] input = activate(POINTS, (x, neuron) -> Math.log1p(Math.exp(x)));
      double[][] hidden = activate(dense(input, builder, "hidden", 3), (x, neuron) -> Math.max(x, 0));
      assertClose(run(graph, builder, logits, POINTS), dense(hidden, builder, "out", 1));
    }
  }

  @Test
  void specAndScheduleAreTheDeclarations() {
    NetworkGraph network = GeneratedClasses.instantiate(
        compile(moons("@Annealed(ThetaSchedule.class) double theta();"), thetaSchedule()), "test.MoonsGraph");

    assertThat(network.spec()).isEqualTo(new NetworkSpec(
        "Moons", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(1e-3, 0.9, 0.999, 1e-7), 42));
    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      network.buildForward(builder);

      assertThat(builder.annealed).containsExactly("theta", PhasedSchedule.of(Granularity.STEP,
          Phase.hold(Math.PI / 4, Length.epochs(1)), Phase.linear(Math.PI / 4, 0, Length.epochs(9))));
      assertThat(builder.learningRate).isNull();
    }
  }

  @Test
  void hostScheduleAndLearningRateParameterAreHandedToTheBuilder() {
    JavaFileObject network = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Sgd(learningRateParameter = \"lr\")",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 4) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Annealed(HalfPerEpoch.class) double lr();",
        "  @Fixed(0) double theta();",
        "}");
    JavaFileObject schedule = source("HalfPerEpoch",
        "public final class HalfPerEpoch implements Schedule {",
        "  @Override public double valueAt(long step, long stepsPerEpoch) {",
        "    return 0.1 * Math.pow(0.5, step / stepsPerEpoch);",
        "  }",
        "}");
    NetworkGraph graphClass = GeneratedClasses.instantiate(compile(network, schedule), "test.MoonsGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      graphClass.buildForward(builder);

      assertThat(builder.hostScheduled.get("lr").valueAt(20, 10)).isWithin(1e-12).of(0.025);
      assertThat(builder.learningRate).isNotNull();
      assertThat(builder.calls.toString()).startsWith("hostScheduled lr []\nlearningRate\nfixed theta []\n");
    }
  }
}
