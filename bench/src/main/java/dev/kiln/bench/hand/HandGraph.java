package dev.kiln.bench.hand;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * What a careful TensorFlow Java user writes by hand to train a network in graph mode: resource
 * variables read once, stateless Glorot-uniform initialisation, a step counter, and the fused
 * resource Adam kernel. It makes the same ops, with the same initial values, as Kiln's runtime, so
 * that a benchmark against it measures what Kiln adds and nothing else.
 */
public final class HandGraph {
  /** A resource variable and its one read, which every consumer (and the gradient) uses. */
  public record Variable<T extends TType>(Operand<? extends TType> handle, Operand<T> read) {}

  private final Ops tf;
  private final long seed;
  private final List<Variable<TFloat32>> trainables = new ArrayList<>();
  private final Variable<TInt64> step;

  /** @param seed the network seed, the first half of every initialiser's seed */
  public HandGraph(Graph graph, long seed) {
    this.tf = Ops.create(graph);
    this.seed = seed;
    this.step = variable("step", TInt64.class, Shape.scalar(), init -> init.constant(0L));
  }

  public Ops tf() {
    return tf;
  }

  /** The step counter's read: the number of steps done before this one. */
  public Operand<TInt64> step() {
    return step.read();
  }

  /** Glorot-uniform weights, seeded by the network seed and the name as Kiln seeds them. */
  public Operand<TFloat32> weights(String name, Shape shape) {
    float limit = (float) glorotLimit(shape);
    long nameSeed = fnv1a64(name);
    Variable<TFloat32> weights =
        variable(name, TFloat32.class, shape, init -> {
          Operand<TFloat32> uniform =
              init.random.statelessRandomUniform(init.constant(shape.asArray()), init.constant(new long[] {seed, nameSeed}), TFloat32.class);
          return init.math.sub(init.math.mul(uniform, init.constant(2 * limit)), init.constant(limit));
        });
    trainables.add(weights);
    return weights.read();
  }

  public Operand<TFloat32> bias(String name, long units) {
    Variable<TFloat32> bias = filled(name, Shape.of(units), 0);
    trainables.add(bias);
    return bias.read();
  }

  /**
   * θ held at {@code from} for {@code holdSteps} steps, then moved in a straight line to
   * {@code to} over {@code rampSteps} steps, and kept there: computed from the step counter.
   */
  public Operand<TFloat32> holdThenLinear(double from, double to, long holdSteps, long rampSteps) {
    Operand<TFloat32> stepsIntoRamp = tf.math.maximum(tf.dtypes.cast(step.read(), TFloat32.class), tf.constant((float) holdSteps));
    Operand<TFloat32> progress =
        tf.math.minimum(tf.constant(1f), tf.math.div(tf.math.sub(stepsIntoRamp, tf.constant((float) holdSteps)), tf.constant((float) rampSteps)));
    return tf.math.add(tf.constant((float) from), tf.math.mul(tf.constant((float) (to - from)), progress));
  }

  /**
   * One Adam step on every trainable variable (fused kernel, after every read of the step), then
   * the β powers and the step counter.
   */
  public Op adam(Operand<TFloat32> loss, double learningRate, double beta1, double beta2, double epsilon) {
    List<Operand<TFloat32>> reads = new ArrayList<>();
    trainables.forEach(v -> reads.add(v.read()));
    Gradients gradients = tf.gradients(loss, reads);
    Variable<TFloat32> beta1Power = filled("beta1_power", Shape.scalar(), beta1);
    Variable<TFloat32> beta2Power = filled("beta2_power", Shape.scalar(), beta2);
    Ops optimizer = afterReads(reads);
    List<Op> applies = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      Variable<TFloat32> variable = trainables.get(i);
      Variable<TFloat32> m = filled("adam_m_" + i, variable.read().shape(), 0);
      Variable<TFloat32> v = filled("adam_v_" + i, variable.read().shape(), 0);
      applies.add(
          optimizer.train.resourceApplyAdam(
              variable.handle(), m.handle(), v.handle(), beta1Power.read(), beta2Power.read(), tf.constant((float) learningRate),
              tf.constant((float) beta1), tf.constant((float) beta2), tf.constant((float) epsilon), gradients.dy(i)));
    }
    Ops afterApplies = tf.withControlDependencies(applies);
    List<Op> updates = new ArrayList<>(applies);
    updates.add(afterApplies.assignVariableOp(beta1Power.handle(), tf.math.mul(beta1Power.read(), tf.constant((float) beta1))));
    updates.add(afterApplies.assignVariableOp(beta2Power.handle(), tf.math.mul(beta2Power.read(), tf.constant((float) beta2))));
    return tf.withControlDependencies(updates).withName("train").assignAddVariableOp(step.handle(), tf.constant(1L));
  }

  /** The rows of a per-example variable that a step reads (and its gradient is taken with respect to). */
  public record Rows(Variable<TFloat32> variable, Operand<TFloat32> rows) {}

  /** Rprop's settings, as PyTorch's {@code Rprop} names them. */
  public record RpropSettings(double initialStep, double growth, double shrink, double minStep, double maxStep) {}

  /**
   * One Rprop step (iRprop⁻, as PyTorch's {@code Rprop}) on every trainable variable and on the
   * {@code rows} of each per-example variable, then the step counter. TensorFlow has no Rprop
   * kernel, so it is built from graph ops: once for all whole variables together (their gradients
   * flattened into one vector) and once for the rows of all per-example variables side by side,
   * rather than a dozen ops per variable.
   *
   * @param indices the rows of the per-example variables the step reads
   */
  public Op rprop(Operand<TFloat32> loss, List<Rows> targets, Operand<TInt32> indices, RpropSettings settings) {
    List<Operand<TFloat32>> differentiated = new ArrayList<>();
    trainables.forEach(v -> differentiated.add(v.read()));
    targets.forEach(t -> differentiated.add(t.rows()));
    Gradients gradients = tf.gradients(loss, differentiated);
    Ops optimizer = afterReads(differentiated);
    List<Op> updates = new ArrayList<>();

    long[] sizes = new long[trainables.size()];
    List<Operand<TFloat32>> flat = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      sizes[i] = trainables.get(i).read().shape().size();
      flat.add(optimizer.reshape(gradients.dy(i), optimizer.constant(new long[] {-1})));
    }
    long total = java.util.Arrays.stream(sizes).sum();
    Variable<TFloat32> stepSizes = filled("rprop_step", Shape.of(total), settings.initialStep());
    Variable<TFloat32> previous = filled("rprop_gradient", Shape.of(total), 0);
    RpropUpdate whole = rpropUpdate(optimizer, settings, stepSizes.read(), previous.read(), optimizer.concat(flat, optimizer.constant(0)));
    updates.add(optimizer.assignVariableOp(stepSizes.handle(), whole.step()));
    updates.add(optimizer.assignVariableOp(previous.handle(), whole.counted()));
    List<? extends Operand<TFloat32>> deltas = optimizer.splitV(whole.delta(), optimizer.constant(sizes), optimizer.constant(0), (long) sizes.length).output();
    for (int i = 0; i < trainables.size(); i++) {
      Variable<TFloat32> variable = trainables.get(i);
      updates.add(optimizer.assignSubVariableOp(variable.handle(), optimizer.reshape(deltas.get(i), optimizer.constant(variable.read().shape().asArray()))));
    }

    // The targets' step sizes and previous gradients side by side, one slot each: one gather and
    // one scatter per slot, not one per target.
    long[] widths = new long[targets.size()];
    long examples = targets.get(0).variable().read().shape().size(0);
    List<Operand<TFloat32>> rowGradients = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      widths[i] = targets.get(i).variable().read().shape().size(1);
      rowGradients.add(gradients.dy(trainables.size() + i));
    }
    Shape slotShape = Shape.of(examples, java.util.Arrays.stream(widths).sum());
    Variable<TFloat32> stepSlot = filled("rprop_row_step", slotShape, settings.initialStep());
    Variable<TFloat32> previousSlot = filled("rprop_row_gradient", slotShape, 0);
    Operand<TInt32> sideBySide = optimizer.constant(1);
    RpropUpdate rows =
        rpropUpdate(
            optimizer, settings, optimizer.resourceGather(stepSlot.handle(), indices, TFloat32.class),
            optimizer.resourceGather(previousSlot.handle(), indices, TFloat32.class), optimizer.concat(rowGradients, sideBySide));
    updates.add(optimizer.resourceScatterUpdate(stepSlot.handle(), indices, rows.step()));
    updates.add(optimizer.resourceScatterUpdate(previousSlot.handle(), indices, rows.counted()));
    List<? extends Operand<TFloat32>> rowDeltas = optimizer.splitV(rows.delta(), optimizer.constant(widths), sideBySide, (long) widths.length).output();
    for (int i = 0; i < targets.size(); i++) {
      updates.add(optimizer.resourceScatterSub(targets.get(i).variable().handle(), indices, rowDeltas.get(i)));
    }
    return tf.withControlDependencies(updates).withName("train").assignAddVariableOp(step.handle(), tf.constant(1L));
  }

  private record RpropUpdate(Operand<TFloat32> step, Operand<TFloat32> counted, Operand<TFloat32> delta) {}

  /**
   * From the product of this gradient and the previous one, the step grows, shrinks (and the
   * gradient counts as 0) or stays; clipped; the weight moves by it against the gradient's sign.
   */
  private static RpropUpdate rpropUpdate(Ops tf, RpropSettings settings, Operand<TFloat32> step, Operand<TFloat32> previous, Operand<TFloat32> gradient) {
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> agreement = tf.math.mul(gradient, previous);
    Operand<TBool> flipped = tf.math.less(agreement, zero);
    Operand<TFloat32> factor =
        tf.select(
            tf.math.greater(agreement, zero), tf.constant((float) settings.growth()),
            tf.select(flipped, tf.constant((float) settings.shrink()), tf.constant(1f)));
    Operand<TFloat32> newStep =
        tf.clipByValue(tf.math.mul(step, factor), tf.constant((float) settings.minStep()), tf.constant((float) settings.maxStep()));
    Operand<TFloat32> counted = tf.select(flipped, zero, gradient);
    return new RpropUpdate(newStep, counted, tf.math.mul(tf.math.sign(counted), newStep));
  }

  /**
   * Ops that run after {@code reads} and the step counter's read, so that no update writes a
   * variable before the step has read it: through one barrier, not an edge from every read to
   * every update op, which would slow TensorFlow's graph optimisation badly on a deep network.
   */
  private Ops afterReads(List<? extends Operand<TFloat32>> reads) {
    List<Op> after = new ArrayList<>(reads);
    after.add(step.read());
    return tf.withControlDependencies(List.of(tf.withControlDependencies(after).withName("reads_done").noOp()));
  }

  /** The trainable variables, in creation order. */
  public List<Variable<TFloat32>> trainables() {
    return List.copyOf(trainables);
  }

  /** A float variable (not trainable) that starts with every value at {@code value}. */
  public Variable<TFloat32> filled(String name, Shape shape, double value) {
    return variable(name, TFloat32.class, shape, init -> init.fill(init.constant(shape.asArray()), init.constant((float) value)));
  }

  /** A resource variable: a handle with a unique shared name, its initialiser under the init scope, its one read. */
  public <T extends TType> Variable<T> variable(String name, Class<T> type, Shape shape, java.util.function.Function<Ops, Operand<T>> initialValue) {
    // Flat op names: TensorFlow Java lists every op of the graph for each new sub-scope, which
    // makes building a deep network quadratic in its size.
    String flat = name.replace('/', '_');
    Ops init = tf.withInitScope();
    VarHandleOp handle = init.withName(flat + "_handle").varHandleOp(type, shape, VarHandleOp.sharedName(name));
    init.withName(flat + "_assign").assignVariableOp(handle, initialValue.apply(init));
    return new Variable<>(handle, tf.withName(flat + "_read").readVariableOp(handle, type));
  }

  /** Glorot's uniform limit √(6 / (fan in + fan out)); a convolution's fans include its receptive field. */
  static double glorotLimit(Shape shape) {
    int rank = shape.numDimensions();
    long receptiveField = 1;
    for (int i = 0; i < rank - 2; i++) {
      receptiveField *= shape.size(i);
    }
    long fanIn = shape.size(rank - 2) * receptiveField;
    long fanOut = shape.size(rank - 1) * receptiveField;
    return Math.sqrt(6.0 / (fanIn + fanOut));
  }

  /** FNV-1a over UTF-8, the per-variable half of the initialiser's seed (Kiln's choice, repeated to get the same weights). */
  static long fnv1a64(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
