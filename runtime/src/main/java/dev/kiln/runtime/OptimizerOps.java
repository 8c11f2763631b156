package dev.kiln.runtime;

import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
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
 * <p>Whole variables use TensorFlow's fused resource kernels; Rprop, which has no kernel, is built
 * from graph ops. Per-example variables (a relaxed network's targets) are updated only in the rows
 * of the step's examples, with the sparse kernels, or for Adam and Rprop by gathering the rows of
 * the variable's state, updating them and scattering them back (so Adam is "lazy" there: rows not
 * in the batch keep their moments).
 */
final class OptimizerOps {
  private OptimizerOps() {}

  /**
   * The gradient of rows {@code indices} of a per-example variable (one made by
   * {@link NetworkBuilder#perExample}): all that one step changes of it. The indices are distinct.
   */
  record RowGradient(StateVariable<TFloat32> variable, Operand<TInt32> indices, Operand<TFloat32> gradient) {}

  /**
   * Builds the update ops.
   *
   * @param gradients one per trainable variable, with respect to the variable's read
   * @param rowGradients the per-example variables the step updates in some rows
   * @param after ops every update must wait for: the reads of the step's state, so that no kernel
   *     writes a variable before the forward pass has read it
   * @return ops that finish when every variable, slot and bound is updated
   */
  static List<Op> minimize(
      NetworkBuilder state, OptimizerSpec spec, List<Operand<TFloat32>> gradients, List<RowGradient> rowGradients,
      Operand<TFloat32> learningRate, List<Op> after) {
    List<TrainableVariable> trainables = state.trainables();
    Ops optimizer = state.scope("optimizer");
    // One barrier that waits for every read: each op of an update depends on it alone, not on all
    // the reads, which would add (ops × reads) control edges and slow graph optimisation badly.
    Op ready = optimizer.withControlDependencies(after).withName("ready").noOp();
    Ops tf = optimizer.withControlDependencies(List.of(ready));
    AdamPowers powers = spec instanceof OptimizerSpec.Adam adam ? AdamPowers.create(state, adam) : null;
    List<Op> applies = new ArrayList<>();
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      TrainableVariable trainable = trainables.get(i);
      Operand<TFloat32> rate =
          trainable.learningRateScale() == 1.0 ? learningRate : tf.math.mul(learningRate, tf.constant((float) trainable.learningRateScale()));
      Op apply = apply(tf, state, spec, new Whole(trainable.variable()), trainable.learningRateScale(), rate, gradients.get(i), powers);
      applies.add(apply);
      updates.add(trainable.bounded() ? clip(state, trainable, apply) : apply);
    }
    for (RowGradient rows : rowGradients) {
      Op apply = apply(tf, state, spec, new Rows(rows.variable(), rows.indices()), 1.0, learningRate, rows.gradient(), powers);
      applies.add(apply);
      updates.add(apply);
    }
    if (powers != null) {
      updates.addAll(powers.advance(tf.withControlDependencies(applies)));
    }
    return updates;
  }

  /**
   * @param learningRateScale the variable's factor on the optimiser's rate, for Rprop's initial step
   * @param rate the variable's learning rate, already scaled
   */
  private static Op apply(
      Ops tf, NetworkBuilder state, OptimizerSpec spec, Place place, double learningRateScale, Operand<TFloat32> rate,
      Operand<TFloat32> gradient, AdamPowers powers) {
    if (spec instanceof OptimizerSpec.Rprop rprop) {
      return rprop(tf, state, rprop, place, rprop.learningRate() * learningRateScale, gradient);
    }
    if (place instanceof Rows rows) {
      return applyRows(tf, state, spec, rows, rate, gradient, powers);
    }
    StateVariable<TFloat32> variable = place.variable();
    if (spec instanceof OptimizerSpec.Sgd) {
      return tf.train.resourceApplyGradientDescent(variable.handle(), rate, gradient);
    }
    if (spec instanceof OptimizerSpec.Momentum momentum) {
      StateVariable<TFloat32> accumulator = place.slot(state, "momentum", 0);
      return tf.train.resourceApplyMomentum(
          variable.handle(), accumulator.handle(), rate, gradient, tf.constant((float) momentum.momentum()),
          ResourceApplyMomentum.useNesterov(momentum.nesterov()));
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      StateVariable<TFloat32> m = place.slot(state, "adam_m", 0);
      StateVariable<TFloat32> v = place.slot(state, "adam_v", 0);
      return tf.train.resourceApplyAdam(
          variable.handle(), m.handle(), v.handle(), powers.beta1Power.read(), powers.beta2Power.read(), rate,
          tf.constant((float) adam.beta1()), tf.constant((float) adam.beta2()), tf.constant((float) adam.epsilon()), gradient);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      StateVariable<TFloat32> meanSquare = place.slot(state, "rms", 0);
      StateVariable<TFloat32> momentum = place.slot(state, "rms_momentum", 0);
      return tf.train.resourceApplyRmsProp(
          variable.handle(), meanSquare.handle(), momentum.handle(), rate, tf.constant((float) rms.decay()),
          tf.constant((float) rms.momentum()), tf.constant((float) rms.epsilon()), gradient);
    }
    throw new IllegalArgumentException("unsupported optimiser " + spec);
  }

  /** The update of the gathered rows of a per-example variable: the same rule as for a whole variable, on those rows only. */
  private static Op applyRows(
      Ops tf, NetworkBuilder state, OptimizerSpec spec, Rows rows, Operand<TFloat32> rate, Operand<TFloat32> gradient, AdamPowers powers) {
    StateVariable<TFloat32> variable = rows.variable();
    if (spec instanceof OptimizerSpec.Sgd) {
      return rows.subtract(tf, tf.math.mul(rate, gradient));
    }
    if (spec instanceof OptimizerSpec.Momentum momentum) {
      StateVariable<TFloat32> accumulator = rows.slot(state, "momentum", 0);
      return tf.train.resourceSparseApplyMomentum(
          variable.handle(), accumulator.handle(), rate, gradient, rows.indices(), tf.constant((float) momentum.momentum()),
          ResourceSparseApplyMomentum.useNesterov(momentum.nesterov()));
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      return lazyAdam(tf, state, adam, rows, rate, gradient, powers);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      StateVariable<TFloat32> meanSquare = rows.slot(state, "rms", 0);
      StateVariable<TFloat32> momentum = rows.slot(state, "rms_momentum", 0);
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
      Ops tf, NetworkBuilder state, OptimizerSpec.Adam adam, Rows rows, Operand<TFloat32> rate, Operand<TFloat32> gradient,
      AdamPowers powers) {
    StateVariable<TFloat32> mSlot = rows.slot(state, "adam_m", 0);
    StateVariable<TFloat32> vSlot = rows.slot(state, "adam_v", 0);
    Operand<TFloat32> m = rows.read(tf, mSlot);
    Operand<TFloat32> v = rows.read(tf, vSlot);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> m1 = tf.math.add(m, tf.math.mul(tf.math.sub(gradient, m), tf.constant((float) (1 - adam.beta1()))));
    Operand<TFloat32> v1 =
        tf.math.add(v, tf.math.mul(tf.math.sub(tf.math.square(gradient), v), tf.constant((float) (1 - adam.beta2()))));
    Operand<TFloat32> correctedRate =
        tf.math.div(tf.math.mul(rate, tf.math.sqrt(tf.math.sub(one, powers.beta2Power.read()))), tf.math.sub(one, powers.beta1Power.read()));
    Operand<TFloat32> delta =
        tf.math.div(tf.math.mul(correctedRate, m1), tf.math.add(tf.math.sqrt(v1), tf.constant((float) adam.epsilon())));
    return tf.withControlDependencies(List.of(rows.write(tf, mSlot, m1), rows.write(tf, vSlot, v1), rows.subtract(tf, delta))).noOp();
  }

  /**
   * Rprop as PyTorch's {@code torch.optim.Rprop}: from the product of this gradient and the
   * previous one, the step grows (same sign), shrinks (opposite sign, and the gradient counts as 0:
   * the weight rests and the next step starts afresh) or stays (a zero); steps are clipped into
   * [minStep, maxStep]; the weight moves by its step against the sign of its gradient.
   *
   * @param initialStep where every step size starts
   */
  private static Op rprop(Ops tf, NetworkBuilder state, OptimizerSpec.Rprop rprop, Place place, double initialStep, Operand<TFloat32> gradient) {
    StateVariable<TFloat32> stepSlot = place.slot(state, "rprop_step", initialStep);
    StateVariable<TFloat32> previousSlot = place.slot(state, "rprop_gradient", 0);
    Operand<TFloat32> step = place.read(tf, stepSlot);
    Operand<TFloat32> previous = place.read(tf, previousSlot);
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
    Operand<TFloat32> counted = tf.select(flipped, tf.zerosLike(gradient), gradient);
    Operand<TFloat32> delta = tf.math.mul(tf.math.sign(counted), newStep);
    return tf.withControlDependencies(
            List.of(place.write(tf, stepSlot, newStep), place.write(tf, previousSlot, counted), place.subtract(tf, delta)))
        .noOp();
  }

  /** Clips a bounded parameter into its bounds, reading it again after its update. */
  private static Op clip(NetworkBuilder state, TrainableVariable trainable, Op apply) {
    StateVariable<TFloat32> variable = trainable.variable();
    Ops tf = state.scope(variable.name() + "/clip").withControlDependencies(List.of(apply));
    Operand<TFloat32> updated = tf.readVariableOp(variable.handle(), TFloat32.class);
    Operand<TFloat32> clipped =
        tf.clipByValue(updated, tf.constant((float) trainable.min()), tf.constant((float) trainable.max()));
    return tf.assignVariableOp(variable.handle(), clipped);
  }

  /**
   * What an update reads and writes: a whole variable, or the rows of a per-example one. Slots
   * (the optimiser's state of a variable) are shaped like the variable and named
   * {@code <variable>/<slot>}.
   */
  private sealed interface Place {
    StateVariable<TFloat32> variable();

    /** A slot that starts with every value at {@code fill}. */
    StateVariable<TFloat32> slot(NetworkBuilder state, String slot, double fill);

    /** The slot's values that the update reads. */
    Operand<TFloat32> read(Ops tf, StateVariable<TFloat32> slot);

    /** Sets the values of the slot that {@link #read} read. */
    Op write(Ops tf, StateVariable<TFloat32> slot, Operand<TFloat32> values);

    /** Subtracts {@code delta} from the variable's values that the update changes. */
    Op subtract(Ops tf, Operand<TFloat32> delta);
  }

  private record Whole(StateVariable<TFloat32> variable) implements Place {
    @Override
    public StateVariable<TFloat32> slot(NetworkBuilder state, String slot, double fill) {
      return state.filled(variable.name() + "/" + slot, variable.shape(), fill);
    }

    @Override
    public Operand<TFloat32> read(Ops tf, StateVariable<TFloat32> slot) {
      return slot.read();
    }

    @Override
    public Op write(Ops tf, StateVariable<TFloat32> slot, Operand<TFloat32> values) {
      return tf.assignVariableOp(slot.handle(), values);
    }

    @Override
    public Op subtract(Ops tf, Operand<TFloat32> delta) {
      return tf.assignSubVariableOp(variable.handle(), delta);
    }
  }

  private record Rows(StateVariable<TFloat32> variable, Operand<TInt32> indices) implements Place {
    @Override
    public StateVariable<TFloat32> slot(NetworkBuilder state, String slot, double fill) {
      long[] dims = variable.shape().asArray();
      return state.perExample(variable.name() + "/" + slot, Shape.of(Arrays.copyOfRange(dims, 1, dims.length)), fill);
    }

    @Override
    public Operand<TFloat32> read(Ops tf, StateVariable<TFloat32> slot) {
      return tf.resourceGather(slot.handle(), indices, TFloat32.class);
    }

    @Override
    public Op write(Ops tf, StateVariable<TFloat32> slot, Operand<TFloat32> values) {
      return tf.resourceScatterUpdate(slot.handle(), indices, values);
    }

    @Override
    public Op subtract(Ops tf, Operand<TFloat32> delta) {
      return tf.resourceScatterSub(variable.handle(), indices, delta);
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

    /** Multiplies each power by its β; {@code tf} must wait for every apply that read the powers. */
    List<Op> advance(Ops tf) {
      return List.of(
          tf.assignVariableOp(beta1Power.handle(), tf.math.mul(beta1Power.read(), tf.constant((float) adam.beta1()))),
          tf.assignVariableOp(beta2Power.handle(), tf.math.mul(beta2Power.read(), tf.constant((float) adam.beta2()))));
    }
  }
}
