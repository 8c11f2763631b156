package dev.kiln.runtime.training;

import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.RelaxedEvaluation;
import dev.kiln.runtime.step.Progress;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.RelaxationSpec;
import dev.kiln.runtime.step.Relaxation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * How the trainer runs a relaxed network's {@link Relaxation}: feeds each step its example indices,
 * gives the targets one row per training example when training first sees its data and sets them
 * (from a forward pass, or at random), resets them every so many epochs, and evaluates the relaxed
 * pass.
 */
public final class RelaxedTargets {
  private final Relaxation graph;
  private final RelaxationSpec relaxation;

  public RelaxedTargets(Relaxation graph, RelaxationSpec relaxation) {
    this.graph = graph;
    this.relaxation = relaxation;
  }

  /** Feeds the positions in the training data of the batch's examples, {@code order[from...]}. */
  public void feedExampleIndices(ModelRunner runner, ModelSession.Feeds feeds, int[] order, int from, int count) {
    runner.feed(graph.exampleIndices, feeds.add(TInt32.vectorOf(Arrays.copyOfRange(order, from, from + count))));
  }

  /**
   * Binds the targets to {@code train} before a training run: the first time, gives them one row
   * per example and sets them as the spec's {@link RelaxationSpec#init()} says.
   *
   * @throws IllegalArgumentException if the targets have rows for another number of examples
   */
  public void bind(ModelSession model, Dataset train) {
    long rows = rows(model);
    if (rows == 0) {
      initialize(model, train, relaxation.init());
    } else {
      requireRows(rows, train, "training data");
    }
  }

  /**
   * Before epoch {@code epochsDone + 1} on {@code train}, the data {@link #bind} bound: every
   * {@link RelaxationSpec#resetEvery()} epochs, sets the targets again from a forward pass (their
   * optimiser state afresh), or, with a reset strength ρ, moves them the fraction ρ of the way there.
   *
   * @param epochsDone epochs the model has trained, earlier runs included
   */
  public void beforeEpoch(ModelSession model, Dataset train, long epochsDone) {
    if (relaxation.resetEvery() > 0 && epochsDone > 0 && epochsDone % relaxation.resetEvery() == 0) {
      Optional<Op> towardsForward = graph.binding().towardsForward();
      if (towardsForward.isPresent()) {
        forEachBatch(model, train, towardsForward.get());
      } else {
        initialize(model, train, Relaxed.Init.FORWARD);
      }
    }
  }

  /** The relaxed pass's losses and agreement on the training data the targets belong to. */
  public RelaxedEvaluation evaluate(ModelSession model, Dataset train) {
    long rows = rows(model);
    if (rows == 0) {
      throw new IllegalStateException(
          "relaxed network " + graph.networkName() + " has not trained yet: its targets get their rows when it first trains");
    }
    requireRows(rows, train, "relaxed evaluation data");
    int n = train.size();
    int[] order = ModelSession.identity(n);
    ModelSession.BatchBuffers buffers = new ModelSession.BatchBuffers(train, Math.min(n, ModelSession.INFERENCE_BATCH));
    Progress progress = model.progress();
    List<Operand<TFloat32>> fetched = new ArrayList<>(List.of(graph.loss, graph.head.loss(), graph.hiddenLoss));
    graph.targets.forEach(target -> fetched.add(target.hiddenLoss()));
    if (graph.head.accuracy() != null) {
      fetched.add(graph.head.accuracy());
    }
    if (graph.disagreement != null) {
      fetched.add(graph.disagreement);
    }
    double[] sums = new double[fetched.size()];
    for (int from = 0; from < n; from += ModelSession.INFERENCE_BATCH) {
      int count = Math.min(ModelSession.INFERENCE_BATCH, n - from);
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelRunner runner = model.feedHostParameters(model.feedBatch(model.runner(), feeds, train, order, from, count, buffers), feeds, progress);
        feedExampleIndices(runner, feeds, order, from, count);
        fetched.forEach(runner::fetch);
        try (Result result = runner.run()) {
          for (int i = 0; i < sums.length; i++) {
            sums[i] += ModelSession.scalar(result.get(i)) * count;
          }
        }
      }
    }
    Map<String, Double> perLayer = new LinkedHashMap<>();
    for (int i = 0; i < graph.targets.size(); i++) {
      perLayer.put(graph.targets.get(i).layer(), sums[3 + i] / n);
    }
    int next = 3 + graph.targets.size();
    double accuracy = graph.head.accuracy() != null ? sums[next++] / n : Double.NaN;
    double disagreed = graph.disagreement != null ? sums[next] / n : Double.NaN;
    return new RelaxedEvaluation(sums[0] / n, sums[1] / n, sums[2] / n, perLayer, accuracy, disagreed, n);
  }

  private void initialize(ModelSession model, Dataset train, Relaxed.Init init) {
    Relaxation.Binding ops = graph.binding();
    try (TInt64 count = TInt64.scalarOf(train.size())) {
      ModelRunner runner = model.runner().feed(ops.exampleCount(), count).addTarget(ops.size());
      runner.run().close();
      if (init == Relaxed.Init.RANDOM) {
        model.runner().feed(ops.exampleCount(), count).addTarget(ops.randomize()).run().close();
      }
    }
    if (init == Relaxed.Init.FORWARD) {
      forEachBatch(model, train, graph.binding().fromForward());
    }
  }

  /** Runs {@code update}, which sets the fed examples' rows of the targets from the ordinary pass, over the training data a batch at a time. */
  private void forEachBatch(ModelSession model, Dataset train, Op update) {
    int n = train.size();
    int[] order = ModelSession.identity(n);
    ModelSession.BatchBuffers buffers = new ModelSession.BatchBuffers(train, Math.min(n, ModelSession.INFERENCE_BATCH));
    Progress progress = model.progress();
    for (int from = 0; from < n; from += ModelSession.INFERENCE_BATCH) {
      int count = Math.min(ModelSession.INFERENCE_BATCH, n - from);
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelRunner runner = model.feedHostParameters(model.feedBatch(model.runner(), feeds, train, order, from, count, buffers), feeds, progress);
        feedExampleIndices(runner, feeds, order, from, count);
        runner.addTarget(update).run().close();
      }
    }
  }

  private long rows(ModelSession model) {
    try (Result result = model.runner().fetch(graph.binding().rowCount()).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }

  private void requireRows(long rows, Dataset data, String role) {
    if (rows != data.size()) {
      throw new IllegalArgumentException(
          role + " has " + data.size() + " examples, but the targets of relaxed network " + graph.networkName() + " have rows for " + rows
              + " training examples (one per example, set when it first trained); a relaxed model trains on one data set");
    }
  }
}
