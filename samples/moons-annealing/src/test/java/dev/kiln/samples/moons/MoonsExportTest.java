package dev.kiln.samples.moons;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.Model;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** {@code --export DIR}: the trained network as a SavedModel that serves what the model predicts. */
class MoonsExportTest {
  @TempDir Path temp;

  @Test
  void theExportedSavedModelPredictsAsTheTrainedModel() throws IOException {
    Path export = temp.resolve("models/moons/1");
    MoonsAnnealingMain.main(new String[] {"--epochs", "2", "--logdir", temp.resolve("runs").toString(), "--export", export.toString()});

    Dataset points = TwoMoons.generate(50, 0.1, 9);
    float[] features = new float[points.size() * 2];
    points.copyFeatures(identity(points.size()), 0, points.size(), features);
    float[][] predicted;
    try (Model trained = Model.load(new MoonsAnnealingGraph(), onlyRun(temp.resolve("runs")))) {
      predicted = trained.predict(points);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve");
        TFloat32 input = TFloat32.tensorOf(Shape.of(points.size(), 2), DataBuffers.of(features));
        Result result = bundle.function("serving_default").call(Map.of("point", input))) {
      TFloat32 probabilities = (TFloat32) result.get("probabilities").orElseThrow();
      assertThat(probabilities.shape()).isEqualTo(Shape.of(points.size(), 1));
      for (int i = 0; i < points.size(); i++) {
        assertThat(probabilities.getFloat(i, 0)).isWithin(1e-5f).of(predicted[i][0]);
      }
    }
  }

  private static Path onlyRun(Path logRoot) throws IOException {
    try (Stream<Path> runs = Files.list(logRoot)) {
      List<Path> all = runs.toList();
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
