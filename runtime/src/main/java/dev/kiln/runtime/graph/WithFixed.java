package dev.kiln.runtime.graph;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A network with some of its fixed parameters ({@code @Fixed}) held at other values: what a sweep
 * over a hyperparameter that the declaration makes a parameter (a width penalty, a fixed θ) runs,
 * one declaration for every value.
 *
 * <pre>{@code
 * Model.build(new WithFixed(new SparsifierGraph(), Map.of("sparsity", 3e-4)))
 * }</pre>
 *
 * @param values the fixed parameters' values, by name; each must be a fixed parameter of
 *     {@code network}, or building the graph fails naming the ones it has
 */
public record WithFixed(NetworkGraph network, Map<String, Double> values) implements NetworkGraph {
  public WithFixed {
    Objects.requireNonNull(network, "network");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  @Override
  public NetworkSpec spec() {
    return network.spec();
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    Overriding overriding = new Overriding(graph, values);
    Operand<TFloat32> logits = network.buildForward(overriding);
    List<String> unknown = new ArrayList<>(values.keySet());
    unknown.removeAll(overriding.fixed);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "network " + network.spec().name() + " has no fixed parameter " + String.join(", ", unknown) + "; its fixed parameters are "
              + (overriding.fixed.isEmpty() ? "none" : String.join(", ", new TreeSet<>(overriding.fixed))));
    }
    return logits;
  }

  @Override
  public Optional<String> declarationWith(String name, Map<String, Integer> widths) {
    return network.declarationWith(name, widths);
  }

  /** Passes every call on, but makes the overridden fixed parameters at their new values. */
  private static final class Overriding implements GraphBuilder {
    private final GraphBuilder graph;
    private final Map<String, Double> values;
    private final List<String> fixed = new ArrayList<>();

    Overriding(GraphBuilder graph, Map<String, Double> values) {
      this.graph = graph;
      this.values = values;
    }

    @Override
    public Operand<TFloat32> fixed(String name, double value) {
      fixed.add(name);
      return graph.fixed(name, values.getOrDefault(name, value));
    }

    @Override
    public Ops tf() {
      return graph.tf();
    }

    @Override
    public Ops scope(String name) {
      return graph.scope(name);
    }

    @Override
    public Operand<TFloat32> input(String name) {
      return graph.input(name);
    }

    @Override
    public Operand<TFloat32> weights(String name, Shape shape) {
      return graph.weights(name, shape);
    }

    @Override
    public Operand<TFloat32> bias(String name, long units) {
      return graph.bias(name, units);
    }

    @Override
    public Operand<TFloat32> annealed(String name, PhasedSchedule schedule) {
      return graph.annealed(name, schedule);
    }

    @Override
    public Operand<TFloat32> hostScheduled(String name, Schedule schedule) {
      return graph.hostScheduled(name, schedule);
    }

    @Override
    public Operand<TFloat32> trainable(String name, Shape shape, double initial, double min, double max, double learningRateScale) {
      return graph.trainable(name, shape, initial, min, max, learningRateScale);
    }

    @Override
    public void learningRate(Operand<TFloat32> learningRate) {
      graph.learningRate(learningRate);
    }

    @Override
    public void regularize(String name, Operand<TFloat32> weights, double l1, double l2) {
      graph.regularize(name, weights, l1, l2);
    }

    @Override
    public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
      return graph.gates(ops, layer, x, penalty, initial, deadBelow);
    }

    @Override
    public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
      return graph.softSize(ops, layer, x, penalty, initialSize, slope);
    }

    @Override
    public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate) {
      return graph.dropout(name, x, rate);
    }

    @Override
    public Operand<TFloat32> relax(String layer, Operand<TFloat32> value) {
      return graph.relax(layer, value);
    }

    @Override
    public void hiddenLossWeight(Operand<TFloat32> weight) {
      graph.hiddenLossWeight(weight);
    }

    @Override
    public Operand<TFloat32> thetaLeaky(Ops ops, Operand<TFloat32> x, Operand<TFloat32> theta) {
      return graph.thetaLeaky(ops, x, theta);
    }

    @Override
    public Operand<TFloat32> maxPool(Ops ops, Operand<TFloat32> x, int window, int stride, String padding) {
      return graph.maxPool(ops, x, window, stride, padding);
    }
  }
}
