package dev.kiln.runtime.graph;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A network with another initialiser seed: {@code @Network(seed = ...)} fixes one at compile time,
 * but each seed of a sweep should start from its own weights, not only see the data in its own
 * order.
 */
public record WithSeed(NetworkGraph network, long seed) implements NetworkGraph {
  public WithSeed {
    Objects.requireNonNull(network, "network");
  }

  @Override
  public NetworkSpec spec() {
    NetworkSpec declared = network.spec();
    return new NetworkSpec(
        declared.name(), declared.inputShape(), declared.outputUnits(), declared.loss(), declared.optimizer(), seed, declared.relaxation());
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    return network.buildForward(graph);
  }

  @Override
  public Optional<String> declarationWith(String name, Map<String, Integer> widths) {
    return network.declarationWith(name, widths);
  }
}
