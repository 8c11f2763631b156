package dev.kiln.samples.convexity;

/**
 * One epoch of a run, as the report reads it.
 *
 * @param seconds training time from the start of the run to the end of this epoch (validation included; for a
 *     resumed run, the time before and after the stop, not the pause between)
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
