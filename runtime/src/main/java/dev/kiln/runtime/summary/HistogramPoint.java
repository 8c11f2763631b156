package dev.kiln.runtime.summary;

import java.util.Objects;
import org.tensorflow.proto.HistogramProto;

/** One histogram summary: its step and the histogram. */
public record HistogramPoint(long step, HistogramProto histogram) {
  public HistogramPoint {
    Objects.requireNonNull(histogram, "histogram");
  }
}
