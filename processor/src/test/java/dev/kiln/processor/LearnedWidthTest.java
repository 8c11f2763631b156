package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.network;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.PrunedNetwork;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @LearnedWidth}: every mistake is an error on the annotation, the generated code says what
 * it does in the words of the declaration, and a generated network trains its gates.
 */
class LearnedWidthTest {
  private static final String POINT = "@Input(shape = 2) Layer point();";
  private static final String LOGIT = "@Output(units = 1) Layer logit();";

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
  void eachRepetitionOfARepeatedLayerHasItsOwnGates() {
    Compilation compilation = compile(network(POINT, "@Dense(units = 8, repeat = 3) @Relu @LearnedWidth(penalty = 1e-4) Layer hidden();",
        LOGIT));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(generated(compilation, "test.MoonsGraph"))
        .contains("hidden = graph.gates(hiddenOps, hiddenName, hiddenActivation, hiddenOps.constant(1.0E-4f), 1.0, 0.01);");
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
}
