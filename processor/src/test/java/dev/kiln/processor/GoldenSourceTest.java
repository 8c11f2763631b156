package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.source;
import static dev.kiln.processor.Sources.thetaSchedule;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Whole generated classes, as users will read them: the flagship two-moons MLP (2, 42, 100, 100,
 * 42, 1) whose θ-leaky activations anneal θ from π/4 to 0, and the convexity experiments'
 * reference MNIST CNN with a per-channel trainable θ. A deliberate change to the generated code
 * updates {@code golden/*.java.txt}.
 */
class GoldenSourceTest {

  @Test
  void flagshipMoonsGraph() throws IOException {
    Compilation compilation = compile(
        source("Moons",
            "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
            "@Adam(learningRate = 0.01)",
            "interface Moons {",
            "  @Input(shape = 2) Layer point();",
            "  @Dense(units = 42) @ThetaLeaky(\"theta\") Layer entry();",
            "  @Dense(units = 100, repeat = 2) @ThetaLeaky(\"theta\") Layer hidden();",
            "  @Dense(units = 42) @ThetaLeaky(\"theta\") Layer exit();",
            "  @Output(units = 1) Layer logit();",
            "  @Annealed(ThetaSchedule.class) double theta();",
            "}"),
        thetaSchedule());

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(generated(compilation, "test.MoonsGraph")).isEqualTo(golden("golden/MoonsGraph.java.txt"));
  }

  @Test
  void referenceCnnWithPerChannelTrainableTheta() throws IOException {
    Compilation compilation = compile(source("Mnist",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "@Adam(learningRate = 1e-3)",
        "interface Mnist {",
        "  @Input(shape = {28, 28, 1}) Layer image();",
        "  @Conv2D(filters = 16, kernel = 4) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv1();",
        "  @Conv2D(filters = 16, kernel = 3) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv2();",
        "  @Conv2D(filters = 16, kernel = 3) @ThetaLeaky(\"theta\") @MaxPool(2) Layer conv3();",
        "  @Flatten Layer flat();",
        "  @Output(units = 10) Layer digit();",
        "  @Trainable(perNeuron = true) double theta();",
        "}"));

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(generated(compilation, "test.MnistGraph")).isEqualTo(golden("golden/MnistGraph.java.txt"));
  }

  private static String golden(String resource) throws IOException {
    try (InputStream stream = GoldenSourceTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (stream == null) {
        throw new IOException("missing test resource " + resource);
      }
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
