package dev.kiln.runtime.training;

import dev.kiln.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Feeds a training run's batches of one data set. The input and label tensors are allocated once
 * per batch size and refilled, so a step allocates no tensor for its data; and while a step runs,
 * a background thread gathers the next batch of the epoch into a second pair of tensors, so the
 * step after finds it ready. Batches too small for the hand-over to another thread to pay off
 * ({@link #PREFETCH_MIN_BYTES}) are gathered when they are fed.
 *
 * <p>Not thread-safe: one training loop feeds it. Close it to free the tensors and the thread.
 */
final class BatchFeeder implements AutoCloseable {
  /**
   * The smallest batch (bytes of features) gathered on the background thread: below it, copying
   * costs less than handing the work to another thread and back.
   */
  static final int PREFETCH_MIN_BYTES = 64 * 1024;

  /** The features of the batch fed last, row-major, {@code count × example size} values (more may follow). */
  float[] features;
  /** The labels of the batch fed last, row-major. */
  float[] labels;

  private final Placeholder<TFloat32> input;
  private final Placeholder<TFloat32> labelInput;
  private final Dataset data;
  private final boolean prefetching;
  /** Two slots per batch size: one being fed while the other is filled. */
  private final Map<Integer, Slot[]> slots = new HashMap<>();
  private Slot current;
  private Prefetch pending;
  private ExecutorService prefetcher;

  /** Tensors of one batch size and the host arrays they are filled from; which batch they hold. */
  private static final class Slot {
    final int count;
    final float[] features;
    final float[] labels;
    final TFloat32 featureTensor;
    final TFloat32 labelTensor;
    int[] order;
    int from = -1;

    Slot(Dataset data, int count) {
      this.count = count;
      features = new float[count * data.exampleSize()];
      labels = new float[count * data.labelWidth()];
      featureTensor = TFloat32.tensorOf(ModelSession.batchShape(count, data.exampleShape()));
      try {
        labelTensor = TFloat32.tensorOf(Shape.of(count, data.labelWidth()));
      } catch (RuntimeException e) {
        featureTensor.close();
        throw e;
      }
    }

    boolean holds(int[] order, int from) {
      return this.order == order && this.from == from;
    }

    void fill(Dataset data, int[] order, int from) {
      this.order = null;
      data.copyFeatures(order, from, count, features);
      data.copyLabels(order, from, count, labels);
      featureTensor.asRawTensor().data().asFloats().write(features);
      labelTensor.asRawTensor().data().asFloats().write(labels);
      this.order = order;
      this.from = from;
    }

    void close() {
      try {
        featureTensor.close();
      } finally {
        labelTensor.close();
      }
    }
  }

  /** A batch being gathered on the background thread. */
  private record Prefetch(Slot slot, int[] order, int from, Future<?> done) {}

  /**
   * @param batchSize the largest batch that will be fed; the last batch of an epoch may be smaller
   */
  BatchFeeder(Placeholder<TFloat32> input, Placeholder<TFloat32> labels, Dataset data, int batchSize) {
    this.input = input;
    this.labelInput = labels;
    this.data = data;
    this.prefetching = (long) batchSize * data.exampleSize() * Float.BYTES >= PREFETCH_MIN_BYTES;
  }

  /**
   * Feeds examples {@code order[from .. from + count)} as the input and labels of {@code runner},
   * and starts gathering the batch that follows them in {@code order}. The tensors stay owned by
   * this feeder: they are valid until the next call, and must not be closed by the caller. Feeding
   * the batch fed last again (to re-run a step) feeds the same tensors.
   */
  void feed(ModelRunner runner, int[] order, int from, int count) {
    Slot slot;
    if (current != null && current.holds(order, from) && current.count == count) {
      slot = current;
    } else {
      slot = prefetched(order, from, count);
      if (slot == null) {
        slot = free(count);
        slot.fill(data, order, from);
      }
      current = slot;
      features = slot.features;
      labels = slot.labels;
      int next = from + count;
      if (prefetching && next < order.length) {
        prefetch(order, next, Math.min(count, order.length - next));
      }
    }
    runner.feed(input, slot.featureTensor).feed(labelInput, slot.labelTensor);
  }

  /** The input tensor fed last. */
  TFloat32 inputTensor() {
    return current.featureTensor;
  }

  /** The pending batch if it is this one (waiting for it to be ready); null otherwise, after the pending one is finished. */
  private Slot prefetched(int[] order, int from, int count) {
    Prefetch prefetch = pending;
    if (prefetch == null) {
      return null;
    }
    pending = null;
    await(prefetch);
    boolean match = prefetch.order() == order && prefetch.from() == from && prefetch.slot().count == count;
    return match ? prefetch.slot() : null;
  }

  private void prefetch(int[] order, int from, int count) {
    Slot slot = free(count);
    if (prefetcher == null) {
      prefetcher =
          Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "kiln-batch-prefetch");
            thread.setDaemon(true);
            return thread;
          });
    }
    pending = new Prefetch(slot, order, from, prefetcher.submit(() -> slot.fill(data, order, from)));
  }

  /** A slot of {@code count} examples that is neither being fed nor being filled. */
  private Slot free(int count) {
    Slot[] pair = slots.computeIfAbsent(count, c -> new Slot[2]);
    for (int i = 0; i < pair.length; i++) {
      if (pair[i] == null) {
        pair[i] = new Slot(data, count);
      }
      if (pair[i] != current && (pending == null || pair[i] != pending.slot())) {
        return pair[i];
      }
    }
    throw new AssertionError("both slots of size " + count + " are in use");
  }

  private static void await(Prefetch prefetch) {
    try {
      prefetch.done().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("gathering a batch failed: " + e.getCause(), e.getCause());
    } catch (CancellationException e) {
      throw new IllegalStateException("gathering a batch was cancelled", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was gathered", e);
    }
  }

  /** Stops the background thread (after the batch it is gathering) and closes every tensor. */
  @Override
  public void close() {
    if (prefetcher != null) {
      prefetcher.shutdownNow();
      // A slot's tensors may not be closed while the thread writes into them: wait for it, however long.
      boolean interrupted = false;
      boolean terminated = false;
      while (!terminated) {
        try {
          terminated = prefetcher.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    List<Slot> all = new ArrayList<>();
    slots.values().forEach(pair -> {
      for (Slot slot : pair) {
        if (slot != null) {
          all.add(slot);
        }
      }
    });
    slots.clear();
    pending = null;
    current = null;
    RuntimeException failure = null;
    for (Slot slot : all) {
      try {
        slot.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
