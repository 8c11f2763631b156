package dev.kiln.runtime.step;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Keeps a non-finite training step from changing anything, at the cost of one boolean fetched per
 * step.
 *
 * <p>In the graph: {@link #finite} is true when the step's loss (what it minimises), its learning
 * rate and every gradient are finite. A gradient is checked through the sum of its elements (a
 * NaN or infinity anywhere makes the sum non-finite), or, when it is a matrix product (a dense
 * layer's weight gradient), through its two factors, which are ready before the product is.
 *
 * <p>It keeps the step from changing anything in one of two ways. With the <em>gate</em> (the
 * default), every state change of a training step (optimiser updates, clipping, the epoch sums,
 * the step counter) has {@link #gate} as a control input: {@code gate} is the true branch of a
 * {@code Switch} on {@code finite}, so when the check fails TensorFlow marks it dead and skips
 * everything that depends on it, and the variables stay exactly as they were. A compiled step
 * ({@link StepCompilation}) cannot hold that control flow, so there the guard <em>selects</em>
 * instead: every update runs, but with inputs that leave its state as it was ({@link #orElse}: a
 * gradient and a learning rate of zero, a decay of one, the old value of a slot), so the step is
 * one graph without branches. {@link #skip} advances the step counter alone, for a step the user
 * chose to skip.
 *
 * <p>On the host, {@link #firstNonFinite} finds which tensor went wrong first, only once a step has
 * failed: it re-runs the step's forward and backward pass with the same feeds and checks every
 * floating-point tensor in graph order (an op's inputs are always created before it).
 */
public final class NonFiniteGuard {
  /** Ops per diagnostic run: each run computes the forward pass again, so fetch many at once. */
  private static final int FETCHES_PER_RUN = 256;

  /** True when the step may change the model. */
  public final Operand<TBool> finite;
  /** The global L2 norm of every gradient of the step; null for a network without trainable state. */
  public final Operand<TFloat32> gradientNorm;
  /** The control input of every state change of a training step, dead when {@link #finite} is false; null when the guard selects. */
  private final Op gate;
  /** Advances the step counter by one and changes nothing else. */
  public final Op skip;

  private final Graph graph;
  private final List<Operand<?>> checked;
  private final Map<GraphOperation, String> roles;
  private List<Output<?>> candidates;

  private NonFiniteGuard(
      Graph graph, Operand<TBool> finite, Operand<TFloat32> gradientNorm, Op gate, Op skip, List<Operand<?>> checked,
      Map<GraphOperation, String> roles) {
    this.graph = graph;
    this.finite = finite;
    this.gradientNorm = gradientNorm;
    this.gate = gate;
    this.skip = skip;
    this.checked = checked;
    this.roles = roles;
  }

  /**
   * Builds the checks in the scope {@code guard}.
   *
   * @param objective what training minimises; for a relaxed network, the relaxed loss alone, so
   *     that a step does not compute the ordinary forward pass just to check it
   * @param gradients every gradient the optimiser applies
   * @param selects whether the step selects on the check instead of gating its updates (for a
   *     compiled step)
   */
  public static NonFiniteGuard build(
      Graph graph, NetworkBuilder state, Operand<TFloat32> objective, List<Operand<TFloat32>> gradients, Operand<TFloat32> learningRate,
      boolean selects) {
    Ops tf = state.scope("guard");
    List<Operand<TBool>> checks = new ArrayList<>();
    checks.add(tf.math.isFinite(objective));
    checks.add(tf.math.isFinite(learningRate));
    Operand<TFloat32> norm = null;
    if (!gradients.isEmpty()) {
      // Every step checks the plain sum of all gradients, finite exactly when every element is
      // (short of an overflow far beyond any useful step): one read of each gradient. Gradients
      // of one shape are added element-wise first, so a deep network's hundreds of gradients take
      // a few reductions, not one each. A dimension unknown when building is the batch's (a
      // relaxed network's target rows), the same for every gradient of the step, so gradients
      // alike in their known dimensions are added too. The norm, which squares them first, runs
      // only on the steps that log it: one L2Loss (half the sum of squares) per gradient.
      Map<Integer, Operand<TInt32>> axesByRank = new HashMap<>();
      Map<List<Long>, List<Operand<TFloat32>>> byShape = new LinkedHashMap<>();
      List<Operand<TFloat32>> sums = new ArrayList<>();
      List<Operand<TFloat32>> halfSquares = new ArrayList<>();
      Map<Output<?>, Operand<TFloat32>> halfSquaresOfFactors = new HashMap<>();
      for (Operand<TFloat32> gradient : gradients) {
        GraphOperation op = (GraphOperation) gradient.op();
        if (op.type().equals("MatMul")) {
          // A weight gradient is a product of two factors (the layer's input and the gradient at
          // its output), both ready before the product: checking them instead lets the check run
          // beside the product rather than after it, on the path every update waits on. Each entry
          // of A·B is at most |A|·|B| (Frobenius norms), so the product is finite whenever
          // L2Loss(A)·L2Loss(B) = |A|²|B|²/4 is: exactly when both factors are finite, short of
          // norms multiplying past 1e19, which no step that trains comes near.
          Operand<TFloat32> left = halfSquaresOfFactors.computeIfAbsent(op.input(0), factor -> tf.nn.l2Loss(floats(factor)));
          Operand<TFloat32> right = halfSquaresOfFactors.computeIfAbsent(op.input(1), factor -> tf.nn.l2Loss(floats(factor)));
          sums.add(tf.math.mul(left, right));
        } else if (gradient.shape().isUnknown()) {
          sums.add(tf.sum(gradient, everyAxis(tf, gradient, axesByRank)));
        } else {
          byShape.computeIfAbsent(LongStream.of(gradient.shape().asArray()).boxed().toList(), dims -> new ArrayList<>()).add(gradient);
        }
        halfSquares.add(tf.nn.l2Loss(gradient));
      }
      for (List<Operand<TFloat32>> sameShape : byShape.values()) {
        Operand<TFloat32> added = sameShape.size() == 1 ? sameShape.get(0) : tf.math.addN(sameShape);
        sums.add(tf.sum(added, everyAxis(tf, added, axesByRank)));
      }
      Operand<TFloat32> halfSquare = halfSquares.size() == 1 ? halfSquares.get(0) : tf.math.addN(halfSquares);
      norm = tf.withName("gradient_norm").math.sqrt(tf.math.mul(tf.constant(2f), halfSquare));
      checks.add(tf.math.isFinite(sums.size() == 1 ? sums.get(0) : tf.math.addN(sums)));
    }
    Operand<TBool> finite = tf.withName("finite").reduceAll(tf.stack(checks), tf.constant(0));
    // An Identity on the Switch's true output: Grappler keeps such anchors of control dependencies.
    Op gate = selects ? null : tf.withName("gate").identity(tf.switchCond(finite, finite).outputTrue());
    Op skip =
        tf.withName("skip").withControlDependencies(List.of(state.step().read()))
            .assignAddVariableOp(state.step().handle(), tf.constant(1L));

    // Names for the messages: the forward pass's variables and parameters all exist by now.
    Map<GraphOperation, String> roles = new HashMap<>();
    for (StateVariable<?> variable : state.variables()) {
      roles.put((GraphOperation) variable.read().op(), "the variable " + variable.name());
    }
    for (Parameter parameter : state.parameters()) {
      String kind = parameter.kind() == Parameter.Kind.HOST_SCHEDULED ? " (from its host schedule)" : "";
      roles.put((GraphOperation) parameter.value().op(), "the parameter " + parameter.name() + kind);
    }
    List<Operand<?>> checked = new ArrayList<>(List.of(objective));
    checked.addAll(gradients);
    checked.add(learningRate);
    return new NonFiniteGuard(graph, finite, norm, gate, skip, checked, roles);
  }

  /** The control inputs of every state change of a training step: the gate, or none when the guard selects. */
  List<Op> gates() {
    return gate == null ? List.of() : List.of(gate);
  }

  /**
   * What an update takes for {@code value}: {@code value} if the step is finite, else
   * {@code otherwise}, chosen to leave the update's state as it was. With the gate, {@code value}
   * itself (a gated update does not run at all).
   */
  <T extends TType> Operand<T> orElse(Ops tf, Operand<T> value, Operand<T> otherwise) {
    return gate == null ? tf.select(finite, value, otherwise) : value;
  }

  /** {@link #orElse(Ops, Operand, Operand)} with a constant for a non-finite step. */
  Operand<TFloat32> orElse(Ops tf, Operand<TFloat32> value, float otherwise) {
    return gate == null ? tf.select(finite, value, tf.constant(otherwise)) : value;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> floats(Output<?> output) {
    return (Operand<TFloat32>) output;
  }

  /** {@code [0, 1, ..., rank - 1]} of {@code x}: one constant per rank, or computed if the rank is not known. */
  private static Operand<TInt32> everyAxis(Ops tf, Operand<TFloat32> x, Map<Integer, Operand<TInt32>> axesByRank) {
    if (x.shape().isUnknown()) {
      return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
    }
    int rank = x.shape().numDimensions();
    return axesByRank.computeIfAbsent(rank, r -> tf.constant(IntStream.range(0, r).toArray()));
  }

  static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new long[] {-1}));
  }

  /**
   * The first tensor with a NaN or an infinity among everything the failed step computed, in
   * graph order, described with its op, shape and counts; empty if none is (the failure then came
   * from a check that overflowed float32: a sum of gradients, or the product of a weight gradient's
   * factors' norms).
   *
   * @param fedRun runs the step's graph fed exactly as the failed step was, fetching the given
   *     outputs
   */
  public Optional<String> firstNonFinite(Function<List<Output<?>>, Result> fedRun) {
    List<Output<?>> outputs = candidates();
    for (int from = 0; from < outputs.size(); from += FETCHES_PER_RUN) {
      List<Output<?>> chunk = outputs.subList(from, Math.min(outputs.size(), from + FETCHES_PER_RUN));
      try (Result result = fedRun.apply(chunk)) {
        for (int i = 0; i < chunk.size(); i++) {
          Optional<String> problem = nonFinite(result.get(i));
          if (problem.isPresent()) {
            return Optional.of(describe(chunk.get(i)) + ": " + problem.get());
          }
        }
      }
    }
    return Optional.empty();
  }

  private String describe(Output<?> output) {
    GraphOperation op = (GraphOperation) output.op();
    String role = roles.get(op);
    return op.name() + ":" + output.index() + " (" + (role != null ? role : op.type()) + ", shape " + output.shape() + ")";
  }

  /** Every floating-point output the checked values depend on, in creation order; fed placeholders excepted. */
  private List<Output<?>> candidates() {
    if (candidates != null) {
      return candidates;
    }
    Set<GraphOperation> needed = new HashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    checked.forEach(value -> pending.add((GraphOperation) value.op()));
    while (!pending.isEmpty()) {
      GraphOperation op = pending.pop();
      if (needed.add(op)) {
        op.inputs().forEach(input -> pending.add((GraphOperation) input.op()));
      }
    }
    Set<Output<?>> ordered = new LinkedHashSet<>();
    for (Iterator<GraphOperation> ops = graph.operations(); ops.hasNext(); ) {
      GraphOperation op = ops.next();
      if (!needed.contains(op) || op.type().startsWith("Placeholder")) {
        continue;
      }
      for (int i = 0; i < op.numOutputs(); i++) {
        Output<?> output = op.output(i);
        if (output.dataType() == DataType.DT_FLOAT || output.dataType() == DataType.DT_DOUBLE) {
          ordered.add(output);
        }
      }
    }
    candidates = List.copyOf(ordered);
    return candidates;
  }

  /** How many NaN and infinite values {@code tensor} holds, if any. */
  private static Optional<String> nonFinite(Tensor tensor) {
    long nan = 0;
    long infinite = 0;
    int size = Math.toIntExact(tensor.shape().size());
    if (tensor instanceof TFloat32 floats) {
      float[] values = new float[size];
      floats.copyTo(DataBuffers.of(values, false, false));
      for (float value : values) {
        nan += Float.isNaN(value) ? 1 : 0;
        infinite += Float.isInfinite(value) ? 1 : 0;
      }
    } else if (tensor instanceof TFloat64 doubles) {
      double[] values = new double[size];
      doubles.copyTo(DataBuffers.of(values, false, false));
      for (double value : values) {
        nan += Double.isNaN(value) ? 1 : 0;
        infinite += Double.isInfinite(value) ? 1 : 0;
      }
    }
    if (nan == 0 && infinite == 0) {
      return Optional.empty();
    }
    return Optional.of(nan + " NaN and " + infinite + " infinite of " + size + " values");
  }
}
