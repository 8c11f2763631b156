package dev.kiln.samples.rai;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.Range;
import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.sweep.Report;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's results as behavioural tests, on the reference's two moons: full-batch relaxed
 * training fits the shallow network, and on a shortened schedule the deep sigmoid network trains
 * relaxed while plain back-propagation stays at chance.
 */
class RaiMoonsTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final Dataset TRAIN = RaiMoons.trainingPoints();
  private static final Dataset TEST = RaiMoons.testPoints();

  @TempDir Path runs;

  private RaiMoons.Run run(String name, NetworkGraph network, int steps) {
    return RaiMoons.run(name, network, Device.cpu(), TRAIN, TEST, RaiMoons.fullBatch(steps, runs, name, QUIET));
  }

  @Test
  void overSeedsEachNetworkIsATrialAndASweepRunAgainKeepsTheFinishedOnes() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    Path root = runs.resolve("seeds");
    Report.Written written = RaiMoons.sweepSeeds(List.of("shallow"), 60, 0, 0, List.of(1L, 2L), Device.cpu(), root, out).get(0);

    for (String trial : List.of("shallow-plain-seed1", "shallow-relaxed-seed1", "shallow-plain-seed2", "shallow-relaxed-seed2")) {
      assertThat(TrialStore.load(root.resolve(trial))).isPresent();
    }
    // Each seed its own initial weights: the two plain trials end apart.
    assertThat(TrialStore.load(root.resolve("shallow-plain-seed1")).orElseThrow().metric("train_loss"))
        .isNotEqualTo(TrialStore.load(root.resolve("shallow-plain-seed2")).orElseThrow().metric("train_loss"));
    String table = Files.readString(written.markdown());
    assertThat(table).contains("| network | runs | train accuracy | test accuracy |");
    assertThat(table).containsMatch("\\| shallow-plain \\| 2 \\| [01]\\.\\d{4} ± 0\\.\\d{4} \\|.* \\| – \\|");
    assertThat(table).containsMatch("\\| shallow-relaxed \\| 2 \\| .* \\| 0\\.\\d{4} ± 0\\.\\d{4} \\| [^|]* \\|\\n");

    printed.reset();
    RaiMoons.sweepSeeds(List.of("shallow"), 60, 0, 0, List.of(1L, 2L), Device.cpu(), root, out);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("[4/4] shallow-relaxed-seed2: finished earlier, not run again");
  }

  @Test
  void theAnnealedNetworksRunOverSeedsWithTheirStrengthInTheHistory() throws Exception {
    Path root = runs.resolve("annealed");
    // 1,500 shallow steps: α held at 1 for 1,000, then half way to 0; the deep networks only 12 steps in.
    List<Report.Written> reports = RaiMoons.sweepSeeds(List.of("shallow", "deep", "annealed"), 1500, 12, 0, List.of(1L), Device.cpu(), root, QUIET);
    assertThat(reports.stream().map(report -> report.markdown().getParent().getFileName().toString()).toList())
        .containsExactly("shallow", "deep").inOrder();
    assertThat(alphaAtTheEnd(root, "shallow-annealed-linear")).isWithin(1e-3).of(0.5);
    assertThat(alphaAtTheEnd(root, "shallow-annealed-cosine")).isWithin(1e-3).of(0.5);
    assertThat(alphaAtTheEnd(root, "shallow-relaxed")).isEqualTo(1.0);
    assertThat(alphaAtTheEnd(root, "shallow-plain")).isEqualTo(0.0);
    for (String network : List.of("deep-annealed-linear", "deep-annealed-cosine", "deep-weight-up")) {
      // 12 steps into the schedules: α is still held at 1 (relaxed); the weight-up network has none (1).
      assertThat(alphaAtTheEnd(root, network)).isEqualTo(1.0);
      assertThat(TrialStore.load(root.resolve(network + "-seed1")).orElseThrow().metrics()).containsKey("disagreement");
    }
    String shallow = Files.readString(root.resolve("report/shallow/report.md"));
    assertThat(shallow).contains("| shallow-annealed-linear | 1 |");
  }

  @Test
  void overSeedsMnistTrainsInMiniBatchesWithAReportOfItsOwn() throws Exception {
    Path root = runs.resolve("mnist");
    List<Report.Written> reports = RaiMoons.sweepSeeds(List.of("mnist"), 0, 0, 1, List.of(1L), Device.cpu(), root, QUIET);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).markdown()).isEqualTo(root.resolve("report/mnist/report.md"));
    TrialResult plain = TrialStore.load(root.resolve("mnist-plain-seed1")).orElseThrow();
    TrialResult relaxed = TrialStore.load(root.resolve("mnist-relaxed-seed1")).orElseThrow();
    // One epoch of 469 batches: the plain MLP is past 90 %; the relaxed one's ordinary pass needs more (see the README).
    assertThat(plain.metric("test_accuracy")).isAtLeast(0.9);
    assertThat(relaxed.metric("disagreement")).isIn(Range.closed(0.0, 1.0));
    assertThat(plain.hparams()).containsEntry("epochs", 1.0);
  }

  private static double alphaAtTheEnd(Path root, String network) throws IOException {
    return TrialStore.load(root.resolve(network + "-seed1")).orElseThrow().last().value("alpha");
  }

  @Test
  void annealedRunsWithoutSeedsAreAnError() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> RaiMoons.main(new String[] {"--runs", "annealed", "--logdir", runs.toString()}));
    assertThat(error).hasMessageThat().startsWith("--runs annealed compares over seeds: give --seeds");
  }

  @Test
  void fullBatchRelaxedShallowNetworkFitsTheTrainingPoints() {
    RaiMoons.Run relaxed = run("shallow-relaxed", new ShallowRelaxedGraph(), 400);

    // The ordinary forward pass, not the path through the targets, is what is judged.
    assertThat(relaxed.train().accuracy()).isAtLeast(0.95);
    assertThat(relaxed.test().accuracy()).isAtLeast(0.9);
    assertThat(relaxed.relaxed().orElseThrow().loss()).isLessThan(0.1);
    assertThat(relaxed.steps()).isEqualTo(400);
  }

  @Test
  void deepSigmoidNetworkTrainsRelaxedWhilePlainBackPropagationStaysAtChance() {
    RaiMoons.Run plain = run("deep-plain", new DeepPlainGraph(), 300);
    RaiMoons.Run relaxed = run("deep-relaxed", new DeepRelaxedGraph(), 300);

    // Through 100 sigmoid layers the gradient vanishes: the output stays at its prior, ln 2.
    assertThat(plain.train().loss()).isWithin(0.01).of(Math.log(2));
    assertThat(plain.train().accuracy()).isAtMost(0.6);
    // Relaxed, every layer learns from its own targets; the ordinary pass follows.
    assertThat(relaxed.relaxed().orElseThrow().loss()).isLessThan(0.1);
    assertThat(relaxed.train().loss()).isLessThan(plain.train().loss() - 0.1);
    assertThat(relaxed.train().accuracy()).isAtLeast(plain.train().accuracy() + 0.2);
  }

  @Test
  void aRunGivenMoreStepsUnderTheSameNameGoesOnFromItsCheckpointAndAFinishedOneIsOnlyEvaluated() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream output = new PrintStream(printed, true, StandardCharsets.UTF_8);
    RaiMoons.Run straight = run("shallow-relaxed-straight", new ShallowRelaxedGraph(), 300);

    RaiMoons.run("first", new ShallowRelaxedGraph(), Device.cpu(), TRAIN, TEST, RaiMoons.fullBatch(150, runs, "resumed", output));
    RaiMoons.Run resumed =
        RaiMoons.run("then", new ShallowRelaxedGraph(), Device.cpu(), TRAIN, TEST, RaiMoons.fullBatch(300, runs, "resumed", output));
    RaiMoons.Run again =
        RaiMoons.run("again", new ShallowRelaxedGraph(), Device.cpu(), TRAIN, TEST, RaiMoons.fullBatch(300, runs, "resumed", output));

    assertThat(printed.toString(StandardCharsets.UTF_8)).containsMatch("then: done in [0-9.]+ s, resumed from .*step-000000000150");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("again: finished earlier (300 steps), evaluated from its last checkpoint");
    for (RaiMoons.Run run : List.of(resumed, again)) {
      assertThat(run.steps()).isEqualTo(300);
      assertThat(run.train().loss()).isWithin(1e-6).of(straight.train().loss());
      assertThat(run.test().accuracy()).isEqualTo(straight.test().accuracy());
      assertThat(run.relaxed().orElseThrow().loss()).isWithin(1e-6).of(straight.relaxed().orElseThrow().loss());
    }
  }
}
