package dev.kiln.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A network whose layers that learn their width ({@code @LearnedWidth}) are built at given widths
 * instead, without gates or soft size: the smaller network a pruning found ({@code Model.prune}),
 * from the same declaration. {@code Model.fromWeights} loads the pruned weights into it;
 * {@code Model.build} trains it from scratch at those widths.
 *
 * <p>It changes the shapes the network asks for: a narrowed layer's weights, bias and per-unit
 * parameters have its width on their last axis, and the weights of the layer that reads it (the
 * next weights the network makes) have it on their input axis: the rows of a dense layer (after a
 * flatten, each position's channels), a convolution's input channels.
 *
 * @param widths the width of each narrowed layer, by name; each must be a layer that learns its
 *     width, or building the graph fails naming the ones there are
 */
public record WithWidths(NetworkGraph network, Map<String, Integer> widths) implements NetworkGraph {
  public WithWidths {
    Objects.requireNonNull(network, "network");
    widths = Collections.unmodifiableMap(new LinkedHashMap<>(widths));
    widths.forEach((layer, width) -> {
      if (width <= 0) {
        throw new IllegalArgumentException("layer " + layer + " needs a width of at least 1, got " + width);
      }
    });
  }

  @Override
  public NetworkSpec spec() {
    return network.spec();
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    Narrowing narrowing = new Narrowing(graph, widths);
    Operand<TFloat32> logits = network.buildForward(narrowing);
    ForwardingGraphBuilder.requireMade(
        network, "layer %s that learns its width", "layers that do", widths.keySet(), narrowing.learning);
    if (narrowing.pendingLayer != null) {
      throw new IllegalStateException("layer " + narrowing.pendingLayer + " of network " + network.spec().name() + " is narrowed, but no layer after it reads it");
    }
    return logits;
  }

  @Override
  public Optional<String> declarationWith(String name, Map<String, Integer> widths) {
    return network.declarationWith(name, widths);
  }

  /** Builds the narrowed layers at their widths, and the layer after each at its narrower input. */
  private static final class Narrowing extends ForwardingGraphBuilder {
    private final Map<String, Integer> widths;
    private final Map<String, Long> declared = new HashMap<>();
    private final List<String> learning = new ArrayList<>();
    /** The last narrowed layer, until the next layer's weights read it. */
    private String pendingLayer;

    Narrowing(GraphBuilder graph, Map<String, Integer> widths) {
      super(graph);
      this.widths = widths;
    }

    @Override
    public Operand<TFloat32> weights(String name, Shape shape) {
      String layer = layerOf(name);
      long[] dims = shape.asArray();
      if (pendingLayer != null && !layer.equals(pendingLayer)) {
        long units = declared.get(pendingLayer);
        int width = widths.get(pendingLayer);
        if (dims.length == 4 && dims[2] == units) {
          dims[2] = width;
        } else if (dims.length == 2 && dims[0] % units == 0) {
          dims[0] = dims[0] / units * width;
        } else {
          throw new IllegalStateException(name + " of shape " + shape + " does not read the " + units + " units of layer " + pendingLayer);
        }
        pendingLayer = null;
      }
      if (widths.containsKey(layer)) {
        declared.put(layer, dims[dims.length - 1]);
        dims[dims.length - 1] = widths.get(layer);
      }
      return graph.weights(name, Shape.of(dims));
    }

    @Override
    public Operand<TFloat32> bias(String name, long units) {
      Integer width = widths.get(layerOf(name));
      return graph.bias(name, width != null ? width : units);
    }

    @Override
    public Operand<TFloat32> trainable(String name, Shape shape, double initial, double min, double max, double learningRateScale) {
      Integer width = widths.get(layerOf(name));
      Shape narrowed = width != null && shape.numDimensions() == 1 ? Shape.of(width) : shape;
      return graph.trainable(name, narrowed, initial, min, max, learningRateScale);
    }

    @Override
    public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
      return narrowed(layer) ? x : graph.gates(ops, layer, x, penalty, initial, deadBelow);
    }

    @Override
    public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
      return narrowed(layer) ? x : graph.softSize(ops, layer, x, penalty, initialSize, slope);
    }

    /** Whether {@code layer}, which learns its width, is built at a given one instead; the next weights then read it. */
    private boolean narrowed(String layer) {
      learning.add(layer);
      if (!widths.containsKey(layer)) {
        return false;
      }
      pendingLayer = layer;
      return true;
    }

    private static String layerOf(String name) {
      int slash = name.lastIndexOf('/');
      return slash < 0 ? name : name.substring(0, slash);
    }
  }
}
