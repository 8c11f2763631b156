package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation's classification metrics against the model's own predictions, and their logging. */
class EvaluationMetricsTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);

  @TempDir Path logs;

  private TrainingConfig config() {
    return TrainingConfig.defaults().withEpochs(2).withBatchSize(50).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  /** 2-D points in four classes by quadrant; more than INFERENCE_BATCH of them, so evaluation takes several batches. */
  private static Dataset quadrants(int n) {
    Dataset moons = TwoMoons.generate(n, 0.3, 9);
    float[] features = new float[2 * n];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      float x = moons.feature(i, 0) - 0.5f;
      float y = moons.feature(i, 1) - 0.25f;
      features[2 * i] = x;
      features[2 * i + 1] = y;
      labels[i] = (x > 0 ? 1 : 0) + (y > 0 ? 2 : 0);
    }
    return Dataset.of(features, org.tensorflow.ndarray.Shape.of(2), labels, 1);
  }

  private static int argMax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void softmaxMetricsComeFromTheArgMaxOverEveryExample() {
    Dataset data = quadrants(2500);
    try (Model model = Model.build(TestMlp.of("Quadrants", 2, 4, Loss.SOFTMAX_CROSS_ENTROPY, ADAM, 16))) {
      model.train(data.range(0, 500), config());
      Evaluation evaluation = model.evaluate(data);
      float[][] predictions = model.predict(data);
      int[] actual = new int[data.size()];
      int[] predicted = new int[data.size()];
      for (int i = 0; i < data.size(); i++) {
        actual[i] = (int) data.label(i, 0);
        predicted[i] = argMax(predictions[i]);
      }
      ConfusionMatrix expected = ConfusionMatrix.of(actual, predicted, 4);
      assertThat(evaluation.confusion()).hasValue(expected);
      assertThat(evaluation.confusionMatrix()).isEqualTo(expected.counts());
      assertThat(expected.total()).isEqualTo(2500);
      assertThat(evaluation.accuracy()).isWithin(1e-6).of(expected.accuracy());
      assertThat(evaluation.precision()).isEqualTo(expected.macroPrecision());
      assertThat(evaluation.recall()).isEqualTo(expected.macroRecall());
      assertThat(evaluation.f1()).isEqualTo(expected.macroF1());
      assertThat(evaluation.f1()).isGreaterThan(0.5);
      assertThat(evaluation.toString()).contains(String.format(", F1 %.4f on 2500 examples", evaluation.f1()));
    }
  }

  @Test
  void aClassTheModelNeverPredictsCountsAsZero() {
    // Labels of class 2 only, on a network that has not been trained: whatever it predicts, at
    // least three of the four classes have no examples, so macro recall is at most 1/4.
    float[] features = new float[200];
    float[] labels = new float[100];
    java.util.Arrays.fill(labels, 2);
    try (Model model = Model.build(TestMlp.of("Unbalanced", 2, 4, Loss.SOFTMAX_CROSS_ENTROPY, ADAM, 4))) {
      Evaluation evaluation = model.evaluate(Dataset.of(features, org.tensorflow.ndarray.Shape.of(2), labels, 1));
      assertThat(evaluation.confusion().orElseThrow().classes()).isEqualTo(4);
      assertThat(evaluation.recall()).isAtMost(0.25);
      assertThat(evaluation.precision()).isAtMost(0.25);
    }
  }

  @Test
  void aSigmoidWithOneOutputHasTwoClasses() {
    Dataset moons = TwoMoons.generate(300, 0.1, 3);
    try (Model model = Model.build(TestMlp.of("Binary", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16))) {
      model.train(moons, config());
      Evaluation evaluation = model.evaluate(moons);
      float[][] predictions = model.predict(moons);
      long[][] expected = new long[2][2];
      for (int i = 0; i < moons.size(); i++) {
        expected[(int) moons.label(i, 0)][predictions[i][0] > 0.5f ? 1 : 0]++;
      }
      assertThat(evaluation.confusionMatrix()).isEqualTo(expected);
      assertThat(evaluation.accuracy()).isWithin(1e-6).of(ConfusionMatrix.of(expected).accuracy());
    }
  }

  @Test
  void regressionAndMultiOutputSigmoidHaveNoClasses() {
    Dataset targets = Dataset.of(new float[] {0, 1, 1, 0, 2, 2}, org.tensorflow.ndarray.Shape.of(2), new float[] {0, 1, 1, 0, 0, 1}, 2);
    for (Loss loss : List.of(Loss.MEAN_SQUARED_ERROR, Loss.SIGMOID_CROSS_ENTROPY)) {
      try (Model model = Model.build(TestMlp.of("NoClasses", 2, 2, loss, ADAM, 4))) {
        Evaluation evaluation = model.evaluate(targets);
        assertThat(evaluation.hasClasses()).isFalse();
        assertThat(evaluation.f1()).isNaN();
        IllegalStateException e = assertThrows(IllegalStateException.class, evaluation::confusionMatrix);
        assertThat(e).hasMessageThat().contains("has no classes");
      }
    }
  }

  @Test
  void validationMetricsAreLoggedEveryEpochAndKeptInTheHistory() throws IOException {
    Dataset data = quadrants(600);
    try (Model model = Model.build(TestMlp.of("Logged", 2, 4, Loss.SOFTMAX_CROSS_ENTROPY, ADAM, 16))) {
      TrainingResult result = model.train(data, config().withValidationSplitFirst(0.25).withRunName("run"));
      Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(result.runDirectory());
      for (int epoch = 0; epoch < 2; epoch++) {
        EpochStats stats = result.history().get(epoch);
        Evaluation validation = stats.validation().orElseThrow();
        assertThat(validation.count()).isEqualTo(150);
        assertThat(stats.validationF1()).isEqualTo(validation.f1());
        assertThat(scalars.get("validation/precision").get(epoch).value()).isWithin(1e-6).of(validation.precision());
        assertThat(scalars.get("validation/recall").get(epoch).value()).isWithin(1e-6).of(validation.recall());
        assertThat(scalars.get("validation/f1").get(epoch).value()).isWithin(1e-6).of(validation.f1());
        assertThat(scalars.get("validation/f1").get(epoch).step()).isEqualTo(stats.step());
      }
      // The first 25 % held out: the same examples evaluate to the same metrics.
      assertThat(model.evaluate(data.range(0, 150))).isEqualTo(result.last().validation().orElseThrow());
    }
  }
}
