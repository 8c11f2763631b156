package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.HistogramPoint;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.HistogramProto;

/** The TensorBoard event files a short run writes, read back: steps, tags and values. */
class EventLoggingTest {
  // 50 examples, 10 held out: 40 to train on in batches of 10, so 4 steps an epoch and 12 in 3 epochs.
  private static final Dataset MOONS = TwoMoons.generate(50, 0.1, 2);
  private static final long STEPS_PER_EPOCH = 4;
  private static final int EPOCHS = 3;
  private static final int LOG_EVERY = 5;

  @TempDir Path logs;

  private TrainingConfig config() {
    return TrainingConfig.defaults()
        .withEpochs(EPOCHS).withBatchSize(10).withValidationSplit(0.2).withLogEvery(LOG_EVERY)
        .withLogRoot(logs).withRunName("run").quiet();
  }

  private static List<Long> steps(List<ScalarPoint> points) {
    return points.stream().map(ScalarPoint::step).collect(Collectors.toList());
  }

  @Test
  void scalarsAreLoggedEveryFewStepsAndEveryEpoch() throws IOException {
    PhasedSchedule theta = PhasedSchedule.of(Granularity.STEP, Phase.linear(Math.PI / 4, 0, Length.epochs(2)));
    PhasedSchedule rate = PhasedSchedule.of(Granularity.EPOCH, Phase.exponential(0.05, 0.005, Length.epochs(2)));
    TestMlp network =
        TestMlp.of("Logged", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 8)
            .withTheta(TestMlp.shared(g -> g.annealed("theta", theta)))
            .withLearningRate(g -> g.annealed("learning_rate_schedule", rate));
    TrainingResult result;
    try (Model model = Model.build(network)) {
      result = model.train(MOONS, config());
    }
    assertThat(result.runDirectory()).isEqualTo(logs.resolve("run"));
    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(result.runDirectory());
    assertThat(scalars.keySet())
        .containsExactly(
            "loss", "accuracy", "learning_rate", "gradient_norm", "parameters/theta", "parameters/learning_rate_schedule",
            "epoch/train_loss", "epoch/train_accuracy", "epoch/examples_per_second", "validation/loss", "validation/accuracy",
            "validation/precision", "validation/recall", "validation/f1");

    List<Long> loggingSteps = List.of(0L, 5L, 10L);
    for (String tag : List.of("loss", "accuracy", "learning_rate", "gradient_norm", "parameters/theta")) {
      assertThat(steps(scalars.get(tag))).containsExactlyElementsIn(loggingSteps).inOrder();
    }
    for (ScalarPoint point : scalars.get("gradient_norm")) {
      assertThat(point.value()).isGreaterThan(0.0);
    }
    for (ScalarPoint point : scalars.get("parameters/theta")) {
      assertThat(point.value()).isWithin(1e-6).of((float) theta.valueAt(point.step(), STEPS_PER_EPOCH));
    }
    for (ScalarPoint point : scalars.get("learning_rate")) {
      assertThat(point.value()).isWithin(1e-7).of((float) rate.valueAt(point.step(), STEPS_PER_EPOCH));
    }
    assertThat(scalars.get("parameters/theta").get(0).value()).isWithin(1e-6).of(Math.PI / 4);
    for (ScalarPoint point : scalars.get("accuracy")) {
      assertThat(point.value()).isAtLeast(0.0);
      assertThat(point.value()).isAtMost(1.0);
    }

    List<Long> epochEnds = List.of(4L, 8L, 12L);
    for (String tag : List.of("epoch/train_loss", "epoch/train_accuracy", "validation/loss", "validation/accuracy", "validation/f1")) {
      assertThat(steps(scalars.get(tag))).containsExactlyElementsIn(epochEnds).inOrder();
    }
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      EpochStats stats = result.history().get(epoch);
      assertThat(stats.step()).isEqualTo(epochEnds.get(epoch));
      assertThat(scalars.get("epoch/train_loss").get(epoch).value()).isWithin(1e-6).of((float) stats.trainLoss());
      assertThat(scalars.get("validation/accuracy").get(epoch).value()).isWithin(1e-6).of((float) stats.validationAccuracy());
    }
  }

  @Test
  void anEpochsTrainingLossAndAccuracyAreItsStepsWeightedByBatchSize() throws IOException {
    // 45 examples in batches of 10: four full batches and one of 5, which also closes the epoch.
    Dataset data = TwoMoons.generate(45, 0.1, 3);
    TestMlp network = TestMlp.of("Weighted", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 8);
    TrainingResult result;
    try (Model model = Model.build(network)) {
      result =
          model.train(
              data,
              TrainingConfig.defaults().withEpochs(EPOCHS).withBatchSize(10).withLogEvery(1).withLogRoot(logs).withRunName("weighted").quiet());
    }
    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(result.runDirectory());
    long[] batchSizes = {10, 10, 10, 10, 5};
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      double loss = 0;
      double accuracy = 0;
      for (int batch = 0; batch < batchSizes.length; batch++) {
        int step = epoch * batchSizes.length + batch;
        assertThat(scalars.get("loss").get(step).step()).isEqualTo(step);
        loss += scalars.get("loss").get(step).value() * batchSizes[batch];
        accuracy += scalars.get("accuracy").get(step).value() * batchSizes[batch];
      }
      EpochStats stats = result.history().get(epoch);
      assertThat(stats.trainLoss()).isWithin(1e-5).of(loss / data.size());
      assertThat(stats.trainAccuracy()).isWithin(1e-5).of(accuracy / data.size());
    }
  }

  @Test
  void perNeuronParametersAreLoggedAsHistogramsAndHostValuesAsFed() throws IOException {
    Schedule halving = (step, perEpoch) -> Math.pow(0.5, step / perEpoch);
    TestMlp network =
        TestMlp.of("Histograms", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 6, 5)
            .withTheta(TestMlp.perNeuron(0.5, 10))
            .withLearningRate(g -> g.hostScheduled("rate", (step, perEpoch) -> 0.01 * halving.valueAt(step, perEpoch)));
    TrainingResult result;
    try (Model model = Model.build(network)) {
      result = model.train(MOONS, config());
    }
    Map<String, List<HistogramPoint>> histograms = EventFileReader.histograms(result.runDirectory());
    assertThat(histograms.keySet()).containsExactly("parameters/hidden1/theta", "parameters/hidden2/theta");
    List<HistogramPoint> hidden1 = histograms.get("parameters/hidden1/theta");
    assertThat(hidden1.stream().map(HistogramPoint::step).collect(Collectors.toList())).containsExactly(0L, 5L, 10L).inOrder();
    HistogramProto first = hidden1.get(0).histogram();
    assertThat(first.getNum()).isEqualTo(6.0);
    assertThat(first.getMin()).isWithin(1e-7).of(0.5);
    assertThat(first.getMax()).isWithin(1e-7).of(0.5);
    assertThat(histograms.get("parameters/hidden2/theta").get(2).histogram().getNum()).isEqualTo(5.0);
    for (HistogramPoint point : hidden1) {
      assertThat(point.histogram().getMin()).isAtLeast(0.0);
      assertThat(point.histogram().getMax()).isAtMost((double) (float) (Math.PI / 4));
    }

    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(result.runDirectory());
    assertThat(scalars).containsKey("parameters/rate");
    assertThat(scalars).doesNotContainKey("parameters/hidden1/theta");
    for (ScalarPoint point : scalars.get("parameters/rate")) {
      assertThat(point.value()).isWithin(1e-9).of((float) (0.01 * halving.valueAt(point.step(), STEPS_PER_EPOCH)));
    }
    assertThat(scalars.get("learning_rate").get(2).value()).isWithin(1e-9).of((float) (0.01 * 0.25));
  }

  @Test
  void defaultRunNamesAreTheNetworkAndTimeAndNeverReused() throws IOException {
    TestMlp network = TestMlp.of("Named", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 4);
    TrainingConfig config = TrainingConfig.defaults().withEpochs(1).withLogRoot(logs).withCheckpoint(false).quiet();
    try (Model model = Model.build(network)) {
      Path first = model.train(MOONS, config).runDirectory();
      Path second = model.train(MOONS, config).runDirectory();
      assertThat(first.getParent()).isEqualTo(logs);
      assertThat(first.getFileName().toString()).matches("Named-\\d{8}-\\d{6}(-\\d+)?");
      assertThat(second).isNotEqualTo(first);
      try (Stream<Path> runs = Files.list(logs)) {
        assertThat(runs.count()).isEqualTo(2);
      }
      // The second run continues the model's step count and logs from its own first step.
      assertThat(EventFileReader.scalars(second).get("loss").get(0).step()).isEqualTo(2L);
    }
  }
}
