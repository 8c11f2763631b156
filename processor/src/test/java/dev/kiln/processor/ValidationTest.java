package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.network;
import static dev.kiln.processor.Sources.networkAnnotated;
import static dev.kiln.processor.Sources.source;

import com.google.common.truth.Truth;
import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every mistake in a network declaration is an error on the declaration that caused it. */
class ValidationTest {
  private static final String INPUT = "@Input(shape = 2) Layer point();";
  private static final String HIDDEN = "@Dense(units = 42) @ThetaLeaky(\"theta\") Layer hidden();";
  private static final String OUTPUT = "@Output(units = 1) Layer logit();";
  private static final String THETA = "@Fixed(0) double theta();";

  // Structure

  @Test
  void noInput() {
    JavaFileObject file = network(HIDDEN, OUTPUT, THETA);
    assertError(file, "Moons has no input: declare it as the first layer, e.g. @Input(shape = 2) Layer point();",
        "@Network");
    assertThat(compile(file)).hadErrorContaining("Moons has no input").inFile(file).onLine(5);
  }

  @Test
  void twoInputs() {
    assertError(network(INPUT, "@Input(shape = 3) Layer other();", HIDDEN, OUTPUT, THETA),
        "Moons has more than one input ('point', 'other'): a network has exactly one @Input", "Layer other()");
  }

  @Test
  void layerBeforeTheInput() {
    assertError(network(HIDDEN, INPUT, OUTPUT, THETA),
        "layer 'hidden' comes before the input 'point': the @Input is the first layer", "Layer hidden()");
  }

  @Test
  void noOutput() {
    assertError(network(INPUT, HIDDEN, THETA),
        "Moons has no output layer: end its layers with one, e.g. @Output(units = 1) Layer logit();", "@Network");
  }

  @Test
  void outputNotLast() {
    assertError(network(INPUT, OUTPUT, HIDDEN, THETA),
        "layer 'hidden' comes after the output layer 'logit': the @Output is the last layer", "Layer hidden()");
  }

  @Test
  void twoOutputs() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Output(units = 2) Layer second();", THETA),
        "Moons has more than one output layer ('logit', 'second')", "Layer second()");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Dense(units = 0) Layer hidden();            | layer 'hidden' has units = 0: a layer has at least one unit",
      "@Dense(units = -4) Layer hidden();           | layer 'hidden' has units = -4",
      "@Dense(units = 4, repeat = 0) Layer hidden(); | layer 'hidden' has repeat = 0: repeat is how many of the layer",
      "@Dense(units = 4, repeat = -1) Layer hidden(); | layer 'hidden' has repeat = -1",
  })
  void layerSizeNotPositive(String layer, String message) {
    assertError(network(INPUT, layer, OUTPUT), message, "Layer hidden()");
  }

  @Test
  void outputUnitsNotPositive() {
    assertError(network(INPUT, "@Output(units = 0) Layer logit();"),
        "output layer 'logit' has units = 0: it has one unit per logit", "Layer logit()");
  }

  @Test
  void inputWithEmptyShape() {
    assertError(network("@Input(shape = {}) Layer point();", OUTPUT),
        "input 'point' has an empty shape: give the shape of one example", "Layer point()");
  }

  @Test
  void inputWithZeroDimension() {
    assertError(network("@Input(shape = {2, 0}) Layer point();", OUTPUT),
        "input 'point' has dimension 0 in shape [2, 0]: every dimension is positive, or -1", "Layer point()");
  }

  @Test
  void denseLayerOnAnInputOfUnknownWidth() {
    assertError(network("@Input(shape = -1) Layer point();", "@Dense(units = 4) @Relu Layer hidden();", OUTPUT),
        "@Dense layer 'hidden' needs the width of input 'point', but its shape [-1] has an unknown (-1) dimension: "
            + "the layer's weights are [input width, units]; give every input dimension",
        "Layer hidden()");
  }

  @Test
  void perNeuronParameterOnAnInputOfUnknownWidth() {
    JavaFileObject file = network("@Input(shape = {-1}) @ThetaLeaky(\"theta\") Layer point();", OUTPUT,
        "@Trainable(perNeuron = true) double theta();");
    assertError(file, "per-neuron parameter 'theta' needs the width of input 'point', but its shape [-1] has an "
        + "unknown (-1) dimension: give every input dimension, or share one value (perNeuron = false)", "Layer point()");
  }

  // Members

  @Test
  void twoActivationsOnALayer() {
    assertError(network(INPUT, "@Dense(units = 4) @Relu @Tanh Layer hidden();", OUTPUT),
        "layer 'hidden' has two activations, @Relu and @Tanh: keep one", "Layer hidden()");
  }

  @Test
  void activationWithoutALayer() {
    assertError(network(INPUT, "@Relu Layer stray();", OUTPUT),
        "@Relu on 'stray' has no layer to act on: activations go beside @Dense or @Conv2D (or @Input)",
        "Layer stray()");
  }

  @Test
  void outputWithAnActivation() {
    assertError(network(INPUT, "@Output(units = 1) @Sigmoid Layer logit();"),
        "the @Output layer 'logit' takes no activation: its logits go to the loss SIGMOID_CROSS_ENTROPY, which "
            + "applies the sigmoid itself; remove @Sigmoid", "Layer logit()");
  }

  @Test
  void memberDeclaredAsTwoLayers() {
    assertError(network(INPUT, "@Dense(units = 4) @Output(units = 1) Layer logit();"),
        "'logit' is declared as two layers, @Dense and @Output", "Layer logit()");
  }

  @Test
  void memberThatIsALayerAndAParameter() {
    assertError(network(INPUT, "@Dense(units = 4) @Fixed(0) Layer hidden();", OUTPUT),
        "'hidden' is a layer (@Dense) and cannot also be a parameter (@Fixed)", "Layer hidden()");
  }

  @Test
  void parameterThatIsNotDouble() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Fixed(0) float theta();"),
        "parameter 'theta' must be declared as double, not float", "float theta()");
  }

  // Parameters

  @Test
  void activationNamesAnUndeclaredParameter() {
    assertError(network(INPUT, "@Dense(units = 42) @ThetaLeaky(\"thetaa\") Layer hidden();", OUTPUT, THETA),
        "@ThetaLeaky on 'hidden' names parameter 'thetaa', which Moons does not declare (its parameters are theta): "
            + "declare it, e.g. @Fixed(0) double thetaa();", "Layer hidden()");
  }

  @Test
  void activationNamesNoParameter() {
    assertError(network(INPUT, "@Dense(units = 42) @Swish(\"\") Layer hidden();", OUTPUT),
        "@Swish on 'hidden' names no parameter: write the name of a β parameter", "Layer hidden()");
  }

  @Test
  void parameterDeclaredTwiceByName() {
    JavaFileObject file = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "abstract class Moons {",
        "  " + INPUT,
        "  " + HIDDEN,
        "  " + OUTPUT,
        "  @Fixed(0) double theta;",
        "  @Annealed(ThetaSchedule.class) abstract double theta();",
        "}");
    Compilation compilation = javacWithSchedule(file);
    assertThat(compilation).hadErrorContaining("parameter 'theta' is declared twice: keep one declaration")
        .inFile(file).onLineContaining("abstract double theta()");
  }

  @Test
  void parameterWithTwoParameterAnnotations() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Fixed(0) @Trainable double theta();"),
        "parameter 'theta' is declared twice, as @Fixed and as @Trainable: a parameter is fixed, annealed or "
            + "trainable; keep one annotation", "double theta()");
  }

  @Test
  void parameterUsedAsThetaAndAsBeta() {
    assertError(network(INPUT, "@Dense(units = 4) @ThetaLeaky(\"p\") Layer hidden();",
            "@Dense(units = 4) @Swish(\"p\") Layer wide();", OUTPUT, "@Trainable double p();"),
        "parameter 'p' is used as θ (by @ThetaLeaky on 'hidden') and as β (by @Swish on 'wide'): a parameter has "
            + "one meaning", "double p()");
  }

  @Test
  void boundsWithMinAboveMax() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Trainable(min = 1, max = 0.5) double theta();"),
        "parameter 'theta' has min = 1.0 above max = 0.5", "double theta()");
  }

  @Test
  void initialValueOutsideTheBounds() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Trainable(initial = 2, min = 0, max = 1) double theta();"),
        "parameter 'theta' starts at 2.0, outside its bounds [0.0, 1.0]: start within the bounds", "double theta()");
  }

  @Test
  void initialValueOutsideThetaDefaultBounds() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Trainable(initial = 1) double theta();"),
        "parameter 'theta' starts at 1.0, outside its bounds [0.0, 0.7853981633974483] (the values not written are "
            + "the defaults for θ)", "double theta()");
  }

  @Test
  void learningRateScaleNotPositive() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Trainable(learningRateScale = 0) double theta();"),
        "parameter 'theta' has learningRateScale = 0.0: it multiplies the learning rate", "double theta()");
  }

  @Test
  void fixedValueNotFinite() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Fixed(Double.NaN) double theta();"),
        "fixed parameter 'theta' has value = NaN: it must be a finite number", "double theta()");
  }

  @Test
  void unusedParameterIsAWarningAndLeftOut() {
    JavaFileObject file = network(INPUT, HIDDEN, OUTPUT, THETA, "@Fixed(1) double beta();");
    Compilation compilation = compile(file);

    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningCount(1);
    assertThat(compilation).hadWarningContaining("parameter 'beta' is not used: nothing names it (an activation, the "
        + "optimiser's learningRateParameter, @Relaxed's hiddenLossWeightParameter, strengthParameter or "
        + "resetStrengthParameter, or a @LearnedWidth's penaltyParameter), so it is left out of the graph").inFile(file).onLineContaining("double beta()");
    Truth.assertThat(Sources.generated(compilation, "test.MoonsGraph")).doesNotContain("beta");
  }

  // Names

  @Test
  void repeatedLayerNameClashesWithAnotherLayer() {
    assertError(network(INPUT, "@Dense(units = 4, repeat = 2) Layer hidden();", "@Dense(units = 4) Layer hidden2();",
            OUTPUT),
        "two layers are named 'hidden2': layer 'hidden' repeated 2 times (hidden1 .. hidden2) and layer 'hidden2'; "
            + "rename one", "Layer hidden2()");
  }

  @Test
  void fieldAndMethodWithOneLayerName() {
    assertError(source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "abstract class Moons {",
            "  " + INPUT,
            "  @Dense(units = 4) Layer hidden;",
            "  @Dense(units = 4) abstract Layer hidden();",
            "  " + OUTPUT,
            "}"),
        "two layers are named 'hidden': layer 'hidden' and layer 'hidden'", "abstract Layer hidden()");
  }

  @Test
  void parameterNamedLikeALayer() {
    assertError(source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "abstract class Moons {",
            "  " + INPUT,
            "  @Dense(units = 4) @ThetaLeaky(\"hidden\") abstract Layer hidden();",
            "  " + OUTPUT,
            "  @Fixed(0) double hidden;",
            "}"),
        "'hidden' names both a parameter and layer 'hidden': rename one", "double hidden;");
  }

  @Test
  void perNeuronParameterNamedLikeALayersWeights() {
    assertError(network(INPUT, "@Dense(units = 4) @ThetaLeaky(\"weights\") Layer hidden();", OUTPUT,
            "@Trainable(perNeuron = true) double weights();"),
        "per-neuron parameter 'weights' would be named <layer>/weights like each layer's own weights", "double weights()");
  }

  @Test
  void nameThatTensorFlowRejects() {
    assertError(network(INPUT, "@Dense(units = 4) @Relu Layer _hidden();", OUTPUT),
        "layer name '_hidden' cannot be a TensorFlow name, which layer and parameter names become: use ASCII "
            + "letters, digits and '_', starting with a letter", "Layer _hidden()");
  }

  // Optimiser

  @Test
  void learningRateParameterNamesNothing() {
    assertError(networkAnnotated("@Adam(learningRateParameter = \"lr\")", INPUT, HIDDEN, OUTPUT, THETA),
        "@Adam's learningRateParameter names parameter 'lr', which Moons does not declare", "@Adam");
  }

  @Test
  void learningRateParameterIsTrainable() {
    assertError(networkAnnotated("@Sgd(learningRateParameter = \"lr\")", INPUT, HIDDEN, OUTPUT, THETA,
            "@Trainable(initial = 0.1, min = 0, max = 1) double lr();"),
        "the learning rate cannot be @Trainable: 'lr' would be learned by the optimiser it drives", "@Sgd");
  }

  @Test
  void learningRateAndLearningRateParameterBothGiven() {
    assertError(networkAnnotated("@Adam(learningRate = 0.01, learningRateParameter = \"lr\")", INPUT, HIDDEN, OUTPUT,
            THETA, "@Fixed(0.01) double lr();"),
        "@Adam sets both learningRate and learningRateParameter: the learning rate is parameter 'lr'; remove "
            + "learningRate", "@Adam");
  }

  @Test
  void twoOptimisers() {
    JavaFileObject file = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Adam",
        "@Sgd",
        "interface Moons {",
        "  " + INPUT,
        "  " + OUTPUT,
        "}");
    assertError(file, "Moons has more than one optimiser (@Adam, @Sgd): keep one", "@Sgd");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Sgd(learningRate = 0)        | @Sgd has learningRate = 0.0: the learning rate is a positive number",
      "@Adam(beta1 = 1)              | @Adam has beta1 = 1.0: it is a decay rate, at least 0 and below 1",
      "@Adam(epsilon = -1)           | @Adam has epsilon = -1.0: it must be a positive number",
      "@Momentum(momentum = -0.5)    | @Momentum has momentum = -0.5",
      "@RmsProp(decay = 1.5)         | @RmsProp has decay = 1.5",
  })
  void optimiserSettingOutOfRange(String optimiser, String message) {
    assertError(networkAnnotated(optimiser, INPUT, OUTPUT), message, optimiser.substring(0, optimiser.indexOf('(')));
  }

  // The network type

  @Test
  void networkOnAClassThatIsNotAbstract() {
    assertError(source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "class Moons {",
            "  " + INPUT.replace("();", ";"),
            "}"),
        "@Network goes on an interface or an abstract class, not on a class that is not abstract", "@Network");
  }

  @Test
  void networkOnAnEnum() {
    assertError(source("Moons", "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)", "enum Moons { A }"),
        "@Network goes on an interface or an abstract class, not on an enum", "@Network");
  }

  // Members: every method is a layer or a parameter, declared abstract

  @Test
  void softmaxOverOneUnit() {
    JavaFileObject file = source("Moons",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Moons {",
        "  " + INPUT,
        "  @Output(units = 1) Layer logit();",
        "}");
    assertError(file, "output layer 'logit' has one unit under SOFTMAX_CROSS_ENTROPY: a softmax over one class is always 1",
        "@Output(units = 1)");
    assertThat(compile(file)).hadErrorContaining("use @Network(loss = Loss.SIGMOID_CROSS_ENTROPY) with one unit");
  }

  @Test
  void softmaxOverTwoUnitsCompiles() {
    assertThat(compile(source("Moons",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Moons {",
        "  " + INPUT,
        "  @Output(units = 2) Layer logit();",
        "}"))).succeededWithoutWarnings();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "default Layer hidden() { return null; }                   | layer 'hidden' is a default method with a body",
      "static Layer hidden() { return null; }                    | layer 'hidden' is static",
      "private Layer hidden() { return null; }                   | layer 'hidden' is private",
      "Layer hidden(int width);                                  | layer 'hidden' takes parameters",
      "<T> Layer hidden();                                       | layer 'hidden' has type parameters",
  })
  void layerThatIsNotAnAbstractMethod(String declaration, String message) {
    JavaFileObject file = network(INPUT, "@Dense(units = 42) @ThetaLeaky(\"theta\") " + declaration, OUTPUT, THETA);
    Compilation compilation = assertError(file, message, "@Dense(units = 42)");
    assertThat(compilation).hadErrorContaining("declare it as Layer hidden(); with its annotations");
  }

  @Test
  void parameterDeclaredAsADefaultMethod() {
    JavaFileObject file = network(INPUT, HIDDEN, OUTPUT, "@Fixed(0) default double theta() { return 0; }");
    assertError(file, "parameter 'theta' is a default method with a body", "@Fixed(0)");
    assertThat(compile(file)).hadErrorContaining("declare it as double theta(); with its annotations");
  }

  @Test
  void staticParameter() {
    assertError(network(INPUT, HIDDEN, OUTPUT, "@Fixed(0) static double theta() { return 0; }"),
        "parameter 'theta' is static", "@Fixed(0)");
  }

  @Test
  void methodWithoutAnnotations() {
    assertError(network(INPUT, HIDDEN, "Layer forgotten();", OUTPUT, THETA),
        "'forgotten' is neither a layer nor a parameter: annotate it as a layer", "Layer forgotten()");
  }

  @Test
  void helperMethodInTheNetworkType() {
    assertError(network(INPUT, HIDDEN, OUTPUT, THETA, "static int width() { return 42; }"),
        "method 'width' is static: every method of @Network Moons declares a layer or a parameter", "int width()");
  }

  @Test
  void layerThatDoesNotReturnLayer() {
    assertError(network(INPUT, "@Dense(units = 42) @ThetaLeaky(\"theta\") double hidden();", OUTPUT, THETA),
        "layer 'hidden' returns double: a layer is declared as Layer hidden();", "@Dense(units = 42)");
  }

  @Test
  void layerDeclaredAsAField() {
    assertError(network(INPUT, "@Dense(units = 42) Layer HIDDEN = null;", OUTPUT),
        "'HIDDEN' is a constant (a static field, as every field of an interface is): a layer or parameter is an "
            + "abstract method", "@Dense(units = 42)");
  }

  @Test
  void constantsAndNestedTypesAreAllowed() {
    assertThat(compile(network("int WIDTH = 42;", INPUT, "@Dense(units = WIDTH) @ThetaLeaky(\"theta\") Layer hidden();",
        OUTPUT, THETA, "final class Notes {}"))).succeededWithoutWarnings();
  }

  private static Compilation javacWithSchedule(JavaFileObject network) {
    return compile(network, Sources.thetaSchedule());
  }
}
