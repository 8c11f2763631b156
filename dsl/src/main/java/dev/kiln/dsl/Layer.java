package dev.kiln.dsl;

/**
 * The declared type of a network's input and layer members. It only names the member: the
 * processor reads the annotations and nothing calls the member at run time.
 */
public interface Layer {}
