package dev.kiln.runtime.training;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.Dataset;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;


class BatchFeederTest {
  /** 1,024 values an example: a batch of 16 is 64 KiB, gathered on the background thread. */
  private static final int WIDE = 1024;

  @Test
  void feedsEveryBatchOfEveryEpochInOrderWhetherPrefetchedOrNot() {
    for (int width : new int[] {WIDE, 2}) {
      Dataset data = data(100, width);
      try (Fed fed = new Fed(data); BatchFeeder feeder = new BatchFeeder(fed.input, fed.labels, data, 16)) {
        for (long epoch = 0; epoch < 3; epoch++) {
          int[] order = Dataset.permutation(data.size(), epoch);
          for (int from = 0; from < data.size(); from += 16) {
            int count = Math.min(16, data.size() - from);
            fed.check(feeder, order, from, count);
            assertThat(Arrays.copyOf(feeder.features, count * width)).isEqualTo(expectedFeatures(data, order, from, count));
          }
        }
      }
    }
  }

  @Test
  void feedsTheBatchFedLastAgainAndABatchOutOfTurn() {
    Dataset data = data(100, WIDE);
    try (Fed fed = new Fed(data); BatchFeeder feeder = new BatchFeeder(fed.input, fed.labels, data, 16)) {
      int[] order = Dataset.permutation(data.size(), 7);
      fed.check(feeder, order, 0, 16);
      // Re-running a step (as the non-finite diagnosis does) feeds the same batch.
      fed.check(feeder, order, 0, 16);
      fed.check(feeder, order, 0, 16);
      // Not the batch being prefetched (16): resuming, say, mid-epoch.
      fed.check(feeder, order, 48, 16);
      fed.check(feeder, order, 64, 16);
      fed.check(feeder, order, 96, 4);
      fed.check(feeder, Dataset.permutation(data.size(), 8), 0, 16);
    }
  }

  @Test
  void reusesTwoPairsOfTensorsPerBatchSizeInsteadOfAllocatingPerStep() {
    Dataset data = data(100, WIDE);
    try (Fed fed = new Fed(data); BatchFeeder feeder = new BatchFeeder(fed.input, fed.labels, data, 16)) {
      Set<Tensor> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
      for (long epoch = 0; epoch < 5; epoch++) {
        int[] order = Dataset.permutation(data.size(), epoch);
        for (int from = 0; from < data.size(); from += 16) {
          fed.check(feeder, order, from, Math.min(16, data.size() - from));
          inputs.add(feeder.inputTensor());
        }
      }
      // Batches of 16 alternate between two tensors; the last batch of 4 of each epoch has its own.
      assertThat(inputs.size()).isAtMost(4);
    }
  }

  @Test
  void gathersLargeBatchesOnAThreadThatEndsWithTheFeederAndSmallOnesInline() throws InterruptedException {
    Dataset wide = data(100, WIDE);
    Thread prefetcher;
    try (Fed fed = new Fed(wide); BatchFeeder feeder = new BatchFeeder(fed.input, fed.labels, wide, 16)) {
      fed.check(feeder, Dataset.permutation(wide.size(), 1), 0, 16);
      prefetcher = prefetchThread();
      assertThat(prefetcher).isNotNull();
    }
    prefetcher.join(10_000);
    assertThat(prefetcher.isAlive()).isFalse();

    Dataset narrow = data(100, 2);
    try (Fed fed = new Fed(narrow); BatchFeeder feeder = new BatchFeeder(fed.input, fed.labels, narrow, 16)) {
      fed.check(feeder, Dataset.permutation(narrow.size(), 1), 0, 16);
      fed.check(feeder, Dataset.permutation(narrow.size(), 1), 16, 16);
      assertThat(prefetchThread()).isNull();
    }
  }

  private static Thread prefetchThread() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("kiln-batch-prefetch") && t.isAlive()).findFirst().orElse(null);
  }

  private static float[] expectedFeatures(Dataset data, int[] order, int from, int count) {
    float[] expected = new float[count * data.exampleSize()];
    data.copyFeatures(order, from, count, expected);
    return expected;
  }

  private static Dataset data(int n, int width) {
    Random random = new Random(n * 31L + width);
    float[] features = new float[n * width];
    for (int i = 0; i < features.length; i++) {
      features[i] = random.nextFloat();
    }
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i;
    }
    return Dataset.of(features, Shape.of(width), labels, 1);
  }

  /** A graph that returns what it is fed. */
  private static final class Fed implements AutoCloseable {
    final Graph graph = new Graph();
    final Placeholder<TFloat32> input;
    final Placeholder<TFloat32> labels;
    final Operand<TFloat32> inputCopy;
    final Operand<TFloat32> labelsCopy;
    final Session session;
    private final Dataset data;

    Fed(Dataset data) {
      this.data = data;
      Ops tf = Ops.create(graph);
      input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, data.exampleSize())));
      labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
      inputCopy = tf.identity(input);
      labelsCopy = tf.identity(labels);
      session = new Session(graph);
    }

    /** Feeds the batch and checks that the graph got exactly its examples and labels. */
    void check(BatchFeeder feeder, int[] order, int from, int count) {
      ModelRunner runner = new ModelRunner(session, false);
      feeder.feed(runner, order, from, count);
      try (Result result = runner.fetch(inputCopy).fetch(labelsCopy).run()) {
        assertThat(ModelSession.values(result.get(0))).isEqualTo(expectedFeatures(data, order, from, count));
        float[] expectedLabels = new float[count];
        for (int i = 0; i < count; i++) {
          expectedLabels[i] = order[from + i];
        }
        assertThat(ModelSession.values(result.get(1))).isEqualTo(expectedLabels);
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
