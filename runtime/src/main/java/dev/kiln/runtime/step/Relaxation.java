package dev.kiln.runtime.step;

import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * What training with relaxed activation identities adds to a model's graph: the relaxed pass (the network's forward pass built a second time, each relaxed layer's
 * value replaced by the batch's rows of its targets), the training loss
 * {@code output loss + weight · Σ hidden losses (+ weight penalties)}, the ops that give the
 * targets one row per training example and set them, and the step's metrics.
 *
 * <p>The targets of layer {@code <layer>} are the variable {@code relaxed/<layer>/targets},
 * {@code [training examples, width]}; each step reads and updates only its batch's rows, chosen by
 * the example indices the trainer feeds. They get their rows when training first sees its data
 * (through {@link #binding()}), so a relaxed model trains on one data set (or one of the same size).
 */
public final class Relaxation {
  private final NetworkSpec spec;
  /** Fed on every training step: the positions in the training data of the batch's examples. */
  public final Placeholder<TInt32> exampleIndices;
  public final List<Target> targets;
  /** The relaxed pass's output: the logits computed through the targets (or the output layer's targets). */
  public final Operand<TFloat32> logits;
  /** Output loss and accuracy of the relaxed pass, on the same labels as the ordinary pass. */
  public final LossOps head;
  /** The sum of the hidden losses, unweighted. */
  public final Operand<TFloat32> hiddenLoss;
  /** Every target's hidden loss, in the order of {@link #targets}, as one vector: one fetch for all. */
  public final Operand<TFloat32> layerHiddenLosses;
  /** What training minimises: output loss + weight · hidden loss, plus the weight penalties. */
  public final Operand<TFloat32> loss;
  /** The fraction of predictions on which the relaxed and the ordinary pass disagree; null for a regression loss. */
  public final Operand<TFloat32> disagreement;
  private Binding binding;

  /**
   * One relaxed layer.
   *
   * @param rows the batch's rows of the targets: what the relaxed pass continues from, and what
   *     the targets' gradient is taken with respect to
   * @param ordinary the value the targets stand for, in the ordinary forward pass
   * @param hiddenLoss the loss between {@code rows} and the value the relaxed pass computed for them
   * @param total the hidden loss before it is divided by the number of values: the sum of absolute
   *     differences, or half the sum of squares
   */
  public record Target(
      String layer, StateVariable<TFloat32> variable, Operand<TFloat32> rows, Operand<TFloat32> ordinary, Operand<TFloat32> hiddenLoss,
      Operand<TFloat32> total) {}

  /**
   * The ops that size and set the targets, built after the optimiser (whose per-example state is
   * sized with them).
   *
   * @param exampleCount fed with the number of training examples
   * @param size gives every per-example variable one row per example: targets and their
   *     optimiser state start afresh
   * @param fromForward sets the fed examples' rows of every target to the ordinary pass's values
   * @param towardsForward for a network with a reset strength ρ ({@link GraphBuilder#resetStrength}):
   *     moves the fed examples' rows of every target the fraction ρ of the way to the ordinary pass's values
   * @param randomize sets every target to standard normal values
   * @param rowCount the targets' rows now
   */
  public record Binding(
      Placeholder<TInt64> exampleCount, Op size, Op fromForward, Optional<Op> towardsForward, Op randomize, Operand<TInt64> rowCount) {}

  private Relaxation(
      NetworkSpec spec, Placeholder<TInt32> exampleIndices, List<Target> targets, Operand<TFloat32> logits, LossOps head,
      Operand<TFloat32> hiddenLoss, Operand<TFloat32> layerHiddenLosses, Operand<TFloat32> loss, Operand<TFloat32> disagreement) {
    this.spec = spec;
    this.exampleIndices = exampleIndices;
    this.targets = List.copyOf(targets);
    this.logits = logits;
    this.head = head;
    this.hiddenLoss = hiddenLoss;
    this.layerHiddenLosses = layerHiddenLosses;
    this.loss = loss;
    this.disagreement = disagreement;
  }

  /**
   * Builds the relaxed pass of {@code network}, whose ordinary pass is already in {@code state},
   * and the training loss.
   *
   * @param ordinaryHead the ordinary pass's loss ops, whose labels the relaxed loss shares
   * @param regularization the weight penalties, or null
   */
  static Relaxation build(
      NetworkBuilder state, NetworkGraph network, LossOps ordinaryHead, Operand<TFloat32> ordinaryLogits, Operand<TFloat32> regularization) {
    NetworkSpec spec = state.spec();
    RelaxationSpec relaxation = spec.relaxation().orElseThrow();
    Map<String, Operand<TFloat32>> relaxed = state.relaxedValues();
    if (relaxed.isEmpty()) {
      throw new IllegalStateException(
          spec.name() + ": its spec asks for relaxed training, but buildForward relaxes no layer; call relax(...) on at least one");
    }
    Placeholder<TInt32> indices =
        state.scope(RelaxedPassBuilder.SCOPE).withName("example_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE)));
    Ops batch = state.scope(RelaxedPassBuilder.SCOPE);
    Operand<TFloat32> inverseBatch =
        batch.withName("inverse_batch").math.reciprocal(batch.dtypes.cast(batch.size(indices, TInt32.class), TFloat32.class));
    List<Target> targets = new ArrayList<>();
    Operand<TFloat32> logits = network.buildForward(new RelaxedPassBuilder(state, (layer, value) -> {
      if (targets.stream().anyMatch(target -> target.layer().equals(layer))) {
        throw new IllegalArgumentException(spec.name() + ": the relaxed pass relaxes layer '" + layer + "' twice");
      }
      Target target = target(state, relaxation, layer, relaxed.get(layer), value, indices, inverseBatch);
      targets.add(target);
      return state.relaxationStrength()
          .map(strength -> blend(state.scope(RelaxedPassBuilder.SCOPE + "/" + layer), strength, target.rows(), value))
          .orElse(target.rows());
    }));
    if (targets.size() != relaxed.size()) {
      List<String> missing = new ArrayList<>(relaxed.keySet());
      targets.forEach(target -> missing.remove(target.layer()));
      throw new IllegalStateException(
          spec.name() + ": the relaxed pass never relaxes " + missing + ", which the ordinary pass does; buildForward must make the same calls each time");
    }

    Ops objective = state.scope(RelaxedPassBuilder.SCOPE + "/objective");
    LossOps head = LossOps.build(state.scope(RelaxedPassBuilder.SCOPE + "/head"), spec.loss(), logits, spec.outputUnits(), ordinaryHead.labels());
    List<Operand<TFloat32>> hiddenLosses = targets.stream().map(Target::hiddenLoss).toList();
    Operand<TFloat32> hiddenLoss = hiddenLossSum(objective, relaxation, targets, inverseBatch);
    Operand<TFloat32> declaredWeight =
        state.hiddenLossWeightOverride()
            .orElseGet(() -> objective.withName("hidden_loss_weight").constant((float) relaxation.hiddenLossWeight()));
    // Relaxed by α: the hidden losses count α times, so that α = 0 leaves the plain network's loss.
    Operand<TFloat32> weight =
        state.relaxationStrength()
            .<Operand<TFloat32>>map(strength -> objective.withName("relaxed_hidden_loss_weight").math.mul(strength, declaredWeight))
            .orElse(declaredWeight);
    Operand<TFloat32> relaxedLoss = objective.math.add(head.loss(), objective.math.mul(weight, hiddenLoss));
    Operand<TFloat32> loss =
        regularization == null
            ? objective.withName("loss").identity(relaxedLoss)
            : objective.withName("loss").math.add(relaxedLoss, regularization);
    Operand<TFloat32> disagreement = LossOps.disagreement(objective, spec.loss(), ordinaryLogits, logits);
    if (disagreement != null) {
      disagreement = objective.withName("disagreement").identity(disagreement);
    }
    Operand<TFloat32> layerHiddenLosses = objective.withName("layer_hidden_losses").stack(hiddenLosses);
    return new Relaxation(spec, indices, targets, logits, head, hiddenLoss, layerHiddenLosses, loss, disagreement);
  }

  /** {@code α·rows + (1 − α)·computed}: what the next layer reads when the relaxation has strength α. */
  private static Operand<TFloat32> blend(Ops ops, Operand<TFloat32> strength, Operand<TFloat32> rows, Operand<TFloat32> computed) {
    Operand<TFloat32> rest = ops.math.sub(ops.constant(1f), strength);
    return ops.withName("blended").math.add(ops.math.mul(strength, rows), ops.math.mul(rest, computed));
  }

  /** Layer {@code layer}'s targets, the batch's rows of them, and its hidden loss. */
  private static Target target(
      NetworkBuilder state, RelaxationSpec relaxation, String layer, Operand<TFloat32> ordinary, Operand<TFloat32> computed,
      Placeholder<TInt32> indices, Operand<TFloat32> inverseBatch) {
    long[] dims = computed.shape().asArray();
    if (computed.shape().isUnknown() || dims.length < 2 || !Arrays.equals(dims, 1, dims.length, ordinary.shape().asArray(), 1, dims.length)) {
      throw new IllegalStateException(
          state.spec().name() + ": layer '" + layer + "' has values of shape " + computed.shape() + " in the relaxed pass but "
              + ordinary.shape() + " in the ordinary one");
    }
    Shape rowShape = Shape.of(Arrays.copyOfRange(dims, 1, dims.length));
    StateVariable<TFloat32> variable = state.perExample(RelaxedPassBuilder.SCOPE + "/" + layer + "/targets", rowShape, 0);
    Ops ops = state.scope(RelaxedPassBuilder.SCOPE + "/" + layer);
    Operand<TFloat32> rows = ops.withName("target_rows").resourceGather(variable.handle(), indices, TFloat32.class);
    // The mean as a sum times 1 / (batch × row size): the gradient of a mean over a dimension
    // unknown when building is a dozen shape ops, and a deep network has a hundred targets. For
    // squared errors, L2Loss (half the sum of squares) has a one-op gradient.
    Operand<TFloat32> difference = ops.math.sub(rows, computed);
    Operand<TFloat32> total;
    if (relaxation.hiddenLoss() == Relaxed.HiddenLoss.MEAN_SQUARED_ERROR) {
      total = ops.nn.l2Loss(difference);
    } else {
      int[] axes = new int[dims.length];
      Arrays.setAll(axes, axis -> axis);
      total = ops.sum(ops.math.abs(difference), ops.constant(axes));
    }
    Operand<TFloat32> hiddenLoss = ops.withName("hidden_loss").math.mul(total, perValue(ops, relaxation, rowShape.size(), inverseBatch));
    return new Target(layer, variable, rows, ordinary, hiddenLoss, total);
  }

  /** What a target's {@link Target#total} is multiplied by to make its mean. */
  private static Operand<TFloat32> perValue(Ops ops, RelaxationSpec relaxation, long rowSize, Operand<TFloat32> inverseBatch) {
    double halves = relaxation.hiddenLoss() == Relaxed.HiddenLoss.MEAN_SQUARED_ERROR ? 2 : 1;
    return ops.math.mul(inverseBatch, ops.constant((float) (halves / rowSize)));
  }

  /**
   * The sum of every target's hidden loss, as the training loss differentiates it: the totals of
   * targets of one row size added first and scaled once, so that each target adds only its
   * difference and its total to the gradient.
   */
  private static Operand<TFloat32> hiddenLossSum(Ops ops, RelaxationSpec relaxation, List<Target> targets, Operand<TFloat32> inverseBatch) {
    Map<Long, List<Operand<TFloat32>>> byRowSize = new LinkedHashMap<>();
    for (Target target : targets) {
      long[] dims = target.variable().shape().asArray();
      byRowSize.computeIfAbsent(Shape.of(Arrays.copyOfRange(dims, 1, dims.length)).size(), size -> new ArrayList<>()).add(target.total());
    }
    List<Operand<TFloat32>> scaled = new ArrayList<>();
    byRowSize.forEach((rowSize, totals) ->
        scaled.add(ops.math.mul(totals.size() == 1 ? totals.get(0) : ops.math.addN(totals), perValue(ops, relaxation, rowSize, inverseBatch))));
    return scaled.size() == 1 ? ops.withName("hidden_loss").identity(scaled.get(0)) : ops.withName("hidden_loss").math.addN(scaled);
  }

  /**
   * Builds the ops that size and set the targets; call after every per-example variable (the
   * targets' optimiser state included) exists.
   */
  void buildBinding(NetworkBuilder state) {
    Ops ops = state.scope(RelaxedPassBuilder.SCOPE + "/binding");
    Placeholder<TInt64> count = ops.withName("example_count").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    List<Op> sized = new ArrayList<>();
    for (NetworkBuilder.PerExampleVariable perExample : state.perExampleVariables()) {
      Operand<TInt64> shape = shape(ops, count, perExample.rowShape());
      sized.add(ops.assignVariableOp(perExample.variable().handle(), ops.fill(shape, ops.constant(perExample.fill()))));
    }
    List<Op> fromForward = new ArrayList<>();
    List<Op> towardsForward = new ArrayList<>();
    List<Op> randomized = new ArrayList<>();
    Optional<Operand<TFloat32>> resetStrength = state.resetStrength();
    for (Target target : targets) {
      StateVariable<TFloat32> variable = target.variable();
      fromForward.add(ops.resourceScatterUpdate(variable.handle(), exampleIndices, target.ordinary()));
      resetStrength.ifPresent(strength -> {
        Operand<TFloat32> rows = ops.resourceGather(variable.handle(), exampleIndices, TFloat32.class);
        Operand<TFloat32> moved = ops.math.add(rows, ops.math.mul(strength, ops.math.sub(target.ordinary(), rows)));
        towardsForward.add(ops.resourceScatterUpdate(variable.handle(), exampleIndices, moved));
      });
      long[] dims = variable.shape().asArray();
      Operand<TInt64> seed = ops.constant(new long[] {spec.seed(), NetworkBuilder.fnv1a64(variable.name())});
      Operand<TFloat32> normal = ops.random.statelessRandomNormal(shape(ops, count, Shape.of(Arrays.copyOfRange(dims, 1, dims.length))), seed);
      randomized.add(ops.assignVariableOp(variable.handle(), normal));
    }
    Operand<TInt64> rowCount =
        ops.withName("row_count").gather(ops.variableShape(targets.get(0).variable().handle(), TInt64.class), ops.constant(0), ops.constant(0));
    binding = new Binding(
        count,
        ops.withControlDependencies(sized).withName("size").noOp(),
        ops.withControlDependencies(fromForward).withName("from_forward").noOp(),
        resetStrength.map(strength -> ops.withControlDependencies(towardsForward).withName("towards_forward").noOp()),
        ops.withControlDependencies(randomized).withName("randomize").noOp(),
        rowCount);
  }

  /** {@code [count, rowShape...]}. */
  private static Operand<TInt64> shape(Ops ops, Operand<TInt64> count, Shape rowShape) {
    return ops.concat(List.of(ops.reshape(count, ops.constant(new long[] {1})), ops.constant(rowShape.asArray())), ops.constant(0));
  }

  /**
   * What {@code Model.train} logs on logging steps for a relaxed network, by tag, besides each
   * layer's hidden loss ({@link #layerHiddenLosses}, logged as {@code relaxed/<layer>/hidden_loss}).
   */
  public Map<String, Operand<TFloat32>> loggedScalars() {
    Map<String, Operand<TFloat32>> logged = new LinkedHashMap<>();
    logged.put("relaxed/loss", loss);
    logged.put("relaxed/output_loss", head.loss());
    logged.put("relaxed/hidden_loss", hiddenLoss);
    if (disagreement != null) {
      logged.put("relaxed/disagreement", disagreement);
    }
    return logged;
  }

  /** The name of the network the relaxation belongs to, for messages. */
  public String networkName() {
    return spec.name();
  }

  /** The ops that size and set the targets. */
  public Binding binding() {
    if (binding == null) {
      throw new IllegalStateException(spec.name() + ": the relaxation's binding ops were never built");
    }
    return binding;
  }
}
