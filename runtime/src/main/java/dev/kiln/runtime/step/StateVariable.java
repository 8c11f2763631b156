package dev.kiln.runtime.step;

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
public record StateVariable<T extends TType>(String name, Class<T> type, Shape shape, Operand<? extends TType> handle, Operand<T> read) {}
