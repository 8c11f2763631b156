package dev.kiln.runtime.step;

import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The whole graph of a model, built once: the generated forward pass, then loss and metrics, the
 * training op, the epoch's metric sums, and checkpoint ops over every variable.
 *
 * <p>One training step ({@link #train}) reads the variables, computes the loss and its gradients,
 * applies the optimiser to every trainable variable, clips bounded parameters, adds the batch to the
 * epoch's metric sums (an epoch's last step, {@link #trainClosingEpoch}, reads them with its batch's
 * share and resets them instead) and, last, increments the step counter. Everything a step logs is
 * computed from the reads, so it is the state the step started from.
 *
 * <p>A relaxed network ({@link NetworkSpec#relaxation()}) also has its relaxed pass
 * ({@link Relaxation}): a step minimises the relaxed loss and updates the weights and the batch's
 * rows of the targets, while {@link #loss}, the head's accuracy and everything evaluated or
 * predicted come from the ordinary forward pass.
 */
public final class ModelGraph implements AutoCloseable {
  public final Graph graph;
  /** The network the graph was built from: an export builds its forward pass again, alone. */
  public final NetworkGraph network;
  public final NetworkSpec spec;
  public final NetworkBuilder state;
  public final Placeholder<TFloat32> input;
  public final Operand<TFloat32> logits;
  public final LossOps head;
  /** What every loss reports (and training minimises, unless relaxed): the head's loss plus the regularization penalty, if any. */
  public final Operand<TFloat32> loss;
  /** A relaxed network's relaxed pass and training loss; null for ordinary training. */
  public final Relaxation relaxation;
  /** The total regularization penalty ({@code loss/regularization}), or null without one. */
  public final Operand<TFloat32> regularization;
  public final Operand<TFloat32> learningRate;
  public final Op train;
  /** {@link #train} for an epoch's last step: instead of adding to the epoch's sums, it closes them ({@link EpochSums#close}). */
  public final Op trainClosingEpoch;
  /** Keeps a step with a non-finite loss, learning rate or gradient from changing anything. */
  public final NonFiniteGuard guard;
  public final EpochSums epochSums;
  public final Placeholder<TInt64> stepsPerEpochFeed;
  public final Op setStepsPerEpoch;
  /** Whether the step is built to be compiled ({@link StepCompilation}): its guard selects rather than gates. */
  public final boolean compiled;
  public final CheckpointOps checkpoint;
  /**
   * Writes the variables of the ordinary forward pass only (weights, trainable parameters, the
   * step counters its schedules read), without optimiser state, relaxed targets or metric sums:
   * what an export of the network for serving holds.
   */
  public final CheckpointOps.Writer forwardWriter;
  /** The variables of the ordinary forward pass, in creation order: what {@link #forwardWriter} writes. */
  public final List<StateVariable<?>> forwardVariables;
  /** Restores the variables of the ordinary forward pass alone (weights for fine-tuning); the rest keep their values. */
  public final CheckpointOps.Reader forwardReader;

  private ModelGraph(Graph graph, NetworkGraph network, DeviceSpec device, boolean compiled) {
    this.graph = graph;
    this.compiled = compiled;
    this.network = network;
    this.spec = network.spec();
    this.state = new NetworkBuilder(graph, spec, device);
    this.logits = network.buildForward(state);
    this.forwardVariables = List.copyOf(state.variables());
    this.input =
        state.inputPlaceholder()
            .orElseThrow(() -> new IllegalStateException(spec.name() + ": buildForward never called input(...): the network has no input"));
    requireLogitsShape();
    this.head = LossOps.build(state.scope("head"), spec.loss(), logits, spec.outputUnits());
    this.regularization = state.regularization().orElse(null);
    this.loss = regularization == null ? head.loss() : state.scope("loss").withName("total").math.add(head.loss(), regularization);
    this.relaxation = spec.relaxation().isPresent() ? Relaxation.build(state, network, head, logits, regularization) : null;
    if (spec.optimizer() instanceof OptimizerSpec.Rprop && state.learningRateOverride().isPresent()) {
      throw new IllegalStateException(
          spec.name() + ": Rprop takes no learning-rate parameter: its rate is only where its per-weight step sizes start");
    }
    this.learningRate =
        state.learningRateOverride()
            .orElseGet(() -> state.scope("optimizer").withName("learning_rate").constant((float) spec.optimizer().learningRate()));
    Operand<TFloat32> objective = relaxation != null ? relaxation.loss : loss;
    List<TrainableVariable> trainables = state.trainables();
    requireLossDependsOn(objective, trainables);

    Ops training = state.scope("training");
    List<Operand<TFloat32>> differentiated = differentiated(trainables);
    List<Operand<TFloat32>> gradients = differentiated.isEmpty() ? List.of() : gradients(training, objective, differentiated);
    this.guard = NonFiniteGuard.build(graph, state, objective, gradients, learningRate, compiled);
    List<Op> updates = trainables.isEmpty() ? List.of() : optimizerUpdates(trainables, differentiated, gradients);
    if (relaxation != null) {
      // After the optimiser, whose state of the targets is sized with them.
      relaxation.buildBinding(state);
    }

    // What the step computes anyway: for a relaxed network, the relaxed pass. Summing the ordinary
    // pass would run it on every step, a third more work for a deep relaxed network.
    this.epochSums =
        relaxation != null
            ? EpochSums.create(state, relaxation.head, relaxation.loss, guard)
            : EpochSums.create(state, head, loss, guard);
    // After every update, and after the step's schedules read the counter even if nothing trains;
    // and only for a step that passed the guard.
    List<Op> beforeIncrement = new ArrayList<>(updates);
    beforeIncrement.add(state.step().read());
    beforeIncrement.addAll(guard.gates());
    Op increment =
        training.withControlDependencies(beforeIncrement).withName("increment_step")
            .assignAddVariableOp(state.step().handle(), guard.orElse(training, training.constant(1L), training.constant(0L)));
    this.train = training.withControlDependencies(List.of(increment, epochSums.add)).withName("train").noOp();
    this.trainClosingEpoch =
        training.withControlDependencies(List.of(increment, epochSums.close)).withName("train_closing_epoch").noOp();

    this.stepsPerEpochFeed = training.withName("steps_per_epoch_feed").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    this.setStepsPerEpoch = training.withName("set_steps_per_epoch").assignVariableOp(state.stepsPerEpoch().handle(), stepsPerEpochFeed);
    // Last, so that it covers every variable, optimiser slots included.
    this.checkpoint = CheckpointOps.build(state.scope("save"), state.variables());
    this.forwardWriter = CheckpointOps.Writer.build(state.scope("export"), forwardVariables);
    this.forwardReader = CheckpointOps.Reader.build(state.scope("import"), forwardVariables);
  }

  /**
   * The optimiser's updates of every trainable variable and, for a relaxed network, of the batch's
   * rows of each target (whose gradient is taken with respect to the rows read for the step).
   */
  private List<Op> optimizerUpdates(List<TrainableVariable> trainables, List<Operand<TFloat32>> differentiated, List<Operand<TFloat32>> gradients) {
    List<Relaxation.Target> targets = relaxation != null ? relaxation.targets : List.of();
    List<Operand<TFloat32>> perVariable = new ArrayList<>(gradients.subList(0, trainables.size()));
    List<OptimizerOps.RowGradient> rowGradients = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      rowGradients.add(new OptimizerOps.RowGradient(targets.get(i).variable(), relaxation.exampleIndices,
          gradients.get(trainables.size() + i), spec.relaxation().orElseThrow().targetLearningRateScale()));
    }
    List<Op> stateReads = new ArrayList<>(differentiated);
    stateReads.add(state.step().read());
    // No update runs (or, selecting, changes anything) for a step whose loss, learning rate or
    // gradients are not finite.
    stateReads.addAll(guard.gates());
    return OptimizerOps.minimize(state, spec.optimizer(), perVariable, rowGradients, learningRate, stateReads, guard);
  }

  /** What training differentiates: the read of every trainable variable, then, for a relaxed network, each target's rows of the batch. */
  private List<Operand<TFloat32>> differentiated(List<TrainableVariable> trainables) {
    List<Operand<TFloat32>> differentiated = trainables.stream().map(t -> t.variable().read()).collect(Collectors.toList());
    if (relaxation != null) {
      relaxation.targets.forEach(target -> differentiated.add(target.rows()));
    }
    return differentiated;
  }

  private static List<Operand<TFloat32>> gradients(Ops training, Operand<TFloat32> objective, List<Operand<TFloat32>> differentiated) {
    Gradients gradients = training.gradients(objective, differentiated);
    List<Operand<TFloat32>> dy = new ArrayList<>();
    for (int i = 0; i < differentiated.size(); i++) {
      dy.add(gradients.dy(i));
    }
    return dy;
  }

  /** A relaxed network's relaxed pass and training loss; empty for ordinary training. */
  public Optional<Relaxation> relaxation() {
    return Optional.ofNullable(relaxation);
  }

  /** Builds {@code network}'s graph with every op placed on {@code device}, its step to run op by op. */
  public static ModelGraph build(NetworkGraph network, DeviceSpec device) {
    return build(network, device, false);
  }

  /**
   * Builds {@code network}'s graph with every op placed on {@code device}.
   *
   * @param compiled whether the step is to be compiled as one XLA cluster ({@link StepCompilation}),
   *     which needs a guard that selects instead of gating
   */
  public static ModelGraph build(NetworkGraph network, DeviceSpec device, boolean compiled) {
    Graph graph = new Graph();
    try {
      return new ModelGraph(graph, network, device, compiled);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public void close() {
    graph.close();
  }

  private void requireLogitsShape() {
    if (logits == null) {
      throw new IllegalStateException(spec.name() + ": buildForward returned no logits");
    }
    Shape shape = logits.shape();
    boolean fits =
        shape.isUnknown()
            || (shape.numDimensions() == 2 && (shape.size(1) == Shape.UNKNOWN_SIZE || shape.size(1) == spec.outputUnits()));
    if (!fits) {
      throw new IllegalStateException(
          spec.name() + ": buildForward returned logits of shape " + shape + "; expected [batch, " + spec.outputUnits() + "]");
    }
  }

  /** A variable the loss does not depend on has no gradient; TensorFlow's own error names no variable. */
  private void requireLossDependsOn(Operand<TFloat32> objective, List<TrainableVariable> trainables) {
    Set<GraphOperation> reached = new HashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    pending.add((GraphOperation) objective.op());
    while (!pending.isEmpty()) {
      GraphOperation op = pending.pop();
      if (reached.add(op)) {
        op.inputs().forEach(input -> pending.add((GraphOperation) input.op()));
        pending.addAll(op.controlInputs());
      }
    }
    List<String> unused =
        trainables.stream()
            .map(TrainableVariable::variable)
            .filter(v -> !reached.contains((GraphOperation) v.read().op()))
            .map(StateVariable::name)
            .collect(Collectors.toList());
    if (!unused.isEmpty()) {
      throw new IllegalStateException(
          spec.name() + ": the loss does not depend on " + unused + "; every weight and trainable parameter must be used by the forward pass");
    }
  }

  /**
   * The training loss and accuracy summed over an epoch's examples in the graph, so that a step
   * fetches nothing unless it logs; for a relaxed network, of the relaxed pass (through the targets).
   *
   * <p>An epoch's last step does not add to the sums: it fetches {@link #totals} and runs
   * {@link #close}, so that ending an epoch costs no session run of its own (with full-batch
   * training, every step ends an epoch).
   *
   * @param add adds the batch's loss and correct outputs (each times the batch size)
   * @param reset sets the sums to zero, at the start of a run's first epoch
   * @param totals the epoch's loss sum, correct outputs and examples, in this order in one vector,
   *     with the batch's share, which counts only if the guard lets the step change the model
   * @param close sets the sums to zero after {@code totals} read them, starting the next epoch
   */
  public record EpochSums(Op add, Op reset, Operand<TFloat32> totals, Op close) {
    static EpochSums create(NetworkBuilder state, LossOps head, Operand<TFloat32> batchLoss, NonFiniteGuard guard) {
      StateVariable<TFloat32> loss = state.filled("training/loss_sum", Shape.scalar(), 0);
      StateVariable<TFloat32> accuracy = state.filled("training/accuracy_sum", Shape.scalar(), 0);
      StateVariable<TFloat32> examples = state.filled("training/examples", Shape.scalar(), 0);
      List<StateVariable<TFloat32>> sums = List.of(loss, accuracy, examples);
      Ops tf = state.scope("training/epoch_sums");
      Operand<TFloat32> batchSize =
          tf.dtypes.cast(tf.gather(tf.shape(head.labels()), tf.constant(0), tf.constant(0)), TFloat32.class);
      Operand<TFloat32> accuracyOrZero = head.accuracy() != null ? head.accuracy() : tf.constant(0f);
      List<Operand<TFloat32>> shares = List.of(tf.math.mul(batchLoss, batchSize), tf.math.mul(accuracyOrZero, batchSize), batchSize);

      // Adding: the guard's gate is a control input, so that a step the guard stops adds nothing
      // (or, selecting, adds zero). Closing: the gate cannot order the reads (a fetch that depends
      // on a dead branch fails), so the share is selected by the guard's check instead (select
      // does not pass on a NaN share).
      Ops gated = tf.withControlDependencies(guard.gates());
      Operand<TFloat32> none = tf.constant(0f);
      List<Op> adds = new ArrayList<>();
      List<Operand<TFloat32>> withShares = new ArrayList<>();
      for (int i = 0; i < sums.size(); i++) {
        adds.add(gated.assignAddVariableOp(sums.get(i).handle(), guard.orElse(tf, shares.get(i), none)));
        withShares.add(tf.math.add(sums.get(i).read(), tf.select(guard.finite, shares.get(i), none)));
      }
      Op add = tf.withName("add").withControlDependencies(adds).noOp();
      Op reset = zero(tf.withName("reset"), sums, tf);
      // One fetch, not three.
      Operand<TFloat32> totals = tf.withName("totals").stack(withShares);
      Ops afterReading = tf.withControlDependencies(sums.stream().map(sum -> (Op) sum.read()).toList());
      Op close = zero(tf.withName("close"), sums, afterReading);
      return new EpochSums(add, reset, totals, close);
    }

    /** A no-op named by {@code named} that sets every sum to zero with {@code assigning}. */
    private static Op zero(Ops named, List<StateVariable<TFloat32>> sums, Ops assigning) {
      Operand<TFloat32> zero = assigning.constant(0f);
      return named.withControlDependencies(sums.stream().map(sum -> (Op) assigning.assignVariableOp(sum.handle(), zero)).toList()).noOp();
    }
  }
}
