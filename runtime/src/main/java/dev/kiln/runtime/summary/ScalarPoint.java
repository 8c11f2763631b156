package dev.kiln.runtime.summary;

/** One scalar summary: its step, its value (a float32 widened to double) and its wall time in seconds. */
public record ScalarPoint(long step, double value, double wallTime) {}
