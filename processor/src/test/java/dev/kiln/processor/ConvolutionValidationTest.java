package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.network;
import static dev.kiln.processor.Sources.networkAnnotated;

import com.google.testing.compile.Compilation;
import java.util.Arrays;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every mistake with convolutions, pooling, flatten, dropout and weight penalties, and every shape
 * that does not fit the layer reading it, is an error on the declaration that caused it.
 */
class ConvolutionValidationTest {
  private static final String IMAGE = "@Input(shape = {28, 28, 1}) Layer image();";
  private static final String CONV = "@Conv2D(filters = 8, kernel = 5) @Relu Layer conv();";
  private static final String FLAT = "@Flatten Layer flat();";
  private static final String OUTPUT = "@Output(units = 1) Layer logit();";

  /** A network of {@code members}, each ending in ';', on one line: CSV-friendly. */
  private static JavaFileObject members(String members) {
    return network(Arrays.stream(members.split(";")).map(String::trim).filter(member -> !member.isEmpty())
        .map(member -> member + ";").toArray(String[]::new));
  }

  // Shapes

  @Test
  void kernelLargerThanItsInput() {
    Compilation compilation = assertError(
        network("@Input(shape = {4, 4, 1}) Layer image();", "@Conv2D(filters = 8, kernel = 5) Layer conv();", FLAT,
            OUTPUT),
        "@Conv2D layer 'conv' has a 5×5 kernel, larger than its input [4, 4, 1] from input 'image': with VALID padding "
            + "its output would have size 0; use a smaller kernel or padding = Padding.SAME, or shrink the input less "
            + "before it",
        "Layer conv()");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void kernelLargerThanWhatEarlierLayersLeave() {
    assertError(network(IMAGE,
            "@Conv2D(filters = 16, kernel = 5) @MaxPool(2) Layer conv1();",
            "@Conv2D(filters = 16, kernel = 5) @MaxPool(2) Layer conv2();",
            "@Conv2D(filters = 16, kernel = 5) Layer conv3();",
            FLAT, OUTPUT),
        "@Conv2D layer 'conv3' has a 5×5 kernel, larger than its input [4, 4, 16] from 'conv2'", "Layer conv3()");
  }

  @Test
  void kernelLargerThanItsInputInOneDimensionOnly() {
    assertError(network("@Input(shape = {3, 10, 1}) Layer strip();", "@Conv2D(filters = 2, kernel = 4) Layer conv();",
            FLAT, OUTPUT),
        "@Conv2D layer 'conv' has a 4×4 kernel, larger than its input [3, 10, 1] from input 'strip'", "Layer conv()");
  }

  @Test
  void kernelLargerThanItsInputWithSamePaddingIsFine() {
    Compilation compilation = compile(network("@Input(shape = {4, 4, 1}) Layer image();",
        "@Conv2D(filters = 8, kernel = 5, padding = Padding.SAME) Layer conv();", FLAT, OUTPUT));

    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void poolingWindowLargerThanTheConvolutionsOutput() {
    assertError(network("@Input(shape = {4, 4, 1}) Layer image();",
            "@Conv2D(filters = 8, kernel = 3) @MaxPool(3) Layer conv();", FLAT, OUTPUT),
        "@MaxPool on 'conv' has a 3×3 window, larger than the convolution's output [2, 2, 8]: with VALID padding the "
            + "pooled output would have size 0; use a smaller window or padding = Padding.SAME", "Layer conv()");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Input(shape = 784) Layer image();          | [784] from input 'image'",
      "@Input(shape = {28, 28}) Layer image();     | [28, 28] from input 'image'",
      "@Input(shape = {2, 28, 28, 1}) Layer image(); | [2, 28, 28, 1] from input 'image'",
  })
  void convolutionOnAnInputThatIsNotAnImage(String input, String reading) {
    assertError(network(input, CONV, FLAT, OUTPUT),
        "@Conv2D layer 'conv' reads " + reading + ", but a convolution reads examples of shape [height, width, "
            + "channels]: declare the input so, e.g. @Input(shape = {28, 28, 1}) for grey-scale 28×28 images",
        "Layer conv()");
  }

  @Test
  void convolutionAfterFlatten() {
    assertError(network(IMAGE, FLAT, CONV, "@Flatten Layer again();", OUTPUT),
        "@Conv2D layer 'conv' reads [784] from 'flat', but a convolution reads examples of shape [height, width, "
            + "channels]: put convolutions before any @Flatten and @Dense layer", "Layer conv()");
  }

  @Test
  void denseLayerOnAConvolutionsOutputNeedsAFlatten() {
    Compilation compilation = assertError(
        network(IMAGE, CONV, "@Dense(units = 10) @Relu Layer hidden();", "@Dense(units = 10) Layer more();", OUTPUT),
        "@Dense layer 'hidden' reads [24, 24, 8] from 'conv', which is not a vector: it multiplies a vector by its "
            + "weights; add a @Flatten layer before it, e.g. @Flatten Layer flat();", "Layer hidden()");
    // The layers after it have no known input: one error, not a cascade.
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void denseLayerOnAnInputOfSeveralDimensions() {
    assertError(network(IMAGE, "@Dense(units = 10) Layer hidden();", OUTPUT),
        "@Dense layer 'hidden' reads [28, 28, 1] from input 'image', which is not a vector", "Layer hidden()");
  }

  @Test
  void denseLayerOnAnInputOfSeveralDimensionsOneUnknown() {
    assertError(network("@Input(shape = {-1, 2}) Layer point();", "@Dense(units = 10) Layer hidden();", OUTPUT),
        "@Dense layer 'hidden' reads [-1, 2] from input 'point', which is not a vector: it multiplies a vector by its "
            + "weights; add a @Flatten layer before it", "Layer hidden()");
  }

  @Test
  void outputLayerOnAConvolutionsOutput() {
    assertError(network(IMAGE, CONV, OUTPUT),
        "@Output layer 'logit' reads [24, 24, 8] from 'conv', which is not a vector: it multiplies a vector by its "
            + "weights; add a @Flatten layer before it", "Layer logit()");
  }

  @Test
  void convolutionOnAnInputWithAnUnknownDimension() {
    assertError(network("@Input(shape = {-1, 28, 1}) Layer image();", CONV, FLAT, OUTPUT),
        "@Conv2D layer 'conv' needs every dimension of input 'image', but its shape [-1, 28, 1] has an unknown (-1) "
            + "dimension: the kernel's shape and the output's size follow from them; give every input dimension",
        "Layer conv()");
  }

  @Test
  void flattenOfAnInputWithAnUnknownDimension() {
    assertError(network("@Input(shape = {28, -1}) Layer image();", FLAT, OUTPUT),
        "@Flatten layer 'flat' needs every dimension of input 'image', but its shape [28, -1] has an unknown (-1) "
            + "dimension: the vector it makes has their product as width, which the next layer's weights need; give "
            + "every input dimension", "Layer flat()");
  }

  @Test
  void flattenOfMoreValuesThanALongHolds() {
    assertError(network("@Input(shape = {4294967296L, 4294967296L}) Layer image();", FLAT, OUTPUT),
        "@Flatten layer 'flat' reads [4294967296, 4294967296] from input 'image', which has more values than a tensor "
            + "dimension can hold (9223372036854775807): make the input smaller", "Layer flat()");
  }

  @Test
  void flattenOfAVectorIsAWarning() {
    JavaFileObject file = network("@Input(shape = 4) Layer point();", FLAT, OUTPUT);
    Compilation compilation = compile(file);

    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningCount(1);
    assertThat(compilation).hadWarningContaining("@Flatten layer 'flat' reads [4] from input 'point', which is "
        + "already a vector: it changes nothing; remove it").inFile(file).onLineContaining("Layer flat()");
  }

  // Numbers

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Conv2D(filters = 0, kernel = 3) Layer conv();  | @Conv2D layer 'conv' has filters = 0: it has one output "
          + "channel per filter, at least one",
      "@Conv2D(filters = 4, kernel = 0) Layer conv();  | @Conv2D layer 'conv' has kernel = 0: the kernel's height "
          + "and width, at least 1",
      "@Conv2D(filters = 4, kernel = -3) Layer conv(); | @Conv2D layer 'conv' has kernel = -3",
      "@Conv2D(filters = 4, kernel = 3, stride = 0) Layer conv(); | @Conv2D layer 'conv' has stride = 0: the step "
          + "between kernel positions, at least 1",
      "@Conv2D(filters = 4, kernel = 3) @MaxPool(0) Layer conv(); | @MaxPool on 'conv' has a window of 0: the "
          + "window's height and width, at least 1",
      "@Conv2D(filters = 4, kernel = 3) @MaxPool(value = 2, stride = -1) Layer conv(); | @MaxPool on 'conv' has "
          + "stride = -1: the step between windows, at least 1 (or 0, the default, for the window size)",
  })
  void convolutionOrPoolingSizeNotPositive(String layer, String message) {
    assertError(network(IMAGE, layer, FLAT, OUTPUT), message, "Layer conv()");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Dropout(1)          | 1.0",
      "@Dropout(-0.1)       | -0.1",
      "@Dropout(Double.NaN) | NaN",
  })
  void dropoutRateOutsideZeroToOne(String dropout, String rate) {
    assertError(network("@Input(shape = 2) Layer point();", "@Dense(units = 4) @Relu " + dropout + " Layer hidden();",
            OUTPUT),
        "@Dropout on 'hidden' has rate " + rate + ": it is the fraction of values dropped, at least 0 and below 1",
        "Layer hidden()");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@Regularization(l2 = -0.1)                     | l2 = -0.1",
      "@Regularization(l1 = Double.POSITIVE_INFINITY) | l1 = Infinity",
  })
  void layerPenaltyWeightNegativeOrInfinite(String regularization, String weight) {
    assertError(network(IMAGE, "@Conv2D(filters = 4, kernel = 3) " + regularization + " Layer conv();", FLAT, OUTPUT),
        "@Regularization on 'conv' has " + weight + ": a penalty's weight is a finite number, at least 0 (0 for none)",
        "Layer conv()");
  }

  @Test
  void networkPenaltyWeightNegative() {
    assertError(networkAnnotated("@Regularization(l1 = -1)", "@Input(shape = 2) Layer point();", OUTPUT),
        "@Regularization on 'Moons' has l1 = -1.0: a penalty's weight is a finite number, at least 0", "@Regularization");
  }

  // Where modifiers go

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "@MaxPool on a dense layer | @Input(shape = 2) Layer point(); @Dense(units = 4) @MaxPool(2) Layer hidden(); "
          + "@Output(units = 1) Layer logit(); | @MaxPool cannot go on @Dense layer 'hidden': max-pooling goes beside "
          + "a @Conv2D layer, after its activation; move it there or remove it | Layer hidden()",
      "@MaxPool on the output | @Input(shape = 2) Layer point(); @Output(units = 1) @MaxPool(2) Layer logit(); "
          + "| @MaxPool cannot go on @Output layer 'logit': max-pooling goes beside a @Conv2D layer | Layer logit()",
      "@MaxPool on a flatten | @Input(shape = {28, 28, 1}) Layer image(); @Flatten @MaxPool(2) Layer flat(); "
          + "@Output(units = 1) Layer logit(); | @MaxPool cannot go on @Flatten layer 'flat' | Layer flat()",
      "@MaxPool on the input | @Input(shape = {28, 28, 1}) @MaxPool(2) Layer image(); @Flatten Layer flat(); "
          + "@Output(units = 1) Layer logit(); | @MaxPool cannot go on @Input layer 'image' | Layer image()",
      "@Dropout on the output | @Input(shape = 2) Layer point(); @Output(units = 1) @Dropout(0.5) Layer logit(); "
          + "| @Dropout cannot go on @Output layer 'logit': dropout goes beside a hidden @Dense or @Conv2D layer, "
          + "after its activation (and pooling); move it there or remove it | Layer logit()",
      "@Dropout on a flatten | @Input(shape = {28, 28, 1}) Layer image(); @Flatten @Dropout(0.5) Layer flat(); "
          + "@Output(units = 1) Layer logit(); | @Dropout cannot go on @Flatten layer 'flat' | Layer flat()",
      "@Dropout on the input | @Input(shape = 2) @Dropout(0.2) Layer point(); @Output(units = 1) Layer logit(); "
          + "| @Dropout cannot go on @Input layer 'point' | Layer point()",
      "@Regularization on a flatten | @Input(shape = {28, 28, 1}) Layer image(); @Flatten @Regularization(l2 = 1) "
          + "Layer flat(); @Output(units = 1) Layer logit(); | @Regularization cannot go on @Flatten layer 'flat': a "
          + "weight penalty goes on a @Dense, @Conv2D or @Output layer, or on the network type for all of them; move "
          + "it there or remove it | Layer flat()",
      "@Regularization on the input | @Input(shape = 2) @Regularization(l1 = 1) Layer point(); @Output(units = 1) "
          + "Layer logit(); | @Regularization cannot go on @Input layer 'point' | Layer point()",
      "a modifier without a layer | @Input(shape = 2) Layer point(); @Dropout(0.5) Layer stray(); @Output(units = 1) "
          + "Layer logit(); | @Dropout on 'stray' has no layer to act on: dropout goes beside a hidden @Dense or "
          + "@Conv2D layer | Layer stray()",
      "a modifier on a parameter | @Input(shape = 2) Layer point(); @Output(units = 1) Layer logit(); "
          + "@MaxPool(2) @Fixed(0) double theta(); | @MaxPool on 'theta' has no layer to act on: max-pooling goes "
          + "beside a @Conv2D layer | double theta()",
      "an activation on a flatten | @Input(shape = {28, 28, 1}) Layer image(); @Flatten @Relu Layer flat(); "
          + "@Output(units = 1) Layer logit(); | @Relu cannot go on @Flatten layer 'flat': a flatten layer only "
          + "reshapes; put the activation on the layer before it | Layer flat()",
  })
  void modifierWhereItDoesNotApply(String description, String layers, String message, String line) {
    assertError(members(layers), message, line);
  }

  @Test
  void perNeuronParameterNamedLikeAConvolutionsKernel() {
    assertError(network(IMAGE, "@Conv2D(filters = 4, kernel = 3) @ThetaLeaky(\"kernel\") Layer conv();", FLAT, OUTPUT,
            "@Trainable(perNeuron = true) double kernel();"),
        "per-neuron parameter 'kernel' would be named <layer>/kernel like each layer's own kernel", "double kernel()");
  }

  @Test
  void flattenLayerNamedLikeARepetitionOfALayer() {
    assertError(network(IMAGE, "@Flatten Layer hidden2();", "@Dense(units = 4, repeat = 2) Layer hidden();", OUTPUT),
        "two layers are named 'hidden2': layer 'hidden2' and layer 'hidden' repeated 2 times (hidden1 .. hidden2); "
            + "rename one", "Layer hidden()");
  }
}
