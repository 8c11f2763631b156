package dev.kiln.samples.width;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.data.Mnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment on real MNIST, at a size a test affords: a strong penalty shrinks the layer, the
 * pruned network predicts as the trained one, and the report and each run's pasteable
 * declaration are written; and the command line.
 */
class LearnedSizeTest {
  @TempDir Path logs;

  @Test
  void aStrongPenaltyShrinksTheLayerAndThePrunedNetworkPredictsTheSame() throws IOException {
    LearnedSize.Settings settings =
        // 1,125 steps: a gate moves by about Adam's rate (1e-3) a step, so a strong penalty closes some.
        LearnedSize.Settings.parse("--penalties", "0,0.02", "--starts", "250", "--epochs", "6", "--train-size", "6000",
            "--log-root", logs.toString());
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<Run> runs = LearnedSize.run(settings, Mnist.load(), new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(runs.stream().map(Run::group).toList())
        .containsExactly("sparsifier 250 0.0", "flexible 500 0.0", "sparsifier 250 0.02", "flexible 500 0.02").inOrder();
    Run free = runs.get(0);
    Run strong = runs.get(2);
    assertThat(free.learnedWidth()).isEqualTo(250);
    assertThat(strong.learnedWidth()).isLessThan(250);
    assertThat(strong.parametersAfter()).isLessThan(strong.parametersBefore());
    for (Run run : runs) {
      assertThat(run.gatedAccuracy()).isAtLeast(0.8);
      assertThat(run.scratchAccuracy()).isAtLeast(0.8);
    }
    // Gates fold into the next layer exactly: the pruned sparsifier predicts as the gated one.
    assertThat(strong.prunedAccuracy()).isEqualTo(strong.gatedAccuracy());

    String source = Files.readString(logs.resolve("sparsifier-250-p0.02-s1").resolve("LearnedSparsifier250.java"));
    assertThat(source).contains("@Dense(units = " + strong.learnedWidth() + ") @Relu Layer hidden();");
    Report.Written written = new Report(runs, 6, 6000, 32, false).write(logs);
    assertThat(Files.readString(written.markdown())).contains("| sparsifier | 250 | 0.02 | " + strong.learnedWidth() + ".0 ± 0.0 |");
    assertThat(Files.readAllLines(written.csv())).hasSize(5);
    for (Path plot : written.plots()) {
      assertThat(Files.size(plot)).isGreaterThan(1000L);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sparsifier-250-p0.02-s1");
  }

  @Test
  void theDefaultIsTheShortVersionAndFullIsTheJournalsProtocol() {
    LearnedSize.Settings short_ = LearnedSize.Settings.parse();
    assertThat(short_.epochs()).isEqualTo(6);
    assertThat(short_.trainSize()).isEqualTo(12_000);
    assertThat(short_.seeds()).containsExactly(1L);
    assertThat(short_.penalties()).containsExactly(0.0, 1e-4, 1e-3, 3e-3, 1e-2).inOrder();
    assertThat(short_.logRoot()).isEqualTo(Path.of("runs", "learned-size-short"));

    LearnedSize.Settings full = LearnedSize.Settings.parse("--full", "--fashion-mnist", "/data/fashion");
    assertThat(full.epochs()).isEqualTo(60);
    assertThat(full.trainSize()).isEqualTo(60_000);
    assertThat(full.seeds()).containsExactly(1L, 2L, 3L).inOrder();
    assertThat(full.penalties()).containsExactly(0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3).inOrder();
    assertThat(full.logRoot()).isEqualTo(Path.of("runs", "learned-size-fashion"));
  }

  @Test
  void aStartWidthTheSampleDoesNotDeclareIsAnError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> LearnedSize.Settings.parse("--starts", "300"));
    assertThat(error).hasMessageThat().isEqualTo("no network starts at 300 units: the sample declares 250, 500 and 1000");
  }
}
