package dev.kiln.bench;

import com.google.gson.Gson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * What this machine can do at best for W1: TensorFlow running only the eight float32 matrix
 * products of one W1 training step (forward, weight gradients, input gradients of the MLP
 * 784-512-512-10 on a batch of 128), nothing else. The examples per second it reaches are a
 * ceiling no training of W1 can pass here. Prints {@link TrialResult#PREFIX} and the result as JSON.
 */
public final class Calibration {
  static final int BATCH = 128;
  private static final int[] WIDTHS = {784, 512, 512, 10};
  private static final int WARM_UP = 30;
  private static final int TIMED = 300;

  /** @param gflops the matrix products' floating-point operations per second, in billions */
  record Ceiling(double stepMillis, double examplesPerSecond, double gflops, double loadAverage) {}

  private Calibration() {}

  public static void main(String[] args) {
    System.out.println(TrialResult.PREFIX + new Gson().toJson(measure()));
  }

  static Ceiling measure() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      List<Placeholder<TFloat32>> inputs = new ArrayList<>();
      List<Operand<TFloat32>> products = new ArrayList<>();
      long flops = 0;
      for (int layer = 0; layer + 1 < WIDTHS.length; layer++) {
        int in = WIDTHS[layer];
        int out = WIDTHS[layer + 1];
        Placeholder<TFloat32> x = input(tf, inputs, BATCH, in);
        Placeholder<TFloat32> w = input(tf, inputs, in, out);
        Placeholder<TFloat32> dy = input(tf, inputs, BATCH, out);
        products.add(tf.linalg.matMul(x, w));
        products.add(tf.linalg.matMul(x, dy, MatMul.transposeA(true)));
        flops += 2L * 2 * BATCH * in * out;
        if (layer > 0) {
          // The first layer's input needs no gradient.
          products.add(tf.linalg.matMul(dy, w, MatMul.transposeB(true)));
          flops += 2L * BATCH * in * out;
        }
      }
      List<TFloat32> values = new ArrayList<>();
      try (Session session = new Session(graph)) {
        Random random = new Random(1);
        for (Placeholder<TFloat32> input : inputs) {
          TFloat32 value = TFloat32.tensorOf(input.shape());
          float[] data = new float[(int) input.shape().size()];
          for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat();
          }
          value.asRawTensor().data().asFloats().write(data);
          values.add(value);
        }
        double[] millis = new double[TIMED];
        for (int i = -WARM_UP; i < TIMED; i++) {
          // Fetched, so that no graph optimisation can drop them.
          Session.Runner runner = session.runner();
          products.forEach(runner::fetch);
          for (int j = 0; j < inputs.size(); j++) {
            runner.feed(inputs.get(j), values.get(j));
          }
          long start = System.nanoTime();
          try (Result ignored = runner.run()) {
            // Only the products' time counts.
          }
          if (i >= 0) {
            millis[i] = (System.nanoTime() - start) / 1e6;
          }
        }
        Arrays.sort(millis);
        double median = millis[TIMED / 2];
        return new Ceiling(median, BATCH / (median / 1000), flops / (median / 1000) / 1e9, ProcessStats.loadAverage());
      } finally {
        values.forEach(TFloat32::close);
      }
    }
  }

  private static Placeholder<TFloat32> input(Ops tf, List<Placeholder<TFloat32>> inputs, int rows, int columns) {
    Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, columns)));
    inputs.add(input);
    return input;
  }
}
