package dev.kiln.samples.convexity;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.Device;
import dev.kiln.sweep.Trial;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: the short default, the full protocol, and overrides. */
class ConvexityMnistTest {
  @Test
  void theDefaultIsTheShortVersion() {
    ConvexityMnist.Settings settings = ConvexityMnist.Settings.parse();

    assertThat(settings.variants()).containsExactlyElementsIn(Variant.REFERENCE).inOrder();
    assertThat(settings.seeds()).containsExactly(1L);
    assertThat(settings.epochs()).isEqualTo(2);
    assertThat(settings.trainSize()).isEqualTo(12_000);
    assertThat(settings.logRoot()).isEqualTo(Path.of("runs", "convexity-mnist-short"));
    assertThat(settings.device()).isEqualTo(Device.cpu());
    assertThat(settings.reportOnly()).isFalse();
  }

  @Test
  void fullIsTwentyEpochsTimesFiveSeedsOnAllOfMnistAndFlagsOverrideIt() {
    ConvexityMnist.Settings full = ConvexityMnist.Settings.parse("--full");
    ConvexityMnist.Settings overridden = ConvexityMnist.Settings.parse("--seeds", "2-4", "--full", "--epochs", "10", "--variants", "fixed,large-annealed,fixed");

    assertThat(full.epochs()).isEqualTo(20);
    assertThat(full.seeds()).containsExactly(1L, 2L, 3L, 4L, 5L).inOrder();
    assertThat(full.trainSize()).isEqualTo(60_000);
    assertThat(full.logRoot()).isEqualTo(Path.of("runs", "convexity-mnist-full"));
    assertThat(overridden.seeds()).containsExactly(2L, 3L, 4L).inOrder();
    assertThat(overridden.epochs()).isEqualTo(10);
    assertThat(overridden.variants()).containsExactly(Variant.FIXED, Variant.LARGE_ANNEALED).inOrder();
  }

  @Test
  void eachVersionAnnealsOverTheFirstHalfOfItsOwnLengthAndSaysWhatItIs() {
    ConvexityMnist.Settings short_ = ConvexityMnist.Settings.parse();
    ConvexityMnist.Settings full = ConvexityMnist.Settings.parse("--full");

    assertThat(short_.protocol()).isEqualTo(Protocol.SHORT);
    assertThat(full.protocol()).isEqualTo(Protocol.FULL);
    assertThat(Protocol.SHORT.annealingEpochs()).isEqualTo(1);
    assertThat(Protocol.FULL.annealingEpochs()).isEqualTo(10);
    assertThat(Variant.ANNEALED_EPOCH.network(Protocol.SHORT)).isInstanceOf(ShortAnnealedPerEpochCnnGraph.class);
    assertThat(Variant.ANNEALED_STEP.network(Protocol.FULL)).isInstanceOf(AnnealedPerStepCnnGraph.class);
    assertThat(Variant.LARGE_ANNEALED.network(Protocol.SHORT)).isInstanceOf(ShortLargeAnnealedCnnGraph.class);
    assertThat(Variant.TRAINABLE.network(Protocol.SHORT)).isInstanceOf(TrainableThetaCnnGraph.class);
    assertThat(short_.caption())
        .startsWith("Short version: 2 epochs, seed 1, 12,000 training images; the annealed variants take θ from π/4 to 0 over epoch 1"
            + " and train at ReLU after it. A first look");
    assertThat(short_.caption()).contains("--full runs the full protocol");
    assertThat(full.caption())
        .isEqualTo("Full protocol: 20 epochs, seeds 1, 2, 3, 4, 5, 60,000 training images; the annealed variants take θ from π/4 to 0"
            + " over epochs 1–10 and train at ReLU after it.");
    assertThat(ConvexityMnist.Settings.parse("--variants", "fixed").caption()).doesNotContain("annealed");
  }

  @Test
  void runsGoSeedBySeedWithTheirHParams() {
    ConvexityMnist.Settings settings = ConvexityMnist.Settings.parse("--variants", "fixed,trainable", "--seeds", "1,2");

    List<Trial> runs = settings.runs(11_400);

    assertThat(runs.stream().map(Trial::runName).toList())
        .containsExactly("fixed-seed1", "trainable-seed1", "fixed-seed2", "trainable-seed2").inOrder();
    assertThat(runs.get(1).hparams())
        .containsExactly("variant", "trainable", "schedule", Variant.TRAINABLE.schedule(Protocol.SHORT), "seed", 1.0, "learning_rate", 0.001,
            "epochs", 2.0, "train_examples", 11_400.0, "batch_size", 32.0)
        .inOrder();
  }

  @Test
  void badArgumentsAreClearErrors() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--variants", "relu")))
        .hasMessageThat().contains("unknown variant 'relu'; the variants are fixed, annealed-epoch, annealed-step, trainable, per-channel, large-annealed");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--epochs", "0")))
        .hasMessageThat().startsWith("--epochs takes a whole number > 0, got 0; usage: ConvexityMnist");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--seeds", "5-1")))
        .hasMessageThat().contains("--seeds 5-1 is an empty range");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--seeds", "one")))
        .hasMessageThat().contains("--seeds takes numbers such as 1,2,3 or 1-5, got one");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--logdir")))
        .hasMessageThat().contains("missing value after --logdir");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvexityMnist.Settings.parse("--fast", "1")))
        .hasMessageThat().contains("unknown option --fast");
  }

  @Test
  void logsEveryDivisorOfTheEpochSoThatEveryEpochStartsWithALoggedStep() {
    assertThat(MnistExperiment.logEvery(152)).isEqualTo(38);
    assertThat(MnistExperiment.logEvery(1782)).isEqualTo(33);
    assertThat(MnistExperiment.logEvery(20)).isEqualTo(20);
    assertThat(MnistExperiment.logEvery(149)).isEqualTo(1); // a prime: every step
  }

  @Test
  void sparkTakesAMasterAndTheDefaultRunsInThisProcess() {
    assertThat(ConvexityMnist.Settings.parse().spark()).isEmpty();
    assertThat(ConvexityMnist.Settings.parse("--spark", "spark://10.0.0.5:7077").spark()).hasValue("spark://10.0.0.5:7077");
  }
}
