package dev.kiln.processor.model;

import dev.kiln.dsl.Padding;

/**
 * Max-pooling of a convolution's activations, as written in {@code @MaxPool}.
 *
 * @param window the window's height and width
 * @param stride the step between windows as written; {@code 0} (the default) means {@code window}
 */
public record PoolingModel(int window, int stride, Padding padding, Origin origin) {
  /** The step between windows: as written, or the window size for the default 0. */
  public int effectiveStride() {
    return stride == 0 ? window : stride;
  }
}
