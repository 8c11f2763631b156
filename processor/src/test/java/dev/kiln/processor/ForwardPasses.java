package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Padding;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Runs generated forward passes on TensorFlow, and computes the same layers in plain Java from the
 * values a {@link RecordingGraphBuilder} recorded, so tests compare the two. Images are
 * {@code [example][row][column][channel]} (NHWC); vectors {@code [example][value]}.
 */
final class ForwardPasses {
  private ForwardPasses() {}

  /** Each activation's definition, of the pre-activation x and the parameter p (θ or β), by op name. */
  static final Map<String, DoubleBinaryOperator> ACTIVATIONS = Map.ofEntries(
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

  /** An activation of neuron (or channel) {@code neuron}'s pre-activation {@code x}. */
  interface NeuronFunction {
    double apply(double x, int neuron);
  }

  /**
   * Feeds {@code examples} (each flat, row-major in the example shape) to the builder's input and
   * returns {@code output}, a {@code [batch, width]} tensor.
   */
  static double[][] run(Graph graph, RecordingGraphBuilder builder, Operand<TFloat32> output, double[][] examples) {
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
  static double[][] dense(double[][] x, RecordingGraphBuilder builder, String name, int units) {
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

  static double[][] activate(double[][] x, NeuronFunction function) {
    double[][] y = new double[x.length][];
    for (int row = 0; row < x.length; row++) {
      y[row] = new double[x[row].length];
      for (int neuron = 0; neuron < x[row].length; neuron++) {
        y[row][neuron] = function.apply(x[row][neuron], neuron);
      }
    }
    return y;
  }

  /** Flat examples as images of {@code height × width × channels}, row-major. */
  static double[][][][] images(double[][] examples, int height, int width, int channels) {
    double[][][][] images = new double[examples.length][height][width][channels];
    for (int example = 0; example < examples.length; example++) {
      for (int row = 0; row < height; row++) {
        for (int column = 0; column < width; column++) {
          for (int channel = 0; channel < channels; channel++) {
            images[example][row][column][channel] = examples[example][(row * width + column) * channels + channel];
          }
        }
      }
    }
    return images;
  }

  /** Each image as one vector, row-major: what {@code @Flatten} makes. */
  static double[][] flatten(double[][][][] images) {
    double[][] vectors = new double[images.length][];
    for (int example = 0; example < images.length; example++) {
      double[][][] image = images[example];
      int width = image[0].length;
      int channels = image[0][0].length;
      vectors[example] = new double[image.length * width * channels];
      for (int row = 0; row < image.length; row++) {
        for (int column = 0; column < width; column++) {
          for (int channel = 0; channel < channels; channel++) {
            vectors[example][(row * width + column) * channels + channel] = image[row][column][channel];
          }
        }
      }
    }
    return vectors;
  }

  /**
   * {@code conv(x, K) + b} with the builder's recorded kernel {@code [k, k, in, filters]} and bias
   * of layer {@code name}, by TensorFlow's definition: SAME pads with zeros, the odd one after.
   */
  static double[][][][] conv2D(
      double[][][][] x, RecordingGraphBuilder builder, String name, int kernel, int filters, int stride,
      Padding padding) {
    float[] weights = builder.values.get(name + "/kernel");
    float[] bias = builder.values.get(name + "/bias");
    int channels = x[0][0][0].length;
    return slide(x, kernel, stride, padding, filters, (image, top, left, filter) -> {
      double sum = bias[filter];
      for (int i = 0; i < kernel; i++) {
        for (int j = 0; j < kernel; j++) {
          if (inside(image, top + i, left + j)) {
            for (int in = 0; in < channels; in++) {
              sum += image[top + i][left + j][in] * weights[((i * kernel + j) * channels + in) * filters + filter];
            }
          }
        }
      }
      return sum;
    });
  }

  /** The maximum of each {@code window × window} window per channel; SAME padding is never the maximum. */
  static double[][][][] maxPool(double[][][][] x, int window, int stride, Padding padding) {
    return slide(x, window, stride, padding, x[0][0][0].length, (image, top, left, channel) -> {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < window; i++) {
        for (int j = 0; j < window; j++) {
          if (inside(image, top + i, left + j)) {
            max = Math.max(max, image[top + i][left + j][channel]);
          }
        }
      }
      return max;
    });
  }

  static double[][][][] activateChannels(double[][][][] x, NeuronFunction function) {
    double[][][][] y = new double[x.length][][][];
    for (int example = 0; example < x.length; example++) {
      y[example] = new double[x[example].length][][];
      for (int row = 0; row < x[example].length; row++) {
        y[example][row] = activate(x[example][row], function);
      }
    }
    return y;
  }

  private interface Window {
    double value(double[][][] image, int top, int left, int outputChannel);
  }

  /** Moves a window over every image as TensorFlow does; {@code top} and {@code left} may be in the padding. */
  private static double[][][][] slide(
      double[][][][] x, int window, int stride, Padding padding, int outputChannels, Window function) {
    int height = x[0].length;
    int width = x[0][0].length;
    int outHeight = padding == Padding.VALID ? (height - window) / stride + 1 : (height + stride - 1) / stride;
    int outWidth = padding == Padding.VALID ? (width - window) / stride + 1 : (width + stride - 1) / stride;
    int padTop = padding == Padding.VALID ? 0 : Math.max((outHeight - 1) * stride + window - height, 0) / 2;
    int padLeft = padding == Padding.VALID ? 0 : Math.max((outWidth - 1) * stride + window - width, 0) / 2;
    double[][][][] y = new double[x.length][outHeight][outWidth][outputChannels];
    for (int example = 0; example < x.length; example++) {
      for (int row = 0; row < outHeight; row++) {
        for (int column = 0; column < outWidth; column++) {
          for (int channel = 0; channel < outputChannels; channel++) {
            y[example][row][column][channel] =
                function.value(x[example], row * stride - padTop, column * stride - padLeft, channel);
          }
        }
      }
    }
    return y;
  }

  private static boolean inside(double[][][] image, int row, int column) {
    return row >= 0 && row < image.length && column >= 0 && column < image[0].length;
  }

  static void assertClose(double[][] actual, double[][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int row = 0; row < expected.length; row++) {
      assertThat(actual[row]).usingTolerance(1e-5).containsExactly(expected[row]).inOrder();
    }
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Abramowitz and Stegun 7.1.26: |error| < 1.5e-7, well inside float precision. */
  static double erf(double x) {
    double t = 1 / (1 + 0.3275911 * Math.abs(x));
    double polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return Math.signum(x) * (1 - polynomial * Math.exp(-x * x));
  }
}
