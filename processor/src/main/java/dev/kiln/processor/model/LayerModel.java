package dev.kiln.processor.model;

import dev.kiln.dsl.Padding;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A layer-like member of a network, in declaration order: the input, hidden layers (dense,
 * convolution, flatten), the output.
 */
public sealed interface LayerModel {
  /** The member's name. */
  String name();

  Origin origin();

  /** The names of the layers this member declares: its own, or one per repetition. */
  List<String> instanceNames();

  /** The activation the layer applies, if it is a kind of layer that has one. */
  Optional<Activation> appliedActivation();

  /** How the layer learns its width, if it is a layer that can and does ({@code @LearnedWidth}). */
  default Optional<LearnedWidthModel> learnedWidth() {
    return Optional.empty();
  }

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

    @Override
    public Optional<Activation> appliedActivation() {
      return activation;
    }

    public boolean hasUnknownDimension() {
      return shape.stream().anyMatch(dimension -> dimension < 0);
    }
  }

  /**
   * A fully connected hidden layer, {@code activation(x·W + b)} then optional dropout, declared
   * once or {@code repeat} times in a row.
   *
   * @param learnedWidth how the layer learns its width, if it does ({@code @LearnedWidth})
   * @param regularization the layer's own weight penalty, which replaces the network's
   */
  record DenseLayer(
      String name,
      int units,
      int repeat,
      Activation activation,
      Optional<LearnedWidthModel> learnedWidth,
      Optional<DropoutModel> dropout,
      Optional<RegularizationModel> regularization,
      Origin origin)
      implements LayerModel {
    /** {@code name} for a single layer; {@code name1 .. name<repeat>} for a repeated one. */
    @Override
    public List<String> instanceNames() {
      if (repeat == 1) {
        return List.of(name);
      }
      return IntStream.rangeClosed(1, Math.max(repeat, 0)).mapToObj(index -> name + index).toList();
    }

    @Override
    public Optional<Activation> appliedActivation() {
      return Optional.of(activation);
    }

    public boolean isRepeated() {
      return repeat > 1;
    }
  }

  /**
   * A 2-D convolution over {@code [height, width, channels]} examples,
   * {@code activation(conv(x, K) + b)} with one output channel per filter, then optional
   * max-pooling and dropout.
   *
   * @param kernel the kernel's height and width
   * @param learnedWidth how the layer learns its number of channels, if it does ({@code @LearnedWidth})
   * @param regularization the layer's own kernel penalty, which replaces the network's
   */
  record Conv2DLayer(
      String name,
      int filters,
      int kernel,
      int stride,
      Padding padding,
      Activation activation,
      Optional<LearnedWidthModel> learnedWidth,
      Optional<PoolingModel> pooling,
      Optional<DropoutModel> dropout,
      Optional<RegularizationModel> regularization,
      Origin origin)
      implements LayerModel {
    @Override
    public List<String> instanceNames() {
      return List.of(name);
    }

    @Override
    public Optional<Activation> appliedActivation() {
      return Optional.of(activation);
    }
  }

  /** Reshapes each example to a vector, {@code [h, w, c]} to {@code [h·w·c]}; no state. */
  record FlattenLayer(String name, Origin origin) implements LayerModel {
    @Override
    public List<String> instanceNames() {
      return List.of(name);
    }

    @Override
    public Optional<Activation> appliedActivation() {
      return Optional.empty();
    }
  }

  /**
   * The output layer, {@code x·W + b}: the logits that the loss reads.
   *
   * @param regularization the layer's own weight penalty, which replaces the network's
   */
  record OutputLayer(String name, int units, Optional<RegularizationModel> regularization, Origin origin)
      implements LayerModel {
    @Override
    public List<String> instanceNames() {
      return List.of(name);
    }

    @Override
    public Optional<Activation> appliedActivation() {
      return Optional.empty();
    }
  }
}
