package dev.kiln.runtime.training;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.ConfusionMatrix;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.step.LearnedWidth;
import dev.kiln.runtime.step.LossOps;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.step.Parameter;
import dev.kiln.runtime.step.Progress;
import dev.kiln.runtime.step.StateVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Runs a {@link ModelGraph} in its session: feeds batches and host-scheduled parameters, evaluates,
 * predicts, reads state, saves and restores. Every tensor it creates or fetches is closed before a
 * method returns.
 */
public final class ModelSession {
  /** Examples per forward run when evaluating or predicting: large enough to amortise a run. */
  public static final int INFERENCE_BATCH = 1024;
  /** The checkpoint prefix inside a checkpoint directory: files {@code model.index} and {@code model.data-*}. */
  public static final String CHECKPOINT_PREFIX = "model";

  public final ModelGraph graph;
  private final Graph sessionGraph;
  private final Session session;
  private final Optional<RelaxedTargets> relaxedTargets;

  /**
   * @param sessionGraph what {@code session} runs: {@code graph.graph}, or a copy of it with the
   *     same op names (the compiled step), which this session then owns
   */
  public ModelSession(ModelGraph graph, Graph sessionGraph, Session session) {
    this.graph = graph;
    this.sessionGraph = sessionGraph;
    this.session = session;
    this.relaxedTargets = graph.relaxation().map(relaxation -> new RelaxedTargets(relaxation, graph.spec.relaxation().orElseThrow()));
  }

  /** A run of this model's session, to which the graph's ops can be fed, fetched and targeted. */
  public ModelRunner runner() {
    return new ModelRunner(session, sessionGraph != graph.graph);
  }

  /** Closes the session, and the compiled copy of the graph it ran, if any; not the model's graph. */
  public void close() {
    try {
      session.close();
    } finally {
      if (sessionGraph != graph.graph) {
        sessionGraph.close();
      }
    }
  }

  /** How a relaxed network's targets are bound, reset and evaluated; empty if the network is not relaxed. */
  public Optional<RelaxedTargets> relaxedTargets() {
    return relaxedTargets;
  }

  public NetworkSpec spec() {
    return graph.spec;
  }

  /** Tensors fed to one run, closed together after it. */
  public static final class Feeds implements AutoCloseable {
    private final List<Tensor> tensors = new ArrayList<>();

    public <T extends Tensor> T add(T tensor) {
      tensors.add(tensor);
      return tensor;
    }

    @Override
    public void close() {
      tensors.forEach(Tensor::close);
      tensors.clear();
    }
  }

  /** Runs {@code op} for its effect. */
  void run(Op op) {
    try (Result ignored = runner().addTarget(op).run()) {
      // Nothing fetched: the result holds no tensors, but is closed all the same.
    }
  }

  public Progress progress() {
    try (Result result = runner().fetch(graph.state.step().read()).fetch(graph.state.stepsPerEpoch().read()).run()) {
      return new Progress(((TInt64) result.get(0)).getLong(), ((TInt64) result.get(1)).getLong());
    }
  }

  /** Feeds every host-scheduled parameter its schedule's value at {@code progress}. */
  ModelRunner feedHostParameters(ModelRunner runner, Feeds feeds, Progress progress) {
    for (Parameter parameter : graph.state.parameters()) {
      if (parameter.kind() == Parameter.Kind.HOST_SCHEDULED) {
        float value = (float) parameter.schedule().valueAt(progress.step(), progress.stepsPerEpoch());
        runner.feed(parameter.feed(), feeds.add(TFloat32.scalarOf(value)));
      }
    }
    return runner;
  }

  /** Feeds {@code count} examples of {@code data}, {@code order[from...]}, as input (and labels). */
  public ModelRunner feedBatch(ModelRunner runner, Feeds feeds, Dataset data, int[] order, int from, int count, BatchBuffers buffers) {
    data.copyFeatures(order, from, count, buffers.features);
    data.copyLabels(order, from, count, buffers.labels);
    runner.feed(graph.input, feeds.add(tensor(batchShape(count, data.exampleShape()), buffers.features, count * data.exampleSize())));
    runner.feed(graph.head.labels(), feeds.add(tensor(Shape.of(count, data.labelWidth()), buffers.labels, count * data.labelWidth())));
    return runner;
  }

  /** Reusable host arrays for batches of up to {@code capacity} examples of {@code data}. */
  public static final class BatchBuffers {
    final float[] features;
    final float[] labels;

    public BatchBuffers(Dataset data, int capacity) {
      features = new float[capacity * data.exampleSize()];
      labels = new float[capacity * data.labelWidth()];
    }
  }

  /**
   * Mean loss and accuracy over every example of {@code data}, and for a classifier its confusion
   * matrix: one forward run per batch of {@link #INFERENCE_BATCH} examples fetches the batch's loss,
   * accuracy and predicted classes together.
   */
  public Evaluation evaluate(Dataset data) {
    int n = data.size();
    int[] order = identity(n);
    BatchBuffers buffers = new BatchBuffers(data, Math.min(n, INFERENCE_BATCH));
    Progress progress = progress();
    LossOps head = graph.head;
    boolean hasAccuracy = head.accuracy() != null;
    int classes = LossOps.classes(spec().loss(), spec().outputUnits());
    ConfusionMatrix.Counter confusion = classes > 0 ? new ConfusionMatrix.Counter(classes) : null;
    long[] predicted = confusion != null ? new long[Math.min(n, INFERENCE_BATCH)] : null;
    double lossSum = 0;
    double accuracySum = 0;
    for (int from = 0; from < n; from += INFERENCE_BATCH) {
      int count = Math.min(INFERENCE_BATCH, n - from);
      try (Feeds feeds = new Feeds()) {
        ModelRunner runner = feedHostParameters(feedBatch(runner(), feeds, data, order, from, count, buffers), feeds, progress);
        runner.fetch(graph.loss);
        if (hasAccuracy) {
          runner.fetch(head.accuracy());
        }
        if (confusion != null) {
          runner.fetch(head.predictedClass());
        }
        try (Result result = runner.run()) {
          lossSum += scalar(result.get(0)) * count;
          if (hasAccuracy) {
            accuracySum += scalar(result.get(1)) * count;
          }
          if (confusion != null) {
            ((TInt64) result.get(hasAccuracy ? 2 : 1)).copyTo(DataBuffers.of(predicted, false, false).narrow(count));
            for (int i = 0; i < count; i++) {
              int example = from + i;
              confusion.add(LossOps.trueClass(spec().loss(), data, example), (int) predicted[i], example);
            }
          }
        }
      }
    }
    return new Evaluation(
        lossSum / n, hasAccuracy ? accuracySum / n : Double.NaN, n, Optional.ofNullable(confusion).map(ConfusionMatrix.Counter::matrix));
  }

  /** The network's predictions for {@code count} examples, row-major in {@code features}: one row of output values per example. */
  public float[][] predict(float[] features, Shape exampleShape, int count) {
    int exampleSize = Math.toIntExact(exampleShape.size());
    float[][] predictions = new float[count][];
    Progress progress = progress();
    for (int from = 0; from < count; from += INFERENCE_BATCH) {
      int rows = Math.min(INFERENCE_BATCH, count - from);
      try (Feeds feeds = new Feeds()) {
        float[] batch = Arrays.copyOfRange(features, from * exampleSize, (from + rows) * exampleSize);
        ModelRunner runner = runner().feed(graph.input, feeds.add(tensor(batchShape(rows, exampleShape), batch, batch.length)));
        try (Result result = feedHostParameters(runner, feeds, progress).fetch(graph.head.predictions()).run()) {
          float[] values = values(result.get(0));
          int width = values.length / rows;
          for (int i = 0; i < rows; i++) {
            predictions[from + i] = Arrays.copyOfRange(values, i * width, (i + 1) * width);
          }
        }
      }
    }
    return predictions;
  }

  /** The current value of a parameter or variable, flattened. */
  public float[] valueOf(String name) {
    Parameter parameter = graph.state.parameter(name).orElse(null);
    if (parameter != null && parameter.kind() == Parameter.Kind.HOST_SCHEDULED) {
      Progress progress = progress();
      return new float[] {(float) parameter.schedule().valueAt(progress.step(), progress.stepsPerEpoch())};
    }
    Operand<?> value =
        parameter != null
            ? parameter.value()
            : graph.state.variable(name).map(StateVariable::read).orElseThrow(() -> unknownName(name));
    try (Result result = runner().fetch(value).run()) {
      return values(result.get(0));
    }
  }

  /** The live width of every layer that learns its width, by layer in declaration order; empty if none does. */
  public Map<String, Integer> learnedWidths() {
    List<LearnedWidth> layers = graph.state.learnedWidths();
    Map<String, Integer> widths = new LinkedHashMap<>();
    if (layers.isEmpty()) {
      return widths;
    }
    ModelRunner runner = runner();
    layers.forEach(layer -> runner.fetch(layer.liveUnits()));
    try (Result result = runner.run()) {
      for (int i = 0; i < layers.size(); i++) {
        widths.put(layers.get(i).layer(), (int) Math.round(scalar(result.get(i))));
      }
    }
    return widths;
  }

  /** Every scalar parameter's current value, in declaration order. */
  Map<String, Double> scalarParameters() {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Parameter parameter : graph.state.parameters()) {
      if (parameter.scalar()) {
        values.put(parameter.name(), (double) valueOf(parameter.name())[0]);
      }
    }
    return values;
  }

  public void save(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create checkpoint directory " + directory + ": " + e.getMessage(), e);
    }
    runCheckpoint(directory, graph.checkpoint.save());
  }

  public void restore(Path directory) {
    Path index = directory.resolve(CHECKPOINT_PREFIX + ".index");
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException("no checkpoint in " + directory + ": expected " + index + ", as Model.save writes");
    }
    try {
      runCheckpoint(directory, graph.checkpoint.restore());
    } catch (TensorFlowException | IllegalArgumentException e) {
      // TensorFlow Java reports a missing key as a TensorFlowException and a wrong shape as an IllegalArgumentException.
      throw new IllegalArgumentException(
          "the checkpoint in " + directory + " does not fit network " + spec().name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores the forward pass's variables (weights, biases, parameters, step counters) alone from
   * a checkpoint of them, such as a pruning writes; optimiser state and the rest keep their values.
   */
  public void restoreWeights(Path directory) {
    Path index = directory.resolve(CHECKPOINT_PREFIX + ".index");
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException("no weights in " + directory + ": expected " + index + ", as Model.prune writes");
    }
    try {
      runCheckpoint(directory, graph.forwardReader.filename(), graph.forwardReader.restore());
    } catch (TensorFlowException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the weights in " + directory + " do not fit network " + spec().name() + ": " + e.getMessage(), e);
    }
  }

  private void runCheckpoint(Path directory, Op op) {
    runCheckpoint(directory, graph.checkpoint.filename(), op);
  }

  private void runCheckpoint(Path directory, Operand<TString> filenameFeed, Op op) {
    String prefix = directory.resolve(CHECKPOINT_PREFIX).toAbsolutePath().toString();
    try (TString filename = TString.scalarOf(prefix);
        Result ignored = runner().feed(filenameFeed, filename).addTarget(op).run()) {
      // Run for its effect on the files or the variables.
    }
  }

  /**
   * Checks that {@code data} fits the network: example shape, label width and, for softmax
   * cross-entropy, class indices.
   *
   * @param role which data set, for the message ("training data", "validation data", ...)
   */
  public void requireFits(Dataset data, String role) {
    NetworkSpec spec = spec();
    if (!shapeFits(data.exampleShape(), spec.inputShape())) {
      throw new IllegalArgumentException(
          role + " has examples of shape " + data.exampleShape() + ", but network " + spec.name() + " takes input of shape " + spec.inputShape());
    }
    int labelWidth = LossOps.labelWidth(spec.loss(), spec.outputUnits());
    if (data.labelWidth() != labelWidth) {
      String expected =
          spec.loss() == Loss.SOFTMAX_CROSS_ENTROPY
              ? "1 (the class index)"
              : labelWidth + " (one per output unit)";
      throw new IllegalArgumentException(
          role + " has labels of width " + data.labelWidth() + ", but network " + spec.name() + " (" + spec.loss() + ") needs width " + expected);
    }
    if (spec.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
      for (int i = 0; i < data.size(); i++) {
        float label = data.label(i, 0);
        if (label != Math.rint(label) || label < 0 || label >= spec.outputUnits()) {
          throw new IllegalArgumentException(
              role + ": label " + label + " of example " + i + " is not a class index in [0, " + spec.outputUnits() + ")");
        }
      }
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException(role + " has no examples");
    }
  }

  public static boolean shapeFits(Shape example, Shape input) {
    if (example.numDimensions() != input.numDimensions()) {
      return false;
    }
    for (int i = 0; i < input.numDimensions(); i++) {
      if (input.size(i) != Shape.UNKNOWN_SIZE && input.size(i) != example.size(i)) {
        return false;
      }
    }
    return true;
  }

  private IllegalArgumentException unknownName(String name) {
    String parameters = graph.state.parameters().stream().map(Parameter::name).collect(Collectors.joining(", "));
    String variables = graph.state.variables().stream().map(StateVariable::name).collect(Collectors.joining(", "));
    return new IllegalArgumentException(
        "network " + spec().name() + " has no parameter or variable '" + name + "'; parameters: [" + parameters + "], variables: [" + variables + "]");
  }

  public static Shape batchShape(int count, Shape exampleShape) {
    long[] dims = new long[exampleShape.numDimensions() + 1];
    dims[0] = count;
    System.arraycopy(exampleShape.asArray(), 0, dims, 1, exampleShape.numDimensions());
    return Shape.of(dims);
  }

  private static TFloat32 tensor(Shape shape, float[] values, int length) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false).narrow(length));
  }

  /** A fetched tensor's values, flattened; int64 state (the step counter) is converted. */
  public static float[] values(Tensor tensor) {
    float[] values = new float[Math.toIntExact(tensor.shape().size())];
    if (tensor instanceof TInt64 longs) {
      long[] raw = new long[values.length];
      longs.copyTo(DataBuffers.of(raw, false, false));
      for (int i = 0; i < raw.length; i++) {
        values[i] = raw[i];
      }
    } else {
      ((TFloat32) tensor).copyTo(DataBuffers.of(values, false, false));
    }
    return values;
  }

  static double scalar(Tensor tensor) {
    return ((TFloat32) tensor).getFloat();
  }

  public static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
