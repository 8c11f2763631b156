package dev.kiln.dsl;

/** How a convolution or pooling window treats the border. */
public enum Padding {
  /** No padding: output size {@code ceil((in - window + 1) / stride)}. */
  VALID,
  /** Zero padding so that output size is {@code ceil(in / stride)}. */
  SAME
}
