package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
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
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Runs generated forward passes on TensorFlow with known weights and checks them against the
 * network's function computed in Java: the generated code does what the declaration says.
 */
class GeneratedGraphTest {
  /** Points on both sides of zero in both coordinates. */
  private static final double[][] POINTS = {{-1.5, 0.5}, {0.2, -0.7}, {2.0, 1.0}, {-0.3, -2.2}};
  private static final double P = 0.3;

  /** Each activation's definition, of the pre-activation x and the parameter p (θ or β). */
  private static final Map<String, DoubleBinaryOperator> ACTIVATIONS = Map.ofEntries(
      Map.entry("identity", (x, p) -> x),
      Map.entry("relu", (x, p) -> Math.max(x, 0)),
      Map.entry("sigmoid", (x, p) -> sigmoid(x)),
      Map.entry("tanh", (x, p) -> Math.tanh(x)),
      Map.entry("softplus", (x, p) -> Math.log1p(Math.exp(x))),
      Map.entry("elu", (x, p) -> x > 0 ? x : Math.expm1(x)),
      Map.entry("selu", (x, p) -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x))),
      Map.entry("gelu", (x, p) -> 0.5 * x * (1 + erf(x / Math.sqrt(2)))),
      Map.entry("swish", (x, p) -> x * sigmoid(p * x)),
      Map.entry("theta_leaky", (x, p) -> Math.max(x * Math.tan(p), x)));

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

  private static double[][] run(Graph graph, RecordingGraphBuilder builder, Operand<TFloat32> output, double[][] examples) {
    int exampleSize = examples[0].length;
    float[] flat = new float[examples.length * exampleSize];
    for (int example = 0; example < examples.length; example++) {
      for (int value = 0; value < exampleSize; value++) {
        flat[example * exampleSize + value] = (float) examples[example][value];
      }
    }
    long[] inputShape = builder.input.shape().asArray();
    inputShape[0] = examples.length;
    try (Session session = new Session(graph);
        TFloat32 input = TFloat32.tensorOf(Shape.of(inputShape), DataBuffers.of(flat));
        Result result = session.runner().feed(builder.input, input).fetch(output).run()) {
      TFloat32 values = (TFloat32) result.get(0);
      double[][] rows = new double[(int) values.shape().get(0)][(int) values.shape().get(1)];
      for (int row = 0; row < rows.length; row++) {
        for (int column = 0; column < rows[row].length; column++) {
          rows[row][column] = values.getFloat(row, column);
        }
      }
      return rows;
    }
  }

  /** {@code x·W + b} with the builder's recorded values of layer {@code name}. */
  private static double[][] dense(double[][] x, RecordingGraphBuilder builder, String name, int units) {
    float[] weights = builder.values.get(name + "/weights");
    float[] bias = builder.values.get(name + "/bias");
    double[][] y = new double[x.length][units];
    for (int row = 0; row < x.length; row++) {
      for (int unit = 0; unit < units; unit++) {
        double sum = bias[unit];
        for (int in = 0; in < x[row].length; in++) {
          sum += x[row][in] * weights[in * units + unit];
        }
        y[row][unit] = sum;
      }
    }
    return y;
  }

  private interface NeuronFunction {
    double apply(double x, int neuron);
  }

  private static double[][] activate(double[][] x, NeuronFunction function) {
    double[][] y = new double[x.length][];
    for (int row = 0; row < x.length; row++) {
      y[row] = new double[x[row].length];
      for (int neuron = 0; neuron < x[row].length; neuron++) {
        y[row][neuron] = function.apply(x[row][neuron], neuron);
      }
    }
    return y;
  }

  private static void assertClose(double[][] actual, double[][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int row = 0; row < expected.length; row++) {
      assertThat(actual[row]).usingTolerance(1e-5).containsExactly(expected[row]).inOrder();
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Abramowitz and Stegun 7.1.26: |error| < 1.5e-7, well inside float precision. */
  private static double erf(double x) {
    double t = 1 / (1 + 0.3275911 * Math.abs(x));
    double polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return Math.signum(x) * (1 - polynomial * Math.exp(-x * x));
  }
}
