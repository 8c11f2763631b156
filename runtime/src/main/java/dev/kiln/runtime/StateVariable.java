package dev.kiln.runtime;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.family.TType;

/**
 * A resource variable of the graph and the one read of it that every consumer uses (gradients are
 * taken with respect to that read).
 *
 * @param name the variable's name: its op name, checkpoint key and TensorBoard tag
 * @param handle the {@code VarHandleOp} that optimiser and assign ops write through
 */
record StateVariable<T extends TType>(
    String name, Role role, Class<T> type, Shape shape, Operand<? extends TType> handle, Operand<T> read) {

  /** What a variable holds, which decides how it is trained and reported. */
  enum Role {
    WEIGHTS,
    BIAS,
    /** A trainable network parameter such as θ or β. */
    PARAMETER,
    /** Optimiser state: momenta, moment estimates, β powers. */
    OPTIMIZER,
    /** The step counter, the steps per epoch and the epoch's metric sums. */
    TRAINING
  }
}
