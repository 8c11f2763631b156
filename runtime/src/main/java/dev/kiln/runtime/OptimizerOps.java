package dev.kiln.runtime;

import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ResourceApplyMomentum;
import org.tensorflow.types.TFloat32;

/**
 * One optimiser step over every trainable variable with TensorFlow's fused resource kernels, then
 * the clipping of bounded parameters. Optimiser state (momenta, moment estimates, Adam's β powers)
 * are variables of the network like any other, so checkpoints hold them.
 */
final class OptimizerOps {
  private OptimizerOps() {}

  /**
   * Builds the update ops.
   *
   * @param gradients one per trainable variable, with respect to the variable's read
   * @param after ops every update must wait for: the reads of the step's state, so that no kernel
   *     writes a variable before the forward pass has read it
   * @return ops that finish when every variable, slot and bound is updated
   */
  static List<Op> minimize(
      NetworkBuilder state, OptimizerSpec spec, List<Operand<TFloat32>> gradients, Operand<TFloat32> learningRate, List<Op> after) {
    List<TrainableVariable> trainables = state.trainables();
    Ops tf = state.scope("optimizer").withControlDependencies(after);
    AdamPowers powers = spec instanceof OptimizerSpec.Adam adam ? AdamPowers.create(state, adam) : null;
    List<Op> applies = new ArrayList<>();
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < trainables.size(); i++) {
      TrainableVariable trainable = trainables.get(i);
      StateVariable<TFloat32> variable = trainable.variable();
      Operand<TFloat32> rate =
          trainable.learningRateScale() == 1.0 ? learningRate : tf.math.mul(learningRate, tf.constant((float) trainable.learningRateScale()));
      Op apply = apply(tf, state, spec, variable, rate, gradients.get(i), powers);
      applies.add(apply);
      updates.add(trainable.bounded() ? clip(state, trainable, apply) : apply);
    }
    if (powers != null) {
      updates.addAll(powers.advance(tf.withControlDependencies(applies)));
    }
    return updates;
  }

  private static Op apply(
      Ops tf, NetworkBuilder state, OptimizerSpec spec, StateVariable<TFloat32> variable, Operand<TFloat32> rate,
      Operand<TFloat32> gradient, AdamPowers powers) {
    if (spec instanceof OptimizerSpec.Sgd) {
      return tf.train.resourceApplyGradientDescent(variable.handle(), rate, gradient);
    }
    if (spec instanceof OptimizerSpec.Momentum momentum) {
      StateVariable<TFloat32> accumulator = slot(state, variable, "momentum");
      return tf.train.resourceApplyMomentum(
          variable.handle(), accumulator.handle(), rate, gradient, tf.constant((float) momentum.momentum()),
          ResourceApplyMomentum.useNesterov(momentum.nesterov()));
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      StateVariable<TFloat32> m = slot(state, variable, "adam_m");
      StateVariable<TFloat32> v = slot(state, variable, "adam_v");
      return tf.train.resourceApplyAdam(
          variable.handle(), m.handle(), v.handle(), powers.beta1Power.read(), powers.beta2Power.read(), rate,
          tf.constant((float) adam.beta1()), tf.constant((float) adam.beta2()), tf.constant((float) adam.epsilon()), gradient);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      StateVariable<TFloat32> meanSquare = slot(state, variable, "rms");
      StateVariable<TFloat32> momentum = slot(state, variable, "rms_momentum");
      return tf.train.resourceApplyRmsProp(
          variable.handle(), meanSquare.handle(), momentum.handle(), rate, tf.constant((float) rms.decay()),
          tf.constant((float) rms.momentum()), tf.constant((float) rms.epsilon()), gradient);
    }
    throw new IllegalArgumentException("unsupported optimiser " + spec);
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

  /** A zero-initialised optimiser slot shaped like {@code variable}, named {@code <variable>/<slot>}. */
  private static StateVariable<TFloat32> slot(NetworkBuilder state, StateVariable<TFloat32> variable, String slot) {
    return state.filled(variable.name() + "/" + slot, variable.shape(), 0);
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
