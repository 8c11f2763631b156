package dev.kiln.processor.model;

/** Dropout of a hidden layer's output, as written in {@code @Dropout}: the fraction {@code rate} of values dropped. */
public record DropoutModel(double rate, Origin origin) {}
