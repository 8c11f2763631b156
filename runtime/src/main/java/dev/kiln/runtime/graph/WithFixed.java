package dev.kiln.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
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
    ForwardingGraphBuilder.requireMade(network, "fixed parameter %s", "fixed parameters", values.keySet(), overriding.fixed);
    return logits;
  }

  @Override
  public Optional<String> declarationWith(String name, Map<String, Integer> widths) {
    return network.declarationWith(name, widths);
  }

  /** Makes the overridden fixed parameters at their new values. */
  private static final class Overriding extends ForwardingGraphBuilder {
    private final Map<String, Double> values;
    private final List<String> fixed = new ArrayList<>();

    Overriding(GraphBuilder graph, Map<String, Double> values) {
      super(graph);
      this.values = values;
    }

    @Override
    public Operand<TFloat32> fixed(String name, double value) {
      fixed.add(name);
      return graph.fixed(name, values.getOrDefault(name, value));
    }
  }
}
