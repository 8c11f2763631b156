package dev.kiln.samples.convexity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A finished run: what it was, how it trained epoch by epoch, and how it scored on the test set.
 *
 * @param seconds the wall time of the sweep that finished the run, test evaluation included (for a
 *     resumed run, the last process's share only; each epoch's {@link EpochRecord#seconds} counts
 *     the training time of the whole run)
 */
public record RunResult(
    String variant, long seed, Map<String, Object> hparams, List<EpochRecord> history, TestMetrics test, double seconds) {
  public RunResult {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(test, "test");
    hparams = Collections.unmodifiableMap(new LinkedHashMap<>(hparams));
    history = List.copyOf(history);
    if (history.isEmpty()) {
      throw new IllegalArgumentException("run " + variant + " seed " + seed + " has no epochs");
    }
  }

  public EpochRecord last() {
    return history.get(history.size() - 1);
  }
}
