package dev.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.bench.hand.HandModel;
import dev.kiln.bench.hand.HandNetworks;
import dev.kiln.bench.hand.HandTrainer;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.samples.moons.MoonsAnnealingGraph;
import dev.kiln.samples.rai.DeepRelaxedGraph;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * The hand-written networks compute what Kiln's do: the same loss from the same initial weights,
 * and the same loss after the same steps on the same batches. Otherwise the benchmark's ratio
 * would compare different work.
 */
class HandWrittenMatchesKilnTest {
  private static final int BATCH = 32;
  private static final int STEPS = 3;

  @TempDir Path logs;

  @Test
  void theMlpOfW1() {
    Dataset images = images(BATCH * STEPS);
    // Kiln anneals θ over one epoch of this data: 3 steps.
    assertSameLosses(new MnistMlpGraph(), HandNetworks.mnistMlp(STEPS), images);
  }

  @Test
  void theCnnOfW2() {
    Dataset images = images(BATCH * STEPS);
    assertSameLosses(new LargeCnnGraph(), HandNetworks.largeCnn(10L * STEPS), images);
  }

  @Test
  void theMoonsMlpOfW4() {
    Random random = new Random(5);
    float[] points = new float[2 * BATCH * STEPS];
    float[] labels = new float[BATCH * STEPS];
    for (int i = 0; i < labels.length; i++) {
      points[2 * i] = random.nextFloat() * 2 - 1;
      points[2 * i + 1] = random.nextFloat() * 2 - 1;
      labels[i] = points[2 * i] > points[2 * i + 1] ? 1 : 0;
    }
    assertSameLosses(new MoonsAnnealingGraph(), HandNetworks.moonsMlp(2L * STEPS, 18L * STEPS), Dataset.of(points, Shape.of(2), labels, 1));
  }

  @Test
  void theRelaxedDeepNetworkOfW3() {
    // Three full-batch steps: each moves every weight and target by its Rprop step.
    Dataset moons = TwoMoons.generate(BATCH * STEPS, 0.1, 42);
    assertSameLosses(new DeepRelaxedGraph(), HandNetworks.deepRelaxed(BATCH * STEPS, 100, 100), moons, moons.size());
  }

  private void assertSameLosses(NetworkGraph kilnNetwork, HandModel handNetwork, Dataset data) {
    assertSameLosses(kilnNetwork, handNetwork, data, BATCH);
  }

  /** Both start from the same loss, and have the same loss after one epoch of the data in order. */
  private void assertSameLosses(NetworkGraph kilnNetwork, HandModel handNetwork, Dataset data, int batchSize) {
    try (Model kiln = Model.build(kilnNetwork); HandTrainer hand = new HandTrainer(handNetwork, Sessions.config(Tuning.DEFAULT))) {
      double kilnBefore = kiln.evaluate(data).loss();
      double handBefore = hand.evaluate(data, 1024).loss();
      assertThat(handBefore).isWithin(1e-5 * kilnBefore).of(kilnBefore);

      int epochs = batchSize == data.size() ? STEPS : 1;
      kiln.train(data, TrainingConfig.defaults().withEpochs(epochs).withBatchSize(batchSize).withShuffle(false).withCheckpoint(false).withLogRoot(logs).quiet());
      hand.prepare(data);
      for (int epoch = 0; epoch < epochs; epoch++) {
        hand.epoch(data, identity(data.size()), batchSize);
      }
      double kilnAfter = kiln.evaluate(data).loss();
      double handAfter = hand.evaluate(data, 1024).loss();
      assertThat(kilnAfter).isNotWithin(1e-3 * kilnBefore).of(kilnBefore);
      assertThat(handAfter).isWithin(1e-4 * kilnAfter).of(kilnAfter);
    }
  }

  /** Random MNIST-shaped images with class labels 0 to 9. */
  private static Dataset images(int n) {
    Random random = new Random(3);
    float[] pixels = new float[n * 784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(10);
    }
    return Dataset.of(pixels, Shape.of(28, 28, 1), labels, 1);
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
