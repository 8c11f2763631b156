package dev.kiln.sweep;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch of a trial, as the report reads it.
 *
 * @param seconds training time from the start of the trial to the end of this epoch (for a
 *     resumed trial, the time before and after the stop, not the pause between)
 * @param values what the trial recorded after the epoch, by name ({@code train_loss},
 *     {@code validation/accuracy}, a parameter's value, ...); NaN for one not measured
 */
public record Epoch(int epoch, long step, double seconds, Map<String, Double> values) implements Serializable {
  public Epoch {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The value named {@code name}; NaN if the epoch has none. */
  public double value(String name) {
    return values.getOrDefault(name, Double.NaN);
  }
}
