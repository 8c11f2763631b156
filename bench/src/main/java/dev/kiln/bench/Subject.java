package dev.kiln.bench;

import dev.kiln.runtime.data.Dataset;

/** A trainer under measurement: Kiln, or the same network written by hand. */
interface Subject extends AutoCloseable {
  /** Trains {@code epochs} epochs over {@code data}, each in a seeded random order, in batches of {@code batchSize}. */
  void train(Dataset data, int batchSize, int epochs);

  @Override
  void close();
}
