package dev.kiln.runtime.training;

import dev.kiln.runtime.PrunedNetwork;
import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.step.LearnedWidth;
import dev.kiln.runtime.step.StateVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Turns a trained network whose layers learned their widths into the smaller network it learned:
 * each such layer keeps its live units only (a gate at its threshold or above; a soft-size scale
 * of one half or more), and each kept unit's gate or scale is folded into the weights of the layer
 * that reads it (rows of a dense layer, input channels of a convolution, the channel's positions
 * after a flatten). A dead gate is zero, so a network pruned of gates computes exactly what the
 * gated one did; a soft size scales the units it drops by less than one half, not by zero, so its
 * pruned network only comes close.
 */
public final class Pruning {
  private Pruning() {}

  /** A variable's value as the pruning rewrites it: row-major, floats or (the step counters) longs. */
  private record Value(long[] dims, float[] floats, long[] longs) {
    long size() {
      return Arrays.stream(dims).reduce(1, (a, b) -> a * b);
    }
  }

  /**
   * Prunes {@code model} and writes the pruned network's weights to {@code directory} (a
   * checkpoint of its forward-pass variables, with a manifest).
   *
   * @param name the type name of the pruned network's declaration
   * @throws IllegalStateException if no layer learns its width, or a layer has no live unit left
   */
  public static PrunedNetwork prune(ModelSession model, String name, Path directory) {
    List<LearnedWidth> layers = model.graph.state.learnedWidths();
    String network = model.spec().name();
    if (layers.isEmpty()) {
      throw new IllegalStateException("network " + network + " has no layer that learns its width (@LearnedWidth): there is nothing to prune");
    }
    List<StateVariable<?>> variables = model.graph.forwardVariables;
    Map<String, Value> values = new LinkedHashMap<>();
    List<float[]> scales = new ArrayList<>();
    // Gates are both a variable and a scale: each output is fetched once (a run refuses twice).
    List<Output<?>> fetches = new ArrayList<>();
    variables.forEach(variable -> fetches.add(variable.read().asOutput()));
    int[] scaleFetch = new int[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      Output<?> scale = layers.get(i).scale().asOutput();
      if (!fetches.contains(scale)) {
        fetches.add(scale);
      }
      scaleFetch[i] = fetches.indexOf(scale);
    }
    ModelRunner runner = model.runner();
    fetches.forEach(runner::fetch);
    try (Result result = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        StateVariable<?> variable = variables.get(i);
        long[] dims = variable.shape().asArray();
        if (result.get(i) instanceof TInt64 longs) {
          long[] copy = new long[Math.toIntExact(longs.shape().size())];
          longs.copyTo(DataBuffers.of(copy, false, false));
          values.put(variable.name(), new Value(dims, null, copy));
        } else {
          values.put(variable.name(), new Value(dims, ModelSession.values(result.get(i)), null));
        }
      }
      for (int i = 0; i < layers.size(); i++) {
        scales.add(ModelSession.values(result.get(scaleFetch[i])));
      }
    }
    long before = parameters(values);

    Map<String, Integer> declared = new LinkedHashMap<>();
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (int l = 0; l < layers.size(); l++) {
      LearnedWidth layer = layers.get(l);
      float[] scale = scales.get(l);
      int[] keep = IntStream.range(0, scale.length).filter(unit -> scale[unit] >= layer.threshold()).toArray();
      if (keep.length == 0) {
        throw new IllegalStateException(
            "every unit of layer " + layer.layer() + " of network " + network + " is dead: a network without it cannot predict; "
                + "train with a smaller width penalty");
      }
      declared.put(layer.layer(), (int) layer.units());
      widths.put(layer.layer(), keep.length);
      values.remove(layer.variable());
      String prefix = layer.layer() + "/";
      String consumer = null;
      boolean past = false;
      for (Map.Entry<String, Value> entry : values.entrySet()) {
        Value value = entry.getValue();
        boolean own = entry.getKey().startsWith(prefix);
        if (own && value.floats() != null && value.dims().length > 0 && value.dims()[value.dims().length - 1] == layer.units()) {
          // The layer's weights (or kernel), bias and per-unit parameters: their last axis is its units.
          entry.setValue(select(value, value.dims().length - 1, keep, null));
        }
        past |= own;
        if (past && !own && consumer == null && value.floats() != null && (value.dims().length == 2 || value.dims().length == 4)) {
          consumer = entry.getKey();
        }
      }
      if (consumer == null) {
        throw new IllegalStateException("layer " + layer.layer() + " of network " + network + " learns its width but no layer after it reads it");
      }
      values.put(consumer, folded(values.get(consumer), consumer, layer, keep, scale));
    }
    write(values, directory);
    Map<String, Integer> declaredWidths = declared;
    return new PrunedNetwork(
        name, declaredWidths, widths, before, parameters(values), directory, model.graph.network.declarationWith(name, widths));
  }

  /**
   * The reading layer's weights with only the kept units' rows (a kernel's input channels), each
   * times its unit's gate or scale: {@code [in, out]} with in = positions × units after a flatten
   * (units vary fastest), or {@code [kh, kw, units, out]}.
   */
  private static Value folded(Value weights, String name, LearnedWidth layer, int[] keep, float[] scale) {
    long[] dims = weights.dims();
    if (dims.length == 4) {
      if (dims[2] != layer.units()) {
        throw new IllegalStateException(name + " reads " + dims[2] + " channels, but layer " + layer.layer() + " has " + layer.units());
      }
      return select(weights, 2, keep, scale);
    }
    if (dims[0] % layer.units() != 0) {
      throw new IllegalStateException(name + " reads " + dims[0] + " values, not a whole number of layer " + layer.layer() + "'s " + layer.units() + " units");
    }
    Value byUnit = new Value(new long[] {dims[0] / layer.units(), layer.units(), dims[1]}, weights.floats(), null);
    Value kept = select(byUnit, 1, keep, scale);
    return new Value(new long[] {kept.dims()[0] * kept.dims()[1], dims[1]}, kept.floats(), null);
  }

  /** The entries of {@code keep} along {@code axis}, each times {@code scale[unit]} if scale is given. */
  private static Value select(Value value, int axis, int[] keep, float[] scale) {
    long[] dims = value.dims();
    int outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= (int) dims[i];
    }
    int units = (int) dims[axis];
    int inner = 1;
    for (int i = axis + 1; i < dims.length; i++) {
      inner *= (int) dims[i];
    }
    float[] from = value.floats();
    float[] to = new float[outer * keep.length * inner];
    int at = 0;
    for (int o = 0; o < outer; o++) {
      for (int unit : keep) {
        float factor = scale == null ? 1f : scale[unit];
        int source = (o * units + unit) * inner;
        for (int i = 0; i < inner; i++) {
          to[at++] = from[source + i] * factor;
        }
      }
    }
    long[] kept = dims.clone();
    kept[axis] = keep.length;
    return new Value(kept, to, null);
  }

  /** Floating-point values: weights, biases, parameters and gates; the step counters are not counted. */
  private static long parameters(Map<String, Value> values) {
    return values.values().stream().filter(value -> value.floats() != null).mapToLong(Value::size).sum();
  }

  /** A checkpoint of {@code values} under their names, as the forward pass's reader restores it. */
  private static void write(Map<String, Value> values, Path directory) {
    try {
      CheckpointStore.writeAtomically(directory, into -> {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
          Ops tf = Ops.create(graph);
          List<Operand<?>> tensors = new ArrayList<>();
          for (Value value : values.values()) {
            tensors.add(
                value.floats() != null
                    ? tf.constant(Shape.of(value.dims()), DataBuffers.of(value.floats()))
                    : tf.constant(Shape.of(value.dims()), DataBuffers.of(value.longs())));
          }
          String[] slices = new String[values.size()];
          Arrays.fill(slices, "");
          String prefix = into.resolve(ModelSession.CHECKPOINT_PREFIX).toAbsolutePath().toString();
          session.runner()
              .addTarget(tf.train.save(
                  tf.constant(prefix), tf.constant(StdArrays.ndCopyOf(values.keySet().toArray(String[]::new))),
                  tf.constant(StdArrays.ndCopyOf(slices)), tensors))
              .run()
              .close();
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pruned weights to " + directory + ": " + e.getMessage(), e);
    }
  }
}
