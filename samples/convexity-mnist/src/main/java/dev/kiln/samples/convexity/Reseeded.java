package dev.kiln.samples.convexity;

import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A generated network with another initialiser seed: {@code @Network(seed = ...)} fixes one seed at
 * compile time, but each seed of a sweep should start from its own weights, not only see the
 * data in its own order.
 */
record Reseeded(NetworkGraph network, long seed) implements NetworkGraph {
  Reseeded {
    Objects.requireNonNull(network, "network");
  }

  @Override
  public NetworkSpec spec() {
    NetworkSpec declared = network.spec();
    return new NetworkSpec(declared.name(), declared.inputShape(), declared.outputUnits(), declared.loss(), declared.optimizer(), seed);
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    return network.buildForward(graph);
  }
}
