package dev.kiln.sweep;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Trains and tests one trial, writing its TensorBoard events into {@code runDirectory}; if the
 * directory holds checkpoints of the trial, continues from the last one (the runtime does, when
 * training into a run directory that holds checkpoints).
 */
@FunctionalInterface
public interface TrialTask {
  TrialOutcome run(Trial trial, Path runDirectory) throws IOException;
}
