package dev.kiln.runtime.training;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.EpochProgress;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class ProgressPrinterTest {
  private static final long MS = 1_000_000;

  @Test
  void statusSaysStepsRateAndTimeLeft() {
    // 100 of 400 steps, 12,800 examples in 2 s: 6,400 examples/s, 300 steps left at 50 a second.
    assertThat(ProgressPrinter.status(3, 30, 100, 400, 12_800, 2_000 * MS))
        .isEqualTo("epoch  3/30  step 100/400  6,400 examples/s  0:06 left");
    assertThat(ProgressPrinter.status(1, 2, 50, 1000, 1_000, 5_000 * MS)).endsWith("  1:35 left");
  }

  @Test
  void theStatusLineIsRewrittenAtMostFourTimesASecond() {
    AtomicLong clock = new AtomicLong();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressPrinter printer = printer(bytes, clock);
    for (int step = 1; step <= 100; step++) {
      clock.addAndGet(20 * MS);
      printer.step(1, 1, step, 100, step * 32L, 0);
    }
    // 2 s of steps: the first, then one every 250 ms.
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(output.chars().filter(c -> c == '\r').count()).isEqualTo(8);
    assertThat(output).doesNotContain("\n");
  }

  private static ProgressPrinter printer(ByteArrayOutputStream bytes, AtomicLong clock) {
    TrainingConfig config =
        TrainingConfig.defaults().withOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8)).withEpochProgress(EpochProgress.LIVE);
    NetworkSpec spec = new NetworkSpec("Net", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 1);
    return new ProgressPrinter(config, spec, "CPU:0", true, clock::get);
  }
}
