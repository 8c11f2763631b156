package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.ForwardPasses.assertClose;
import static dev.kiln.processor.ForwardPasses.run;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * What Kiln generates for {@code @Relaxed} networks and {@code @Rprop}: the relaxation in the spec,
 * a {@code graph.relax(...)} at each relaxed layer's pre-activation or activation, the hidden-loss
 * weight parameter, and a forward pass that is unchanged by the relaxation.
 */
class RelaxationSourceTest {
  private static final double[][] POINTS = {{-1.5, 0.5}, {0.2, -0.7}, {2.0, 1.0}};

  private static Compilation relaxed(String relaxedAnnotation, String... members) {
    String[] lines = new String[members.length + 4];
    lines[0] = "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)";
    lines[1] = "@Rprop(learningRate = 0.1) " + relaxedAnnotation;
    lines[2] = "interface Moons {";
    for (int i = 0; i < members.length; i++) {
      lines[3 + i] = "  " + members[i];
    }
    lines[lines.length - 1] = "}";
    Compilation compilation = compile(source("Moons", lines));
    assertThat(compilation).succeededWithoutWarnings();
    return compilation;
  }

  private static final String[] SHALLOW = {
    "@Input(shape = 2) Layer point();",
    "@Dense(units = 42) @Relu Layer first();",
    "@Dense(units = 100, repeat = 2) @Relu Layer middle();",
    "@Output(units = 1) Layer logit();",
  };

  @Test
  void everyDenseLayerAndTheOutputAreRelaxedAtTheirPreActivationsByDefault() {
    String source = generated(relaxed("@Relaxed", SHALLOW), "test.MoonsGraph");

    assertThat(source).contains("new OptimizerSpec.Rprop(0.1, 1.2, 0.5, 1.0E-6, 50.0),\n      42L,\n"
        + "      Optional.of(new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.FORWARD, 0, 1.0)));");
    assertThat(source).contains("// first: dense 2 -> 42, relu; relaxed: targets stand for its pre-activations\n");
    assertThat(source).contains("Operand<TFloat32> firstRelaxed = graph.relax(\"first\", firstLinear);\n"
        + "    Operand<TFloat32> first = firstOps.withName(\"relu\").nn.relu(firstRelaxed);");
    assertThat(source).contains("Operand<TFloat32> middleRelaxed = graph.relax(middleName, middleLinear);\n"
        + "      middle = middleOps.withName(\"relu\").nn.relu(middleRelaxed);");
    assertThat(source).contains("// logit: output 100 -> 1, the logits; relaxed: targets stand for them\n");
    assertThat(source).contains("Operand<TFloat32> logit = graph.relax(\"logit\", logitLinear);\n    return logit;");
    assertThat(source).contains("The network is {@code @Relaxed}: the runtime builds {@link #buildForward} twice");
  }

  @Test
  void namedLayersAtTheirActivationsWithAnAnnealedWeight() {
    String source = generated(relaxed(
        "@Relaxed(layers = {\"middle\"}, targets = Relaxed.Targets.POST_ACTIVATION, "
            + "hiddenLossWeightParameter = \"weight\", hiddenLoss = Relaxed.HiddenLoss.MEAN_ABSOLUTE_ERROR, "
            + "init = Relaxed.Init.RANDOM, resetEvery = 5, targetLearningRateScale = 50)",
        SHALLOW[0], SHALLOW[1], SHALLOW[2], SHALLOW[3], "@Fixed(0.5) double weight();"), "test.MoonsGraph");

    assertThat(source).contains(
        "Optional.of(new RelaxationSpec(Relaxed.HiddenLoss.MEAN_ABSOLUTE_ERROR, 1.0, Relaxed.Init.RANDOM, 5, 50.0)));");
    assertThat(source).contains("Operand<TFloat32> weight = graph.fixed(\"weight\", 0.5);\n    graph.hiddenLossWeight(weight);");
    assertThat(source).contains("Operand<TFloat32> middleActivation = middleOps.withName(\"relu\").nn.relu(middleLinear);\n"
        + "      middle = graph.relax(middleName, middleActivation);");
    assertThat(source).doesNotContain("graph.relax(\"first\"");
    assertThat(source).doesNotContain("graph.relax(\"logit\"");
  }

  @Test
  void aLayerWithoutActivationIsRelaxedAtItsLinearValueEitherWay() {
    String source = generated(relaxed("@Relaxed(targets = Relaxed.Targets.POST_ACTIVATION)",
        "@Input(shape = 2) Layer point();", "@Dense(units = 3) @Dropout(0.2) Layer hidden();",
        "@Output(units = 1) Layer logit();"), "test.MoonsGraph");

    assertThat(source).contains("Operand<TFloat32> hiddenRelaxed = graph.relax(\"hidden\", hiddenLinear);\n"
        + "    Operand<TFloat32> hidden = graph.dropout(\"hidden/dropout\", hiddenRelaxed, 0.2);");
  }

  @Test
  void rpropOnAnOrdinaryNetwork() {
    Compilation compilation = compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "@Rprop(learningRate = 0.05, growth = 1.5, shrink = 0.25, minStep = 1e-4, maxStep = 2)",
        "interface Net {",
        "  @Input(shape = 2) Layer point();",
        "  @Output(units = 1) Layer out();",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.NetGraph");

    assertThat(source).contains("new OptimizerSpec.Rprop(0.05, 1.5, 0.25, 1.0E-4, 2.0),\n      42L);");
    assertThat(source).doesNotContain("relax");
    assertThat(GeneratedClasses.instantiate(compilation, "test.NetGraph").spec().optimizer())
        .isEqualTo(new OptimizerSpec.Rprop(0.05, 1.5, 0.25, 1e-4, 2));
  }

  /** The relaxed class's ordinary pass relaxes each layer once, with its width, and computes what the plain network does. */
  @Test
  void theOrdinaryPassRelaxesEachLayerOnceAndComputesTheNetwork() {
    NetworkGraph network = GeneratedClasses.instantiate(relaxed("@Relaxed(hiddenLossWeight = 0.3)",
        "@Input(shape = 2) Layer point();",
        "@Dense(units = 5) @Relu Layer first();",
        "@Dense(units = 4, repeat = 2) @Relu Layer middle();",
        "@Output(units = 1) Layer logit();"), "test.MoonsGraph");
    assertThat(network.spec().relaxation())
        .isEqualTo(Optional.of(new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 0.3, Relaxed.Init.FORWARD, 0, 1.0)));

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(2));
      Operand<TFloat32> logits = network.buildForward(builder);

      assertThat(builder.relaxed.keySet()).containsExactly("first", "middle1", "middle2", "logit").inOrder();
      assertThat(builder.calls.toString()).contains("relax first [-1, 5]\n");
      assertThat(builder.calls.toString()).contains("relax middle2 [-1, 4]\n");
      assertThat(builder.calls.toString()).contains("relax logit [-1, 1]\n");
      double[][] values = ForwardPasses.activate(ForwardPasses.dense(POINTS, builder, "first", 5), (x, unit) -> Math.max(x, 0));
      for (String layer : new String[] {"middle1", "middle2"}) {
        values = ForwardPasses.activate(ForwardPasses.dense(values, builder, layer, 4), (x, unit) -> Math.max(x, 0));
      }
      assertClose(run(graph, builder, logits, POINTS), ForwardPasses.dense(values, builder, "logit", 1));
    }
  }
}
