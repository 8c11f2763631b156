package dev.kiln.bench.hand;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A network written by hand in TensorFlow Java: the placeholders a step feeds, what it reports,
 * and the op that trains one step.
 *
 * @param input a batch of examples, {@code [batch, example shape...]}
 * @param labels {@code [batch, label width]}, as Kiln feeds them (a class index for softmax)
 * @param loss the batch's mean loss
 * @param accuracy the batch's fraction of correct predictions
 * @param train one optimiser step
 */
public record HandModel(Graph graph, Placeholder<TFloat32> input, Placeholder<TFloat32> labels, Operand<TFloat32> loss, Operand<TFloat32> accuracy, Op train) {}
