package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.NetworkBuilder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;


/** Convolution kernels: Glorot-uniform over the receptive field, and a small CNN that learns. */
class ConvolutionWeightsTest {
  @TempDir Path logs;

  @Test
  void glorotFansOfAKernelIncludeItsReceptiveField() {
    // [kh, kw, cin, cout]: fan in kh·kw·cin, fan out kh·kw·cout.
    assertThat(NetworkBuilder.glorotLimit(Shape.of(3, 5, 4, 8))).isWithin(1e-12).of(Math.sqrt(6.0 / (3 * 5 * 4 + 3 * 5 * 8)));
    assertThat(NetworkBuilder.glorotLimit(Shape.of(20, 30))).isWithin(1e-12).of(Math.sqrt(6.0 / 50));
  }

  @Test
  void kernelWeightsAreUniformWithinTheGlorotLimit() {
    try (Model model = Model.build(new TestCnn("Cnn", 8, 8, 3, 4, 16, 10, new OptimizerSpec.Sgd(0.1)))) {
      float[] kernel = model.parameter("conv/weights");
      assertThat(kernel).hasLength(4 * 4 * 3 * 16);
      double limit = Math.sqrt(6.0 / (4 * 4 * 3 + 4 * 4 * 16));
      double max = 0;
      double sumOfSquares = 0;
      for (float w : kernel) {
        max = Math.max(max, Math.abs(w));
        sumOfSquares += w * w;
      }
      assertThat(max).isAtMost(limit);
      assertThat(max).isAtLeast(0.98 * limit);
      // A uniform on [-a, a] has variance a²/3; 768 draws put the sample variance within a few percent.
      assertThat(sumOfSquares / kernel.length).isWithin(0.1 * limit * limit / 3).of(limit * limit / 3);
    }
  }

  @Test
  void aSmallCnnLearnsWhichQuadrantIsBright() {
    Dataset quadrants = brightQuadrants(400, 1);
    try (Model model = Model.build(new TestCnn("Quadrants", 8, 8, 1, 3, 4, 4, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7)))) {
      model.train(quadrants, TrainingConfig.defaults().withEpochs(5).withLogRoot(logs).withCheckpoint(false).quiet());
      assertThat(model.evaluate(brightQuadrants(200, 2)).accuracy()).isAtLeast(0.9);
    }
  }

  /** 8×8 noise images with one 4×4 quadrant brightened; the label is the quadrant. */
  static Dataset brightQuadrants(int n, long seed) {
    Random random = new Random(seed);
    float[] images = new float[n * 64];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      int quadrant = random.nextInt(4);
      labels[i] = quadrant;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean bright = (y / 4) * 2 + x / 4 == quadrant;
          images[i * 64 + y * 8 + x] = random.nextFloat() * 0.5f + (bright ? 0.5f : 0);
        }
      }
    }
    return Dataset.of(images, Shape.of(8, 8, 1), labels, 1);
  }
}
