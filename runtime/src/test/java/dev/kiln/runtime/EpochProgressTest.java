package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress within an epoch: live on a terminal, one line an epoch in a log. */
class EpochProgressTest {
  @TempDir Path logs;

  @Test
  void liveProgressRewritesOneStatusLineAndEndsEachEpochWithOneFullLine() {
    String output = train(EpochProgress.LIVE);

    assertThat(output).contains("\r");
    assertThat(output).containsMatch("\repoch 1/3  step +\\d+/23");
    // What a terminal shows: each line as its last \r left it.
    List<String> shown = Arrays.stream(output.split("\n")).map(line -> line.substring(line.lastIndexOf('\r') + 1)).toList();
    List<String> epochLines = shown.stream().filter(line -> line.startsWith("epoch ")).toList();
    assertThat(epochLines).hasSize(3);
    for (int epoch = 1; epoch <= 3; epoch++) {
      assertThat(epochLines.get(epoch - 1)).startsWith("epoch " + epoch + "/3  loss ");
    }
    assertThat(shown.stream().filter(line -> line.contains(" step ")).toList()).isEmpty();
  }

  @Test
  void linesLeaveOneLineAnEpochAndNoCarriageReturn() {
    String output = train(EpochProgress.LINES);

    assertThat(output).doesNotContain("\r");
    assertThat(Arrays.stream(output.split("\n")).filter(line -> line.startsWith("epoch ")).count()).isEqualTo(3);
  }

  @Test
  void autoIsLiveOnlyOnATerminal() {
    // Tests run without a terminal, and an output other than System.out is never one.
    assertThat(TrainingConfig.defaults().showsLiveProgress()).isEqualTo(System.console() != null);
    assertThat(TrainingConfig.defaults().withOutput(new PrintStream(new ByteArrayOutputStream())).showsLiveProgress()).isFalse();
    assertThat(TrainingConfig.defaults().withEpochProgress(EpochProgress.LIVE).quiet().showsLiveProgress()).isFalse();
  }

  private String train(EpochProgress progress) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Dataset data = TestData.halfPlanes(800, 1);
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Model model = Model.build(TestMlp.of("Progress", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 4))) {
      // Validating, every epoch has its line (short epochs that do not validate print one a second).
      model.train(data, TrainingConfig.defaults().withEpochs(3).withValidationSplit(0.1).withLogRoot(logs).withCheckpoint(false)
          .withOutput(out).withEpochProgress(progress));
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
