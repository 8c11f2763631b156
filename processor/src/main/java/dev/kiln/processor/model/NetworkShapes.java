package dev.kiln.processor.model;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every layer's width, inferred from the input: what the generated weights' shapes are.
 *
 * @param inputWidth the number of values in one example
 * @param flattenInput whether the input has more than one dimension, so the first layer reads it
 *     reshaped to {@code [batch, inputWidth]}
 * @param layers one entry per layer instance (each repetition of a repeated layer) and the output,
 *     in order
 */
public record NetworkShapes(long inputWidth, boolean flattenInput, List<LayerShape> layers) {
  public NetworkShapes {
    layers = List.copyOf(layers);
  }

  /**
   * One layer's widths.
   *
   * @param name the layer instance's name ({@code hidden2} for a repeated {@code hidden})
   */
  public record LayerShape(String name, long inputWidth, long outputWidth) {}

  public LayerShape layer(String name) {
    return layers.stream()
        .filter(layer -> layer.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no layer named " + name));
  }
}
