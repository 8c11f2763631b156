package dev.kiln.processor.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/** A layer-like member of a network, in declaration order: the input, hidden layers, the output. */
public sealed interface LayerModel {
  /** The member's name. */
  String name();

  Origin origin();

  /** The names of the layers this member declares: its own, or one per repetition. */
  List<String> instanceNames();

  /**
   * The network's input: the shape of one example without the batch dimension, and optionally an
   * elementwise activation applied to the raw input.
   *
   * @param shape dimensions, {@code -1} where unknown until run time
   */
  record InputLayer(String name, List<Long> shape, Optional<Activation> activation, Origin origin)
      implements LayerModel {
    public InputLayer {
      shape = List.copyOf(shape);
    }

    @Override
    public List<String> instanceNames() {
      return List.of(name);
    }

    public boolean hasUnknownDimension() {
      return shape.stream().anyMatch(dimension -> dimension < 0);
    }

    /** The number of values in one example: the width a dense layer sees after flattening. */
    public long width() {
      if (hasUnknownDimension()) {
        throw new IllegalStateException("input '" + name + "' has an unknown dimension: " + shape);
      }
      return shape.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }
  }

  /**
   * A fully connected hidden layer, {@code activation(x·W + b)}, declared once or {@code repeat}
   * times in a row.
   */
  record DenseLayer(String name, int units, int repeat, Activation activation, Origin origin)
      implements LayerModel {
    /** {@code name} for a single layer; {@code name1 .. name<repeat>} for a repeated one. */
    @Override
    public List<String> instanceNames() {
      if (repeat == 1) {
        return List.of(name);
      }
      return IntStream.rangeClosed(1, Math.max(repeat, 0)).mapToObj(index -> name + index).toList();
    }

    public boolean isRepeated() {
      return repeat > 1;
    }
  }

  /** The output layer, {@code x·W + b}: the logits that the loss reads. */
  record OutputLayer(String name, int units, Origin origin) implements LayerModel {
    @Override
    public List<String> instanceNames() {
      return List.of(name);
    }
  }
}
