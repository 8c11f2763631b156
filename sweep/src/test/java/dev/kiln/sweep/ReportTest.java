package dev.kiln.sweep;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir Path logRoot;

  /** Two seeds of "fixed", two of "trainable" (one reaching 98 %), one of "annealed" that reaches neither target. */
  private List<TrialResult> writeRuns() throws IOException {
    List<TrialResult> runs = List.of(
        Trials.result("fixed", 1, 0.97, 0.96, 0.10, 10, 0.95, 0.975, 0.978),
        Trials.result("fixed", 2, 0.98, 0.97, 0.08, 12, 0.96, 0.968, 0.972),
        Trials.result("trainable", 1, 0.99, 0.985, 0.05, 20, 0.97, 0.981, 0.985),
        Trials.result("trainable", 2, 0.985, 0.98, 0.06, 30, 0.965, 0.975, 0.979),
        Trials.result("annealed", 1, 0.90, 0.89, 0.30, 5, 0.85, 0.88, 0.90));
    for (TrialResult run : runs) {
      TrialStore.save(logRoot.resolve(run.group() + "-seed" + run.seed()), run);
    }
    return runs;
  }

  @Test
  void tableHoldsMeanAndStdOverSeedsAndTimesToTheTargets() throws IOException {
    writeRuns();

    Report report = Report.of(TrialStore.loadAll(logRoot), Trials.SPEC);

    // Run directories load in name order: annealed, fixed, trainable.
    assertThat(report.rows().stream().map(Report.Row::group).toList()).containsExactly("annealed", "fixed", "trainable").inOrder();
    Report.Row fixed = report.rows().get(1);
    assertThat(fixed.runs()).isEqualTo(2);
    assertThat(fixed.columns().get(0).mean()).isWithin(1e-12).of(0.975);
    assertThat(fixed.columns().get(0).std()).isWithin(1e-12).of(Math.sqrt(2 * 0.005 * 0.005)); // sample std, n - 1
    assertThat(fixed.columns().get(1).mean()).isWithin(1e-12).of(0.965);
    assertThat(fixed.columns().get(2).mean()).isWithin(1e-12).of(0.09);
    assertThat(fixed.columns().get(2).std()).isWithin(1e-12).of(Math.sqrt(2 * 0.01 * 0.01));
    // 97 %: seed 1 after epoch 2 (20 s), seed 2 after epoch 3 (36 s). 98 %: neither.
    assertThat(fixed.reaches().get(0)).isEqualTo(new Report.Reach(0.97, 2, 2, 28.0, 2.5));
    assertThat(fixed.reaches().get(1).reached()).isEqualTo(0);
    Report.Row trainable = report.rows().get(2);
    // 97 %: epoch 1 (20 s) and epoch 2 (60 s); 98 %: seed 1 only, after epoch 2 (40 s).
    assertThat(trainable.reaches().get(0)).isEqualTo(new Report.Reach(0.97, 2, 2, 40.0, 1.5));
    assertThat(trainable.reaches().get(1)).isEqualTo(new Report.Reach(0.98, 1, 2, 40.0, 2.0));
    Report.Row annealed = report.rows().get(0);
    assertThat(annealed.columns().get(0).std()).isNaN();
  }

  @Test
  void markdownAndCsvShowTheTable() throws IOException {
    writeRuns();

    Report report = Report.of(TrialStore.loadAll(logRoot), Trials.SPEC);

    assertThat(report.markdown()).contains("| fixed | 2 | 0.9750 ± 0.0071 | 0.9650 ± 0.0071 | 0.0900 ± 0.0141 | 28.0 s (epoch 2.5) | not reached |");
    assertThat(report.markdown()).contains("| trainable | 2 | 0.9875 ± 0.0035 | 0.9825 ± 0.0035 | 0.0550 ± 0.0071 | 40.0 s (epoch 1.5) | 40.0 s (epoch 2.0), 1 of 2 runs |");
    assertThat(report.markdown()).contains("| annealed | 1 | 0.9000 | 0.8900 | 0.3000 | not reached | not reached |");
    List<String> csv = report.csv().lines().toList();
    assertThat(csv.get(0)).isEqualTo(
        "variant,runs,accuracy_mean,accuracy_std,f1_mean,f1_std,loss_mean,loss_std,"
            + "reached validation/accuracy>=0.97,seconds to validation/accuracy>=0.97,epoch to validation/accuracy>=0.97,"
            + "reached validation/accuracy>=0.98,seconds to validation/accuracy>=0.98,epoch to validation/accuracy>=0.98");
    assertThat(csv.get(1)).isEqualTo("annealed,1,0.900000,,0.890000,,0.300000,,0,,,0,,");
    assertThat(csv.get(3)).isEqualTo("trainable,2,0.987500,0.00353553,0.982500,0.00353553,0.0550000,0.00707107,2,40.0000,1.50000,1,40.0000,2.00000");
  }

  @Test
  void writesTheTablesAndFourDecodablePlots() throws IOException {
    writeRuns();
    Path directory = logRoot.resolve("report");

    Report.Written written = Report.of(TrialStore.loadAll(logRoot), Trials.SPEC).write(directory, "Convexity annealing on MNIST", "");

    assertThat(Files.readString(written.markdown())).contains("| fixed | 2 |");
    assertThat(Files.readString(written.csv())).startsWith("variant,runs,");
    assertThat(written.plots().stream().map(p -> p.getFileName().toString()).toList())
        .containsExactly("validation-accuracy-by-epoch.png", "validation-accuracy-by-time.png", "theta-by-epoch.png", "theta-by-time.png");
    for (Path plot : written.plots()) {
      BufferedImage image = ImageIO.read(plot.toFile());
      assertThat(image).isNotNull();
      assertThat(image.getWidth()).isEqualTo(900);
      assertThat(image.getHeight()).isEqualTo(560);
    }
  }

  @Test
  void noRunsIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Report.of(List.of(), Trials.SPEC));

    assertThat(e).hasMessageThat().contains("no finished trials");
  }
}
