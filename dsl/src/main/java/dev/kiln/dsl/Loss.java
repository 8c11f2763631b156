package dev.kiln.dsl;

/** Training losses. Each one fixes how the output layer's logits become predictions. */
public enum Loss {
  /** Independent sigmoid outputs, each label 0 or 1; prediction is {@code sigmoid(logit) > 0.5}. */
  SIGMOID_CROSS_ENTROPY,
  /** One class per example, labels are class indices; prediction is the arg-max of the softmax. */
  SOFTMAX_CROSS_ENTROPY,
  /** Regression: mean squared error between the output and the label; no accuracy. */
  MEAN_SQUARED_ERROR
}
