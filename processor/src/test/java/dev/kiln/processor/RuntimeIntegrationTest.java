package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.source;

import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkGraph;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * Generated code against the runtime's own {@code GraphBuilder}: a convolutional network with
 * every new feature builds, trains and predicts, so the names and calls the generator writes are
 * the ones the runtime accepts.
 */
class RuntimeIntegrationTest {
  private static final int SIZE = 8;

  @TempDir Path runs;

  @Test
  void generatedCnnWithPerChannelThetaPoolingDropoutAndPenaltiesTrains() {
    NetworkGraph network = GeneratedClasses.instantiate(compile(source("Stripes",
        "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)",
        "@Adam(learningRate = 0.01)",
        "@Regularization(l2 = 1e-4)",
        "interface Stripes {",
        "  @Input(shape = {" + SIZE + ", " + SIZE + ", 1}) Layer image();",
        "  @Conv2D(filters = 4, kernel = 3) @ThetaLeaky(\"theta\") @MaxPool(2) @Dropout(0.1) Layer conv();",
        "  @Flatten Layer flat();",
        "  @Dense(units = 8, repeat = 2) @ThetaLeaky(\"theta\") @Dropout(0.1) @Regularization(l1 = 1e-5) Layer hidden();",
        "  @Output(units = 2) Layer kind();",
        "  @Trainable(perNeuron = true) double theta();",
        "}")), "test.StripesGraph");
    Dataset stripes = stripes(128, 7);

    try (Model model = Model.build(network)) {
      float[] thetaBefore = model.parameter("conv/theta");
      TrainingResult result = model.train(stripes, TrainingConfig.defaults()
          .withEpochs(8).withBatchSize(16).withLogRoot(runs).withCheckpoint(false).quiet());

      assertThat(thetaBefore).hasLength(4);
      assertThat(model.parameter("conv/theta")).isNotEqualTo(thetaBefore);
      assertThat(model.parameter("hidden2/theta")).hasLength(8);
      assertThat(result.last().trainLoss()).isLessThan(result.history().get(0).trainLoss());
      assertThat(model.evaluate(stripes(64, 8)).accuracy()).isGreaterThan(0.9);
    }
  }

  /**
   * Noisy images with a bright horizontal (class 0) or vertical (class 1) stripe at a random
   * place: what a convolution finds easily and a single pixel does not tell.
   */
  private static Dataset stripes(int count, long seed) {
    Random random = new Random(seed);
    float[] features = new float[count * SIZE * SIZE];
    float[] labels = new float[count];
    for (int example = 0; example < count; example++) {
      int kind = example % 2;
      int line = random.nextInt(SIZE);
      for (int row = 0; row < SIZE; row++) {
        for (int column = 0; column < SIZE; column++) {
          boolean onStripe = (kind == 0 ? row : column) == line;
          features[(example * SIZE + row) * SIZE + column] = (onStripe ? 1f : 0f) + 0.2f * (float) random.nextGaussian();
        }
      }
      labels[example] = kind;
    }
    return Dataset.of(features, Shape.of(SIZE, SIZE, 1), labels, 1);
  }
}
