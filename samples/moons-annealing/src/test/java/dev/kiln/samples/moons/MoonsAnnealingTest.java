package dev.kiln.samples.moons;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The flagship sample as a behavioural test: the generated network trains to its accuracy. */
class MoonsAnnealingTest {
  /** CI reads this run back with TensorBoard's own loader (see .ci/run). */
  private static final Path LOG_ROOT = Path.of("target", "runs");

  private static final String RUN = "moons-annealing-test";

  @Test
  void annealedThetaReachesReluAndTheTestAccuracyIsAtLeast97Percent() throws Exception {
    deleteRecursively(LOG_ROOT.resolve(RUN)); // a fresh run each time the test runs
    MoonsAnnealingMain.Outcome outcome =
        MoonsAnnealingMain.run(
            Device.cpu(), MoonsAnnealingMain.config(30, LOG_ROOT, 1).withRunName(RUN), 1);

    assertThat(outcome.test().accuracy()).isAtLeast(0.97);
    List<EpochStats> history = outcome.training().history();
    assertThat(history).hasSize(30);
    assertThat(history.get(0).parameters().get("theta")).isWithin(1e-6).of(Math.PI / 4);
    assertThat(outcome.training().last().parameters().get("theta")).isWithin(1e-6).of(0.0);
    assertThat(outcome.training().last().trainLoss()).isLessThan(history.get(0).trainLoss());

    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(LOG_ROOT.resolve(RUN));
    assertThat(scalars.keySet()).containsAtLeast("loss", "accuracy", "parameters/theta", "validation/accuracy");
    ScalarPoint firstTheta = scalars.get("parameters/theta").get(0);
    assertThat(firstTheta.step()).isEqualTo(0);
    assertThat(firstTheta.value()).isWithin(1e-6).of(Math.PI / 4);
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> paths = Files.walk(directory)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
