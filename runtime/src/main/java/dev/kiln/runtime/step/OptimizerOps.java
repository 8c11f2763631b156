package dev.kiln.runtime.step;

import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SplitV;
import org.tensorflow.op.train.ResourceApplyMomentum;
import org.tensorflow.op.train.ResourceSparseApplyMomentum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One optimiser step over every trainable variable, then the clipping of bounded parameters.
 * Optimiser state (momenta, moment estimates, Adam's β powers, Rprop's step sizes) are variables of
 * the network like any other, so checkpoints hold them.
 *
 * <p>Whole variables use TensorFlow's fused resource kernels. Per-example variables (a relaxed
 * network's targets) are updated only in the rows of the step's examples: with the sparse kernels,
 * or for Adam by gathering the rows of its moments, updating them and scattering them back (so Adam
 * is "lazy" there: rows not in the batch keep their moments).
 *
 * <p>Rprop has no kernel and is built from graph ops, once for all whole variables together (their
 * gradients concatenated into one vector, their step sizes and previous gradients in the slots
 * {@code optimizer/rprop_step} and {@code optimizer/rprop_gradient}, in variable order) and once
 * for the batch's rows of all per-example variables (their slots side by side in
 * {@code optimizer/rprop_row_step} and {@code optimizer/rprop_row_gradient}): a dozen ops a step
 * instead of a dozen per variable, which for a 100-layer network is most of the step's ops.
 */
final class OptimizerOps {
  private OptimizerOps() {}

  /**
   * The gradient of rows {@code indices} of a per-example variable (one made by
   * {@link NetworkBuilder#perExample}): all that one step changes of it. The indices are distinct.
   *
   * @param learningRateScale multiplies the learning rate (Rprop: the initial step) for these rows
   */
  record RowGradient(StateVariable<TFloat32> variable, Operand<TInt32> indices, Operand<TFloat32> gradient, double learningRateScale) {}

  /**
   * Builds the update ops.
   *
   * @param gradients one per trainable variable, with respect to the variable's read
   * @param rowGradients the per-example variables the step updates in some rows
   * @param after ops every update must wait for: the reads of the step's state, so that no kernel
   *     writes a variable before the forward pass has read it
   * @param guard when it selects, every update takes inputs that change nothing for a non-finite
   *     step ({@link NonFiniteGuard#orElse}); when it gates, {@code after} holds its gate
   * @return ops that finish when every variable, slot and bound is updated
   */
  static List<Op> minimize(
      NetworkBuilder state, OptimizerSpec spec, List<Operand<TFloat32>> gradients, List<RowGradient> rowGradients,
      Operand<TFloat32> learningRate, List<Op> after, NonFiniteGuard guard) {
    List<TrainableVariable> trainables = state.trainables();
    Ops optimizer = state.scope("optimizer");
    // One barrier that waits for every read: each op of an update depends on it alone, not on all
    // the reads, which would add (ops × reads) control edges and slow graph optimisation badly.
    Op ready = optimizer.withControlDependencies(after).withName("ready").noOp();
    Ops tf = optimizer.withControlDependencies(List.of(ready));
    Update update = new Update(tf, state, guard);
    List<Operand<TFloat32>> guarded = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      guarded.add(update.gradient(alive(tf, trainables.get(i), gradients.get(i))));
    }
    List<RowGradient> guardedRows =
        rowGradients.stream()
            .map(rows -> new RowGradient(rows.variable(), rows.indices(), update.gradient(rows.gradient()), rows.learningRateScale()))
            .toList();
    if (spec instanceof OptimizerSpec.Rprop rprop) {
      List<Op> updates = new ArrayList<>();
      if (!trainables.isEmpty()) {
        updates.addAll(rpropWhole(update, rprop, trainables, guarded));
      }
      if (!guardedRows.isEmpty()) {
        updates.addAll(rpropRows(update, rprop, guardedRows));
      }
      return updates;
    }
    Operand<TFloat32> rate = update.orElse(learningRate, 0f);
    AdamPowers powers = spec instanceof OptimizerSpec.Adam adam ? AdamPowers.create(state, adam) : null;
    List<Op> applies = new ArrayList<>();
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      TrainableVariable trainable = trainables.get(i);
      Op apply = apply(update, spec, trainable.variable(), scaled(tf, rate, trainable.learningRateScale()), guarded.get(i), powers);
      applies.add(apply);
      updates.add(trainable.bounded() ? clip(state, trainable, apply) : apply);
    }
    for (RowGradient rows : guardedRows) {
      Op apply = applyRows(
          update, spec, new Rows(rows.variable(), rows.indices()), scaled(tf, rate, rows.learningRateScale()), rows.gradient(), powers);
      applies.add(apply);
      updates.add(apply);
    }
    if (powers != null) {
      updates.addAll(powers.advance(new Update(tf.withControlDependencies(applies), state, guard)));
    }
    return updates;
  }

  /**
   * Where an update's ops are made, and the guard's choice of its inputs: with a selecting guard,
   * a non-finite step runs every update with a zero gradient and learning rate, decays of one and
   * the old values of slots that would otherwise change, so that nothing changes.
   */
  private record Update(Ops tf, NetworkBuilder state, NonFiniteGuard guard) {
    Operand<TFloat32> gradient(Operand<TFloat32> gradient) {
      return guard.orElse(tf, gradient, 0f);
    }

    /** {@code value}, or {@code otherwise} for a non-finite step when the guard selects. */
    Operand<TFloat32> orElse(Operand<TFloat32> value, float otherwise) {
      return guard.orElse(tf, value, otherwise);
    }

    /** A constant hyperparameter, or {@code otherwise} for a non-finite step when the guard selects. */
    Operand<TFloat32> constant(double value, float otherwise) {
      return orElse(tf.constant((float) value), otherwise);
    }

    /** The new value of a slot, or its old value for a non-finite step when the guard selects. */
    Operand<TFloat32> kept(Operand<TFloat32> updated, Operand<TFloat32> old) {
      return guard.orElse(tf, updated, old);
    }

    boolean selects() {
      return guard.gates().isEmpty();
    }
  }

  /** {@code learningRate × scale}, or the rate itself for a scale of 1. */
  private static Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> learningRate, double scale) {
    return scale == 1.0 ? learningRate : tf.math.mul(learningRate, tf.constant((float) scale));
  }

  /**
   * The fused kernel's update of a whole variable. Given a zero gradient and rate, SGD, momentum
   * (with a momentum of one) and Adam (with β1 = β2 = 1) leave their state as it was; RMSProp
   * would still move the variable by its momentum, so a selecting guard gets it as graph ops.
   */
  private static Op apply(
      Update update, OptimizerSpec spec, StateVariable<TFloat32> variable, Operand<TFloat32> rate, Operand<TFloat32> gradient,
      AdamPowers powers) {
    Ops tf = update.tf();
    NetworkBuilder state = update.state();
    if (spec instanceof OptimizerSpec.Sgd) {
      return tf.train.resourceApplyGradientDescent(variable.handle(), rate, gradient);
    }
    if (spec instanceof OptimizerSpec.Momentum momentum) {
      StateVariable<TFloat32> accumulator = slot(state, variable, "momentum");
      return tf.train.resourceApplyMomentum(
          variable.handle(), accumulator.handle(), rate, gradient, update.constant(momentum.momentum(), 1f),
          ResourceApplyMomentum.useNesterov(momentum.nesterov()));
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      StateVariable<TFloat32> m = slot(state, variable, "adam_m");
      StateVariable<TFloat32> v = slot(state, variable, "adam_v");
      return tf.train.resourceApplyAdam(
          variable.handle(), m.handle(), v.handle(), powers.beta1Power.read(), powers.beta2Power.read(), rate,
          update.constant(adam.beta1(), 1f), update.constant(adam.beta2(), 1f), tf.constant((float) adam.epsilon()), gradient);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      StateVariable<TFloat32> meanSquare = slot(state, variable, "rms");
      StateVariable<TFloat32> momentum = slot(state, variable, "rms_momentum");
      if (update.selects()) {
        RmsPropUpdate step = RmsPropUpdate.of(update, rms, meanSquare.read(), momentum.read(), rate, gradient);
        return tf.withControlDependencies(
                List.of(
                    tf.assignVariableOp(meanSquare.handle(), step.meanSquare()),
                    tf.assignVariableOp(momentum.handle(), step.momentum()),
                    tf.assignSubVariableOp(variable.handle(), step.delta())))
            .noOp();
      }
      return tf.train.resourceApplyRmsProp(
          variable.handle(), meanSquare.handle(), momentum.handle(), rate, tf.constant((float) rms.decay()),
          tf.constant((float) rms.momentum()), tf.constant((float) rms.epsilon()), gradient);
    }
    throw new IllegalArgumentException("unsupported optimiser " + spec);
  }

  /** The update of the gathered rows of a per-example variable: the same rule as for a whole variable, on those rows only. */
  private static Op applyRows(
      Update update, OptimizerSpec spec, Rows rows, Operand<TFloat32> rate, Operand<TFloat32> gradient, AdamPowers powers) {
    Ops tf = update.tf();
    NetworkBuilder state = update.state();
    StateVariable<TFloat32> variable = rows.variable();
    if (spec instanceof OptimizerSpec.Sgd) {
      return rows.subtract(tf, tf.math.mul(rate, gradient));
    }
    if (spec instanceof OptimizerSpec.Momentum momentum) {
      StateVariable<TFloat32> accumulator = rows.slot(state, "momentum", 0);
      return tf.train.resourceSparseApplyMomentum(
          variable.handle(), accumulator.handle(), rate, gradient, rows.indices(), update.constant(momentum.momentum(), 1f),
          ResourceSparseApplyMomentum.useNesterov(momentum.nesterov()));
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      return lazyAdam(update, adam, rows, rate, gradient, powers);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      StateVariable<TFloat32> meanSquare = rows.slot(state, "rms", 0);
      StateVariable<TFloat32> momentum = rows.slot(state, "rms_momentum", 0);
      if (update.selects()) {
        RmsPropUpdate step = RmsPropUpdate.of(update, rms, rows.read(tf, meanSquare), rows.read(tf, momentum), rate, gradient);
        return tf.withControlDependencies(
                List.of(rows.write(tf, meanSquare, step.meanSquare()), rows.write(tf, momentum, step.momentum()), rows.subtract(tf, step.delta())))
            .noOp();
      }
      return tf.train.resourceSparseApplyRmsProp(
          variable.handle(), meanSquare.handle(), momentum.handle(), rate, tf.constant((float) rms.decay()),
          tf.constant((float) rms.momentum()), tf.constant((float) rms.epsilon()), gradient, rows.indices());
    }
    throw new IllegalArgumentException("unsupported optimiser " + spec);
  }

  /**
   * Adam on the rows alone, as TensorFlow's kernel computes it for a whole variable:
   * {@code m += (g - m)(1 - β1)}, {@code v += (g² - v)(1 - β2)},
   * {@code w -= lr·√(1 - β2^t)/(1 - β1^t) · m / (√v + ε)}.
   */
  private static Op lazyAdam(
      Update update, OptimizerSpec.Adam adam, Rows rows, Operand<TFloat32> rate, Operand<TFloat32> gradient, AdamPowers powers) {
    Ops tf = update.tf();
    NetworkBuilder state = update.state();
    StateVariable<TFloat32> mSlot = rows.slot(state, "adam_m", 0);
    StateVariable<TFloat32> vSlot = rows.slot(state, "adam_v", 0);
    Operand<TFloat32> m = rows.read(tf, mSlot);
    Operand<TFloat32> v = rows.read(tf, vSlot);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> m1 = tf.math.add(m, tf.math.mul(tf.math.sub(gradient, m), update.constant(1 - adam.beta1(), 0f)));
    Operand<TFloat32> v1 = tf.math.add(v, tf.math.mul(tf.math.sub(tf.math.square(gradient), v), update.constant(1 - adam.beta2(), 0f)));
    Operand<TFloat32> correctedRate =
        tf.math.div(tf.math.mul(rate, tf.math.sqrt(tf.math.sub(one, powers.beta2Power.read()))), tf.math.sub(one, powers.beta1Power.read()));
    Operand<TFloat32> delta =
        tf.math.div(tf.math.mul(correctedRate, m1), tf.math.add(tf.math.sqrt(v1), tf.constant((float) adam.epsilon())));
    return tf.withControlDependencies(List.of(rows.write(tf, mSlot, m1), rows.write(tf, vSlot, v1), rows.subtract(tf, delta))).noOp();
  }

  /**
   * Rprop on every whole variable at once: their gradients flattened into one vector, updated
   * against the slots {@code optimizer/rprop_step} (starting at each variable's initial step) and
   * {@code optimizer/rprop_gradient}, the change split back into one subtraction per variable.
   */
  private static List<Op> rpropWhole(
      Update guarded, OptimizerSpec.Rprop rprop, List<TrainableVariable> trainables, List<Operand<TFloat32>> gradients) {
    Ops tf = guarded.tf();
    NetworkBuilder state = guarded.state();
    List<Operand<TFloat32>> flat = new ArrayList<>();
    long[] sizes = new long[trainables.size()];
    float[] initialSteps = new float[trainables.size()];
    for (int i = 0; i < trainables.size(); i++) {
      TrainableVariable trainable = trainables.get(i);
      sizes[i] = trainable.variable().shape().size();
      initialSteps[i] = (float) (rprop.learningRate() * trainable.learningRateScale());
      flat.add(tf.reshape(gradients.get(i), tf.constant(new long[] {-1})));
    }
    long total = Arrays.stream(sizes).sum();
    StateVariable<TFloat32> stepSlot =
        state.variable("optimizer/rprop_step", TFloat32.class, Shape.of(total), init -> initialSteps(init, sizes, initialSteps));
    StateVariable<TFloat32> previousSlot = state.filled("optimizer/rprop_gradient", Shape.of(total), 0);
    Operand<TFloat32> gradient = flat.size() == 1 ? flat.get(0) : tf.concat(flat, tf.constant(0));
    Operand<TFloat32> previous = previousSlot.read();
    RpropUpdate update = RpropUpdate.of(tf, rprop, stepSlot.read(), previous, gradient);

    // A zero gradient keeps each step size and moves no weight, but would be remembered as the
    // previous gradient: a selecting guard keeps the old one.
    List<Op> updates = new ArrayList<>();
    updates.add(tf.assignVariableOp(stepSlot.handle(), update.step()));
    updates.add(tf.assignVariableOp(previousSlot.handle(), guarded.kept(update.counted(), previous)));
    List<Operand<TFloat32>> deltas = split(tf, update.delta(), sizes, 0);
    for (int i = 0; i < trainables.size(); i++) {
      TrainableVariable trainable = trainables.get(i);
      StateVariable<TFloat32> variable = trainable.variable();
      Op subtract = tf.assignSubVariableOp(variable.handle(), tf.reshape(deltas.get(i), tf.constant(variable.shape().asArray())));
      updates.add(trainable.bounded() ? clip(state, trainable, subtract) : subtract);
    }
    return updates;
  }

  /** Every variable's initial step for its stretch of the flat slot; a single fill when they are all the same. */
  private static Operand<TFloat32> initialSteps(Ops init, long[] sizes, float[] initialSteps) {
    boolean uniform = true;
    for (float step : initialSteps) {
      uniform &= step == initialSteps[0];
    }
    if (uniform) {
      return init.fill(init.constant(new long[] {Arrays.stream(sizes).sum()}), init.constant(initialSteps[0]));
    }
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      parts.add(init.fill(init.constant(new long[] {sizes[i]}), init.constant(initialSteps[i])));
    }
    return init.concat(parts, init.constant(0));
  }

  /**
   * Rprop on the batch's rows of every per-example variable at once: the rows of their gradients
   * side by side ({@code [batch, Σ widths]}) against two per-example slots that hold every
   * variable's step sizes and previous gradients side by side in the same order,
   * {@code optimizer/rprop_row_step} and {@code optimizer/rprop_row_gradient}. One gather and one
   * scatter per slot, where a slot per variable took one per variable and layer: for a deep
   * relaxed network those copies were a third of the step.
   */
  private static List<Op> rpropRows(Update guarded, OptimizerSpec.Rprop rprop, List<RowGradient> rowGradients) {
    Ops tf = guarded.tf();
    NetworkBuilder state = guarded.state();
    RowGradient first = rowGradients.get(0);
    Operand<TInt32> indices = first.indices();
    List<Rows> rows = new ArrayList<>();
    List<Operand<TFloat32>> gradients = new ArrayList<>();
    long[] widths = new long[rowGradients.size()];
    for (int i = 0; i < rowGradients.size(); i++) {
      RowGradient gradient = rowGradients.get(i);
      // The targets of a relaxed network: the rows of one batch, one scale for all.
      if (gradient.indices() != indices || gradient.learningRateScale() != first.learningRateScale()) {
        throw new IllegalStateException(
            "Rprop updates per-example variables of one batch at one scale: " + gradient.variable().name() + " differs from "
                + first.variable().name());
      }
      Rows place = new Rows(gradient.variable(), indices);
      rows.add(place);
      widths[i] = place.rowShape().size();
      gradients.add(place.flatRows(tf, gradient.gradient()));
    }
    Shape row = Shape.of(Arrays.stream(widths).sum());
    StateVariable<TFloat32> stepSlot = state.perExample("optimizer/rprop_row_step", row, rprop.learningRate() * first.learningRateScale());
    StateVariable<TFloat32> previousSlot = state.perExample("optimizer/rprop_row_gradient", row, 0);
    Operand<TFloat32> previous = tf.resourceGather(previousSlot.handle(), indices, TFloat32.class);
    RpropUpdate update =
        RpropUpdate.of(tf, rprop, tf.resourceGather(stepSlot.handle(), indices, TFloat32.class), previous, sideBySide(tf, gradients));
    List<Op> updates = new ArrayList<>();
    updates.add(tf.resourceScatterUpdate(stepSlot.handle(), indices, update.step()));
    updates.add(tf.resourceScatterUpdate(previousSlot.handle(), indices, guarded.kept(update.counted(), previous)));
    List<Operand<TFloat32>> deltas = split(tf, update.delta(), widths, 1);
    for (int i = 0; i < rows.size(); i++) {
      Rows place = rows.get(i);
      updates.add(place.subtract(tf, place.unflatRows(tf, deltas.get(i))));
    }
    return updates;
  }

  private static Operand<TFloat32> sideBySide(Ops tf, List<Operand<TFloat32>> parts) {
    return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
  }

  /** {@code value} cut along {@code axis} into pieces of {@code sizes}. */
  private static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> value, long[] sizes, int axis) {
    if (sizes.length == 1) {
      return List.of(value);
    }
    SplitV<TFloat32> split = tf.splitV(value, tf.constant(sizes), tf.constant(axis), (long) sizes.length);
    return List.copyOf(split.output());
  }

  /**
   * One step of Rprop as PyTorch's {@code torch.optim.Rprop}: from the product of this gradient
   * and the previous one, each step grows (same sign), shrinks (opposite sign, and the gradient
   * counts as 0: the weight rests and its next step starts afresh) or stays (a zero); steps are
   * clipped into [minStep, maxStep]; each weight moves by its step against the sign of its
   * gradient.
   *
   * @param step the new step sizes
   * @param counted the gradient as the next step sees it: 0 where the sign flipped
   * @param delta what to subtract from the weights
   */
  private record RpropUpdate(Operand<TFloat32> step, Operand<TFloat32> counted, Operand<TFloat32> delta) {
    static RpropUpdate of(
        Ops tf, OptimizerSpec.Rprop rprop, Operand<TFloat32> step, Operand<TFloat32> previous, Operand<TFloat32> gradient) {
      Operand<TFloat32> zero = tf.constant(0f);
      Operand<TFloat32> agreement = tf.math.mul(gradient, previous);
      Operand<TBool> flipped = tf.math.less(agreement, zero);
      Operand<TFloat32> factor =
          tf.select(
              tf.math.greater(agreement, zero),
              tf.constant((float) rprop.growth()),
              tf.select(flipped, tf.constant((float) rprop.shrink()), tf.constant(1f)));
      Operand<TFloat32> newStep =
          tf.clipByValue(tf.math.mul(step, factor), tf.constant((float) rprop.minStep()), tf.constant((float) rprop.maxStep()));
      Operand<TFloat32> counted = tf.select(flipped, zero, gradient);
      return new RpropUpdate(newStep, counted, tf.math.mul(tf.math.sign(counted), newStep));
    }
  }

  /**
   * RMSProp as TensorFlow's kernel computes it, for a selecting guard: {@code ms += (g² - ms)(1 - ρ)},
   * {@code mom = μ·mom + lr·g/√(ms + ε)}, {@code w -= mom}; for a non-finite step, ρ is one and the
   * old momentum is kept, so {@code delta} is zero.
   */
  private record RmsPropUpdate(Operand<TFloat32> meanSquare, Operand<TFloat32> momentum, Operand<TFloat32> delta) {
    static RmsPropUpdate of(
        Update update, OptimizerSpec.RmsProp rms, Operand<TFloat32> meanSquare, Operand<TFloat32> momentum, Operand<TFloat32> rate,
        Operand<TFloat32> gradient) {
      Ops tf = update.tf();
      Operand<TFloat32> newMeanSquare =
          tf.math.add(meanSquare, tf.math.mul(tf.math.sub(tf.math.square(gradient), meanSquare), update.constant(1 - rms.decay(), 0f)));
      Operand<TFloat32> newMomentum =
          update.kept(
              tf.math.add(
                  tf.math.mul(tf.constant((float) rms.momentum()), momentum),
                  tf.math.div(tf.math.mul(rate, gradient), tf.math.sqrt(tf.math.add(newMeanSquare, tf.constant((float) rms.epsilon()))))),
              momentum);
      return new RmsPropUpdate(newMeanSquare, newMomentum, update.orElse(newMomentum, 0f));
    }
  }

  /** The gradient of a learned-width gate is zero once it is dead (zero at the step's start), so nothing moves it again. */
  private static Operand<TFloat32> alive(Ops tf, TrainableVariable trainable, Operand<TFloat32> gradient) {
    if (!trainable.dies()) {
      return gradient;
    }
    Operand<TFloat32> read = trainable.variable().read();
    return tf.math.mul(gradient, tf.dtypes.cast(tf.math.greater(read, tf.constant(0f)), TFloat32.class));
  }

  /**
   * Clips a bounded parameter into its bounds, reading it again after its update; a learned-width
   * gate below its threshold, or dead at the step's start, becomes (or stays) zero.
   */
  private static Op clip(NetworkBuilder state, TrainableVariable trainable, Op apply) {
    StateVariable<TFloat32> variable = trainable.variable();
    Ops tf = state.scope(variable.name() + "/clip").withControlDependencies(List.of(apply));
    Operand<TFloat32> updated = tf.readVariableOp(variable.handle(), TFloat32.class);
    Operand<TFloat32> clipped =
        tf.clipByValue(updated, tf.constant((float) trainable.min()), tf.constant((float) trainable.max()));
    if (trainable.dies()) {
      Operand<TFloat32> zero = tf.constant(0f);
      Operand<TBool> lives =
          tf.math.logicalAnd(tf.math.greater(variable.read(), zero), tf.math.greaterEqual(updated, tf.constant((float) trainable.deadBelow())));
      clipped = tf.withName("dead_to_zero").select(lives, clipped, zero);
    }
    return tf.assignVariableOp(variable.handle(), clipped);
  }

  /** A zero-initialised optimiser slot shaped like {@code variable}, named {@code <variable>/<slot>}. */
  private static StateVariable<TFloat32> slot(NetworkBuilder state, StateVariable<TFloat32> variable, String slot) {
    return state.filled(variable.name() + "/" + slot, variable.shape(), 0);
  }

  /**
   * The rows {@code indices} of a per-example variable, and of its optimiser slots: per-example
   * variables of the same row shape, named {@code <variable>/<slot>}.
   */
  private record Rows(StateVariable<TFloat32> variable, Operand<TInt32> indices) {
    Shape rowShape() {
      long[] dims = variable.shape().asArray();
      return Shape.of(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** A slot whose rows start with every value at {@code fill}. */
    StateVariable<TFloat32> slot(NetworkBuilder state, String slot, double fill) {
      return state.perExample(variable.name() + "/" + slot, rowShape(), fill);
    }

    Operand<TFloat32> read(Ops tf, StateVariable<TFloat32> slot) {
      return tf.resourceGather(slot.handle(), indices, TFloat32.class);
    }

    Op write(Ops tf, StateVariable<TFloat32> slot, Operand<TFloat32> values) {
      return tf.resourceScatterUpdate(slot.handle(), indices, values);
    }

    Op subtract(Ops tf, Operand<TFloat32> delta) {
      return tf.resourceScatterSub(variable.handle(), indices, delta);
    }

    /** Rows of any shape as {@code [batch, row size]}. */
    Operand<TFloat32> flatRows(Ops tf, Operand<TFloat32> rows) {
      return rowShape().numDimensions() == 1 ? rows : tf.reshape(rows, tf.constant(new long[] {-1, rowShape().size()}));
    }

    /** {@code [batch, row size]} back to rows of the variable's row shape. */
    Operand<TFloat32> unflatRows(Ops tf, Operand<TFloat32> flat) {
      if (rowShape().numDimensions() == 1) {
        return flat;
      }
      long[] dims = variable.shape().asArray();
      dims[0] = -1;
      return tf.reshape(flat, tf.constant(dims));
    }
  }

  /** Adam's β1^t and β2^t, which its kernel takes as inputs and the caller keeps up to date. */
  private record AdamPowers(StateVariable<TFloat32> beta1Power, StateVariable<TFloat32> beta2Power, OptimizerSpec.Adam adam) {
    static AdamPowers create(NetworkBuilder state, OptimizerSpec.Adam adam) {
      // At the first step t = 1, so the powers start at β1 and β2.
      return new AdamPowers(
          state.filled("optimizer/beta1_power", Shape.scalar(), adam.beta1()),
          state.filled("optimizer/beta2_power", Shape.scalar(), adam.beta2()),
          adam);
    }

    /** Multiplies each power by its β (by one for a non-finite step); {@code update} must wait for every apply that read the powers. */
    List<Op> advance(Update update) {
      Ops tf = update.tf();
      return List.of(
          tf.assignVariableOp(beta1Power.handle(), tf.math.mul(beta1Power.read(), update.constant(adam.beta1(), 1f))),
          tf.assignVariableOp(beta2Power.handle(), tf.math.mul(beta2Power.read(), update.constant(adam.beta2(), 1f))));
    }
  }
}
