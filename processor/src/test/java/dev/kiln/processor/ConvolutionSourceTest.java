package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.source;
import static dev.kiln.processor.Sources.thetaSchedule;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated code of convolutional networks: the convexity experiments' reference CNN and its
 * larger variant in every θ mode, and each convolution, pooling, flatten, dropout and penalty
 * setting, compiled against the runtime without warnings.
 */
class ConvolutionSourceTest {
  private static final String PI_OVER_4 = "0.7853981633974483";

  /** The four θ modes of the experiments: declaration, how θ is made, and the name a layer's activation reads. */
  private static final String THETA_MODES = ""
      + "@Fixed(0) double theta();                           | graph.fixed(\"theta\", 0.0)           | theta\n"
      + "@Annealed(ThetaSchedule.class) double theta();      | graph.annealed(\"theta\", THETA_SCHEDULE) | theta\n"
      + "@Trainable(learningRateScale = 0.1) double theta(); | graph.trainable(\"theta\", Shape.scalar(), "
      + PI_OVER_4 + ", 0.0, " + PI_OVER_4 + ", 0.1) | theta\n"
      + "@Trainable(perNeuron = true) double theta();        | graph.trainable(\"conv1/theta\", Shape.of(16), "
      + PI_OVER_4 + ", 0.0, " + PI_OVER_4 + ", 1.0) | conv1Theta\n";

  /**
   * The reference network: Conv 16@4×4 → Conv 16@3×3 → Conv 16@3×3 (VALID, θ-leaky after each,
   * {@code pooling} beside each), flatten, output 10 with softmax cross-entropy.
   */
  private static JavaFileObject referenceCnn(String pooling, String thetaDeclaration) {
    return source("Mnist",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Mnist {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Conv2D(filters = 16, kernel = 4) @ThetaLeaky(\"theta\") " + pooling + " Layer conv1();",
        "  @Conv2D(filters = 16, kernel = 3) @ThetaLeaky(\"theta\") " + pooling + " Layer conv2();",
        "  @Conv2D(filters = 16, kernel = 3) @ThetaLeaky(\"theta\") " + pooling + " Layer conv3();",
        "  @Flatten Layer flat();",
        "  @Output(units = 10) Layer digit();",
        "  " + thetaDeclaration,
        "}");
  }

  /** The larger variant: 32@5×5 and 64@5×5, each max-pooled 2×2, flatten, dense 1024, output 10. */
  private static JavaFileObject largerCnn(String thetaDeclaration) {
    return source("Mnist",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Mnist {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Conv2D(filters = 32, kernel = 5) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv1();",
        "  @Conv2D(filters = 64, kernel = 5) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv2();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 1024) @ThetaLeaky(\"theta\") Layer fc();",
        "  @Output(units = 10) Layer digit();",
        "  " + thetaDeclaration,
        "}");
  }

  private static String graphSource(JavaFileObject... files) {
    Compilation compilation = compile(files);
    assertThat(compilation).succeededWithoutWarnings();
    return generated(compilation, "test." + files[0].getName().replaceAll(".*/|\\.java$", "") + "Graph");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = THETA_MODES)
  void referenceCnnInEachThetaMode(String theta, String thetaValue, String layerTheta) {
    String source = graphSource(referenceCnn("", theta), thetaSchedule());

    assertThat(source).contains("Shape.of(28, 28, 1),\n      10,\n      Loss.SOFTMAX_CROSS_ENTROPY,");
    assertThat(source).contains("Operand<TFloat32> conv1Kernel = graph.weights(\"conv1/kernel\", Shape.of(4, 4, 1, 16));");
    assertThat(source).contains("Operand<TFloat32> conv2Kernel = graph.weights(\"conv2/kernel\", Shape.of(3, 3, 16, 16));");
    assertThat(source).contains("Operand<TFloat32> conv3Kernel = graph.weights(\"conv3/kernel\", Shape.of(3, 3, 16, 16));");
    assertThat(source).contains("// conv3: conv2d 3x3, 16 filters, stride 1, VALID: [23, 23, 16] -> [21, 21, 16], "
        + "theta_leaky(theta)\n");
    assertThat(source).contains("// flat: flatten [21, 21, 16] -> [7056]\n");
    assertThat(source).contains("Operand<TFloat32> flat = graph.flatten(flatOps, conv3);");
    assertThat(source).contains("graph.weights(\"digit/weights\", Shape.of(7056, 10));");
    assertThat(source).contains("digitOps.linalg.matMul(flat, digitWeights)");
    assertThat(source).contains(" = " + thetaValue + ";");
    assertThat(source).contains("Operand<TFloat32> conv1 = graph.thetaLeaky(conv1Ops, conv1Linear, " + layerTheta + ");");
    assertThat(source).doesNotContain("maxPool");
  }

  @Test
  void perChannelThetaIsOneVariableOfOneValuePerFilterForEachConvolution() {
    String source = graphSource(referenceCnn("@MaxPool(2)", "@Trainable(perNeuron = true) double theta();"));

    for (String layer : new String[] {"conv1", "conv2", "conv3"}) {
      assertThat(source).contains("Operand<TFloat32> " + layer + "Theta = graph.trainable(\"" + layer + "/theta\", "
          + "Shape.of(16), " + PI_OVER_4 + ", 0.0, " + PI_OVER_4 + ", 1.0);");
      assertThat(source).contains("graph.thetaLeaky(" + layer + "Ops, " + layer + "Linear, " + layer + "Theta)");
    }
    assertThat(source).doesNotContain("graph.trainable(\"theta\"");
  }

  @Test
  void referenceCnnWithPoolingAfterEachConvolution() {
    String source = graphSource(referenceCnn("@MaxPool(2)", "@Fixed(0) double theta();"));

    assertThat(source).contains("    // conv1: conv2d 4x4, 16 filters, stride 1, VALID: [28, 28, 1] -> [25, 25, 16], "
        + "theta_leaky(theta); max_pool 2x2, stride 2, VALID -> [12, 12, 16]\n"
        + "    Operand<TFloat32> conv1Kernel = graph.weights(\"conv1/kernel\", Shape.of(4, 4, 1, 16));\n"
        + "    Operand<TFloat32> conv1Bias = graph.bias(\"conv1/bias\", 16);\n"
        + "    Ops conv1Ops = graph.scope(\"conv1\");\n"
        + "    Operand<TFloat32> conv1Conv = conv1Ops.withName(\"conv\").nn.conv2d(image, conv1Kernel, "
        + "List.of(1L, 1L, 1L, 1L), \"VALID\");\n"
        + "    Operand<TFloat32> conv1Linear = conv1Ops.withName(\"linear\").nn.biasAdd(conv1Conv, conv1Bias);\n"
        + "    Operand<TFloat32> conv1Activation = graph.thetaLeaky(conv1Ops, conv1Linear, theta);\n"
        + "    Operand<TFloat32> conv1 = graph.maxPool(conv1Ops, conv1Activation, 2, 2, \"VALID\");\n");
    assertThat(source).contains("// conv2: conv2d 3x3, 16 filters, stride 1, VALID: [12, 12, 16] -> [10, 10, 16], "
        + "theta_leaky(theta); max_pool 2x2, stride 2, VALID -> [5, 5, 16]\n");
    assertThat(source).contains("// conv3: conv2d 3x3, 16 filters, stride 1, VALID: [5, 5, 16] -> [3, 3, 16], "
        + "theta_leaky(theta); max_pool 2x2, stride 2, VALID -> [1, 1, 16]\n");
    assertThat(source).contains("conv2Ops.withName(\"conv\").nn.conv2d(conv1, conv2Kernel, ");
    assertThat(source).contains("// flat: flatten [1, 1, 16] -> [16]\n");
    assertThat(source).contains("graph.weights(\"digit/weights\", Shape.of(16, 10));");
    assertThat(source).contains("import java.util.List;");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = THETA_MODES)
  void largerCnnInEachThetaMode(String theta, String thetaValue, String layerTheta) {
    String source = graphSource(largerCnn(theta), thetaSchedule());

    assertThat(source).contains("graph.weights(\"conv1/kernel\", Shape.of(5, 5, 1, 32));");
    assertThat(source).contains("graph.weights(\"conv2/kernel\", Shape.of(5, 5, 32, 64));");
    assertThat(source).contains("// conv2: conv2d 5x5, 64 filters, stride 1, VALID: [12, 12, 32] -> [8, 8, 64], "
        + "theta_leaky(theta); max_pool 2x2, stride 2, VALID -> [4, 4, 64]\n");
    assertThat(source).contains("// flat: flatten [4, 4, 64] -> [1024]\n");
    assertThat(source).contains("graph.weights(\"fc/weights\", Shape.of(1024, 1024));");
    assertThat(source).contains("graph.weights(\"digit/weights\", Shape.of(1024, 10));");
    assertThat(source).contains(" = " + thetaValue.replace("Shape.of(16)", "Shape.of(32)") + ";");
    assertThat(source).contains("graph.thetaLeaky(conv1Ops, conv1Linear, " + layerTheta + ")");
    if (layerTheta.equals("conv1Theta")) {
      assertThat(source).contains("graph.trainable(\"conv2/theta\", Shape.of(64), ");
      assertThat(source).contains("graph.trainable(\"fc/theta\", Shape.of(1024), ");
      assertThat(source).contains("graph.thetaLeaky(fcOps, fcLinear, fcTheta)");
    }
  }

  @Test
  void strideSamePaddingAndPoolingSettings() {
    String source = graphSource(source("Net",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Net {",
        "  @Input(shape = {28, 27, 3}) Layer image();",
        "  @Conv2D(filters = 8, kernel = 5, stride = 2, padding = Padding.SAME) @Relu "
            + "@MaxPool(value = 3, stride = 1, padding = Padding.SAME) Layer conv();",
        "  @Conv2D(filters = 4, kernel = 3, stride = 3) @MaxPool(value = 2, stride = 1) Layer narrow();",
        "  @Flatten Layer flat();",
        "  @Output(units = 10) Layer digit();",
        "}"));

    assertThat(source).contains("// conv: conv2d 5x5, 8 filters, stride 2, SAME: [28, 27, 3] -> [14, 14, 8], relu; "
        + "max_pool 3x3, stride 1, SAME -> [14, 14, 8]\n");
    assertThat(source).contains("graph.weights(\"conv/kernel\", Shape.of(5, 5, 3, 8));");
    assertThat(source).contains("convOps.withName(\"conv\").nn.conv2d(image, convKernel, List.of(1L, 2L, 2L, 1L), \"SAME\");");
    assertThat(source).contains("graph.maxPool(convOps, convActivation, 3, 1, \"SAME\");");
    // Without an activation the pooling reads the biased convolution.
    assertThat(source).contains("// narrow: conv2d 3x3, 4 filters, stride 3, VALID: [14, 14, 8] -> [4, 4, 4], identity; "
        + "max_pool 2x2, stride 1, VALID -> [3, 3, 4]\n");
    assertThat(source).contains("graph.maxPool(narrowOps, narrowLinear, 2, 1, \"VALID\");");
    assertThat(source).contains("// flat: flatten [3, 3, 4] -> [36]\n");
  }

  @Test
  void dropoutFollowsActivationAndPooling() {
    String source = graphSource(source("Net",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Net {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Conv2D(filters = 8, kernel = 5) @Relu @MaxPool(2) @Dropout(0.25) Layer conv();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 64) @Elu @Dropout(0.5) Layer hidden();",
        "  @Dense(units = 32, repeat = 2) @Dropout(0.1) Layer deep();",
        "  @Output(units = 10) Layer digit();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> convPooled = graph.maxPool(convOps, convActivation, 2, 2, \"VALID\");");
    assertThat(source).contains("Operand<TFloat32> conv = graph.dropout(\"conv/dropout\", convPooled, 0.25);");
    assertThat(source).contains("// hidden: dense 1152 -> 64, elu; dropout 0.5\n");
    assertThat(source).contains("Operand<TFloat32> hiddenActivation = hiddenOps.withName(\"elu\").nn.elu(hiddenLinear);\n"
        + "    Operand<TFloat32> hidden = graph.dropout(\"hidden/dropout\", hiddenActivation, 0.5);\n");
    assertThat(source).contains("      Operand<TFloat32> deepLinear = deepOps.withName(\"linear\").nn.biasAdd("
        + "deepOps.linalg.matMul(deep, deepWeights), deepBias);\n"
        + "      deep = graph.dropout(deepName + \"/dropout\", deepLinear, 0.1);\n");
    assertThat(source).contains("digitOps.linalg.matMul(deep, digitWeights)");
  }

  @Test
  void networkPenaltyCoversEveryLayerWithWeightsUnlessALayerReplacesIt() {
    String source = graphSource(source("Net",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "@Regularization(l1 = 1e-5, l2 = 1e-4)",
        "interface Net {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Conv2D(filters = 8, kernel = 5) @Relu Layer conv();",
        "  @Conv2D(filters = 8, kernel = 5) @Relu @Regularization(l2 = 0.01) Layer conv2();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 16, repeat = 2) @Relu Layer hidden();",
        "  @Dense(units = 16) @Relu @Regularization Layer free();",
        "  @Output(units = 10) Layer digit();",
        "}"));

    assertThat(source).contains("Operand<TFloat32> convKernel = graph.weights(\"conv/kernel\", Shape.of(5, 5, 1, 8));\n"
        + "    graph.regularize(\"conv/regularization\", convKernel, 1.0E-5, 1.0E-4);\n"
        + "    Operand<TFloat32> convBias = graph.bias(\"conv/bias\", 8);\n");
    assertThat(source).contains("graph.regularize(\"conv2/regularization\", conv2Kernel, 0.0, 0.01);");
    assertThat(source).contains("graph.regularize(hiddenName + \"/regularization\", hiddenWeights, 1.0E-5, 1.0E-4);");
    assertThat(source).contains("graph.regularize(\"digit/regularization\", digitWeights, 1.0E-5, 1.0E-4);");
    assertThat(source).doesNotContain("freeWeights, ");
    assertThat(source).doesNotContain("regularize(\"free/regularization\"");
  }

  @Test
  void noPenaltyAndNoDropoutWithoutAnnotations() {
    String source = graphSource(referenceCnn("", "@Fixed(0) double theta();"));

    assertThat(source).doesNotContain(".regularize(");
    assertThat(source).doesNotContain(".dropout(");
  }
}
