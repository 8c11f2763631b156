package dev.kiln.bench.hand;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The benchmark networks written by hand in TensorFlow Java, op for op as Kiln's generated code
 * and runtime build them (same layers, θ-leaky activation {@code max(x·tan θ, x)}, initial
 * weights, losses and fused Adam kernel), without Kiln's metrics and logging.
 */
public final class HandNetworks {
  private static final double QUARTER_PI = Math.PI / 4;

  private HandNetworks() {}

  /** W1: MLP 784-512-512-10 on MNIST images, θ from π/4 to 0 over {@code rampSteps} steps, Adam 1e-3, seed 42. */
  public static HandModel mnistMlp(long rampSteps) {
    Graph graph = new Graph();
    HandGraph state = new HandGraph(graph, 42);
    Ops tf = state.tf();
    Operand<TFloat32> theta = state.holdThenLinear(QUARTER_PI, 0, 0, rampSteps);
    Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
    Operand<TFloat32> x = tf.reshape(image, tf.constant(new long[] {-1, 784}));
    x = thetaLeaky(tf, dense(state, "hidden1", x, 784, 512), theta);
    x = thetaLeaky(tf, dense(state, "hidden2", x, 512, 512), theta);
    Operand<TFloat32> logits = dense(state, "digit", x, 512, 10);
    return softmaxModel(graph, state, image, logits, 10, 1e-3);
  }

  /**
   * W2: the larger CNN (32@5×5 and 64@5×5, each max-pooled 2×2, dense 1024, 10 classes), θ from
   * π/4 to 0 over {@code rampSteps} steps, Adam 1e-3, seed 42.
   */
  public static HandModel largeCnn(long rampSteps) {
    Graph graph = new Graph();
    HandGraph state = new HandGraph(graph, 42);
    Ops tf = state.tf();
    Operand<TFloat32> theta = state.holdThenLinear(QUARTER_PI, 0, 0, rampSteps);
    Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
    Operand<TFloat32> x = maxPool(tf, thetaLeaky(tf, conv(state, "conv1", image, 5, 1, 32), theta));
    x = maxPool(tf, thetaLeaky(tf, conv(state, "conv2", x, 5, 32, 64), theta));
    x = tf.reshape(x, tf.constant(new long[] {-1, 1024}));
    x = thetaLeaky(tf, dense(state, "fc", x, 1024, 1024), theta);
    Operand<TFloat32> logits = dense(state, "digit", x, 1024, 10);
    return softmaxModel(graph, state, image, logits, 10, 1e-3);
  }

  /**
   * The moons sample's MLP (2, 42, 100, 100, 42, 1), sigmoid output, θ held at π/4 for
   * {@code holdSteps} then down to 0 over {@code rampSteps}, Adam 3e-3, seed 7.
   */
  public static HandModel moonsMlp(long holdSteps, long rampSteps) {
    Graph graph = new Graph();
    HandGraph state = new HandGraph(graph, 7);
    Ops tf = state.tf();
    Operand<TFloat32> theta = state.holdThenLinear(QUARTER_PI, 0, holdSteps, rampSteps);
    Placeholder<TFloat32> point = tf.withName("point").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
    long[] widths = {2, 42, 100, 100, 42};
    Operand<TFloat32> x = point;
    for (int i = 1; i < widths.length; i++) {
      x = thetaLeaky(tf, dense(state, "hidden" + i, x, widths[i - 1], widths[i]), theta);
    }
    Operand<TFloat32> logits = dense(state, "logit", x, 42, 1);
    Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    SigmoidHead head = sigmoidHead(tf, logits, labels);
    return new HandModel(graph, point, labels, head.loss(), head.accuracy(), state.adam(head.loss(), 3e-3, 0.9, 0.999, 1e-7));
  }

  /**
   * W3: relaxed activation identity (RAI) training of a deep MLP, 2 → {@code hiddenLayers} ×
   * {@code width} sigmoid → 1 (sigmoid output), on {@code examples} training examples, Rprop with
   * PyTorch's defaults but an initial step of 0.1, seed 7. Every dense layer and the output have targets for their pre-activations, one row per
   * example; the relaxed pass computes each layer from the previous layer's targets; the loss is
   * the output loss on the output's targets plus the mean squared distance of every layer's targets
   * from what the relaxed pass computes for them. {@link HandModel#loss} and its accuracy are the
   * ordinary forward pass's (what the network predicts with); a training step does not compute them.
   */
  public static HandModel deepRelaxed(long examples, int hiddenLayers, long width) {
    Graph graph = new Graph();
    HandGraph state = new HandGraph(graph, 7);
    Ops tf = state.tf();
    Placeholder<TFloat32> point = tf.withName("point").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
    Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    Placeholder<TInt32> indices = tf.withName("example_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    List<Operand<TFloat32>> weights = new ArrayList<>();
    List<Operand<TFloat32>> biases = new ArrayList<>();
    List<Operand<TFloat32>> ordinary = new ArrayList<>();
    Operand<TFloat32> x = point;
    for (int layer = 0; layer <= hiddenLayers; layer++) {
      boolean output = layer == hiddenLayers;
      String name = output ? "logit" : "hidden" + (layer + 1);
      weights.add(state.weights(name + "/weights", Shape.of(layer == 0 ? 2 : width, output ? 1 : width)));
      biases.add(state.bias(name + "/bias", output ? 1 : width));
      Operand<TFloat32> linear = tf.nn.biasAdd(tf.linalg.matMul(x, weights.get(layer)), biases.get(layer));
      ordinary.add(linear);
      x = output ? linear : tf.math.sigmoid(linear);
    }
    SigmoidHead head = sigmoidHead(tf, x, labels);

    // The relaxed pass: each layer computed from the previous layer's targets.
    List<HandGraph.Rows> targets = new ArrayList<>();
    List<Operand<TFloat32>> hiddenLosses = new ArrayList<>();
    List<Op> fromForward = new ArrayList<>();
    Operand<TInt32> allAxes = tf.constant(new int[] {0, 1});
    x = point;
    for (int layer = 0; layer <= hiddenLayers; layer++) {
      boolean output = layer == hiddenLayers;
      HandGraph.Variable<TFloat32> variable = state.filled("targets_" + layer, Shape.of(examples, output ? 1 : width), 0);
      Operand<TFloat32> linear = tf.nn.biasAdd(tf.linalg.matMul(x, weights.get(layer)), biases.get(layer));
      Operand<TFloat32> rows = tf.resourceGather(variable.handle(), indices, TFloat32.class);
      targets.add(new HandGraph.Rows(variable, rows));
      hiddenLosses.add(tf.math.mean(tf.math.squaredDifference(rows, linear), allAxes));
      fromForward.add(tf.resourceScatterUpdate(variable.handle(), indices, ordinary.get(layer)));
      x = output ? rows : tf.math.sigmoid(rows);
    }
    Operand<TFloat32> relaxedLoss = tf.math.add(sigmoidHead(tf, x, labels).loss(), tf.math.mul(tf.constant(1f), tf.math.addN(hiddenLosses)));
    Op train = state.rprop(relaxedLoss, targets, indices, new HandGraph.RpropSettings(0.1, 1.2, 0.5, 1e-6, 50));
    Op prepare = tf.withControlDependencies(fromForward).noOp();
    return new HandModel(graph, point, labels, head.loss(), head.accuracy(), train, indices, prepare);
  }

  /** Sigmoid cross-entropy of logits against 0/1 labels, and the accuracy of their signs. */
  private record SigmoidHead(Operand<TFloat32> loss, Operand<TFloat32> accuracy) {}

  private static SigmoidHead sigmoidHead(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
    Operand<TInt32> allAxes = tf.constant(new int[] {0, 1});
    // max(x, 0) - x·z + log(1 + e^-|x|): sigmoid cross-entropy that cannot overflow.
    Operand<TFloat32> perOutput =
        tf.math.add(tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, labels)), tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    Operand<TFloat32> correct =
        tf.dtypes.cast(tf.math.equal(tf.math.greater(logits, tf.constant(0f)), tf.math.greater(labels, tf.constant(0.5f))), TFloat32.class);
    return new SigmoidHead(tf.math.mean(perOutput, allAxes), tf.math.mean(correct, allAxes));
  }

  private static HandModel softmaxModel(Graph graph, HandGraph state, Placeholder<TFloat32> input, Operand<TFloat32> logits, int classes, double learningRate) {
    Ops tf = state.tf();
    Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    Operand<TInt64> indices = tf.reshape(tf.dtypes.cast(labels, TInt64.class), tf.constant(new long[] {-1}));
    // The dense kernel on one-hot labels: graph mode has no C++ gradient for the sparse one.
    Operand<TFloat32> oneHot = tf.oneHot(indices, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    Operand<TInt32> batchAxis = tf.constant(new int[] {0});
    Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), batchAxis);
    Operand<TFloat32> correct = tf.dtypes.cast(tf.math.equal(tf.math.argMax(logits, tf.constant(1)), indices), TFloat32.class);
    Operand<TFloat32> accuracy = tf.math.mean(correct, batchAxis);
    return new HandModel(graph, input, labels, loss, accuracy, state.adam(loss, learningRate, 0.9, 0.999, 1e-7));
  }

  private static Operand<TFloat32> dense(HandGraph state, String name, Operand<TFloat32> x, long in, long out) {
    Ops tf = state.tf();
    Operand<TFloat32> weights = state.weights(name + "/weights", Shape.of(in, out));
    Operand<TFloat32> bias = state.bias(name + "/bias", out);
    return tf.nn.biasAdd(tf.linalg.matMul(x, weights), bias);
  }

  private static Operand<TFloat32> conv(HandGraph state, String name, Operand<TFloat32> x, long kernel, long in, long filters) {
    Ops tf = state.tf();
    Operand<TFloat32> weights = state.weights(name + "/kernel", Shape.of(kernel, kernel, in, filters));
    Operand<TFloat32> bias = state.bias(name + "/bias", filters);
    return tf.nn.biasAdd(tf.nn.conv2d(x, weights, List.of(1L, 1L, 1L, 1L), "VALID"), bias);
  }

  private static Operand<TFloat32> thetaLeaky(Ops tf, Operand<TFloat32> x, Operand<TFloat32> theta) {
    return tf.math.maximum(tf.math.mul(x, tf.math.tan(theta)), x);
  }

  private static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> window = tf.constant(new int[] {1, 2, 2, 1});
    return tf.nn.maxPool(x, window, window, "VALID");
  }
}
