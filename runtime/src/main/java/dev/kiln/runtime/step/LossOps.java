package dev.kiln.runtime.step;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The loss, accuracy and predictions of a network's logits, for its {@link Loss}. Every loss is a
 * mean over the batch (and over the output units), so that evaluating in batches and weighting by
 * batch size gives the whole data set's mean.
 *
 * @param labels fed with {@code [batch, labelWidth]} values: 0/1 per output for sigmoid
 *     cross-entropy, one class index for softmax cross-entropy, targets for mean squared error
 * @param accuracy the fraction of correct outputs, or null for a regression loss
 * @param predictedClass each example's predicted class ({@code [batch]}, int64) for a classifier
 *     with {@link #classes} classes; null otherwise
 */
public record LossOps(
    Placeholder<TFloat32> labels, Operand<TFloat32> loss, Operand<TFloat32> accuracy, Operand<TFloat32> predictions,
    Operand<TInt64> predictedClass) {

  /**
   * The fraction of predictions on which two sets of logits of the same examples disagree: of
   * outputs (positive or not) for sigmoid cross-entropy, of examples (the arg-max class) for
   * softmax cross-entropy; null for mean squared error, which predicts no classes.
   */
  static Operand<TFloat32> disagreement(Ops tf, Loss loss, Operand<TFloat32> logits, Operand<TFloat32> otherLogits) {
    return switch (loss) {
      case SIGMOID_CROSS_ENTROPY ->
          tf.math.mean(
              tf.dtypes.cast(
                  tf.math.notEqual(tf.math.greater(logits, tf.constant(0f)), tf.math.greater(otherLogits, tf.constant(0f))),
                  TFloat32.class),
              tf.constant(new int[] {0, 1}));
      case SOFTMAX_CROSS_ENTROPY ->
          tf.math.mean(
              tf.dtypes.cast(
                  tf.math.notEqual(tf.math.argMax(logits, tf.constant(1)), tf.math.argMax(otherLogits, tf.constant(1))),
                  TFloat32.class),
              tf.constant(new int[] {0}));
      case MEAN_SQUARED_ERROR -> null;
    };
  }

  /**
   * What a network predicts from {@code logits} under {@code loss}, the op {@code predictions} in
   * {@code head}: probabilities for sigmoid cross-entropy (per output) and softmax cross-entropy
   * (per class), the logits themselves for mean squared error.
   */
  public static Operand<TFloat32> predictions(Ops head, Loss loss, Operand<TFloat32> logits) {
    Ops named = head.withName("predictions");
    return switch (loss) {
      case SIGMOID_CROSS_ENTROPY -> named.math.sigmoid(logits);
      case SOFTMAX_CROSS_ENTROPY -> named.nn.softmax(logits);
      case MEAN_SQUARED_ERROR -> named.identity(logits);
    };
  }

  /** How many label values one example has under {@code loss}. */
  public static int labelWidth(Loss loss, int outputUnits) {
    return loss == Loss.SOFTMAX_CROSS_ENTROPY ? 1 : outputUnits;
  }

  /**
   * The classes of a classifier's confusion matrix: {@code outputUnits} for softmax cross-entropy, 2
   * for sigmoid cross-entropy with one output; 0 for mean squared error and multi-output sigmoid
   * cross-entropy, whose examples have no single class.
   */
  public static int classes(Loss loss, int outputUnits) {
    return switch (loss) {
      case SOFTMAX_CROSS_ENTROPY -> outputUnits;
      case SIGMOID_CROSS_ENTROPY -> outputUnits == 1 ? 2 : 0;
      case MEAN_SQUARED_ERROR -> 0;
    };
  }

  /**
   * The true class of example {@code i} of {@code data} (whose labels fit {@code loss}), as
   * {@link #predictedClass} counts classes.
   */
  public static int trueClass(Loss loss, Dataset data, int i) {
    float label = data.label(i, 0);
    return loss == Loss.SOFTMAX_CROSS_ENTROPY ? (int) label : (label > 0.5f ? 1 : 0);
  }

  /** Builds the ops in {@code head}'s scope; the results are named {@code labels}, {@code loss}, {@code accuracy} and {@code predictions}. */
  static LossOps build(Ops head, Loss loss, Operand<TFloat32> logits, int outputUnits) {
    Placeholder<TFloat32> labels =
        head.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE, labelWidth(loss, outputUnits))));
    return build(head, loss, logits, outputUnits, labels);
  }

  /** Like {@link #build(Ops, Loss, Operand, int)}, for a second set of logits of the same examples, fed the same {@code labels}. */
  static LossOps build(Ops head, Loss loss, Operand<TFloat32> logits, int outputUnits, Placeholder<TFloat32> labels) {
    // int32 axes: the C++ gradient of Mean crashes on int64 ones.
    Operand<TInt32> allAxes = head.constant(new int[] {0, 1});
    return switch (loss) {
      case SIGMOID_CROSS_ENTROPY -> {
        // max(x, 0) - x·z + log(1 + e^-|x|): sigmoid cross-entropy without overflow for large |x|.
        Operand<TFloat32> perOutput =
            head.math.add(
                head.math.sub(head.nn.relu(logits), head.math.mul(logits, labels)),
                head.math.log1p(head.math.exp(head.math.neg(head.math.abs(logits)))));
        Operand<TBool> positive = head.math.greater(logits, head.constant(0f));
        Operand<TFloat32> correct =
            head.dtypes.cast(head.math.equal(positive, head.math.greater(labels, head.constant(0.5f))), TFloat32.class);
        Operand<TInt64> predictedClass =
            outputUnits == 1
                ? head.withName("predicted_class").reshape(head.dtypes.cast(positive, TInt64.class), head.constant(new long[] {-1}))
                : null;
        yield new LossOps(
            labels,
            head.withName("loss").math.mean(perOutput, allAxes),
            head.withName("accuracy").math.mean(correct, allAxes),
            predictions(head, loss, logits),
            predictedClass);
      }
      case SOFTMAX_CROSS_ENTROPY -> {
        Operand<TInt64> classes = head.reshape(head.dtypes.cast(labels, TInt64.class), head.constant(new long[] {-1}));
        // The dense kernel on one-hot labels: TensorFlow's C++ gradients (what graph mode uses) cover
        // SoftmaxCrossEntropyWithLogits but not its sparse variant.
        Operand<TFloat32> oneHot = head.oneHot(classes, head.constant(outputUnits), head.constant(1f), head.constant(0f));
        Operand<TFloat32> perExample = head.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
        Operand<TInt64> predictedClass = head.withName("predicted_class").math.argMax(logits, head.constant(1));
        Operand<TFloat32> correct = head.dtypes.cast(head.math.equal(predictedClass, classes), TFloat32.class);
        Operand<TInt32> batchAxis = head.constant(new int[] {0});
        yield new LossOps(
            labels,
            head.withName("loss").math.mean(perExample, batchAxis),
            head.withName("accuracy").math.mean(correct, batchAxis),
            predictions(head, loss, logits),
            predictedClass);
      }
      case MEAN_SQUARED_ERROR ->
          new LossOps(
              labels,
              head.withName("loss").math.mean(head.math.squaredDifference(logits, labels), allAxes),
              null,
              predictions(head, loss, logits),
              null);
    };
  }
}
