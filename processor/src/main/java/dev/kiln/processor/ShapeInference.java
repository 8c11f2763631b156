package dev.kiln.processor;

import dev.kiln.dsl.Padding;
import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.FlattenLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.NetworkShapes;
import dev.kiln.processor.model.NetworkShapes.LayerShape;
import dev.kiln.processor.model.PoolingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Infers the shape of every layer's input and output from the input's shape, and reports each
 * layer that cannot read what it is given: a dense layer on a tensor that is not a vector, a
 * convolution on one that is not {@code [height, width, channels]}, a kernel or pooling window
 * larger than its input, an unknown dimension where a size is needed.
 *
 * <p>It runs on a validated network (one input first, one output last, positive sizes) and stops
 * at the first layer that does not fit: the layers after it have no known input to check.
 */
final class ShapeInference {
  private final Diagnostics diagnostics;

  ShapeInference(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** A tensor of one example, and the layer that wrote it, for messages. */
  private record Reading(List<Long> shape, LayerModel writer) {
    boolean hasUnknownDimension() {
      return shape.stream().anyMatch(dimension -> dimension < 0);
    }

    /** {@code [28, 28, 1] from input 'image'}. */
    String describe() {
      return shape + " from " + (writer instanceof InputLayer ? "input " : "") + "'" + writer.name() + "'";
    }
  }

  /** The shapes of a validated network; empty if a layer does not fit its input (reported on it). */
  Optional<NetworkShapes> infer(NetworkModel network) {
    Reading reading = new Reading(network.input().shape(), network.input());
    List<LayerShape> shapes = new ArrayList<>();
    for (LayerModel layer : network.layers()) {
      Optional<List<LayerShape>> layerShapes;
      if (layer instanceof DenseLayer dense) {
        layerShapes = dense(dense, reading);
      } else if (layer instanceof Conv2DLayer conv) {
        layerShapes = conv2D(conv, reading).map(List::of);
      } else if (layer instanceof FlattenLayer flatten) {
        layerShapes = flatten(flatten, reading).map(List::of);
      } else if (layer instanceof OutputLayer output) {
        layerShapes = output(output, reading).map(List::of);
      } else {
        continue;
      }
      if (layerShapes.isEmpty()) {
        return Optional.empty();
      }
      shapes.addAll(layerShapes.get());
      reading = new Reading(shapes.get(shapes.size() - 1).output(), layer);
    }
    return Optional.of(new NetworkShapes(shapes));
  }

  private Optional<List<LayerShape>> dense(DenseLayer dense, Reading reading) {
    if (!readsKnownVector(dense, reading)) {
      return Optional.empty();
    }
    List<LayerShape> shapes = new ArrayList<>();
    List<Long> input = reading.shape();
    List<Long> output = List.of((long) dense.units());
    for (String name : dense.instanceNames()) {
      shapes.add(new LayerShape(name, input, output, output));
      input = output;
    }
    return Optional.of(shapes);
  }

  private Optional<LayerShape> output(OutputLayer output, Reading reading) {
    if (!readsKnownVector(output, reading)) {
      return Optional.empty();
    }
    List<Long> logits = List.of((long) output.units());
    return Optional.of(new LayerShape(output.name(), reading.shape(), logits, logits));
  }

  /** A dense or output layer's weights are {@code [input width, units]}: it reads a vector of known width. */
  private boolean readsKnownVector(LayerModel layer, Reading reading) {
    String described = layer.origin().annotationName() + " layer '" + layer.name() + "'";
    if (reading.shape().size() != 1) {
      diagnostics.error(layer.origin(), described + " reads " + reading.describe() + ", which is not a vector: it "
          + "multiplies a vector by its weights; add a @Flatten layer before it, e.g. @Flatten Layer flat();");
      return false;
    }
    if (reading.hasUnknownDimension()) {
      diagnostics.error(layer.origin(), described + " needs the width of input '" + reading.writer().name()
          + "', but its shape " + reading.shape() + " has an unknown (-1) dimension: the layer's weights are "
          + "[input width, units]; give every input dimension");
      return false;
    }
    return true;
  }

  private Optional<LayerShape> conv2D(Conv2DLayer conv, Reading reading) {
    String described = "@Conv2D layer '" + conv.name() + "'";
    if (reading.shape().size() != 3) {
      String fix = reading.writer() instanceof InputLayer
          ? "declare the input so, e.g. @Input(shape = {28, 28, 1}) for grey-scale 28×28 images"
          : "put convolutions before any @Flatten and @Dense layer";
      diagnostics.error(conv.origin(), described + " reads " + reading.describe() + ", but a convolution reads "
          + "examples of shape [height, width, channels]: " + fix);
      return Optional.empty();
    }
    if (reading.hasUnknownDimension()) {
      diagnostics.error(conv.origin(), described + " needs every dimension of input '" + reading.writer().name()
          + "', but its shape " + reading.shape() + " has an unknown (-1) dimension: the kernel's shape and the "
          + "output's size follow from them; give every input dimension");
      return Optional.empty();
    }
    long height = reading.shape().get(0);
    long width = reading.shape().get(1);
    if (conv.padding() == Padding.VALID && (conv.kernel() > height || conv.kernel() > width)) {
      diagnostics.error(conv.origin(), "kernel", described + " has a " + conv.kernel() + "×" + conv.kernel()
          + " kernel, larger than its input " + reading.describe() + ": with VALID padding its output would have "
          + "size 0; use a smaller kernel or padding = Padding.SAME, or shrink the input less before it");
      return Optional.empty();
    }
    List<Long> activated = List.of(
        windows(height, conv.kernel(), conv.stride(), conv.padding()),
        windows(width, conv.kernel(), conv.stride(), conv.padding()),
        (long) conv.filters());
    if (conv.pooling().isEmpty()) {
      return Optional.of(new LayerShape(conv.name(), reading.shape(), activated, activated));
    }
    PoolingModel pooling = conv.pooling().get();
    if (pooling.padding() == Padding.VALID
        && (pooling.window() > activated.get(0) || pooling.window() > activated.get(1))) {
      diagnostics.error(pooling.origin(), "value", "@MaxPool on '" + conv.name() + "' has a " + pooling.window()
          + "×" + pooling.window() + " window, larger than the convolution's output " + activated + ": with VALID "
          + "padding the pooled output would have size 0; use a smaller window or padding = Padding.SAME");
      return Optional.empty();
    }
    List<Long> pooled = List.of(
        windows(activated.get(0), pooling.window(), pooling.effectiveStride(), pooling.padding()),
        windows(activated.get(1), pooling.window(), pooling.effectiveStride(), pooling.padding()),
        (long) conv.filters());
    return Optional.of(new LayerShape(conv.name(), reading.shape(), activated, pooled));
  }

  /**
   * How many positions a window takes along a dimension of {@code size}: VALID
   * {@code ceil((size - window + 1) / stride)} (the window fits, {@code size >= window}), SAME
   * {@code ceil(size / stride)}.
   */
  static long windows(long size, int window, int stride, Padding padding) {
    return switch (padding) {
      case VALID -> (size - window) / stride + 1;
      case SAME -> (size - 1) / stride + 1;
    };
  }

  private Optional<LayerShape> flatten(FlattenLayer flatten, Reading reading) {
    String described = "@Flatten layer '" + flatten.name() + "'";
    if (reading.hasUnknownDimension()) {
      diagnostics.error(flatten.origin(), described + " needs every dimension of input '" + reading.writer().name()
          + "', but its shape " + reading.shape() + " has an unknown (-1) dimension: the vector it makes has their "
          + "product as width, which the next layer's weights need; give every input dimension");
      return Optional.empty();
    }
    if (reading.shape().size() == 1) {
      diagnostics.warning(flatten.origin(), described + " reads " + reading.describe() + ", which is already a "
          + "vector: it changes nothing; remove it");
    }
    long size = 1;
    for (long dimension : reading.shape()) {
      try {
        size = Math.multiplyExact(size, dimension);
      } catch (ArithmeticException overflow) {
        diagnostics.error(flatten.origin(), described + " reads " + reading.describe() + ", which has more values "
            + "than a tensor dimension can hold (" + Long.MAX_VALUE + "): make the input smaller");
        return Optional.empty();
      }
    }
    List<Long> vector = List.of(size);
    return Optional.of(new LayerShape(flatten.name(), reading.shape(), vector, vector));
  }
}
