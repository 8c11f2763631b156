package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.moons;
import static dev.kiln.processor.Sources.source;
import static dev.kiln.processor.Sources.thetaSchedule;

import com.google.testing.compile.Compilation;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Good declarations compile without warnings, and the generated {@code <Name>Graph} (compiled in
 * the same compilation against the runtime) contains the ops and calls the declaration asks for.
 */
class GeneratedSourceTest {

  private static String moonsGraph(JavaFileObject... files) {
    Compilation compilation = compile(files);
    assertThat(compilation).succeededWithoutWarnings();
    return generated(compilation, "test.MoonsGraph");
  }

  @Test
  void generatedClassIsAPublicFinalNetworkGraphMarkedGenerated() {
    String source = moonsGraph(moons("@Fixed(0) double theta();"));

    assertThat(source).contains("@Generated(\"dev.kiln.processor.KilnProcessor\")");
    assertThat(source).contains("public final class MoonsGraph implements NetworkGraph {");
    assertThat(source).contains("public MoonsGraph() {");
    assertThat(source).contains("public NetworkSpec spec() {\n    return SPEC;");
    assertThat(source).contains("public Operand<TFloat32> buildForward(GraphBuilder graph) {");
    assertThat(source).doesNotContain("import java.lang.");
  }

  @Test
  void fixedTheta() {
    String source = moonsGraph(moons("@Fixed(0) double theta();"));

    assertThat(source).contains("Operand<TFloat32> theta = graph.fixed(\"theta\", 0.0);");
    assertThat(source).contains("hidden = graph.thetaLeaky(hiddenOps, hiddenLinear, theta);");
    assertThat(source).doesNotContain("PhasedSchedule");
  }

  @Test
  void thetaAnnealedByAPhasedScheduleEveryStep() {
    String source = moonsGraph(moons("@Annealed(ThetaSchedule.class) double theta();"), thetaSchedule());

    assertThat(source).contains("private static final PhasedSchedule THETA_SCHEDULE = PhasedSchedule.of(\n"
        + "      Granularity.STEP,\n"
        + "      Phase.hold(0.7853981633974483, Length.epochs(1)),\n"
        + "      Phase.linear(0.7853981633974483, 0.0, Length.epochs(9)));");
    assertThat(source).contains("Operand<TFloat32> theta = graph.annealed(\"theta\", THETA_SCHEDULE);");
    assertThat(source).contains("graph.thetaLeaky(hiddenOps, hiddenLinear, theta)");
  }

  @Test
  void thetaAnnealedByAPhasedScheduleEveryEpoch() {
    String source = moonsGraph(moons("@Annealed(ThetaSchedule.class) double theta();"),
        source("ThetaSchedule",
            "@AnnealingSchedule(per = Granularity.EPOCH)",
            "@Cosine(from = 0.7, to = 0, steps = 500)",
            "final class ThetaSchedule {}"));

    assertThat(source).contains("PhasedSchedule.of(\n      Granularity.EPOCH,\n"
        + "      Phase.cosine(0.7, 0.0, Length.steps(500)));");
  }

  @Test
  void thetaAnnealedByAHostSchedule() {
    String source = moonsGraph(moons("@Annealed(ThetaByStep.class) double theta();"),
        source("ThetaByStep",
            "public final class ThetaByStep implements Schedule {",
            "  @Override public double valueAt(long step, long stepsPerEpoch) {",
            "    return Math.max(0, Math.PI / 4 - step * 1e-3);",
            "  }",
            "}"));

    assertThat(source).contains("Operand<TFloat32> theta = graph.hostScheduled(\"theta\", new ThetaByStep());");
    assertThat(source).contains("graph.thetaLeaky(hiddenOps, hiddenLinear, theta)");
  }

  @Test
  void trainableSharedThetaTakesThetaDefaults() {
    String source = moonsGraph(moons("@Trainable double theta();"));

    assertThat(source).contains("Operand<TFloat32> theta = "
        + "graph.trainable(\"theta\", Shape.scalar(), 0.7853981633974483, 0.0, 0.7853981633974483, 1.0);");
    assertThat(source).contains("graph.thetaLeaky(hiddenOps, hiddenLinear, theta)");
  }

  @Test
  void trainableWithWrittenValues() {
    String source = moonsGraph(
        moons("@Trainable(initial = 0.5, min = 0.1, max = 0.7, learningRateScale = 0.25) double theta();"));

    assertThat(source).contains("graph.trainable(\"theta\", Shape.scalar(), 0.5, 0.1, 0.7, 0.25);");
  }

  @Test
  void trainablePerNeuronThetaIsOneVariablePerLayer() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Dense(units = 100) @ThetaLeaky(\"theta\") Layer wide();",
        "  @Output(units = 1) Layer logit();",
        "  @Trainable(perNeuron = true) double theta();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> hiddenTheta = graph.trainable(\"hidden/theta\", Shape.of(42), "
        + "0.7853981633974483, 0.0, 0.7853981633974483, 1.0);");
    assertThat(source).contains("graph.thetaLeaky(hiddenOps, hiddenLinear, hiddenTheta)");
    assertThat(source).contains("Operand<TFloat32> wideTheta = graph.trainable(\"wide/theta\", Shape.of(100), ");
    assertThat(source).contains("graph.thetaLeaky(wideOps, wideLinear, wideTheta)");
    assertThat(source).doesNotContain("graph.trainable(\"theta\"");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "@Relu        | hidden = hiddenOps.withName(\"relu\").nn.relu(hiddenLinear);",
      "@Sigmoid     | hidden = hiddenOps.withName(\"sigmoid\").math.sigmoid(hiddenLinear);",
      "@Tanh        | hidden = hiddenOps.withName(\"tanh\").math.tanh(hiddenLinear);",
      "@Softplus    | hidden = hiddenOps.withName(\"softplus\").math.softplus(hiddenLinear);",
      "@Elu         | hidden = hiddenOps.withName(\"elu\").nn.elu(hiddenLinear);",
      "@Selu        | hidden = hiddenOps.withName(\"selu\").nn.selu(hiddenLinear);",
      "@Gelu        | hidden = hiddenOps.withName(\"gelu\").math.mul(hiddenLinear, hiddenCdf);",
      "@Swish(\"p\")  | hidden = hiddenOps.withName(\"swish\").math.mul(hiddenLinear, "
          + "hiddenOps.math.sigmoid(hiddenOps.math.mul(p, hiddenLinear)));",
      "@ThetaLeaky(\"p\") | hidden = graph.thetaLeaky(hiddenOps, hiddenLinear, p);",
      "@Identity    | hidden = hiddenOps.withName(\"linear\").nn.biasAdd("
          + "hiddenOps.linalg.matMul(point, hiddenWeights), hiddenBias);",
      "''           | hidden = hiddenOps.withName(\"linear\").nn.biasAdd("
          + "hiddenOps.linalg.matMul(point, hiddenWeights), hiddenBias);",
  })
  void eachActivation(String activation, String expectedLine) {
    boolean parametrised = activation.contains("(\"p\")");
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) " + activation + " Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        parametrised ? "  @Fixed(1) double p();" : "",
        "}"));

    assertThat(source).contains("Operand<TFloat32> " + expectedLine);
    assertThat(source).contains("Operand<TFloat32> hiddenWeights = graph.weights(\"hidden/weights\", Shape.of(2, 42));");
    assertThat(source).contains("Operand<TFloat32> hiddenBias = graph.bias(\"hidden/bias\", 42);");
    assertThat(source).contains("Ops hiddenOps = graph.scope(\"hidden\");");
    assertThat(source).contains("logitOps.linalg.matMul(hidden, logitWeights)");
  }

  @Test
  void geluIsExactWithErf() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @Gelu Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> hiddenCdf = hiddenOps.withName(\"normal_cdf\").math.mul("
        + "hiddenOps.constant(0.5f), hiddenOps.math.add(hiddenOps.constant(1.0f), "
        + "hiddenOps.math.erf(hiddenOps.math.mul(hiddenLinear, hiddenOps.constant(0.70710677f)))));");
  }

  @Test
  void trainableBetaOfSwishTakesBetaDefaults() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @Swish(\"beta\") Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Trainable double beta();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> beta = graph.trainable(\"beta\", Shape.scalar(), 1.0, "
        + "Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0);");
  }

  @Test
  void repeatedLayerIsALoopNotCopies() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 100, repeat = 100) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Trainable(perNeuron = true) double theta();",
        "}"));

    assertThat(source).contains("// hidden1 .. hidden100: 100 dense layers of 100 units (the first reads 2), "
        + "theta_leaky(theta)\n"
        + "    Operand<TFloat32> hidden = point;\n"
        + "    for (int hiddenIndex = 1; hiddenIndex <= 100; hiddenIndex++) {\n"
        + "      String hiddenName = \"hidden\" + hiddenIndex;\n"
        + "      Operand<TFloat32> hiddenWeights = graph.weights(hiddenName + \"/weights\", "
        + "Shape.of(hiddenIndex == 1 ? 2 : 100, 100));\n"
        + "      Operand<TFloat32> hiddenBias = graph.bias(hiddenName + \"/bias\", 100);\n"
        + "      Operand<TFloat32> hiddenTheta = graph.trainable(hiddenName + \"/theta\", Shape.of(100), ");
    assertThat(source).contains("      hidden = graph.thetaLeaky(hiddenOps, hiddenLinear, hiddenTheta);");
    assertThat(occurrences(source, "graph.weights(")).isEqualTo(2);
    assertThat(source).contains("graph.weights(\"logit/weights\", Shape.of(100, 1));");
    assertThat(source).contains("logitOps.linalg.matMul(hidden, logitWeights)");
  }

  @Test
  void repeatedLayerOfTheInputWidthHasOneWeightShape() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 8) Layer point();",
        "  @Dense(units = 8, repeat = 3) @Relu Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "}"));

    assertThat(source).contains("graph.weights(hiddenName + \"/weights\", Shape.of(8, 8));");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "''                                                            | new OptimizerSpec.Adam(0.001, 0.9, 0.999, 1.0E-7)",
      "@Sgd(learningRate = 0.1)                                      | new OptimizerSpec.Sgd(0.1)",
      "@Momentum(learningRate = 0.05, momentum = 0.8, nesterov = true) | new OptimizerSpec.Momentum(0.05, 0.8, true)",
      "@Adam(beta1 = 0.8)                                            | new OptimizerSpec.Adam(0.001, 0.8, 0.999, 1.0E-7)",
      "@RmsProp(decay = 0.95, momentum = 0.5)                        | new OptimizerSpec.RmsProp(0.001, 0.95, 0.5, 1.0E-7)",
  })
  void eachOptimiser(String optimiser, String expectedSpec) {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        optimiser,
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @Relu Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "}"));

    assertThat(source).contains("      " + expectedSpec + ",\n");
    assertThat(source).doesNotContain("graph.learningRate(");
  }

  @Test
  void annealedLearningRateParameter() {
    String source = moonsGraph(
        source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "@Sgd(learningRateParameter = \"learningRate\")",
            "interface Moons {",
            "  @Input(shape = 2) Layer point();",
            "  @Dense(units = 42) @Relu Layer hidden();",
            "  @Output(units = 1) Layer logit();",
            "  @Annealed(Decay.class) double learningRate();",
            "}"),
        source("Decay",
            "@AnnealingSchedule",
            "@Exponential(from = 0.1, to = 0.001, epochs = 20)",
            "final class Decay {}"));

    assertThat(source).contains("private static final PhasedSchedule LEARNING_RATE_SCHEDULE = PhasedSchedule.of(\n"
        + "      Granularity.STEP,\n"
        + "      Phase.exponential(0.1, 0.001, Length.epochs(20)));");
    assertThat(source).contains("    Operand<TFloat32> learningRate = graph.annealed(\"learningRate\", LEARNING_RATE_SCHEDULE);\n"
        + "    graph.learningRate(learningRate);\n");
  }

  @Test
  void fixedLearningRateParameter() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Momentum(learningRateParameter = \"lr\")",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @Relu Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Fixed(0.05) double lr();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> lr = graph.fixed(\"lr\", 0.05);\n    graph.learningRate(lr);");
  }

  @Test
  void specHoldsNameShapeUnitsLossAndSeed() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY, seed = 7)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @Relu Layer hidden();",
        "  @Output(units = 10) Layer classes();",
        "}"));

    assertThat(source).contains("public static final NetworkSpec SPEC = new NetworkSpec(\n"
        + "      \"Moons\",\n"
        + "      Shape.of(2),\n"
        + "      10,\n"
        + "      Loss.SOFTMAX_CROSS_ENTROPY,\n"
        + "      new OptimizerSpec.Adam(0.001, 0.9, 0.999, 1.0E-7),\n"
        + "      7L);");
    assertThat(source).contains("return classes;");
  }

  @Test
  void flattenLayerMakesAVectorOfAnInputOfSeveralDimensions() {
    Compilation compilation = compile(source("Digits",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Digits {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Flatten Layer pixels();",
        "  @Dense(units = 128) @Relu Layer hidden();",
        "  @Output(units = 10) Layer digit();",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.DigitsGraph");

    assertThat(source).contains("Shape.of(28, 28, 1),");
    assertThat(source).contains("    // pixels: flatten [28, 28, 1] -> [784]\n"
        + "    Ops pixelsOps = graph.scope(\"pixels\");\n"
        + "    Operand<TFloat32> pixels = graph.flatten(pixelsOps, image);");
    assertThat(source).contains("graph.weights(\"hidden/weights\", Shape.of(784, 128));");
    assertThat(source).contains("hiddenOps.linalg.matMul(pixels, hiddenWeights)");
  }

  @Test
  void widthsBeyondIntAreLongLiterals() {
    Compilation compilation = compile(source("Wide",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Wide {",
        "  @Input(shape = {65536, 65536}) Layer grid();",
        "  @Flatten Layer cells();",
        "  @Output(units = 1) Layer value();",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.WideGraph");

    assertThat(source).contains("Shape.of(65536, 65536),");
    assertThat(source).contains("// cells: flatten [65536, 65536] -> [4294967296]\n");
    assertThat(source).contains("graph.weights(\"value/weights\", Shape.of(4294967296L, 1));");
  }

  @Test
  void inputActivationWithPerNeuronParameterOfTheInputShape() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) @ThetaLeaky(\"theta\") Layer point();",
        "  @Dense(units = 42) @Tanh Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Trainable(perNeuron = true) double theta();",
        "}"));

    assertThat(source).contains("    Operand<TFloat32> pointRaw = graph.input(\"point\");\n"
        + "    Operand<TFloat32> pointTheta = graph.trainable(\"point/theta\", Shape.of(2), ");
    assertThat(source).contains("Operand<TFloat32> point = graph.thetaLeaky(pointOps, pointRaw, pointTheta);");
    assertThat(source).contains("hiddenOps.linalg.matMul(point, hiddenWeights)");
  }

  @Test
  void abstractClassWithFieldsAndMethods() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "abstract class Moons {",
        "  @Input(shape = 2) Layer point;",
        "  @Dense(units = 42) @ThetaLeaky(\"theta\") abstract Layer hidden();",
        "  @Output(units = 1) Layer logit;",
        "  @Fixed(0.1) double theta;",
        "  /** Members without Kiln annotations are not part of the network. */",
        "  int unrelated() { return 0; }",
        "}"));

    assertThat(source).contains("graph.fixed(\"theta\", 0.1);");
    assertThat(source).contains("Loss.MEAN_SQUARED_ERROR");
  }

  @Test
  void namesThatClashWithGeneratedLocalsAreMadeUnique() {
    String source = moonsGraph(source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer tf();",
        "  @Dense(units = 4) @Relu Layer graph();",
        "  @Dense(units = 4) @Relu Layer graphWeights();",
        "  @Output(units = 1) Layer logit();",
        "}"));

    assertThat(source).contains("Ops tf = graph.tf();");
    assertThat(source).contains("= graph.input(\"tf\");");
    assertThat(source).contains("graph.weights(\"graph/weights\", Shape.of(2, 4));");
    assertThat(source).contains("graph.weights(\"graphWeights/weights\", Shape.of(4, 4));");
  }

  @Test
  void nestedNetworkIsNamedAfterItsEnclosingTypes() {
    Compilation compilation = compile(source("Experiments",
        "final class Experiments {",
        "  @Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "  interface Moons {",
        "    @Input(shape = 2) Layer point();",
        "    @Output(units = 1) Layer logit();",
        "  }",
        "}"));

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(generated(compilation, "test.Experiments_MoonsGraph")).contains("\"Moons\",");
  }

  private static int occurrences(String text, String part) {
    Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
    int count = 0;
    while (matcher.find()) {
      count++;
    }
    return count;
  }
}
