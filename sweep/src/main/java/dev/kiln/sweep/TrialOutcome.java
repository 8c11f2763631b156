package dev.kiln.sweep;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trial measured: its epochs, and its final scores by name ({@code accuracy}, {@code loss},
 * ...), which the sweep logs as {@code test/<name>} at the trial's last step.
 */
public record TrialOutcome(List<Epoch> history, Map<String, Double> metrics) implements Serializable {
  public TrialOutcome {
    history = List.copyOf(history);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
