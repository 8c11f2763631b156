package dev.kiln.processor;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.graph.GraphBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A {@link GraphBuilder} for running generated forward passes in tests: every piece of state is a
 * constant with known values, recorded by name, so a test can recompute the forward pass in Java.
 * Weights and biases follow a fixed pattern of positive and negative values; a per-neuron
 * trainable parameter gets a distinct value per neuron, so broadcasting mistakes show. Dropout is
 * the identity, as when evaluating; penalties and dropouts are recorded with what they were given.
 * It builds the ordinary forward pass: {@code relax} passes values through, recording the layer and
 * the value's static shape.
 */
final class RecordingGraphBuilder implements GraphBuilder {
  /** Every call made to a builder, in order, as "kind name shape". */
  final StringBuilder calls = new StringBuilder();
  /** The values of every piece of state, flat in row-major order, by name. */
  final Map<String, float[]> values = new LinkedHashMap<>();
  final Map<String, PhasedSchedule> annealed = new LinkedHashMap<>();
  /** The penalty weight each learned-width layer was given, by layer. */
  final Map<String, Operand<TFloat32>> widthPenalties = new LinkedHashMap<>();
  final Map<String, Schedule> hostScheduled = new LinkedHashMap<>();
  /** The operand each piece of state was returned as, by name. */
  final Map<String, Operand<TFloat32>> state = new LinkedHashMap<>();
  /** The operand each penalty was asked for, by name. */
  final Map<String, Operand<TFloat32>> regularized = new LinkedHashMap<>();
  Operand<TFloat32> learningRate;
  Operand<TFloat32> hiddenLossWeight;
  Operand<TFloat32> relaxationStrength;
  Operand<TFloat32> resetStrength;
  /** The values each relaxed layer passed through, by layer. */
  final Map<String, Operand<TFloat32>> relaxed = new LinkedHashMap<>();
  Placeholder<TFloat32> input;

  private final Ops tf;
  private final Map<String, Ops> scopes = new LinkedHashMap<>();
  private final Shape exampleShape;

  RecordingGraphBuilder(Graph graph, Shape exampleShape) {
    this.tf = Ops.create(graph);
    this.exampleShape = exampleShape;
  }

  @Override
  public Ops tf() {
    return tf;
  }

  @Override
  public Ops scope(String name) {
    return scopes.computeIfAbsent(name, tf::withSubScope);
  }

  @Override
  public Operand<TFloat32> input(String name) {
    calls.append("input ").append(name).append('\n');
    long[] dimensions = new long[exampleShape.numDimensions() + 1];
    dimensions[0] = Shape.UNKNOWN_SIZE;
    System.arraycopy(exampleShape.asArray(), 0, dimensions, 1, exampleShape.numDimensions());
    input = tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dimensions)));
    return input;
  }

  @Override
  public Operand<TFloat32> weights(String name, Shape shape) {
    return state("weights", name, shape, pattern(name, shape.size()));
  }

  @Override
  public Operand<TFloat32> bias(String name, long units) {
    return state("bias", name, Shape.of(units), pattern(name, units));
  }

  @Override
  public Operand<TFloat32> fixed(String name, double value) {
    return state("fixed", name, Shape.scalar(), new float[] {(float) value});
  }

  @Override
  public Operand<TFloat32> annealed(String name, PhasedSchedule schedule) {
    annealed.put(name, schedule);
    return state("annealed", name, Shape.scalar(), new float[] {(float) schedule.valueAt(0, 1)});
  }

  @Override
  public Operand<TFloat32> hostScheduled(String name, Schedule schedule) {
    hostScheduled.put(name, schedule);
    return state("hostScheduled", name, Shape.scalar(), new float[] {(float) schedule.valueAt(0, 1)});
  }

  @Override
  public Operand<TFloat32> trainable(
      String name, Shape shape, double initial, double min, double max, double learningRateScale) {
    float[] start = new float[(int) shape.size()];
    for (int neuron = 0; neuron < start.length; neuron++) {
      start[neuron] = (float) (initial - 0.1 * neuron);
    }
    calls.append("bounds ").append(name).append(" [").append(min).append(", ").append(max).append("] x")
        .append(learningRateScale).append('\n');
    return state("trainable", name, shape, start);
  }

  @Override
  public void learningRate(Operand<TFloat32> learningRate) {
    calls.append("learningRate\n");
    this.learningRate = learningRate;
  }

  @Override
  public void regularize(String name, Operand<TFloat32> weights, double l1, double l2) {
    calls.append("regularize ").append(name).append(" l1=").append(l1).append(" l2=").append(l2).append('\n');
    regularized.put(name, weights);
  }

  /** {@code x} times the gates {@code <layer>/gates}, a constant of distinct positive values per unit; recorded with {@code x}'s shape. */
  @Override
  public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
    calls.append("gates ").append(layer).append(' ').append(x.shape()).append(" initial=").append(initial).append(" deadBelow=")
        .append(deadBelow).append('\n');
    widthPenalties.put(layer, penalty);
    float[] gates = new float[(int) x.shape().size(x.shape().numDimensions() - 1)];
    for (int unit = 0; unit < gates.length; unit++) {
      gates[unit] = (float) (initial * (1 + 0.01 * unit));
    }
    return tf.math.mul(x, state("gates", layer + "/gates", Shape.of(gates.length), gates));
  }

  /** {@code x} times σ(slope·(size − i)) unit by unit, with the soft size {@code <layer>/size} a constant at {@code initialSize}. */
  @Override
  public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
    calls.append("softSize ").append(layer).append(' ').append(x.shape()).append(" initialSize=").append(initialSize).append(" slope=")
        .append(slope).append('\n');
    widthPenalties.put(layer, penalty);
    int units = (int) x.shape().size(x.shape().numDimensions() - 1);
    float[] index = new float[units];
    for (int unit = 0; unit < units; unit++) {
      index[unit] = unit;
    }
    Operand<TFloat32> size = state("softSize", layer + "/size", Shape.scalar(), new float[] {(float) initialSize});
    return tf.math.mul(x, tf.math.sigmoid(tf.math.mul(tf.constant((float) slope), tf.math.sub(size, tf.constant(index)))));
  }

  /** The identity, recorded with the static shape of what it was given (batch dimension -1). */
  @Override
  public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate) {
    calls.append("dropout ").append(name).append(' ').append(x.shape()).append(" rate=").append(rate).append('\n');
    return x;
  }

  @Override
  public Operand<TFloat32> relax(String layer, Operand<TFloat32> value) {
    calls.append("relax ").append(layer).append(' ').append(value.shape()).append('\n');
    relaxed.put(layer, value);
    return value;
  }

  @Override
  public void hiddenLossWeight(Operand<TFloat32> weight) {
    calls.append("hiddenLossWeight\n");
    this.hiddenLossWeight = weight;
  }

  @Override
  public void relaxationStrength(Operand<TFloat32> strength) {
    calls.append("relaxationStrength\n");
    this.relaxationStrength = strength;
  }

  @Override
  public void resetStrength(Operand<TFloat32> strength) {
    calls.append("resetStrength\n");
    this.resetStrength = strength;
  }

  private Operand<TFloat32> state(String kind, String name, Shape shape, float[] initial) {
    calls.append(kind).append(' ').append(name).append(' ').append(shape).append('\n');
    values.put(name, initial);
    Operand<TFloat32> constant = tf.constant(shape, DataBuffers.of(initial));
    state.put(name, constant);
    return constant;
  }

  /** Values in [-1, 1] that differ by position and by name. */
  private static float[] pattern(String name, long size) {
    float[] values = new float[(int) size];
    for (int index = 0; index < values.length; index++) {
      values[index] = (float) Math.sin(1.3 * (index + 1) + name.length());
    }
    return values;
  }
}
