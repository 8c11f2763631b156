package dev.kiln.dsl;

/**
 * A schedule written as Java code: evaluated on the host before each step and fed to the graph.
 * Implementations need a public no-argument constructor so the generated code can create them.
 */
@FunctionalInterface
public interface Schedule {
  /**
   * The value at a training step.
   *
   * @param step the global step, from 0
   * @param stepsPerEpoch training steps in one epoch of the bound data set
   */
  double valueAt(long step, long stepsPerEpoch);
}
