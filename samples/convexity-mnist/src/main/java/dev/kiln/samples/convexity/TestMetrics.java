package dev.kiln.samples.convexity;

/**
 * A trained model's scores on the test set; precision, recall and F1 are macro averages over the
 * classes.
 */
public record TestMetrics(double loss, double accuracy, double precision, double recall, double f1) {}
