package dev.kiln.runtime.step;

/** Where training stands: the step counter and the steps per epoch, as the graph holds them. */
public record Progress(long step, long stepsPerEpoch) {}
