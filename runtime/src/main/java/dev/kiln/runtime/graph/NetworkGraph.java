package dev.kiln.runtime.graph;

import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What the annotation processor generates for each {@code @Network}: the network's static
 * description and the code that builds its forward pass. The runtime adds everything that is the
 * same for every network (loss, optimiser, summaries, save and restore) around it.
 */
public interface NetworkGraph {
  /** The network as declared: name, input shape, output width, loss, optimiser, seed. */
  NetworkSpec spec();

  /**
   * Builds the forward pass into {@code graph}, from {@link GraphBuilder#input} to the output
   * layer's logits, creating weights and parameters through {@code graph}.
   *
   * <p>For a relaxed network ({@link NetworkSpec#relaxation()} present) the runtime calls this
   * twice on one graph: first the ordinary forward pass, in which {@link GraphBuilder#relax}
   * passes values through, then the relaxed pass, in which it replaces each relaxed layer's value
   * by that layer's per-example targets. The second call gets the state the first one made, so
   * the code of every layer is written once and both passes share the weights.
   *
   * @return the logits, shape {@code [batch, spec().outputUnits()]}
   */
  Operand<TFloat32> buildForward(GraphBuilder graph);

  /**
   * The Java source of this network's declaration as type {@code name}, with each layer of
   * {@code widths} at its width there and no layer learning its width: the smaller network a
   * pruning found ({@code Model.prune}), to paste into a project. The processor generates it for a
   * network with {@code @LearnedWidth} layers; empty for any other.
   */
  default Optional<String> declarationWith(String name, Map<String, Integer> widths) {
    return Optional.empty();
  }
}
