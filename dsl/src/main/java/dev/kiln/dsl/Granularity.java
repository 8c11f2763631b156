package dev.kiln.dsl;

/** How often a scheduled value changes. */
public enum Granularity {
  /** Every training step: smooth annealing. */
  STEP,
  /** At the start of each epoch: the value of the epoch's first step holds for the whole epoch. */
  EPOCH
}
