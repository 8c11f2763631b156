package dev.kiln.processor.model;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The shape of every layer's input and output, per example (without the batch dimension),
 * inferred from the input: what the generated weights' shapes and reshapes are.
 *
 * @param layers one entry per layer instance after the input (each repetition of a repeated
 *     layer), in order
 */
public record NetworkShapes(List<LayerShape> layers) {
  public NetworkShapes {
    layers = List.copyOf(layers);
  }

  /**
   * One layer instance's shapes.
   *
   * @param name the layer instance's name ({@code hidden2} for a repeated {@code hidden})
   * @param input the shape it reads
   * @param activated the shape after its activation, before pooling: for a layer without pooling,
   *     its output
   * @param output the shape it passes on
   */
  public record LayerShape(String name, List<Long> input, List<Long> activated, List<Long> output) {
    public LayerShape {
      input = List.copyOf(input);
      activated = List.copyOf(activated);
      output = List.copyOf(output);
    }

    /** The width of the vector read by a dense or output layer. */
    public long inputWidth() {
      return vectorWidth(input, "input");
    }

    /** The width of the vector written by a dense, flatten or output layer. */
    public long outputWidth() {
      return vectorWidth(output, "output");
    }

    private long vectorWidth(List<Long> shape, String what) {
      if (shape.size() != 1) {
        throw new IllegalStateException("the " + what + " of layer " + name + " is not a vector: " + shape);
      }
      return shape.get(0);
    }
  }

  public LayerShape layer(String name) {
    return layers.stream()
        .filter(layer -> layer.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no layer named " + name));
  }
}
