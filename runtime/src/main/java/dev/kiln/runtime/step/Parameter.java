package dev.kiln.runtime.step;

import dev.kiln.dsl.Schedule;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A network parameter (θ, β, a learning rate, ...) as the graph computes it.
 *
 * @param value the op whose output is the parameter's current value; fetchable for every kind
 * @param feed for {@link Kind#HOST_SCHEDULED} only: the placeholder fed from {@code schedule}
 * @param schedule for {@link Kind#HOST_SCHEDULED} only: the host-side schedule
 */
public record Parameter(String name, Kind kind, Shape shape, Operand<TFloat32> value, Placeholder<TFloat32> feed, Schedule schedule) {
  public enum Kind {
    FIXED,
    ANNEALED,
    HOST_SCHEDULED,
    TRAINABLE
  }

  /** One value shared by the whole network, logged as a scalar; otherwise one per neuron, logged as a histogram. */
  public boolean scalar() {
    return shape.numDimensions() == 0;
  }
}
