package dev.kiln.runtime.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A checkpoint of a {@link CheckpointStore} that verified against its manifest.
 *
 * @param directory the checkpoint's directory, {@code step-<12 digits>}
 * @param step the global training step it holds the state after
 * @param state the keys and values of its {@value CheckpointStore#STATE_FILE}, sorted by key
 */
public record StoredCheckpoint(Path directory, long step, Map<String, String> state) {
  public StoredCheckpoint {
    Objects.requireNonNull(directory, "directory");
    state = Collections.unmodifiableMap(new TreeMap<>(state));
  }
}
