package dev.kiln.samples.convexity;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.HParams;
import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.TrialResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every variant, through the sample's own sweep, trains 304 steps (2 epochs of 4,864 real MNIST
 * images, 256 more validating) and is scored on 2,000 test images.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VariantsTrainOnMnistTest {
  private static final Path LOG_ROOT = Path.of("target", "runs", "variants-train-on-mnist");
  private static final int TRAIN_IMAGES = 5_120;
  private static final int EPOCHS = 2;
  private static final double QUARTER_PI = Math.PI / 4;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private Map<String, TrialResult> results;

  @BeforeAll
  void runEveryVariantOnce() throws IOException {
    if (Files.exists(LOG_ROOT)) {
      Directories.deleteRecursively(LOG_ROOT); // a fresh sweep each time, not a resumed one
    }
    Mnist mnist = Mnist.load();
    Dataset train = mnist.train().range(0, TRAIN_IMAGES);
    Dataset test = mnist.test().range(0, 2_000);
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    ConvexityMnist.Settings settings = ConvexityMnist.Settings.parse(
        "--variants", "all", "--epochs", String.valueOf(EPOCHS), "--train-size", String.valueOf(TRAIN_IMAGES), "--logdir", LOG_ROOT.toString());
    MnistExperiment experiment = new MnistExperiment(train, test, EPOCHS, settings.protocol(), Device.cpu(), out);
    List<TrialResult> all = new Sweep(LOG_ROOT, ConvexityMnist.HPARAMS, ConvexityMnist.METRIC_TAGS, out).run(settings.runs(experiment.trainingExamples()), experiment);
    results = all.stream().collect(Collectors.toMap(TrialResult::group, Function.identity()));
  }

  @Test
  void everyVariantBeatsChanceClearly() {
    assertThat(results.keySet()).containsExactlyElementsIn(List.of(Variant.values()).stream().map(Variant::id).toList());
    for (TrialResult result : results.values()) {
      assertThat(result.history()).hasSize(EPOCHS);
      assertThat(result.last().step()).isEqualTo(304);
      assertThat(result.metric("accuracy")).isGreaterThan(0.6);
      assertThat(result.metric("f1")).isGreaterThan(0.6);
      assertThat(result.last().value(MnistExperiment.VALIDATION_F1)).isGreaterThan(0.6);
    }
  }

  @Test
  void fixedThetaStaysAtZeroAndAnnealedThetaFollowsTheShortVersionsSchedule() throws IOException {
    assertThat(thetas("fixed")).containsExactly(0.0, 0.0);
    // The short version anneals over epoch 1: θ is 0 (ReLU) from the step that starts epoch 2 on.
    for (String annealed : List.of("annealed-epoch", "annealed-step", "large-annealed")) {
      assertThat(thetas(annealed)).containsExactly(0.0, 0.0);
    }
    // Within epoch 1 (152 steps, logged every 38): per step, θ is halfway down at step 76; per
    // epoch, it holds π/4 until the epoch ends.
    assertThat(thetaLoggedAt("annealed-step", 76)).isWithin(1e-6).of(QUARTER_PI / 2);
    assertThat(thetaLoggedAt("large-annealed", 76)).isWithin(1e-6).of(QUARTER_PI / 2);
    assertThat(thetaLoggedAt("annealed-epoch", 114)).isWithin(1e-6).of(QUARTER_PI);
    assertThat(thetaLoggedAt("annealed-epoch", 152)).isWithin(1e-6).of(0.0);
    assertThat(thetaLoggedAt("annealed-step", 0)).isWithin(1e-6).of(QUARTER_PI);
  }

  @Test
  void theRunsRecordWhichScheduleTheyFollowed() {
    assertThat(results.get("annealed-step").hparams()).containsEntry("schedule", "θ linear π/4 → 0 over epoch 1, per step");
    assertThat(Variant.ANNEALED_STEP.schedule(Protocol.FULL)).isEqualTo("θ linear π/4 → 0 over 10 epochs, per step");
  }

  @Test
  void trainableThetaMovesWithinItsBounds() {
    double theta = results.get("trainable").last().value(MnistExperiment.THETA);

    assertThat(theta).isLessThan(QUARTER_PI - 1e-4);
    assertThat(theta).isAtLeast(0.0);
  }

  @Test
  void perChannelThetaHasOneValuePerChannelAndItsMeanIsReported() throws IOException {
    TrialResult result = results.get("per-channel");
    Path run = LOG_ROOT.resolve(result.group() + "-seed1");

    // A run directory loads its newest valid checkpoint: the one written at the end of training.
    try (Model model = Model.load(new PerChannelThetaCnnGraph(), run)) {
      double sum = 0;
      boolean moved = false;
      for (String layer : List.of("conv1", "conv2", "conv3")) {
        float[] theta = model.parameter(layer + "/theta");
        assertThat(theta).hasLength(16);
        for (float value : theta) {
          assertThat((double) value).isIn(com.google.common.collect.Range.closed(0.0, QUARTER_PI + 1e-6));
          moved |= Math.abs(value - QUARTER_PI) > 1e-4;
          sum += value;
        }
      }
      assertThat(moved).isTrue();
      assertThat(result.last().value(MnistExperiment.THETA)).isWithin(1e-6).of(sum / 48);
    }
    // Epoch 1's mean comes from the histograms logged at step 152, where epoch 2 starts.
    assertThat(result.history().get(0).value(MnistExperiment.THETA)).isLessThan(QUARTER_PI);
    assertThat(result.history().get(0).value(MnistExperiment.THETA)).isGreaterThan(result.last().value(MnistExperiment.THETA) - 0.05);
  }

  @Test
  void runsRecordTheirHParamsAndTestScoresForTensorBoard() throws IOException {
    Path run = LOG_ROOT.resolve("trainable-seed1");

    List<HParams.Record> records = HParams.read(run);
    HParams.SessionStart start = (HParams.SessionStart) records.get(0);
    assertThat(start.hparams()).containsAtLeast("variant", "trainable", "seed", 1.0, "learning_rate", 0.001, "epochs", 2.0);
    assertThat(((HParams.SessionEnd) records.get(records.size() - 1)).status()).isEqualTo(HParams.Status.SUCCESS);
    assertThat(EventFileReader.scalars(run).keySet())
        .containsAtLeast("loss", "parameters/theta", "validation/accuracy", "validation/f1", "test/accuracy", "test/f1", "test/loss");
    assertThat(HParams.read(LOG_ROOT)).containsExactly(new HParams.Experiment(ConvexityMnist.HPARAMS, ConvexityMnist.METRIC_TAGS));
  }

  private static double thetaLoggedAt(String variant, long step) throws IOException {
    return EventFileReader.scalars(LOG_ROOT.resolve(variant + "-seed1")).get("parameters/theta").stream()
        .filter(point -> point.step() == step)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no parameters/theta logged at step " + step + " of " + variant))
        .value();
  }

  private List<Double> thetas(String variant) {
    return results.get(variant).history().stream().map(epoch -> epoch.value(MnistExperiment.THETA)).toList();
  }
}
