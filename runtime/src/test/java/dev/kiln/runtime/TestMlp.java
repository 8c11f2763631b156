package dev.kiln.runtime;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A hand-written stand-in for generated code: a fully connected network whose hidden layers use
 * ReLU, or the θ-leaky activation {@code max(z·tan θ, z)} with a θ per layer from a {@link LayerTheta}.
 */
final class TestMlp implements NetworkGraph {
  /** The θ of one hidden layer; null for ReLU. */
  interface LayerTheta {
    Operand<TFloat32> create(GraphBuilder graph, String layer, long units);
  }

  /** One θ for every layer, created by {@code create} once per graph. */
  static LayerTheta shared(Function<GraphBuilder, Operand<TFloat32>> create) {
    Map<GraphBuilder, Operand<TFloat32>> perGraph = new IdentityHashMap<>();
    return (graph, layer, units) -> perGraph.computeIfAbsent(graph, create);
  }

  /** A trainable θ per neuron of each layer, named {@code <layer>/theta}, in [0, π/4]. */
  static LayerTheta perNeuron(double initial, double learningRateScale) {
    return (graph, layer, units) -> graph.trainable(layer + "/theta", Shape.of(units), initial, 0, Math.PI / 4, learningRateScale);
  }

  /** How a hidden layer learns its width: what it does to the layer's activation. */
  interface LayerWidth {
    Operand<TFloat32> apply(GraphBuilder graph, String layer, Operand<TFloat32> activation);
  }

  /** Gates on every hidden layer with a constant L1 penalty. */
  static LayerWidth gates(double penalty, double initial, double deadBelow) {
    return (graph, layer, x) -> graph.gates(graph.scope(layer), layer, x, graph.tf().constant((float) penalty), initial, deadBelow);
  }

  /** A soft size on every hidden layer with a constant penalty, starting at every unit. */
  static LayerWidth softSize(double penalty, double slope) {
    return (graph, layer, x) ->
        graph.softSize(graph.scope(layer), layer, x, graph.tf().constant((float) penalty), x.shape().size(1), slope);
  }

  private final NetworkSpec spec;
  private final int[] hidden;
  private LayerTheta theta;
  private Function<GraphBuilder, Operand<TFloat32>> learningRate;
  private double l1;
  private double l2;
  private double dropout;
  private LayerWidth learnedWidth;

  private TestMlp(NetworkSpec spec, int[] hidden) {
    this.spec = spec;
    this.hidden = hidden.clone();
  }

  /** A ReLU network {@code inputs → hidden... → outputs} (no hidden layers: a linear model). */
  static TestMlp of(String name, int inputs, int outputs, Loss loss, OptimizerSpec optimizer, int... hidden) {
    return new TestMlp(new NetworkSpec(name, Shape.of(inputs), outputs, loss, optimizer, 42), hidden);
  }

  TestMlp withTheta(LayerTheta theta) {
    this.theta = theta;
    return this;
  }

  TestMlp withLearningRate(Function<GraphBuilder, Operand<TFloat32>> rate) {
    this.learningRate = rate;
    return this;
  }

  /** Penalises every layer's weights (named {@code <layer>/regularization}). */
  TestMlp withRegularization(double l1, double l2) {
    this.l1 = l1;
    this.l2 = l2;
    return this;
  }

  /** Learned width on every hidden layer, after its activation. */
  TestMlp withLearnedWidth(LayerWidth width) {
    this.learnedWidth = width;
    return this;
  }

  /** Dropout after every hidden activation (named {@code <layer>/dropout}). */
  TestMlp withDropout(double rate) {
    this.dropout = rate;
    return this;
  }

  @Override
  public NetworkSpec spec() {
    return spec;
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    Ops tf = graph.tf();
    Operand<TFloat32> x = graph.input("input");
    if (learningRate != null) {
      graph.learningRate(learningRate.apply(graph));
    }
    long width = spec.inputShape().size(0);
    for (int i = 0; i < hidden.length; i++) {
      String layer = "hidden" + (i + 1);
      Operand<TFloat32> z = dense(graph, layer, x, width, hidden[i]);
      Operand<TFloat32> layerTheta = theta != null ? theta.create(graph, layer, hidden[i]) : null;
      x = layerTheta == null ? tf.nn.relu(z) : tf.math.maximum(tf.math.mul(z, tf.math.tan(layerTheta)), z);
      if (learnedWidth != null) {
        x = learnedWidth.apply(graph, layer, x);
      }
      if (dropout > 0) {
        x = graph.dropout(layer + "/dropout", x, dropout);
      }
      width = hidden[i];
    }
    return dense(graph, "output", x, width, spec.outputUnits());
  }

  private Operand<TFloat32> dense(GraphBuilder graph, String layer, Operand<TFloat32> x, long in, long out) {
    Ops tf = graph.tf();
    Operand<TFloat32> weights = graph.weights(layer + "/weights", Shape.of(in, out));
    if (l1 != 0 || l2 != 0) {
      graph.regularize(layer + "/regularization", weights, l1, l2);
    }
    Operand<TFloat32> bias = graph.bias(layer + "/bias", out);
    return tf.math.add(tf.linalg.matMul(x, weights), bias);
  }
}
