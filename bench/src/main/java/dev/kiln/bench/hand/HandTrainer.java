package dev.kiln.bench.hand;

import dev.kiln.runtime.data.Dataset;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The training loop a TensorFlow Java user writes by hand: one session, and per batch size one
 * pair of input tensors that every step refills from the data set and feeds (no allocation per
 * step).
 */
public final class HandTrainer implements AutoCloseable {
  private final HandModel model;
  private final Session session;
  private final Map<Integer, Batch> batches = new HashMap<>();

  /** The loss and accuracy over a data set. */
  public record Evaluation(double loss, double accuracy) {}

  public HandTrainer(HandModel model, ConfigProto config) {
    this.model = model;
    this.session = new Session(model.graph(), config);
  }

  /** Host arrays and the tensors fed from them, for batches of one size. */
  private static final class Batch implements AutoCloseable {
    final int size;
    final float[] features;
    final float[] labels;
    final TFloat32 featureTensor;
    final TFloat32 labelTensor;
    /** The batch's positions in the data set, for a relaxed network's targets. */
    final TInt32 indexTensor;

    Batch(Dataset data, int size) {
      this.size = size;
      features = new float[size * data.exampleSize()];
      labels = new float[size * data.labelWidth()];
      long[] dims = new long[data.exampleShape().numDimensions() + 1];
      dims[0] = size;
      System.arraycopy(data.exampleShape().asArray(), 0, dims, 1, dims.length - 1);
      featureTensor = TFloat32.tensorOf(Shape.of(dims));
      labelTensor = TFloat32.tensorOf(Shape.of(size, data.labelWidth()));
      indexTensor = TInt32.tensorOf(Shape.of(size));
    }

    void fill(Dataset data, int[] order, int from) {
      data.copyFeatures(order, from, size, features);
      data.copyLabels(order, from, size, labels);
      featureTensor.asRawTensor().data().asFloats().write(features);
      labelTensor.asRawTensor().data().asFloats().write(labels);
      indexTensor.asRawTensor().data().asInts().write(order, from, size);
    }

    Session.Runner feed(Session.Runner runner, HandModel model) {
      runner.feed(model.input(), featureTensor).feed(model.labels(), labelTensor);
      return model.exampleIndices() == null ? runner : runner.feed(model.exampleIndices(), indexTensor);
    }

    @Override
    public void close() {
      featureTensor.close();
      labelTensor.close();
      indexTensor.close();
    }
  }

  /** For a relaxed network, sets the targets of every example of {@code data} from the forward pass; otherwise nothing. */
  public void prepare(Dataset data) {
    if (model.prepare() == null) {
      return;
    }
    int[] order = identity(data.size());
    Batch batch = batch(data, data.size());
    batch.fill(data, order, 0);
    try (Result ignored = batch.feed(session.runner(), model).addTarget(model.prepare()).run()) {
      // The targets are set.
    }
  }

  /** Trains one step on every batch of {@code data} in {@code order}; the last batch holds the rest. */
  public void epoch(Dataset data, int[] order, int batchSize) {
    int n = order.length;
    for (int from = 0; from < n; from += batchSize) {
      Batch batch = batch(data, Math.min(batchSize, n - from));
      batch.fill(data, order, from);
      try (Result ignored = batch.feed(session.runner(), model).addTarget(model.train()).run()) {
        // Trained; nothing fetched.
      }
    }
  }

  /** The mean loss and accuracy over {@code data}, in batches of {@code batchSize}. */
  public Evaluation evaluate(Dataset data, int batchSize) {
    int n = data.size();
    int[] order = identity(n);
    double loss = 0;
    double accuracy = 0;
    for (int from = 0; from < n; from += batchSize) {
      int count = Math.min(batchSize, n - from);
      Batch batch = batch(data, count);
      batch.fill(data, order, from);
      try (Result result = batch.feed(session.runner(), model).fetch(model.loss()).fetch(model.accuracy()).run()) {
        loss += ((TFloat32) result.get(0)).getFloat() * count;
        accuracy += ((TFloat32) result.get(1)).getFloat() * count;
      }
    }
    return new Evaluation(loss / n, accuracy / n);
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  private Batch batch(Dataset data, int size) {
    return batches.computeIfAbsent(size, s -> new Batch(data, s));
  }

  @Override
  public void close() {
    batches.values().forEach(Batch::close);
    batches.clear();
    session.close();
    model.graph().close();
  }
}
