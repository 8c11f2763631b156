package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.networkAnnotated;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every mistake in {@code @Relaxed} and {@code @Rprop} is an error at the annotation, saying what to change. */
class RelaxationValidationTest {
  private static final String INPUT = "@Input(shape = 2) Layer point();";
  private static final String HIDDEN = "@Dense(units = 8) @Relu Layer hidden();";
  private static final String DEEP = "@Dense(units = 4, repeat = 3) @Sigmoid Layer deep();";
  private static final String OUTPUT = "@Output(units = 1) Layer logit();";

  @Test
  void aNetworkWithoutAHiddenDenseLayerHasNothingToRelax() {
    assertError(networkAnnotated("@Relaxed", INPUT, OUTPUT),
        "Moons has no @Dense layer to relax: relaxed training gives hidden layers targets", "@Relaxed");
  }

  @Test
  void anEmptyListOfLayersRelaxesNothing() {
    assertError(networkAnnotated("@Relaxed(layers = {})", INPUT, HIDDEN, OUTPUT),
        "@Relaxed(layers = {}) relaxes no layer: name the layers that get targets (hidden, logit)", "@Relaxed");
  }

  @Test
  void aLayerThatDoesNotExist() {
    assertError(networkAnnotated("@Relaxed(layers = {\"hidden\", \"hiden\"})", INPUT, HIDDEN, OUTPUT),
        "@Relaxed names 'hiden', which is not a layer of Moons: its layers that can be relaxed are hidden, logit",
        "@Relaxed");
  }

  @Test
  void oneRepetitionOfARepeatedLayer() {
    assertError(networkAnnotated("@Relaxed(layers = \"deep2\")", INPUT, DEEP, OUTPUT),
        "@Relaxed names 'deep2', which is not a layer of Moons: it is one repetition of 'deep', and a repeated layer "
            + "is relaxed as a whole; write 'deep'", "@Relaxed");
  }

  @Test
  void aLayerThatCannotBeRelaxed() {
    assertError(networkAnnotated("@Relaxed(layers = \"point\")", INPUT, HIDDEN, OUTPUT),
        "@Relaxed names @Input layer 'point': only @Dense and @Output layers get targets (hidden, logit)", "@Relaxed");
  }

  @Test
  void aLayerNamedTwice() {
    assertError(networkAnnotated("@Relaxed(layers = {\"hidden\", \"hidden\"})", INPUT, HIDDEN, OUTPUT),
        "@Relaxed names layer 'hidden' twice", "@Relaxed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Relaxed(hiddenLossWeight = 0)   | @Relaxed has hiddenLossWeight = 0.0: the hidden losses' weight is a positive number",
      "@Relaxed(hiddenLossWeight = -1)  | @Relaxed has hiddenLossWeight = -1.0",
      "@Relaxed(resetEvery = -2)        | @Relaxed has resetEvery = -2: it is a number of epochs, 0 for never",
      "@Relaxed(targetLearningRateScale = 0) | @Relaxed has targetLearningRateScale = 0.0: it multiplies the optimiser's learning rate for the targets, a positive number",
  })
  void numbersOutOfRange(String relaxed, String message) {
    assertError(networkAnnotated(relaxed, INPUT, HIDDEN, OUTPUT), message, "@Relaxed");
  }

  @Test
  void aWeightAndAWeightParameter() {
    assertError(networkAnnotated("@Relaxed(hiddenLossWeight = 2, hiddenLossWeightParameter = \"w\")", INPUT, HIDDEN,
            OUTPUT, "@Fixed(1) double w();"),
        "@Relaxed sets both hiddenLossWeight and hiddenLossWeightParameter: the weight is parameter 'w'; remove "
            + "hiddenLossWeight", "@Relaxed");
  }

  @Test
  void aWeightParameterThatIsNotDeclared() {
    assertError(networkAnnotated("@Relaxed(hiddenLossWeightParameter = \"w\")", INPUT, HIDDEN, OUTPUT),
        "@Relaxed's hiddenLossWeightParameter names parameter 'w', which Moons does not declare (it declares no "
            + "parameters): declare it, e.g. @Fixed(1) double w(); or @Annealed(...)", "@Relaxed");
  }

  @Test
  void aTrainableWeight() {
    assertError(networkAnnotated("@Relaxed(hiddenLossWeightParameter = \"w\")", INPUT, HIDDEN, OUTPUT,
            "@Trainable(initial = 1, min = 0, max = 2) double w();"),
        "the hidden-loss weight cannot be @Trainable", "@Relaxed");
  }

  @Test
  void aLayerNamedRelaxed() {
    assertError(networkAnnotated("@Relaxed", INPUT, "@Dense(units = 3) Layer relaxed();", OUTPUT),
        "a relaxed network cannot name a layer 'relaxed'", "Layer relaxed()");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Rprop(growth = 1)                | @Rprop has growth = 1.0: it multiplies the step of a weight whose gradient kept its sign",
      "@Rprop(shrink = 1.5)              | @Rprop has shrink = 1.5: it multiplies the step of a weight whose gradient changed sign",
      "@Rprop(minStep = 0)               | @Rprop has minStep = 0.0: the smallest step is a positive number",
      "@Rprop(minStep = 1, maxStep = 0.5) | @Rprop has maxStep = 0.5 below minStep = 1.0",
      "@Rprop(learningRate = -0.1)       | @Rprop has learningRate = -0.1: the learning rate is a positive number",
  })
  void rpropSettingsOutOfRange(String rprop, String message) {
    assertError(networkAnnotated(rprop, INPUT, HIDDEN, OUTPUT), message, "@Rprop");
  }

  @Test
  void rpropIsOneOptimiserAmongOthers() {
    Compilation compilation = compile(networkAnnotated("@Rprop @Adam", INPUT, HIDDEN, OUTPUT));
    assertThat(compilation).hadErrorContaining("Moons has more than one optimiser (@Rprop, @Adam): keep one");
  }

  @Test
  void aValidRelaxedNetworkCompilesWithoutWarnings() {
    Compilation compilation = compile(networkAnnotated(
        "@Rprop(learningRate = 0.1) @Relaxed(layers = {\"deep\", \"logit\"}, hiddenLossWeightParameter = \"w\")",
        INPUT, DEEP, OUTPUT, "@Fixed(0.5) double w();"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation.generatedSourceFiles()).hasSize(1);
  }
}
