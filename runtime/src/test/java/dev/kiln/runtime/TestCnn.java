package dev.kiln.runtime;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.MaxPool;
import org.tensorflow.types.TFloat32;

/**
 * A hand-written stand-in for generated convolutional code: {@code [h, w, c]} images → one valid
 * convolution of {@code filters}@{@code kernel}×{@code kernel} with ReLU → 2×2 max-pooling →
 * flatten → dense softmax over {@code classes}; with {@link #withGates}, the convolution's channels
 * gated (learned width) before the pooling.
 */
final class TestCnn implements NetworkGraph {
  private final NetworkSpec spec;
  private final int kernel;
  private final int filters;
  private double gatePenalty = -1;

  TestCnn(String name, int height, int width, int channels, int kernel, int filters, int classes, OptimizerSpec optimizer) {
    this.spec = new NetworkSpec(name, Shape.of(height, width, channels), classes, Loss.SOFTMAX_CROSS_ENTROPY, optimizer, 42);
    this.kernel = kernel;
    this.filters = filters;
  }

  /** Gates on the convolution's channels, L1 penalty {@code penalty}, dead below 0.05. */
  TestCnn withGates(double penalty) {
    this.gatePenalty = penalty;
    return this;
  }

  @Override
  public NetworkSpec spec() {
    return spec;
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    Ops tf = graph.tf();
    long channels = spec.inputShape().size(2);
    Operand<TFloat32> x = graph.input("image");
    Operand<TFloat32> kernelWeights = graph.weights("conv/weights", Shape.of(kernel, kernel, channels, filters));
    Operand<TFloat32> conv =
        tf.math.add(tf.nn.conv2d(x, kernelWeights, List.of(1L, 1L, 1L, 1L), "VALID", Conv2d.dataFormat("NHWC")), graph.bias("conv/bias", filters));
    Operand<TFloat32> activation = tf.nn.relu(conv);
    if (gatePenalty >= 0) {
      activation = graph.gates(graph.scope("conv"), "conv", activation, tf.constant((float) gatePenalty), 1.0, 0.05);
    }
    Operand<TFloat32> pooled =
        tf.nn.maxPool(activation, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID", MaxPool.dataFormat("NHWC"));
    long pooledHeight = (spec.inputShape().size(0) - kernel + 1) / 2;
    long pooledWidth = (spec.inputShape().size(1) - kernel + 1) / 2;
    long flat = pooledHeight * pooledWidth * filters;
    Operand<TFloat32> flattened = graph.flatten(graph.scope("flat"), pooled);
    Operand<TFloat32> weights = graph.weights("output/weights", Shape.of(flat, spec.outputUnits()));
    return tf.math.add(tf.linalg.matMul(flattened, weights), graph.bias("output/bias", spec.outputUnits()));
  }
}
