package dev.kiln.sweep;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A finished trial: what it was, how it trained epoch by epoch, and its final scores.
 *
 * @param seconds the wall time of the sweep that finished the trial (for a resumed trial, the last
 *     process's share only; each epoch's {@link Epoch#seconds} counts the training time of the whole trial)
 */
public record TrialResult(
    String group, long seed, Map<String, Object> hparams, List<Epoch> history, Map<String, Double> metrics, double seconds)
    implements Serializable {
  public TrialResult {
    Objects.requireNonNull(group, "group");
    hparams = Collections.unmodifiableMap(new LinkedHashMap<>(hparams));
    history = List.copyOf(history);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    if (history.isEmpty()) {
      throw new IllegalArgumentException("trial " + group + " seed " + seed + " has no epochs");
    }
  }

  static TrialResult of(Trial trial, TrialOutcome outcome, double seconds) {
    return new TrialResult(trial.group(), trial.seed(), trial.hparams(), outcome.history(), outcome.metrics(), seconds);
  }

  public Epoch last() {
    return history.get(history.size() - 1);
  }

  /** The final score named {@code name}; NaN if the trial has none. */
  public double metric(String name) {
    return metrics.getOrDefault(name, Double.NaN);
  }
}
