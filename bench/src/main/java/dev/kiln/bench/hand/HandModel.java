package dev.kiln.bench.hand;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A network written by hand in TensorFlow Java: the placeholders a step feeds, what it reports,
 * and the op that trains one step.
 *
 * @param input a batch of examples, {@code [batch, example shape...]}
 * @param labels {@code [batch, label width]}, as Kiln feeds them (a class index for softmax)
 * @param loss the batch's mean loss
 * @param accuracy the batch's fraction of correct predictions
 * @param train one optimiser step
 * @param exampleIndices for a relaxed network, fed with the positions in the training data of the
 *     batch's examples (which rows of the targets a step reads and updates); null otherwise
 * @param prepare for a relaxed network, run once with every training example fed (input and
 *     indices) before training: sets the targets from the forward pass; null otherwise
 */
public record HandModel(
    Graph graph, Placeholder<TFloat32> input, Placeholder<TFloat32> labels, Operand<TFloat32> loss, Operand<TFloat32> accuracy, Op train,
    Placeholder<TInt32> exampleIndices, Op prepare) {
  /** A network trained the ordinary way: no example indices, nothing to prepare. */
  public HandModel(Graph graph, Placeholder<TFloat32> input, Placeholder<TFloat32> labels, Operand<TFloat32> loss, Operand<TFloat32> accuracy, Op train) {
    this(graph, input, labels, loss, accuracy, train, null, null);
  }
}
