package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.processor.ForwardPasses.ACTIVATIONS;
import static dev.kiln.processor.ForwardPasses.activate;
import static dev.kiln.processor.ForwardPasses.activateChannels;
import static dev.kiln.processor.ForwardPasses.assertClose;
import static dev.kiln.processor.ForwardPasses.conv2D;
import static dev.kiln.processor.ForwardPasses.dense;
import static dev.kiln.processor.ForwardPasses.flatten;
import static dev.kiln.processor.ForwardPasses.images;
import static dev.kiln.processor.ForwardPasses.maxPool;
import static dev.kiln.processor.ForwardPasses.run;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.source;

import dev.kiln.dsl.Padding;
import dev.kiln.runtime.graph.NetworkGraph;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * Runs generated convolutional forward passes on TensorFlow with known weights and checks them
 * against convolution, pooling and flattening computed in Java from their definitions.
 */
class ConvolutionGraphTest {
  private static final int HEIGHT = 6;
  private static final int WIDTH = 5;
  private static final int CHANNELS = 2;
  /** Three 6×5×2 images (not square, so a swapped height and width shows), values of both signs. */
  private static final double[][] IMAGES = examples(3, HEIGHT * WIDTH * CHANNELS);

  @ParameterizedTest(name = "conv {0}x{0} stride {1} {2}, max-pool {3} stride {4} {5}")
  @CsvSource({
      "2, 1, VALID, 2, 0, VALID",
      "3, 2, SAME,  2, 1, SAME",
      "3, 1, SAME,  3, 2, VALID",
      "1, 1, VALID, 0, 0, VALID",
  })
  void convolutionWithPerChannelThetaPoolingAndFlattenComputeTheirDefinitions(
      int kernel, int stride, Padding padding, int pool, int poolStride, Padding poolPadding) {
    String pooling = pool == 0 ? "" : "@MaxPool(value = " + pool + ", stride = " + poolStride
        + ", padding = Padding." + poolPadding + ") ";
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = {" + HEIGHT + ", " + WIDTH + ", " + CHANNELS + "}) Layer image();",
        "  @Conv2D(filters = 3, kernel = " + kernel + ", stride = " + stride + ", padding = Padding." + padding + ") "
            + "@ThetaLeaky(\"theta\") " + pooling + "Layer conv();",
        "  @Flatten Layer flat();",
        "  @Output(units = 2) Layer out();",
        "  @Trainable(perNeuron = true) double theta();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(HEIGHT, WIDTH, CHANNELS));
      Operand<TFloat32> logits = network.buildForward(builder);

      float[] theta = builder.values.get("conv/theta");
      assertThat(theta).hasLength(3);
      double[][][][] activated = activateChannels(
          conv2D(images(IMAGES, HEIGHT, WIDTH, CHANNELS), builder, "conv", kernel, 3, stride, padding),
          (x, channel) -> Math.max(x * Math.tan(theta[channel]), x));
      double[][][][] pooled = pool == 0
          ? activated
          : maxPool(activated, pool, poolStride == 0 ? pool : poolStride, poolPadding);
      double[][] flat = flatten(pooled);
      assertThat(builder.calls.toString()).contains("weights out/weights [" + flat[0].length + ", 2]");
      assertClose(run(graph, builder, logits, IMAGES), dense(flat, builder, "out", 2));
      assertThat(graph.operation("conv/conv")).isNotNull();
      assertThat(graph.operation("conv/theta_leaky")).isNotNull();
      assertThat(graph.operation("flat/flatten")).isNotNull();
      if (pool != 0) {
        assertThat(graph.operation("conv/max_pool")).isNotNull();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "@Identity, identity", "@Relu, relu", "@Sigmoid, sigmoid", "@Tanh, tanh", "@Softplus, softplus", "@Elu, elu",
      "@Selu, selu", "@Gelu, gelu", "@Swish(\"p\"), swish", "@ThetaLeaky(\"p\"), theta_leaky",
  })
  void eachActivationOnAConvolution(String annotation, String activation) {
    double p = 0.3;
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = {" + HEIGHT + ", " + WIDTH + ", " + CHANNELS + "}) Layer image();",
        "  @Conv2D(filters = 2, kernel = 2) " + annotation + " Layer conv();",
        "  @Flatten Layer flat();",
        "  @Output(units = 1) Layer out();",
        annotation.contains("\"p\"") ? "  @Fixed(" + p + ") double p();" : "",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(HEIGHT, WIDTH, CHANNELS));
      Operand<TFloat32> logits = network.buildForward(builder);

      DoubleBinaryOperator function = ACTIVATIONS.get(activation);
      double[][][][] convolved = conv2D(images(IMAGES, HEIGHT, WIDTH, CHANNELS), builder, "conv", 2, 2, 1,
          Padding.VALID);
      double[][] flat = flatten(activateChannels(convolved, (x, channel) -> function.applyAsDouble(x, p)));
      assertClose(run(graph, builder, logits, IMAGES), dense(flat, builder, "out", 1));
    }
  }

  @Test
  void aReferenceCnnStackComputesItsDefinition() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "interface Net {",
        "  @Input(shape = {" + HEIGHT + ", " + WIDTH + ", " + CHANNELS + "}) Layer image();",
        "  @Conv2D(filters = 4, kernel = 2) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv1();",
        "  @Conv2D(filters = 3, kernel = 2, padding = Padding.SAME) @ThetaLeaky(\"theta\") Layer conv2();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 4) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 3) Layer digit();",
        "  @Trainable(perNeuron = true) double theta();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(HEIGHT, WIDTH, CHANNELS));
      Operand<TFloat32> logits = network.buildForward(builder);

      double[][][][] conv1 = maxPool(activateChannels(
          conv2D(images(IMAGES, HEIGHT, WIDTH, CHANNELS), builder, "conv1", 2, 4, 1, Padding.VALID),
          thetaLeaky(builder.values.get("conv1/theta"))), 2, 2, Padding.VALID);
      double[][][][] conv2 = activateChannels(conv2D(conv1, builder, "conv2", 2, 3, 1, Padding.SAME),
          thetaLeaky(builder.values.get("conv2/theta")));
      double[][] hidden = activate(dense(flatten(conv2), builder, "hidden", 4),
          thetaLeaky(builder.values.get("hidden/theta")));
      assertThat(builder.calls.toString()).contains(""
          + "weights conv1/kernel [2, 2, 2, 4]\nbias conv1/bias [4]\n"
          + "bounds conv1/theta [0.0, 0.7853981633974483] x1.0\ntrainable conv1/theta [4]\n"
          + "weights conv2/kernel [2, 2, 4, 3]\nbias conv2/bias [3]\n"
          + "bounds conv2/theta [0.0, 0.7853981633974483] x1.0\ntrainable conv2/theta [3]\n"
          + "weights hidden/weights [12, 4]\n");
      assertClose(run(graph, builder, logits, IMAGES), dense(hidden, builder, "digit", 3));
    }
  }

  @Test
  void gradientsFlowThroughConvolutionPoolingAndFlatten() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "interface Net {",
        "  @Input(shape = {" + HEIGHT + ", " + WIDTH + ", " + CHANNELS + "}) Layer image();",
        "  @Conv2D(filters = 3, kernel = 2) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv();",
        "  @Flatten Layer flat();",
        "  @Output(units = 1) Layer out();",
        "  @Trainable(perNeuron = true) double theta();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(HEIGHT, WIDTH, CHANNELS));
      Operand<TFloat32> logits = network.buildForward(builder);
      Ops tf = builder.tf();
      Operand<TFloat32> loss = tf.sum(tf.math.square(logits), tf.constant(new int[] {0, 1}));
      Gradients gradients = tf.gradients(loss,
          List.of(builder.state.get("conv/kernel"), builder.state.get("conv/bias"), builder.state.get("conv/theta")));

      float[] flat = new float[IMAGES.length * IMAGES[0].length];
      for (int example = 0; example < IMAGES.length; example++) {
        for (int value = 0; value < IMAGES[0].length; value++) {
          flat[example * IMAGES[0].length + value] = (float) IMAGES[example][value];
        }
      }
      try (Session session = new Session(graph);
          TFloat32 input = TFloat32.tensorOf(Shape.of(IMAGES.length, HEIGHT, WIDTH, CHANNELS), DataBuffers.of(flat));
          Result result = session.runner().feed(builder.input, input)
              .fetch(gradients.dy(0)).fetch(gradients.dy(1)).fetch(gradients.dy(2)).run()) {
        assertThat(result.get(0).shape()).isEqualTo(Shape.of(2, 2, CHANNELS, 3));
        assertThat(result.get(2).shape()).isEqualTo(Shape.of(3));
        for (int index = 0; index < 3; index++) {
          TFloat32 gradient = (TFloat32) result.get(index);
          assertThat(countNonZero(gradient)).isGreaterThan(0);
        }
      }
    }
  }

  @Test
  void dropoutGetsThePooledActivationsAndTheKernelIsRegularised() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Net",
        "@Network(loss = Loss.MEAN_SQUARED_ERROR)",
        "@Regularization(l1 = 0.01)",
        "interface Net {",
        "  @Input(shape = {" + HEIGHT + ", " + WIDTH + ", " + CHANNELS + "}) Layer image();",
        "  @Conv2D(filters = 3, kernel = 2) @Relu @MaxPool(2) @Dropout(0.5) Layer conv();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 4) @Relu @Dropout(0.25) @Regularization(l2 = 0.5) Layer hidden();",
        "  @Output(units = 1) @Regularization Layer out();",
        "}")), "test.NetGraph");

    try (Graph graph = new Graph()) {
      RecordingGraphBuilder builder = new RecordingGraphBuilder(graph, Shape.of(HEIGHT, WIDTH, CHANNELS));
      Operand<TFloat32> logits = network.buildForward(builder);

      assertThat(builder.calls.toString()).isEqualTo(""
          + "input image\n"
          + "weights conv/kernel [2, 2, 2, 3]\nregularize conv/regularization l1=0.01 l2=0.0\nbias conv/bias [3]\n"
          + "dropout conv/dropout [-1, 2, 2, 3] rate=0.5\n"
          + "weights hidden/weights [12, 4]\nregularize hidden/regularization l1=0.0 l2=0.5\nbias hidden/bias [4]\n"
          + "dropout hidden/dropout [-1, 4] rate=0.25\n"
          + "weights out/weights [4, 1]\nbias out/bias [1]\n");
      assertThat(builder.regularized.get("conv/regularization")).isSameInstanceAs(builder.state.get("conv/kernel"));
      assertThat(builder.regularized.get("hidden/regularization")).isSameInstanceAs(builder.state.get("hidden/weights"));
      // The recording builder's dropout is the identity, as when evaluating.
      double[][][][] conv = maxPool(activateChannels(
          conv2D(images(IMAGES, HEIGHT, WIDTH, CHANNELS), builder, "conv", 2, 3, 1, Padding.VALID),
          (x, channel) -> Math.max(x, 0)), 2, 2, Padding.VALID);
      double[][] hidden = activate(dense(flatten(conv), builder, "hidden", 4), (x, neuron) -> Math.max(x, 0));
      assertClose(run(graph, builder, logits, IMAGES), dense(hidden, builder, "out", 1));
    }
  }

  private static ForwardPasses.NeuronFunction thetaLeaky(float[] theta) {
    return (x, neuron) -> Math.max(x * Math.tan(theta[neuron]), x);
  }

  private static int countNonZero(TFloat32 tensor) {
    int[] count = {0};
    tensor.scalars().forEach(value -> count[0] += value.getFloat() != 0 ? 1 : 0);
    return count[0];
  }

  /** Deterministic values in [-2, 2] that differ by example and position. */
  private static double[][] examples(int count, int size) {
    double[][] examples = new double[count][size];
    for (int example = 0; example < count; example++) {
      for (int value = 0; value < size; value++) {
        examples[example][value] = 2 * Math.sin(0.37 * value + 1.1 * example + 0.5);
      }
    }
    return examples;
  }
}
