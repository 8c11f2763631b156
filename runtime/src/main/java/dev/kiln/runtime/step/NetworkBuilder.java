package dev.kiln.runtime.step;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.RegistryScope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The runtime's {@link GraphBuilder}: makes every piece of state a resource variable (created and
 * initialised under the init scope, read once), and keeps the registry of variables, trainable
 * variables and parameters that the loss, optimiser, checkpoint and summaries are built from.
 *
 * <p>Naming: the ops of a variable {@code hidden/weights} live in the name scope
 * {@code hidden/weights/}: {@code handle}, {@code initial_value/...}, {@code assign} and
 * {@code read}; a parameter {@code theta}'s value is the op {@code theta/value}. (TensorFlow Java
 * cannot name an op {@code a} and also open a scope {@code a/}, so the state is the scope.)
 */
public final class NetworkBuilder implements GraphBuilder {
  private static final Pattern NAME_SEGMENT = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private final Graph graph;
  private final NetworkSpec spec;
  private final Ops tf;
  private final Set<String> names = new HashSet<>();
  private final Map<String, Ops> scopes = new HashMap<>();
  private final List<StateVariable<?>> variables = new ArrayList<>();
  private final List<TrainableVariable> trainables = new ArrayList<>();
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final StateVariable<TInt64> step;
  private final StateVariable<TInt64> stepsPerEpoch;
  private final List<Operand<TFloat32>> penalties = new ArrayList<>();
  /** What each state method returned, by name: what the relaxed pass of a network gets again. */
  private final Map<String, Operand<TFloat32>> made = new HashMap<>();
  /** The values {@link #relax} marked, by layer, in the order the forward pass relaxed them. */
  private final Map<String, Operand<TFloat32>> relaxedValues = new LinkedHashMap<>();
  private final List<PerExampleVariable> perExampleVariables = new ArrayList<>();
  private final List<LearnedWidth> learnedWidths = new ArrayList<>();
  private Placeholder<TFloat32> input;
  private Operand<TFloat32> learningRate;
  private Operand<TFloat32> hiddenLossWeight;
  private Operand<TFloat32> relaxationStrength;
  private Operand<TFloat32> resetStrength;
  private PlaceholderWithDefault<TBool> training;
  private Operand<TFloat32> regularization;
  /** For a serving graph: the progress at which host-scheduled parameters are evaluated, once, as constants; null for training. */
  private final Progress servedAt;

  /**
   * @param device where every op is placed
   */
  public NetworkBuilder(Graph graph, NetworkSpec spec, DeviceSpec device) {
    this(graph, spec, device, null);
  }

  private NetworkBuilder(Graph graph, NetworkSpec spec, DeviceSpec device, Progress servedAt) {
    this.graph = graph;
    this.spec = spec;
    this.servedAt = servedAt;
    // Scopes that do not list the graph's ops on every sub-scope: see RegistryScope.
    this.tf = RegistryScope.create(graph).withDevice(device);
    this.step = variable("training/step", TInt64.class, Shape.scalar(), init -> init.constant(0L));
    // Assigned from the data set when training starts; 1 until then, so that a schedule is defined.
    this.stepsPerEpoch =
        variable("training/steps_per_epoch", TInt64.class, Shape.scalar(), init -> init.constant(1L));
  }

  /**
   * A builder for a graph that serves {@code spec}'s forward pass ({@link ServingExport}): its ops
   * are placed on no device (the server places them), each host-scheduled parameter is a constant,
   * its schedule's value at {@code progress}, since nothing feeds a served graph, and what only
   * training uses (weight penalties, dropout) is left out. Its variables have no initial values:
   * they are restored from the trained model's, and a graph loaded without them fails instead of
   * predicting from an initialisation.
   */
  public static NetworkBuilder forServing(Graph graph, NetworkSpec spec, Progress progress) {
    return new NetworkBuilder(graph, spec, DeviceSpec.newBuilder().build(), Objects.requireNonNull(progress, "progress"));
  }

  @Override
  public Ops tf() {
    return tf;
  }

  @Override
  public Operand<TFloat32> input(String name) {
    if (input != null) {
      throw new IllegalStateException(
          spec.name() + ": input(\"" + name + "\") called twice; a network has one input, already '" + input.op().name() + "'");
    }
    claim(name);
    long[] dims = new long[spec.inputShape().numDimensions() + 1];
    dims[0] = Shape.UNKNOWN_SIZE;
    for (int i = 1; i < dims.length; i++) {
      dims[i] = spec.inputShape().size(i - 1);
    }
    input = tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
    return input;
  }

  @Override
  public Operand<TFloat32> weights(String name, Shape shape) {
    requireKnown(name, shape);
    long seed = fnv1a64(name);
    float limit = (float) glorotLimit(shape);
    StateVariable<TFloat32> weights =
        variable(name, TFloat32.class, shape, init -> {
          // Stateless: the same network seed and name give the same weights in every build.
          Operand<TFloat32> uniform =
              init.random.statelessRandomUniform(init.constant(shape.asArray()), init.constant(new long[] {spec.seed(), seed}), TFloat32.class);
          return init.math.sub(init.math.mul(uniform, init.constant(2 * limit)), init.constant(limit));
        });
    trainables.add(TrainableVariable.unbounded(weights));
    return made(name, weights.read());
  }

  @Override
  public Operand<TFloat32> bias(String name, long units) {
    if (units <= 0) {
      throw new IllegalArgumentException(spec.name() + ": bias '" + name + "' needs units > 0, got " + units);
    }
    StateVariable<TFloat32> bias = filled(name, Shape.of(units), 0);
    trainables.add(TrainableVariable.unbounded(bias));
    return made(name, bias.read());
  }

  @Override
  public Operand<TFloat32> fixed(String name, double value) {
    requireFinite(name, "value", value);
    claim(name);
    Operand<TFloat32> constant = scope(name).withName("value").constant((float) value);
    return addParameter(new Parameter(name, Parameter.Kind.FIXED, Shape.scalar(), constant, null, null));
  }

  @Override
  public Operand<TFloat32> annealed(String name, PhasedSchedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    claim(name);
    Operand<TFloat32> value = ScheduleOps.value(scope(name), schedule, step.read(), stepsPerEpoch.read());
    return addParameter(new Parameter(name, Parameter.Kind.ANNEALED, Shape.scalar(), value, null, null));
  }

  @Override
  public Operand<TFloat32> hostScheduled(String name, Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    claim(name);
    if (servedAt != null) {
      float frozen = (float) schedule.valueAt(servedAt.step(), servedAt.stepsPerEpoch());
      return addParameter(new Parameter(name, Parameter.Kind.HOST_SCHEDULED, Shape.scalar(), scope(name).withName("value").constant(frozen), null, schedule));
    }
    Placeholder<TFloat32> feed = scope(name).withName("feed").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    // A fed placeholder cannot be fetched: its identity is the value that is logged.
    Operand<TFloat32> value = scope(name).withName("value").identity(feed);
    return addParameter(new Parameter(name, Parameter.Kind.HOST_SCHEDULED, Shape.scalar(), value, feed, schedule));
  }

  @Override
  public Operand<TFloat32> trainable(
      String name, Shape shape, double initial, double min, double max, double learningRateScale) {
    boolean perNeuron = shape.numDimensions() == 1 && shape.size(0) > 0;
    if (!shape.isScalar() && !perNeuron) {
      throw new IllegalArgumentException(
          spec.name() + ": trainable parameter '" + name + "' must be a scalar or one value per neuron [units], got shape " + shape);
    }
    requireFinite(name, "initial value", initial);
    if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
      throw new IllegalArgumentException(
          spec.name() + ": trainable parameter '" + name + "' has bounds [" + min + ", " + max + "]; need min <= max");
    }
    if (initial < min || initial > max) {
      throw new IllegalArgumentException(
          spec.name() + ": trainable parameter '" + name + "' starts at " + initial + ", outside its bounds [" + min + ", " + max + "]");
    }
    if (!(learningRateScale >= 0) || Double.isInfinite(learningRateScale)) {
      throw new IllegalArgumentException(
          spec.name() + ": trainable parameter '" + name + "' needs a finite learning-rate scale >= 0, got " + learningRateScale);
    }
    StateVariable<TFloat32> variable = filled(name, shape, initial);
    trainables.add(new TrainableVariable(variable, min, max, learningRateScale));
    return addParameter(new Parameter(name, Parameter.Kind.TRAINABLE, shape, variable.read(), null, null));
  }

  @Override
  public void learningRate(Operand<TFloat32> rate) {
    Objects.requireNonNull(rate, "learningRate");
    if (learningRate != null) {
      throw new IllegalStateException(spec.name() + ": learningRate(...) called twice");
    }
    if (rate.shape().numDimensions() > 0) {
      throw new IllegalArgumentException(spec.name() + ": the learning rate must be a scalar, got shape " + rate.shape());
    }
    learningRate = rate;
  }

  @Override
  public void regularize(String name, Operand<TFloat32> weights, double l1, double l2) {
    Objects.requireNonNull(weights, "weights");
    requirePenaltyFactor(name, "l1", l1);
    requirePenaltyFactor(name, "l2", l2);
    claim(name);
    if ((l1 == 0 && l2 == 0) || servedAt != null) {
      return;
    }
    Ops tf = scope(name);
    Operand<TFloat32> penalty = null;
    if (l1 != 0) {
      penalty = tf.withName("l1").math.mul(tf.constant((float) l1), tf.sum(tf.math.abs(weights), allAxes(tf, weights)));
    }
    if (l2 != 0) {
      Operand<TFloat32> squares = tf.withName("l2").math.mul(tf.constant((float) l2), tf.sum(tf.math.square(weights), allAxes(tf, weights)));
      penalty = penalty == null ? squares : tf.withName("penalty").math.add(penalty, squares);
    }
    penalties.add(penalty);
  }

  @Override
  public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
    long units = learnedUnits(layer, x, penalty);
    if (!(deadBelow > 0 && deadBelow < 1)) {
      throw new IllegalArgumentException(
          spec.name() + ": layer '" + layer + "' needs a dead-unit threshold in (0, 1) for its gates, got " + deadBelow);
    }
    if (!(initial > deadBelow) || Double.isInfinite(initial)) {
      throw new IllegalArgumentException(
          spec.name() + ": the gates of layer '" + layer + "' start at " + initial + ", not above their threshold " + deadBelow
              + ": every unit would start dead");
    }
    String name = layer + "/gates";
    StateVariable<TFloat32> variable = filled(name, Shape.of(units), initial);
    trainables.add(new TrainableVariable(variable, 0, Double.POSITIVE_INFINITY, 1.0, deadBelow));
    Operand<TFloat32> gates = addParameter(new Parameter(name, Parameter.Kind.TRAINABLE, Shape.of(units), variable.read(), null, null));
    if (servedAt == null) {
      Ops own = scope(name);
      penalties.add(own.withName("penalty").math.mul(penalty, own.sum(own.math.abs(gates), own.constant(0))));
      learnedWidths.add(learnedWidth(own, layer, name, units, gates, deadBelow));
    }
    return ops.withName("gated").math.mul(x, gates);
  }

  @Override
  public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
    long units = learnedUnits(layer, x, penalty);
    if (!(slope > 0) || Double.isInfinite(slope)) {
      throw new IllegalArgumentException(spec.name() + ": the soft size of layer '" + layer + "' needs a finite slope > 0, got " + slope);
    }
    if (!(initialSize > 0 && initialSize <= units)) {
      throw new IllegalArgumentException(
          spec.name() + ": the soft size of layer '" + layer + "' starts at " + initialSize + ", outside (0, " + units + "]");
    }
    String name = layer + "/size";
    // The size counts units: at the optimiser's own rate, Adam's steps (about the rate each) would
    // move it by thousandths of a unit, and the short runs measured a "plateau" that was only
    // that speed limit. At the rate times the width, a step moves it by about the rate's share of
    // the layer (half a unit of 500 at 1e-3).
    Operand<TFloat32> size = trainable(name, Shape.scalar(), initialSize, 0, units, units);
    Ops own = scope(name);
    float[] index = new float[(int) units];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    // σ(k·(size − i)) is 1 − σ(k·(i − size)) without subtracting from one: exact far past the size.
    Operand<TFloat32> scale =
        own.withName("scale").math.sigmoid(own.math.mul(own.constant((float) slope), own.math.sub(size, own.constant(index))));
    if (servedAt == null) {
      penalties.add(own.withName("penalty").math.mul(penalty, own.sum(scale, own.constant(0))));
      learnedWidths.add(learnedWidth(own, layer, name, units, scale, 0.5));
    }
    return ops.withName("scaled").math.mul(x, scale);
  }

  private static LearnedWidth learnedWidth(Ops own, String layer, String variable, long units, Operand<TFloat32> scale, double threshold) {
    Operand<TBool> live = own.math.greaterEqual(scale, own.constant((float) threshold));
    return new LearnedWidth(layer, variable, units, scale, threshold, own.withName("live").sum(own.dtypes.cast(live, TFloat32.class), own.constant(0)));
  }

  /** The units on {@code x}'s last axis, which must be known; and a scalar penalty weight. */
  private long learnedUnits(String layer, Operand<TFloat32> x, Operand<TFloat32> penalty) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(penalty, "penalty");
    Shape shape = x.shape();
    long units = shape.isUnknown() || shape.numDimensions() < 2 ? Shape.UNKNOWN_SIZE : shape.size(shape.numDimensions() - 1);
    if (units <= 0) {
      throw new IllegalArgumentException(
          spec.name() + ": layer '" + layer + "' learns its width, so it needs a known number of units on the last axis, got shape " + shape);
    }
    if (penalty.shape().numDimensions() != 0) {
      throw new IllegalArgumentException(
          spec.name() + ": the width penalty of layer '" + layer + "' must be a scalar, got shape " + penalty.shape());
    }
    return units;
  }

  /** Every layer whose width training learns, in the order the forward pass made them. */
  public List<LearnedWidth> learnedWidths() {
    return Collections.unmodifiableList(learnedWidths);
  }

  @Override
  public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate) {
    Objects.requireNonNull(x, "x");
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(spec.name() + ": dropout '" + name + "' needs a rate in [0, 1), got " + rate);
    }
    claim(name);
    return servedAt != null ? x : dropoutIn(scope(name), name, x, rate);
  }

  /**
   * Dropout of {@code x} with ops in {@code tf}: the mask is keyed by network seed, {@code name}
   * and step, so a pass that builds the same dropout again draws the same mask.
   */
  Operand<TFloat32> dropoutIn(Ops tf, String name, Operand<TFloat32> x, double rate) {
    if (rate == 0) {
      return x;
    }
    float keep = (float) (1 - rate);
    // Stateless, keyed by network seed, name and step: a rerun drops the same values at every step.
    Operand<TInt64> key =
        tf.stack(List.of(tf.constant(spec.seed()), tf.math.add(tf.constant(fnv1a64(name)), step.read())));
    Operand<TFloat32> uniform = tf.random.statelessRandomUniform(tf.shape(x, TInt64.class), key, TFloat32.class);
    // floor(keep + u) is 1 with probability keep: the values kept, scaled so the expected sum holds.
    Operand<TFloat32> kept = tf.math.div(tf.math.floor(tf.math.add(uniform, tf.constant(keep))), tf.constant(keep));
    Operand<TFloat32> mask = tf.withName("mask").select(trainingFlag(), kept, tf.constant(1f));
    return tf.withName("output").math.mul(x, tf.stopGradient(mask));
  }

  @Override
  public Operand<TFloat32> relax(String layer, Operand<TFloat32> value) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(value, "value");
    requireRelaxed("relax(\"" + layer + "\", ...)");
    requireRowShape(layer, value);
    if (relaxedValues.putIfAbsent(layer, value) != null) {
      throw new IllegalArgumentException(spec.name() + ": layer '" + layer + "' is relaxed twice; each layer has one set of targets");
    }
    return value;
  }

  @Override
  public void hiddenLossWeight(Operand<TFloat32> weight) {
    Objects.requireNonNull(weight, "hiddenLossWeight");
    requireRelaxed("hiddenLossWeight(...)");
    if (hiddenLossWeight != null) {
      throw new IllegalStateException(spec.name() + ": hiddenLossWeight(...) called twice");
    }
    if (weight.shape().numDimensions() > 0) {
      throw new IllegalArgumentException(spec.name() + ": the hidden-loss weight must be a scalar, got shape " + weight.shape());
    }
    hiddenLossWeight = weight;
  }

  @Override
  public void relaxationStrength(Operand<TFloat32> strength) {
    Objects.requireNonNull(strength, "relaxationStrength");
    requireRelaxed("relaxationStrength(...)");
    if (relaxationStrength != null) {
      throw new IllegalStateException(spec.name() + ": relaxationStrength(...) called twice");
    }
    if (strength.shape().numDimensions() > 0) {
      throw new IllegalArgumentException(spec.name() + ": the relaxation strength must be a scalar, got shape " + strength.shape());
    }
    relaxationStrength = strength;
  }

  @Override
  public void resetStrength(Operand<TFloat32> strength) {
    Objects.requireNonNull(strength, "resetStrength");
    requireRelaxed("resetStrength(...)");
    if (spec.relaxation().orElseThrow().resetEvery() == 0) {
      throw new IllegalStateException(spec.name() + ": resetStrength(...) sets how far a reset moves the targets, but the network never "
          + "resets them (resetEvery = 0)");
    }
    if (resetStrength != null) {
      throw new IllegalStateException(spec.name() + ": resetStrength(...) called twice");
    }
    if (strength.shape().numDimensions() > 0) {
      throw new IllegalArgumentException(spec.name() + ": the reset strength must be a scalar, got shape " + strength.shape());
    }
    resetStrength = strength;
  }

  // ---- for the rest of the runtime ----

  /** What the state method that made {@code name} returned, if one did: for the relaxed pass. */
  Optional<Operand<TFloat32>> made(String name) {
    return Optional.ofNullable(made.get(name));
  }

  /** Whether {@code name} is taken by state, a penalty or a dropout. */
  boolean claimed(String name) {
    return names.contains(name);
  }

  /** The values the ordinary forward pass relaxed, by layer, in order. */
  Map<String, Operand<TFloat32>> relaxedValues() {
    return Collections.unmodifiableMap(relaxedValues);
  }

  /** The strength set with {@link #relaxationStrength}, if any (otherwise 1: fully relaxed). */
  Optional<Operand<TFloat32>> relaxationStrength() {
    return Optional.ofNullable(relaxationStrength);
  }

  /** The strength set with {@link #resetStrength}, if any (otherwise a reset sets the targets afresh). */
  Optional<Operand<TFloat32>> resetStrength() {
    return Optional.ofNullable(resetStrength);
  }

  /** The weight set with {@link #hiddenLossWeight}, if any. */
  Optional<Operand<TFloat32>> hiddenLossWeightOverride() {
    return Optional.ofNullable(hiddenLossWeight);
  }

  /**
   * A variable with one row of shape {@code rowShape} per training example,
   * {@code [examples, rowShape...]}. The number of examples is known only when training binds its
   * data, so it starts with no rows; {@link #perExampleVariables} lists it for the op that gives
   * it one row per example, each value {@code fill}.
   */
  StateVariable<TFloat32> perExample(String name, Shape rowShape, double fill) {
    long[] empty = new long[rowShape.numDimensions() + 1];
    long[] dims = new long[empty.length];
    dims[0] = Shape.UNKNOWN_SIZE;
    System.arraycopy(rowShape.asArray(), 0, empty, 1, rowShape.numDimensions());
    System.arraycopy(rowShape.asArray(), 0, dims, 1, rowShape.numDimensions());
    StateVariable<TFloat32> variable =
        variable(name, TFloat32.class, Shape.of(dims), init -> init.fill(init.constant(empty), init.constant(0f)));
    perExampleVariables.add(new PerExampleVariable(variable, rowShape, (float) fill));
    return variable;
  }

  /**
   * A variable made by {@link #perExample}: rows of {@code rowShape}, each value {@code fill} when
   * the rows are made.
   */
  public record PerExampleVariable(StateVariable<TFloat32> variable, Shape rowShape, float fill) {}

  /** Every per-example variable, in creation order. */
  public List<PerExampleVariable> perExampleVariables() {
    return Collections.unmodifiableList(perExampleVariables);
  }

  /**
   * The scalar bool that is true on training steps and false (its default) otherwise; present once
   * a layer depends on it, such as dropout.
   */
  public Optional<Operand<TBool>> trainingPhase() {
    return Optional.ofNullable(training);
  }

  /**
   * The sum of every {@link #regularize} penalty, the op {@code loss/regularization}, built on the
   * first call (after the forward pass); empty without any penalty.
   */
  Optional<Operand<TFloat32>> regularization() {
    if (regularization == null && !penalties.isEmpty()) {
      Ops tf = scope("loss").withName("regularization");
      regularization = penalties.size() == 1 ? tf.identity(penalties.get(0)) : tf.math.addN(penalties);
    }
    return Optional.ofNullable(regularization);
  }

  NetworkSpec spec() {
    return spec;
  }

  /** The input placeholder, once {@link #input} was called. */
  public Optional<Placeholder<TFloat32>> inputPlaceholder() {
    return Optional.ofNullable(input);
  }

  /** The rate set with {@link #learningRate}, if any. */
  Optional<Operand<TFloat32>> learningRateOverride() {
    return Optional.ofNullable(learningRate);
  }

  public StateVariable<TInt64> step() {
    return step;
  }

  public StateVariable<TInt64> stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** Every variable, in creation order. */
  public List<StateVariable<?>> variables() {
    return Collections.unmodifiableList(variables);
  }

  List<TrainableVariable> trainables() {
    return Collections.unmodifiableList(trainables);
  }

  /** The parameters in declaration order. */
  public List<Parameter> parameters() {
    return List.copyOf(parameters.values());
  }

  public Optional<Parameter> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  public Optional<StateVariable<?>> variable(String name) {
    return variables.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  /**
   * Ops whose names go under {@code path/}, placed on the model's device. Each scope is made once
   * and kept: TensorFlow Java makes a sub-scope name unique again on every request.
   */
  @Override
  public Ops scope(String path) {
    Ops existing = scopes.get(path);
    if (existing != null) {
      return existing;
    }
    int slash = path.lastIndexOf('/');
    Ops parent = slash < 0 ? tf : scope(path.substring(0, slash));
    Ops created = parent.withSubScope(path.substring(slash + 1));
    scopes.put(path, created);
    return created;
  }

  /** A float32 variable of {@code shape} that starts with every value at {@code value}. */
  StateVariable<TFloat32> filled(String name, Shape shape, double value) {
    return variable(name, TFloat32.class, shape, init -> init.fill(init.constant(shape.asArray()), init.constant((float) value)));
  }

  /**
   * A resource variable: the handle (unique shared name, so no two variables alias), its initial
   * assignment under the init scope (none in a serving graph), and its one read.
   *
   * @param initialValue builds the initial value with the init-scope ops it is given; keep it to a
   *     few plain ops, since Grappler may rewrite larger init subgraphs and break initialisation
   */
  <T extends TType> StateVariable<T> variable(
      String name, Class<T> type, Shape shape, Function<Ops, Operand<T>> initialValue) {
    claim(name);
    Ops own = scope(name);
    Ops init = own.withInitScope();
    // A unique shared name: handles without one alias a single variable. Names are unique per graph.
    VarHandleOp handle = init.withName("handle").varHandleOp(type, shape, VarHandleOp.sharedName(name));
    if (servedAt == null) {
      init.withName("assign").assignVariableOp(handle, initialValue.apply(init.withSubScope("initial_value")));
    }
    StateVariable<T> variable = new StateVariable<>(name, type, shape, handle, own.withName("read").readVariableOp(handle, type));
    variables.add(variable);
    return variable;
  }

  private Operand<TBool> trainingFlag() {
    if (training == null) {
      claim("training/phase");
      training = scope("training").withName("phase").placeholderWithDefault(tf.constant(false), Shape.scalar());
    }
    return training;
  }

  private void requireRelaxed(String call) {
    if (spec.relaxation().isEmpty()) {
      throw new IllegalStateException(
          spec.name() + ": the forward pass calls " + call + ", but its spec has no relaxation; a relaxed network's spec carries a RelaxationSpec");
    }
  }

  /** A relaxed value is a batch of rows of known shape: {@code [batch, width...]}. */
  private void requireRowShape(String layer, Operand<TFloat32> value) {
    Shape shape = value.shape();
    boolean known = !shape.isUnknown() && shape.numDimensions() >= 2;
    for (int i = 1; known && i < shape.numDimensions(); i++) {
      known = shape.size(i) > 0;
    }
    if (!known) {
      throw new IllegalArgumentException(
          spec.name() + ": relaxed layer '" + layer + "' has values of shape " + shape + "; targets need [batch, width...] with every width known");
    }
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<TFloat32> x) {
    return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
  }

  private void requirePenaltyFactor(String name, String which, double factor) {
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException(spec.name() + ": regularization '" + name + "' needs a finite " + which + " >= 0, got " + factor);
    }
  }

  private Operand<TFloat32> addParameter(Parameter parameter) {
    parameters.put(parameter.name(), parameter);
    return made(parameter.name(), parameter.value());
  }

  private Operand<TFloat32> made(String name, Operand<TFloat32> value) {
    made.put(name, value);
    return value;
  }

  /** Reserves a state name: a valid TensorFlow name, used once per graph. */
  private void claim(String name) {
    Objects.requireNonNull(name, "name");
    for (String segment : name.split("/", -1)) {
      if (!NAME_SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            spec.name() + ": '" + name + "' is not a valid name: use segments of letters, digits, '_', '.' or '-' separated by '/'");
      }
    }
    if (!names.add(name)) {
      throw new IllegalArgumentException(spec.name() + ": the name '" + name + "' is used twice; every weight and parameter needs its own");
    }
  }

  private void requireKnown(String name, Shape shape) {
    if (shape.isUnknown() || shape.hasUnknownDimension() || shape.numDimensions() == 0 || shape.size() <= 0) {
      throw new IllegalArgumentException(spec.name() + ": weights '" + name + "' need a fully known, non-empty shape, got " + shape);
    }
  }

  private void requireFinite(String name, String what, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(spec.name() + ": parameter '" + name + "' needs a finite " + what + ", got " + value);
    }
  }

  /**
   * Glorot (Xavier) uniform limit √(6 / (fan in + fan out)); for a convolution kernel
   * {@code [kh, kw, in, out]} the fans are multiplied by the receptive field {@code kh·kw}.
   */
  public static double glorotLimit(Shape shape) {
    int rank = shape.numDimensions();
    long fanIn;
    long fanOut;
    if (rank == 1) {
      fanIn = shape.size(0);
      fanOut = shape.size(0);
    } else {
      long receptiveField = 1;
      for (int i = 0; i < rank - 2; i++) {
        receptiveField *= shape.size(i);
      }
      fanIn = shape.size(rank - 2) * receptiveField;
      fanOut = shape.size(rank - 1) * receptiveField;
    }
    return Math.sqrt(6.0 / (fanIn + fanOut));
  }

  /** A stable 64-bit hash (FNV-1a over UTF-8): the per-variable half of the initialiser's seed. */
  static long fnv1a64(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
