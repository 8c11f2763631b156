package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.ForwardPasses.activate;
import static dev.kiln.processor.ForwardPasses.activateChannels;
import static dev.kiln.processor.ForwardPasses.assertClose;
import static dev.kiln.processor.ForwardPasses.conv2D;
import static dev.kiln.processor.ForwardPasses.dense;
import static dev.kiln.processor.ForwardPasses.flatten;
import static dev.kiln.processor.ForwardPasses.images;
import static dev.kiln.processor.ForwardPasses.maxPool;
import static dev.kiln.processor.ForwardPasses.run;
import static dev.kiln.processor.ForwardPasses.sigmoid;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.network;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.dsl.Padding;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.PrunedNetwork;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import java.nio.file.Path;
import java.util.Random;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * {@code @LearnedWidth}: every mistake is an error on the annotation, the generated code says what
 * it does in the words of the declaration, and a generated network trains its gates.
 */
class LearnedWidthTest {
  private static final String POINT = "@Input(shape = 2) Layer point();";
  private static final String LOGIT = "@Output(units = 1) Layer logit();";
  private static final double[][] POINTS = {{-1.5, 0.5}, {0.2, -0.7}, {2.0, 1.0}, {-0.3, -2.2}};
  /** Two 4×4 single-channel images, flat and row-major, with values of both signs. */
  private static final double[][] IMAGES = {
      {0.5, -1.0, 0.25, 2.0, -0.5, 1.5, 0.0, -2.0, 1.0, 0.75, -0.25, 0.3, -1.2, 0.4, 0.9, -0.6},
      {-0.3, 0.8, 1.1, -0.9, 0.2, -1.4, 0.6, 0.1, -0.7, 1.3, 0.45, -0.15, 0.05, -0.85, 1.7, 0.35}};

  private static String hidden(String learnedWidth) {
    return "@Dense(units = 16) @Relu " + learnedWidth + " Layer hidden();";
  }

  // Errors

  @Test
  void aNegativePenalty() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = -1e-4)"), LOGIT),
        "@LearnedWidth on 'hidden' has penalty = -1.0E-4: the penalty's weight is a finite number >= 0 (0 keeps every unit)",
        "Layer hidden()");
  }

  @Test
  void aPenaltyThatIsNotFinite() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = Double.NaN)"), LOGIT),
        "@LearnedWidth on 'hidden' has penalty = NaN: the penalty's weight is a finite number >= 0", "Layer hidden()");
    assertError(network(POINT, hidden("@LearnedWidth(penalty = Double.POSITIVE_INFINITY)"), LOGIT),
        "@LearnedWidth on 'hidden' has penalty = Infinity: the penalty's weight is a finite number >= 0", "Layer hidden()");
  }

  @Test
  void theErrorIsOnTheElementWritten() {
    JavaFileObject file = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  " + POINT,
        "  @Dense(units = 16) @Relu",
        "  @LearnedWidth(",
        "      deadBelow = 0.05,",
        "      penalty = -1)",
        "  Layer hidden();",
        "  " + LOGIT,
        "}");
    assertError(file, "@LearnedWidth on 'hidden' has penalty = -1.0", "penalty = -1)");
  }

  @Test
  void aPenaltyGivenTwice() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = 1e-4, penaltyParameter = \"sparsity\")"), LOGIT,
            "@Fixed(1e-4) double sparsity();"),
        "@LearnedWidth on 'hidden' gives the penalty twice, as 1.0E-4 and as parameter 'sparsity': keep one", "Layer hidden()");
  }

  @Test
  void aPenaltyParameterThatDoesNotExist() {
    assertError(network(POINT, hidden("@LearnedWidth(penaltyParameter = \"sparsity\")"), LOGIT, "@Fixed(0.5) double rate();"),
        "@LearnedWidth on 'hidden' names parameter 'sparsity', which Moons does not declare (its parameters are rate): "
            + "declare it, e.g. @Fixed(1e-4) double sparsity(); or @Annealed(...)",
        "Layer hidden()");
  }

  @Test
  void aTrainablePenaltyParameter() {
    assertError(network(POINT, hidden("@LearnedWidth(penaltyParameter = \"sparsity\")"), LOGIT, "@Trainable double sparsity();"),
        "a width penalty cannot be @Trainable: training would drive 'sparsity' to 0 and keep every unit; make it @Annealed or @Fixed",
        "Layer hidden()");
  }

  @Test
  void aPerNeuronPenaltyParameter() {
    assertError(network(POINT, hidden("@LearnedWidth(penaltyParameter = \"sparsity\")"), LOGIT,
            "@Trainable(perNeuron = true) double sparsity();"),
        "a width penalty cannot be @Trainable", "Layer hidden()");
  }

  @Test
  void aPerNeuronParameterNamedLikeTheLayersGates() {
    assertError(network(POINT, "@Dense(units = 16) @ThetaLeaky(\"gates\") @LearnedWidth(penalty = 1e-4) Layer hidden();",
            LOGIT, "@Trainable(perNeuron = true) double gates();"),
        "per-neuron parameter 'gates' of layer 'hidden' would be named hidden/gates like the gates of its @LearnedWidth: "
            + "rename the parameter",
        "Layer hidden()");
    assertError(network(POINT, "@Dense(units = 16) @ThetaLeaky(\"size\") "
                + "@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-4) Layer hidden();",
            LOGIT, "@Trainable(perNeuron = true) double size();"),
        "per-neuron parameter 'size' of layer 'hidden' would be named hidden/size like the soft size of its @LearnedWidth",
        "Layer hidden()");
  }

  @Test
  void aSharedParameterNamedGatesIsFine() {
    assertThat(compile(network(POINT, "@Dense(units = 16) @ThetaLeaky(\"gates\") @LearnedWidth(penalty = 1e-4) Layer hidden();",
        LOGIT, "@Trainable double gates();"))).succeededWithoutWarnings();
  }

  @Test
  void onTheOutputLayer() {
    assertError(network(POINT, "@Dense(units = 16) @Relu Layer hidden();", "@Output(units = 1) @LearnedWidth(penalty = 1e-4) Layer logit();"),
        "@LearnedWidth cannot go on @Output layer 'logit': a learned width goes on a hidden @Dense or @Conv2D layer",
        "Layer logit()");
  }

  @Test
  void onTheInput() {
    assertError(network("@Input(shape = 2) @LearnedWidth(penalty = 1e-4) Layer point();", LOGIT),
        "@LearnedWidth cannot go on @Input layer 'point'", "Layer point()");
  }

  @Test
  void onAFlatten() {
    assertError(network("@Input(shape = {4, 4, 1}) Layer image();", "@Flatten @LearnedWidth(penalty = 1e-4) Layer flat();", LOGIT),
        "@LearnedWidth cannot go on @Flatten layer 'flat'", "Layer flat()");
  }

  @Test
  void onAMemberThatIsNoLayer() {
    assertError(network(POINT, LOGIT, "@LearnedWidth(penalty = 1e-4) double sparsity();"),
        "@LearnedWidth on 'sparsity' has no layer to act on: a learned width goes on a hidden @Dense or @Conv2D layer",
        "double sparsity()");
  }

  @Test
  void aThresholdOutsideZeroToOne() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = 1e-4, deadBelow = 1.5)"), LOGIT),
        "@LearnedWidth on 'hidden' has deadBelow = 1.5: the threshold below which a gate is dead is in (0, 1)", "Layer hidden()");
    assertError(network(POINT, hidden("@LearnedWidth(penalty = 1e-4, deadBelow = 0)"), LOGIT),
        "@LearnedWidth on 'hidden' has deadBelow = 0.0", "Layer hidden()");
  }

  @Test
  void gatesThatStartDead() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = 1e-4, initial = 0.005)"), LOGIT),
        "@LearnedWidth on 'hidden' starts its gates at 0.005, not above deadBelow = 0.01: every unit would start dead",
        "Layer hidden()");
  }

  @Test
  void aSoftSizeWithoutSlopeOrOutsideTheLayer() {
    assertError(network(POINT, hidden("@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-4, slope = 0)"), LOGIT),
        "@LearnedWidth on 'hidden' has slope = 0.0: the soft size's slope is a finite number > 0", "Layer hidden()");
    assertError(network(POINT, hidden("@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-4, initialSize = 17)"), LOGIT),
        "@LearnedWidth on 'hidden' starts its soft size at 17.0, outside (0, 16], the layer's declared width", "Layer hidden()");
  }

  @Test
  void aSoftSizeThatStartsAtOrBelowZero() {
    assertError(network(POINT, hidden("@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-4, initialSize = 0)"), LOGIT),
        "@LearnedWidth on 'hidden' starts its soft size at 0.0, outside (0, 16]", "Layer hidden()");
    assertError(network("@Input(shape = {8, 8, 1}) Layer image();",
            "@Conv2D(filters = 6, kernel = 3) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, initialSize = -2) "
                + "Layer conv();",
            "@Flatten Layer flat();", LOGIT),
        "@LearnedWidth on 'conv' starts its soft size at -2.0, outside (0, 6], the layer's declared width", "Layer conv()");
  }

  @Test
  void aLayerWithoutUnitsIsReportedOnce() {
    Compilation compilation = assertError(
        network(POINT, "@Dense(units = 0) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE) Layer hidden();", LOGIT),
        "layer 'hidden' has units = 0", "Layer hidden()");
    assertThat(compilation.errors()).hasSize(1);
  }

  @Test
  void anElementOfTheOtherMode() {
    assertError(network(POINT, hidden("@LearnedWidth(penalty = 1e-4, slope = 2)"), LOGIT),
        "@LearnedWidth on 'hidden' sets slope, which only mode SOFT_SIZE uses; it is in mode GATES: remove slope or set mode = SOFT_SIZE",
        "Layer hidden()");
    assertError(network(POINT, hidden("@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-4, deadBelow = 0.1)"), LOGIT),
        "@LearnedWidth on 'hidden' sets deadBelow, which only mode GATES uses; it is in mode SOFT_SIZE: remove deadBelow",
        "Layer hidden()");
  }

  @Test
  void onARelaxedNetwork() {
    assertError(source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "@Relaxed",
            "interface Moons {",
            "  " + POINT,
            "  " + hidden("@LearnedWidth(penalty = 1e-4)"),
            "  " + LOGIT,
            "}"),
        "@LearnedWidth on 'hidden': Moons is @Relaxed, and a relaxed network's targets have the declared width of their layer",
        "Layer hidden()");
  }

  @Test
  void noPenaltyAtAllIsFine() {
    assertThat(compile(network(POINT, hidden("@LearnedWidth"), LOGIT))).succeededWithoutWarnings();
  }

  // Generated code

  @Test
  void gatesOnADenseLayerWithAParameterPenalty() {
    Compilation compilation = compile(network(POINT, hidden("@LearnedWidth(penaltyParameter = \"sparsity\", deadBelow = 0.05)"),
        LOGIT, "@Fixed(1e-4) double sparsity();"));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    assertThat(source).contains("Operand<TFloat32> sparsity = graph.fixed(\"sparsity\", 1.0E-4);");
    assertThat(source).contains("// hidden: dense 2 -> 16, relu; learned width: gates, L1 sparsity, dead below 0.05");
    assertThat(source).contains("Operand<TFloat32> hidden = graph.gates(hiddenOps, \"hidden\", hiddenActivation, sparsity, 1.0, 0.05);");
  }

  @Test
  void aSoftSizeOnAConvolutionBeforeItsPooling() {
    Compilation compilation = compile(network("@Input(shape = {8, 8, 1}) Layer image();",
        "@Conv2D(filters = 6, kernel = 3) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-3, slope = 0.5) "
            + "@MaxPool(2) Layer conv();",
        "@Flatten Layer flat();", LOGIT));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    assertThat(source).contains("relu; learned width: soft size, penalty 0.001, slope 0.5; max_pool 2x2");
    assertThat(source).contains(
        "Operand<TFloat32> convScaled = graph.softSize(convOps, \"conv\", convActivation, convOps.constant(0.001f), 6.0, 0.5);");
    assertThat(source).contains("Operand<TFloat32> conv = graph.maxPool(convOps, convScaled, 2, 2, \"VALID\");");
  }

  @Test
  void gatesOnAConvolutionBeforeItsPoolingAndDropout() {
    Compilation compilation = compile(network("@Input(shape = {8, 8, 1}) Layer image();",
        "@Conv2D(filters = 6, kernel = 3) @Relu @LearnedWidth(penalty = 1e-4) @MaxPool(2) @Dropout(0.25) Layer conv();",
        "@Flatten Layer flat();", LOGIT));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    assertThat(source).contains("// conv: conv2d 3x3, 6 filters, stride 1, VALID: [8, 8, 1] -> [6, 6, 6], relu; "
        + "learned width: gates, L1 1.0E-4, dead below 0.01; max_pool 2x2, stride 2, VALID -> [3, 3, 6]; dropout 0.25");
    assertThat(source).contains(
        "Operand<TFloat32> convGated = graph.gates(convOps, \"conv\", convActivation, convOps.constant(1.0E-4f), 1.0, 0.01);");
    assertThat(source).contains("Operand<TFloat32> convPooled = graph.maxPool(convOps, convGated, 2, 2, \"VALID\");");
    assertThat(source).contains("Operand<TFloat32> conv = graph.dropout(\"conv/dropout\", convPooled, 0.25);");
  }

  @Test
  void aSoftSizeOnADenseLayerWithAnAnnealedPenaltyStartsAtItsWidth() {
    Compilation compilation = compile(network(POINT,
        "@Dense(units = 16) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penaltyParameter = \"sparsity\") "
            + "@Dropout(0.1) Layer hidden();",
        LOGIT, "@Annealed(ThetaSchedule.class) double sparsity();"), Sources.thetaSchedule());
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    assertThat(source).contains("// hidden: dense 2 -> 16, relu; learned width: soft size, penalty sparsity, slope 1.0; dropout 0.1");
    assertThat(source).contains(
        "Operand<TFloat32> hiddenScaled = graph.softSize(hiddenOps, \"hidden\", hiddenActivation, sparsity, 16.0, 1.0);");
    assertThat(source).contains("Operand<TFloat32> hidden = graph.dropout(\"hidden/dropout\", hiddenScaled, 0.1);");
  }

  @Test
  void eachRepetitionOfARepeatedLayerHasItsOwnGates() {
    Compilation compilation = compile(network(POINT, "@Dense(units = 8, repeat = 3) @Relu @LearnedWidth(penalty = 1e-4) Layer hidden();",
        LOGIT));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    assertThat(source).contains("// hidden1 .. hidden3: 3 dense layers of 8 units (the first reads 2), relu; "
        + "learned width: gates, L1 1.0E-4, dead below 0.01");
    assertThat(source)
        .contains("hidden = graph.gates(hiddenOps, hiddenName, hiddenActivation, hiddenOps.constant(1.0E-4f), 1.0, 0.01);");
  }

  // The forward pass, against a recording builder

  @Test
  void eachRepetitionMultipliesItsActivationsByItsOwnGates() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Deep",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Deep {",
        "  " + POINT,
        "  @Dense(units = 4, repeat = 2) @Tanh @LearnedWidth(penaltyParameter = \"sparsity\", initial = 0.5) @Dropout(0.2) "
            + "Layer hidden();",
        "  @Output(units = 2) Layer out();",
        "  @Fixed(1e-3) double sparsity();",
        "}")), "test.DeepGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      Operand<TFloat32> logits = network.buildForward(builder);

      assertThat(builder.calls.toString()).isEqualTo(""
          + "fixed sparsity []\n"
          + "input point\n"
          + "weights hidden1/weights [2, 4]\nbias hidden1/bias [4]\n"
          + "gates hidden1 [-1, 4] initial=0.5 deadBelow=0.01\ngates hidden1/gates [4]\n"
          + "dropout hidden1/dropout [-1, 4] rate=0.2\n"
          + "weights hidden2/weights [4, 4]\nbias hidden2/bias [4]\n"
          + "gates hidden2 [-1, 4] initial=0.5 deadBelow=0.01\ngates hidden2/gates [4]\n"
          + "dropout hidden2/dropout [-1, 4] rate=0.2\n"
          + "weights out/weights [4, 2]\nbias out/bias [2]\n");
      assertThat(builder.widthPenalties.get("hidden1")).isSameInstanceAs(builder.state.get("sparsity"));
      assertThat(builder.widthPenalties.get("hidden2")).isSameInstanceAs(builder.state.get("sparsity"));
      double[][] values = POINTS;
      for (int layer = 1; layer <= 2; layer++) {
        float[] gates = builder.values.get("hidden" + layer + "/gates");
        values = activate(dense(values, builder, "hidden" + layer, 4), (x, unit) -> Math.tanh(x) * gates[unit]);
      }
      assertClose(run(graph, builder, logits, POINTS), dense(values, builder, "out", 2));
    }
  }

  @Test
  void aConvolutionsSoftSizeScalesItsChannelsBeforePooling() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = {4, 4, 1}) Layer image();",
        "  @Conv2D(filters = 3, kernel = 2) @Relu "
            + "@LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-3, slope = 2, initialSize = 1.5) @MaxPool(2) "
            + "Layer conv();",
        "  @Flatten Layer flat();",
        "  @Output(units = 1) Layer out();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(4, 4, 1));
      Operand<TFloat32> logits = network.buildForward(builder);

      // The shape it is given, [-1, 3, 3, 3], is the convolution's before the pooling halves it.
      assertThat(builder.calls.toString()).contains("softSize conv [-1, 3, 3, 3] initialSize=1.5 slope=2.0\n");
      try (Session session = new Session(graph);
          Result result = session.runner().fetch(builder.widthPenalties.get("conv")).run()) {
        assertThat(((TFloat32) result.get(0)).getFloat()).isEqualTo(1e-3f);
      }
      double[][][][] conv = maxPool(activateChannels(
          conv2D(images(IMAGES, 4, 4, 1), builder, "conv", 2, 3, 1, Padding.VALID),
          (x, channel) -> Math.max(x, 0) * sigmoid(2 * (1.5 - channel))), 2, 2, Padding.VALID);
      assertClose(run(graph, builder, logits, IMAGES), dense(flatten(conv), builder, "out", 1));
    }
  }

  // The pruned declaration

  @Test
  void thePrunedDeclarationCompilesAndItsGraphLoadsThePrunedWeights(@TempDir Path runs) {
    JavaFileObject declared = source("Wide",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 7)",
        "@Adam(learningRate = 0.05)",
        "@Regularization(l2 = 1e-5)",
        "interface Wide {",
        "  " + POINT,
        "  @Dense(units = 12, repeat = 2) @ThetaLeaky(\"theta\") @LearnedWidth(penaltyParameter = \"sparsity\", deadBelow = 0.05)"
            + " Layer hidden();",
        "  @Dense(units = 6) @Relu @Dropout(0.1) Layer last();",
        "  " + LOGIT,
        "  @Annealed(ThetaSchedule.class) double theta();",
        "  @Fixed(0.02) double sparsity();",
        "}");
    Compilation compilation = compile(declared, Sources.thetaSchedule());
    NetworkGraph wide = GeneratedClasses.instantiate(compilation, "test.WideGraph");
    Dataset moons = TwoMoons.generate(200, 0.1, 3);
    Path weights = runs.resolve("pruned");
    PrunedNetwork pruned;
    float[][] predicted;
    try (Model model = Model.build(wide)) {
      model.train(moons, TrainingConfig.defaults().withEpochs(12).withBatchSize(20).withLogRoot(runs).quiet());
      predicted = model.predict(moons);
      pruned = model.prune("Narrow", weights);
    }
    String source = pruned.declaration().orElseThrow();
    assertThat(source).contains("interface Narrow {");
    assertThat(source).contains("@Dense(units = " + pruned.widths().get("hidden1") + ") @ThetaLeaky(\"theta\") Layer hidden1();");
    assertThat(source).contains("@Dense(units = " + pruned.widths().get("hidden2") + ") @ThetaLeaky(\"theta\") Layer hidden2();");
    assertThat(source).contains("@Dense(units = 6) @Relu @Dropout(0.1) Layer last();");
    assertThat(source).contains("@Annealed(test.ThetaSchedule.class) double theta();");
    assertThat(source).doesNotContain("LearnedWidth");
    assertThat(source).doesNotContain("sparsity");

    Compilation narrow = compile(JavaFileObjects.forSourceString("test.Narrow", source), Sources.thetaSchedule());
    assertThat(narrow).succeededWithoutWarnings();
    try (Model model = Model.fromWeights(GeneratedClasses.instantiate(narrow, "test.NarrowGraph"), weights)) {
      float[][] again = model.predict(moons);
      for (int i = 0; i < predicted.length; i++) {
        assertThat(again[i][0]).isWithin(1e-5f).of(predicted[i][0]);
      }
    }
  }

  // Against the runtime

  @Test
  void aGeneratedNetworkTrainsItsGatesAndLogsItsWidth(@TempDir Path runs) {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Sparse",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Adam(learningRate = 0.05)",
        "interface Sparse {",
        "  " + POINT,
        "  @Dense(units = 16) @Relu @LearnedWidth(penaltyParameter = \"sparsity\", deadBelow = 0.05) Layer hidden();",
        "  " + LOGIT,
        "  @Fixed(0.02) double sparsity();",
        "}")), "test.SparseGraph");
    Dataset moons = TwoMoons.generate(200, 0.1, 3);
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(moons, TrainingConfig.defaults().withEpochs(15).withBatchSize(20).withLogRoot(runs).quiet());
      assertThat(model.parameter("hidden/gates")).hasLength(16);
      assertThat(result.last().learnedWidths().get("hidden")).isLessThan(16);
    }
  }

  @Test
  void aGeneratedConvolutionTrainsOneGatePerChannel(@TempDir Path runs) {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Channels",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY, seed = 5)",
        "@Adam(learningRate = 0.01)",
        "interface Channels {",
        "  @Input(shape = {6, 6, 1}) Layer image();",
        "  @Conv2D(filters = 4, kernel = 3) @Relu @LearnedWidth(penalty = 1e-3) @MaxPool(2) Layer conv();",
        "  @Flatten Layer flat();",
        "  " + LOGIT,
        "}")), "test.ChannelsGraph");
    Random random = new Random(5);
    float[] images = new float[40 * 36];
    float[] labels = new float[40];
    for (int example = 0; example < labels.length; example++) {
      float sum = 0;
      for (int pixel = 0; pixel < 36; pixel++) {
        images[example * 36 + pixel] = random.nextFloat();
        sum += images[example * 36 + pixel];
      }
      labels[example] = sum > 18 ? 1 : 0;
    }
    Dataset data = Dataset.of(images, Shape.of(6, 6, 1), labels, 1);
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(data, TrainingConfig.defaults().withEpochs(2).withBatchSize(10).withLogRoot(runs).quiet());
      assertThat(model.parameterNames()).contains("conv/gates");
      assertThat(model.parameter("conv/gates")).hasLength(4);
      assertThat(result.last().learnedWidths()).containsKey("conv");
    }
  }

  @Test
  void aGeneratedSoftSizeTrainsItsSize(@TempDir Path runs) {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Soft",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Adam(learningRate = 0.05)",
        "interface Soft {",
        "  " + POINT,
        "  @Dense(units = 16) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penaltyParameter = \"sparsity\") "
            + "Layer hidden();",
        "  " + LOGIT,
        "  @Fixed(0.05) double sparsity();",
        "}")), "test.SoftGraph");
    try (Model model = Model.build(network)) {
      model.train(TwoMoons.generate(200, 0.1, 3), TrainingConfig.defaults().withEpochs(3).withBatchSize(20).withLogRoot(runs).quiet());
      float size = model.parameter("hidden/size")[0];
      assertThat(size).isLessThan(16f);
      assertThat(size).isGreaterThan(0f);
    }
  }
}
