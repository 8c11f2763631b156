package dev.kiln.processor.model;

import dev.kiln.dsl.LearnedWidth;
import java.util.Optional;
import java.util.Set;

/**
 * A layer's {@code @LearnedWidth}, as written.
 *
 * @param penaltyParameter the parameter that gives the penalty's weight, if one is named
 * @param initialSize the soft size's start; -1 for the declared width
 * @param written the annotation's elements written explicitly, so that an element of the other
 *     mode can be reported
 */
public record LearnedWidthModel(
    LearnedWidth.Mode mode,
    double penalty,
    Optional<String> penaltyParameter,
    double initial,
    double deadBelow,
    double slope,
    double initialSize,
    Set<String> written,
    Origin origin) {
  public LearnedWidthModel {
    written = Set.copyOf(written);
  }

  /** The elements that only {@code mode} uses. */
  public static Set<String> elementsOf(LearnedWidth.Mode mode) {
    return mode == LearnedWidth.Mode.GATES ? Set.of("initial", "deadBelow") : Set.of("slope", "initialSize");
  }

  /** The name of the state the runtime makes for it in the layer's scope: {@code <layer>/gates} or {@code <layer>/size}. */
  public String stateName() {
    return mode == LearnedWidth.Mode.GATES ? "gates" : "size";
  }

  /** The soft size's start for a layer of {@code units}. */
  public double initialSize(int units) {
    return initialSize == -1 ? units : initialSize;
  }

  /** How the generated code's comment describes it: "learned width: gates, L1 1.0E-4, dead below 0.01". */
  public String describe() {
    String weight = penaltyParameter.map(name -> name).orElse(Double.toString(penalty));
    return mode == LearnedWidth.Mode.GATES
        ? "learned width: gates, L1 " + weight + ", dead below " + deadBelow
        : "learned width: soft size, penalty " + weight + ", slope " + slope;
  }
}
