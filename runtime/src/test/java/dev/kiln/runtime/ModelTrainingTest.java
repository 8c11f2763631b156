package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/** Whole training runs: the network learns, and the run reports what it did. */
class ModelTrainingTest {
  @TempDir Path logs;

  @Test
  void annealedThetaMlpLearnsTwoMoons() {
    Dataset.Split data = TwoMoons.generate(600, 0.1, 3).randomSplit(0.8, 1);
    PhasedSchedule theta = PhasedSchedule.of(Granularity.STEP, Phase.hold(Math.PI / 4, Length.epochs(2)), Phase.linear(Math.PI / 4, 0, Length.epochs(10)));
    TestMlp network =
        TestMlp.of("Moons", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 32, 32)
            .withTheta(TestMlp.shared(g -> g.annealed("theta", theta)));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Model model = Model.build(network)) {
      Evaluation before = model.evaluate(data.second());
      TrainingResult result =
          model.train(
              data.first(),
              TrainingConfig.defaults().withEpochs(30).withValidationSplit(0.2).withLogRoot(logs)
                  .withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      Evaluation after = model.evaluate(data.second());
      assertThat(after.loss()).isLessThan(before.loss() / 4);
      assertThat(after.accuracy()).isAtLeast(0.97);
      assertThat(result.history()).hasSize(30);
      assertThat(result.last().validationAccuracy()).isAtLeast(0.95);
      assertThat(result.last().parameters().get("theta")).isEqualTo(0.0);
      assertThat(result.last().trainLoss()).isLessThan(result.history().get(0).trainLoss());

      String output = printed.toString(StandardCharsets.UTF_8);
      assertThat(output).contains("Training Moons (SIGMOID_CROSS_ENTROPY, Adam");
      assertThat(output).contains("on CPU:0 (TensorFlow sees CPU:0");
      assertThat(output).contains("384 training examples, 96 for validation; 30 epochs of 12 steps, batch size 32");
      assertThat(output).contains("run directory: " + result.runDirectory());
      assertThat(output).contains("tensorboard --logdir " + logs);
      assertThat(output).containsMatch("epoch  1/30  loss \\d\\.\\d{4}  accuracy \\d\\.\\d{4}  val_loss \\d\\.\\d{4}  val_accuracy \\d\\.\\d{4}  val_f1 \\d\\.\\d{4}  theta 0\\.7854  [\\d,]+ examples/s");
      assertThat(output).contains("epoch 30/30");
      assertThat(output).contains("Done: 30 epochs, 360 steps");
      assertThat(output).contains("checkpoint: " + result.checkpoint().orElseThrow());
    }
  }

  @Test
  void validationEveryThirdEpochAndAfterTheLast() throws Exception {
    Dataset data = TwoMoons.generate(120, 0.1, 3);
    TestMlp network = TestMlp.of("Sparse", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 8);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Model model = Model.build(network)) {
      TrainingResult result =
          model.train(
              data,
              TrainingConfig.defaults().withEpochs(7).withBatchSize(48).withValidationSplit(0.2).withValidateEvery(3)
                  .withCheckpoint(false).withLogRoot(logs).withRunName("sparse")
                  .withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      assertThat(result.history().stream().filter(EpochStats::hasValidation).map(EpochStats::epoch).toList())
          .containsExactly(3, 6, 7).inOrder();
      assertThat(result.history().get(0).validationLoss()).isNaN();
      // Two steps an epoch: validation is logged at the steps that end epochs 3, 6 and 7.
      List<ScalarPoint> logged = EventFileReader.scalars(logs.resolve("sparse")).get("validation/loss");
      assertThat(logged.stream().map(ScalarPoint::step).toList()).containsExactly(6L, 12L, 14L).inOrder();
      assertThat((double) logged.get(2).value()).isWithin(1e-6).of(result.last().validationLoss());
      String output = printed.toString(StandardCharsets.UTF_8);
      assertThat(output).contains("96 training examples, 24 for validation (every 3 epochs and after the last)");
      assertThat(output).containsMatch("epoch 1/7  loss \\d\\.\\d{4}  accuracy \\d\\.\\d{4}  [\\d,]+ examples/s");
      assertThat(output).containsMatch("epoch 3/7  loss \\d\\.\\d{4}  accuracy \\d\\.\\d{4}  val_loss");
    }
  }

  @Test
  void shortEpochsPrintAtMostALineASecondWithTheFirstAndTheLast() {
    Dataset data = TwoMoons.generate(40, 0.1, 3);
    TestMlp network = TestMlp.of("FullBatch", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 8);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Model model = Model.build(network)) {
      long start = System.nanoTime();
      model.train(
          data,
          TrainingConfig.defaults().withEpochs(200).withBatchSize(40).withCheckpoint(false).withLogRoot(logs)
              .withOutput(new PrintStream(printed, true, StandardCharsets.UTF_8)));
      double seconds = (System.nanoTime() - start) / 1e9;
      List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("epoch ")).toList();
      assertThat(lines.get(0)).startsWith("epoch   1/200");
      assertThat(lines.get(lines.size() - 1)).startsWith("epoch 200/200");
      assertThat(lines.size()).isAtMost(2 + (int) seconds);
    }
  }

  @Test
  void softmaxNetworkLearnsThreeClasses() {
    Dataset blobs = blobs(300, 9);
    try (Model model = Model.build(TestMlp.of("Blobs", 2, 3, Loss.SOFTMAX_CROSS_ENTROPY, new OptimizerSpec.Adam(0.02, 0.9, 0.999, 1e-7), 16))) {
      model.train(blobs, TrainingConfig.defaults().withEpochs(15).withLogRoot(logs).withCheckpoint(false).quiet());
      Evaluation evaluation = model.evaluate(blobs);
      assertThat(evaluation.accuracy()).isAtLeast(0.95);
      float[][] predictions = model.predict(new float[][] {{3, 0}, {-3, 0}, {0, 3}});
      assertThat(argMax(predictions[0])).isEqualTo(0);
      assertThat(argMax(predictions[1])).isEqualTo(1);
      assertThat(argMax(predictions[2])).isEqualTo(2);
    }
  }

  @Test
  void regressionLowersTheSquaredError() {
    Random random = new Random(11);
    int n = 200;
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = random.nextFloat() * 2 - 1;
      x[2 * i + 1] = random.nextFloat() * 2 - 1;
      y[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5f;
    }
    Dataset data = Dataset.of(x, Shape.of(2), y, 1);
    try (Model model = Model.build(TestMlp.of("Plane", 2, 1, Loss.MEAN_SQUARED_ERROR, new OptimizerSpec.Sgd(0.1)))) {
      TrainingResult result = model.train(data, TrainingConfig.defaults().withEpochs(20).withLogRoot(logs).withCheckpoint(false).quiet());
      assertThat(model.evaluate(data).loss()).isLessThan(1e-3);
      assertThat(Double.isNaN(result.last().trainAccuracy())).isTrue();
      assertThat(model.predict(new float[][] {{1, 1}})[0][0]).isWithin(0.05f).of(1.5f);
    }
  }

  @Test
  void trainingIsReproducible() {
    Dataset moons = TwoMoons.generate(100, 0.1, 5);
    TrainingConfig config = TrainingConfig.defaults().withEpochs(3).withBatchSize(10).withSeed(3).withLogRoot(logs).withCheckpoint(false).quiet();
    float[] first;
    try (Model model = Model.build(TestMlp.of("Again", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 8))) {
      model.train(moons, config);
      first = model.parameter("hidden1/weights");
    }
    try (Model model = Model.build(TestMlp.of("Again", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 8))) {
      model.train(moons, config);
      assertThat(model.parameter("hidden1/weights")).isEqualTo(first);
      model.train(moons, config.withSeed(4));
      assertThat(model.parameter("hidden1/weights")).isNotEqualTo(first);
    }
  }

  /** Three Gaussian blobs around (3, 0), (-3, 0) and (0, 3), labelled 0, 1, 2. */
  private static Dataset blobs(int n, long seed) {
    Random random = new Random(seed);
    float[][] centres = {{3, 0}, {-3, 0}, {0, 3}};
    float[] features = new float[2 * n];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      features[2 * i] = centres[label][0] + (float) random.nextGaussian() * 0.5f;
      features[2 * i + 1] = centres[label][1] + (float) random.nextGaussian() * 0.5f;
      labels[i] = label;
    }
    return Dataset.of(features, Shape.of(2), labels, 1);
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
