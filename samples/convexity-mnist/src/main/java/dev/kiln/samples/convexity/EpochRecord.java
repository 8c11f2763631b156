package dev.kiln.samples.convexity;

/**
 * One epoch of a run, as the report reads it.
 *
 * @param seconds wall time from the start of training to the end of this epoch (validation included)
 * @param validationF1 macro F1 on the validation data; NaN if not measured
 * @param theta θ after the epoch: the shared value, or the mean over every channel of a
 *     per-channel θ
 */
public record EpochRecord(
    int epoch,
    long step,
    double seconds,
    double trainLoss,
    double trainAccuracy,
    double validationLoss,
    double validationAccuracy,
    double validationF1,
    double theta) {}
