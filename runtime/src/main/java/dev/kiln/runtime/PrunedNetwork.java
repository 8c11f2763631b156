package dev.kiln.runtime;

import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.WithWidths;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The smaller network a trained network with learned widths turned into ({@link Model#prune}).
 *
 * @param name the type name its declaration is given
 * @param declaredWidths each learning layer's declared width, by layer in declaration order
 * @param widths each learning layer's width after pruning: its live units
 * @param parametersBefore the trained network's weights, biases, parameters and gates, in numbers
 * @param parametersAfter the pruned network's, without gates
 * @param weights the checkpoint of the pruned network's weights, which {@link Model#fromWeights}
 *     loads into the network its declaration generates
 * @param declaration the Java source of the pruned network's declaration, to paste into a project;
 *     empty if the network's code was not generated from a declaration
 */
public record PrunedNetwork(
    String name,
    Map<String, Integer> declaredWidths,
    Map<String, Integer> widths,
    long parametersBefore,
    long parametersAfter,
    Path weights,
    Optional<String> declaration) {
  public PrunedNetwork {
    Objects.requireNonNull(name, "name");
    declaredWidths = Collections.unmodifiableMap(new LinkedHashMap<>(declaredWidths));
    widths = Collections.unmodifiableMap(new LinkedHashMap<>(widths));
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(declaration, "declaration");
  }

  /**
   * The pruned network from the declaration it was pruned from: {@code declared} with each pruned
   * layer at its width, without learning it ({@link WithWidths}). Load the weights into it with
   * {@code Model.fromWeights(pruned.network(declared), pruned.weights())}, or train it from
   * scratch with {@code Model.build}.
   */
  public NetworkGraph network(NetworkGraph declared) {
    return new WithWidths(declared, widths);
  }

  /** One line per layer, e.g. {@code hidden: 500 -> 137 units}, then the parameter counts. */
  public String summary() {
    StringBuilder text = new StringBuilder();
    widths.forEach((layer, width) -> text.append(layer).append(": ").append(declaredWidths.get(layer)).append(" -> ").append(width).append(" units\n"));
    text.append(String.format(Locale.ROOT, "parameters: %,d -> %,d (%.1f %%)", parametersBefore, parametersAfter, 100.0 * parametersAfter / parametersBefore));
    return text.toString();
  }
}
