package dev.kiln.runtime.graph;

import dev.kiln.dsl.Loss;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.ndarray.Shape;

/**
 * A network's static description, as the processor read it from the declaration.
 *
 * @param name the declaring type's simple name, used for run directories and logs
 * @param inputShape the shape of one example, without the batch dimension ({@code -1} = unknown)
 * @param outputUnits the width of the output layer (logits)
 * @param loss the training loss
 * @param optimizer the optimiser and its constant settings
 * @param seed the seed of every random initialiser
 * @param relaxation for a network trained with relaxed activation identities ({@code @Relaxed}),
 *     how its targets train; empty for ordinary training
 */
public record NetworkSpec(
    String name, Shape inputShape, int outputUnits, Loss loss, OptimizerSpec optimizer, long seed,
    Optional<RelaxationSpec> relaxation) {
  /** A network trained the ordinary way, without relaxation. */
  public NetworkSpec(String name, Shape inputShape, int outputUnits, Loss loss, OptimizerSpec optimizer, long seed) {
    this(name, inputShape, outputUnits, loss, optimizer, seed, Optional.empty());
  }

  public NetworkSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(inputShape, "inputShape");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(relaxation, "relaxation");
    if (outputUnits <= 0) {
      throw new IllegalArgumentException("outputUnits must be > 0, got " + outputUnits);
    }
  }
}
