package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.WithWidths;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Pruning a network whose layers learned their widths: the smaller network loads the pruned
 * weights and predicts what the gated one did, for dense layers, a convolution read by a dense
 * layer after a flatten, and a convolution read by another; then trains on like any network.
 */
class PruningTest {
  private static final Dataset POINTS = TestData.halfPlanes(256, 11);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.05, 0.9, 0.999, 1e-7);

  @TempDir Path logs;

  private TrainingConfig config(String run, int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(32).withLogRoot(logs).withRunName(run).withCheckpoint(false).quiet();
  }

  private static void assertSamePredictions(float[][] expected, float[][] actual) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        assertWithMessage("example " + i + ", output " + j).that(actual[i][j]).isWithin(1e-5f).of(expected[i][j]);
      }
    }
  }

  @Test
  void aPrunedMlpPredictsWhatTheGatedOneDidAndTrainsOn() {
    TestMlp gated = TestMlp.of("Gated", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16, 12).withLearnedWidth(TestMlp.gates(0.02, 1.0, 0.05));
    Path weights = logs.resolve("pruned");
    PrunedNetwork pruned;
    float[][] predicted;
    try (Model model = Model.build(gated)) {
      TrainingResult trained = model.train(POINTS, config("gated", 15));
      predicted = model.predict(POINTS);
      pruned = model.prune("GatedPruned", weights);
      assertThat(pruned.widths()).isEqualTo(trained.last().learnedWidths());
    }
    int hidden1 = pruned.widths().get("hidden1");
    int hidden2 = pruned.widths().get("hidden2");
    assertThat(pruned.declaredWidths()).containsExactly("hidden1", 16, "hidden2", 12).inOrder();
    assertThat(hidden1 + hidden2).isLessThan(28);
    // 2·w1 + w1 + w1·w2 + w2 + w2 + 1 weights and biases, the gates gone.
    assertThat(pruned.parametersAfter()).isEqualTo(3L * hidden1 + (long) hidden1 * hidden2 + 2L * hidden2 + 1);
    assertThat(pruned.parametersBefore()).isEqualTo(3L * 16 + 16 * 12 + 2 * 12 + 1 + 16 + 12);
    assertThat(pruned.summary()).startsWith("hidden1: 16 -> " + hidden1 + " units\nhidden2: 12 -> " + hidden2 + " units\nparameters: ");
    // A hand-written network is not generated from a declaration: no source to paste.
    assertThat(pruned.declaration()).isEmpty();

    TestMlp smaller = TestMlp.of("GatedPruned", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, hidden1, hidden2);
    try (Model model = Model.fromWeights(smaller, weights)) {
      assertSamePredictions(predicted, model.predict(POINTS));
      TrainingResult tuned = model.train(POINTS, config("tuned", 5));
      assertThat(tuned.last().trainAccuracy()).isAtLeast(0.9);
    }
    // The same smaller network from the gated declaration, without writing it down.
    try (Model model = Model.fromWeights(pruned.network(gated), weights)) {
      assertSamePredictions(predicted, model.predict(POINTS));
      assertThat(model.parameter("hidden1/weights")).hasLength(2 * hidden1);
      assertThat(model.variableNames()).doesNotContain("hidden1/gates");
    }
  }

  @Test
  void theLearnedWidthsTrainFromScratch() {
    TestMlp gated = TestMlp.of("Scratch", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16).withLearnedWidth(TestMlp.gates(0.02, 1.0, 0.05));
    PrunedNetwork pruned;
    try (Model model = Model.build(gated)) {
      model.train(POINTS, config("learn", 15));
      pruned = model.prune("ScratchPruned", logs.resolve("scratch"));
    }
    try (Model model = Model.build(pruned.network(gated))) {
      assertThat(model.parameter("hidden1/bias")).hasLength(pruned.widths().get("hidden1"));
      assertThat(model.train(POINTS, config("scratch", 10)).last().trainAccuracy()).isAtLeast(0.9);
    }
  }

  @Test
  void aWidthForALayerThatDoesNotLearnItsWidthIsAnError() {
    TestMlp gated = TestMlp.of("Named", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4).withLearnedWidth(TestMlp.gates(0.02, 1.0, 0.05));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Model.build(new WithWidths(gated, Map.of("hidden", 2))));
    assertThat(error).hasMessageThat().isEqualTo("network Named has no layer hidden that learns its width; its layers that do are hidden1");
  }

  @Test
  void aPrunedConvolutionFoldsItsGatesIntoTheDenseLayerAfterTheFlatten() {
    Dataset images = images(96, 8, 8);
    Path weights = logs.resolve("pruned-cnn");
    float[][] predicted;
    PrunedNetwork pruned;
    try (Model model = Model.build(new TestCnn("GatedCnn", 8, 8, 1, 3, 12, 2, ADAM).withGates(0.05))) {
      model.train(images, config("cnn", 12));
      predicted = model.predict(images);
      pruned = model.prune("SmallCnn", weights);
    }
    int channels = pruned.widths().get("conv");
    assertThat(channels).isLessThan(12);
    try (Model model = Model.fromWeights(new TestCnn("SmallCnn", 8, 8, 1, 3, channels, 2, ADAM), weights)) {
      assertSamePredictions(predicted, model.predict(images));
    }
    try (Model model = Model.fromWeights(pruned.network(new TestCnn("GatedCnn", 8, 8, 1, 3, 12, 2, ADAM).withGates(0.05)), weights)) {
      assertSamePredictions(predicted, model.predict(images));
    }
  }

  @Test
  void aPrunedConvolutionFoldsItsGatesIntoTheInputChannelsOfTheNext() {
    Dataset images = images(96, 8, 8);
    Path weights = logs.resolve("pruned-two");
    float[][] predicted;
    PrunedNetwork pruned;
    try (Model model = Model.build(new TwoConvolutions("Two", 10, true))) {
      model.train(images, config("two", 12));
      predicted = model.predict(images);
      pruned = model.prune("TwoPruned", weights);
    }
    int channels = pruned.widths().get("first");
    assertThat(channels).isLessThan(10);
    try (Model model = Model.fromWeights(new TwoConvolutions("TwoPruned", channels, false), weights)) {
      assertSamePredictions(predicted, model.predict(images));
    }
    try (Model model = Model.fromWeights(pruned.network(new TwoConvolutions("Two", 10, true)), weights)) {
      assertSamePredictions(predicted, model.predict(images));
    }
  }

  @Test
  void aNetworkWithoutLearnedWidthHasNothingToPrune() {
    try (Model model = Model.build(TestMlp.of("Plain", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4))) {
      IllegalStateException error = assertThrows(IllegalStateException.class, () -> model.prune("Smaller", logs.resolve("none")));
      assertThat(error).hasMessageThat()
          .isEqualTo("network Plain has no layer that learns its width (@LearnedWidth): there is nothing to prune");
    }
  }

  @Test
  void weightsOfAnotherWidthAreAnErrorThatSaysSo() {
    Path weights = logs.resolve("pruned-other");
    try (Model model = Model.build(TestMlp.of("Gated", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 8).withLearnedWidth(TestMlp.gates(0, 1.0, 0.05)))) {
      model.train(POINTS, config("other", 1));
      assertThat(model.prune("Same", weights).widths()).containsExactly("hidden1", 8);
    }
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class,
            () -> Model.fromWeights(TestMlp.of("Wider", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 9), weights));
    assertThat(error).hasMessageThat().startsWith("the weights in " + weights + " do not fit network Wider: ");
  }

  /** Random 0/1 images whose class is whether the left half is brighter than the right. */
  private static Dataset images(int count, int height, int width) {
    Random random = new Random(5);
    float[] features = new float[count * height * width];
    float[] labels = new float[count];
    for (int i = 0; i < count; i++) {
      float left = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float value = random.nextFloat();
          features[(i * height + y) * width + x] = value;
          left += x < width / 2 ? value : -value;
        }
      }
      labels[i] = left > 0 ? 1 : 0;
    }
    return Dataset.of(features, Shape.of(height, width, 1), labels, 1);
  }

  /** 8×8 images → 3×3 convolution {@code first} (gated if asked) → 3×3 convolution {@code second} of 4 channels → flatten → 2 classes. */
  private record TwoConvolutions(String name, int channels, boolean gated) implements NetworkGraph {
    @Override
    public NetworkSpec spec() {
      return new NetworkSpec(name, Shape.of(8, 8, 1), 2, Loss.SOFTMAX_CROSS_ENTROPY, ADAM, 42);
    }

    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      Ops tf = graph.tf();
      Operand<TFloat32> x = graph.input("image");
      Operand<TFloat32> first =
          tf.nn.relu(tf.nn.biasAdd(
              tf.nn.conv2d(x, graph.weights("first/kernel", Shape.of(3, 3, 1, channels)), List.of(1L, 1L, 1L, 1L), "VALID"),
              graph.bias("first/bias", channels)));
      if (gated) {
        first = graph.gates(graph.scope("first"), "first", first, tf.constant(0.05f), 1.0, 0.05);
      }
      Operand<TFloat32> second =
          tf.nn.relu(tf.nn.biasAdd(
              tf.nn.conv2d(first, graph.weights("second/kernel", Shape.of(3, 3, channels, 4)), List.of(1L, 1L, 1L, 1L), "VALID"),
              graph.bias("second/bias", 4)));
      Operand<TFloat32> flat = tf.reshape(second, tf.constant(new long[] {-1, 4 * 4 * 4}));
      return tf.nn.biasAdd(tf.linalg.matMul(flat, graph.weights("output/weights", Shape.of(64, 2))), graph.bias("output/bias", 2));
    }
  }
}
