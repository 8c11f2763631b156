package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.training.ModelSession;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;


/** Loss, accuracy and predictions of each loss, on logits chosen by hand. */
class LossOpsTest {
  /** Logits equal to the input (plus a zero bias, so that there is something to train). */
  private record PassThrough(NetworkSpec spec) implements NetworkGraph {
    PassThrough(Loss loss, int units) {
      this(new NetworkSpec("PassThrough", Shape.of(units), units, loss, new OptimizerSpec.Sgd(0.1), 1));
    }

    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      return graph.tf().math.add(graph.input("logits"), graph.bias("bias", spec.outputUnits()));
    }
  }

  private static Dataset data(float[][] logits, float[][] labels) {
    int units = logits[0].length;
    int width = labels[0].length;
    float[] features = new float[logits.length * units];
    float[] flatLabels = new float[labels.length * width];
    for (int i = 0; i < logits.length; i++) {
      System.arraycopy(logits[i], 0, features, i * units, units);
      System.arraycopy(labels[i], 0, flatLabels, i * width, width);
    }
    return Dataset.of(features, Shape.of(units), flatLabels, width);
  }

  private static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Test
  void sigmoidCrossEntropy() {
    Dataset data = data(new float[][] {{2, -1}, {-3, 100}}, new float[][] {{1, 0}, {1, 0}});
    try (Model model = Model.build(new PassThrough(Loss.SIGMOID_CROSS_ENTROPY, 2))) {
      Evaluation evaluation = model.evaluate(data);
      // Label 1: log(1 + e^-x); label 0: log(1 + e^x). The logit 100 must not overflow.
      double expected = (softplus(-2) + softplus(-1) + softplus(3) + 100 + softplus(-100)) / 4;
      assertThat(evaluation.loss()).isWithin(1e-5).of(expected);
      assertThat(evaluation.accuracy()).isWithin(1e-7).of(0.5);
      assertThat(evaluation.count()).isEqualTo(2);
      float[][] predictions = model.predict(data);
      assertThat(predictions[0][0]).isWithin(1e-6f).of((float) (1 / (1 + Math.exp(-2))));
      assertThat(predictions[1][1]).isWithin(1e-6f).of(1f);
    }
  }

  @Test
  void softmaxCrossEntropyTakesClassIndices() {
    Dataset data = data(new float[][] {{1, 2, 3}, {1, 0, 0}}, new float[][] {{2}, {1}});
    try (Model model = Model.build(new PassThrough(Loss.SOFTMAX_CROSS_ENTROPY, 3))) {
      Evaluation evaluation = model.evaluate(data);
      double first = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
      double second = -Math.log(1 / (Math.E + 2));
      assertThat(evaluation.loss()).isWithin(1e-5).of((first + second) / 2);
      assertThat(evaluation.accuracy()).isWithin(1e-7).of(0.5);
      float[][] predictions = model.predict(data);
      assertThat(predictions[1][0]).isWithin(1e-6f).of((float) (Math.E / (Math.E + 2)));
      assertThat(predictions[0][0] + predictions[0][1] + predictions[0][2]).isWithin(1e-6f).of(1f);
    }
  }

  @Test
  void meanSquaredErrorHasNoAccuracy() {
    Dataset data = data(new float[][] {{1, 2}, {0, 0}}, new float[][] {{0, 4}, {1, 1}});
    try (Model model = Model.build(new PassThrough(Loss.MEAN_SQUARED_ERROR, 2))) {
      Evaluation evaluation = model.evaluate(data);
      assertThat(evaluation.loss()).isWithin(1e-6).of((1 + 4 + 1 + 1) / 4.0);
      assertThat(evaluation.hasAccuracy()).isFalse();
      assertThat(model.predict(new float[][] {{0.5f, -2}})).isEqualTo(new float[][] {{0.5f, -2}});
    }
  }

  @Test
  void evaluationInBatchesWeighsEveryExampleOnce() {
    // More examples than one inference batch, with the last one partial.
    int n = ModelSession.INFERENCE_BATCH + 7;
    float[][] logits = new float[n][];
    float[][] labels = new float[n][];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      logits[i] = new float[] {i % 3};
      labels[i] = new float[] {0};
      sum += (i % 3) * (i % 3);
    }
    try (Model model = Model.build(new PassThrough(Loss.MEAN_SQUARED_ERROR, 1))) {
      assertThat(model.evaluate(data(logits, labels)).loss()).isWithin(1e-6).of(sum / n);
      assertThat(model.predict(data(logits, labels))[n - 1]).isEqualTo(new float[] {(n - 1) % 3});
    }
  }
}
