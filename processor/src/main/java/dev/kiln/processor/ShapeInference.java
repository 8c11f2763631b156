package dev.kiln.processor;

import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.NetworkShapes;
import dev.kiln.processor.model.NetworkShapes.LayerShape;
import java.util.ArrayList;
import java.util.List;

/** Infers every layer's input and output width from the input's shape. */
final class ShapeInference {
  private ShapeInference() {}

  /** The widths of a validated network (one input with known dimensions, then layers, then the output). */
  static NetworkShapes infer(NetworkModel network) {
    long inputWidth = network.input().width();
    long width = inputWidth;
    List<LayerShape> shapes = new ArrayList<>();
    for (LayerModel layer : network.layers()) {
      if (layer instanceof DenseLayer dense) {
        for (String name : dense.instanceNames()) {
          shapes.add(new LayerShape(name, width, dense.units()));
          width = dense.units();
        }
      } else if (layer instanceof OutputLayer output) {
        shapes.add(new LayerShape(output.name(), width, output.units()));
        width = output.units();
      }
    }
    return new NetworkShapes(inputWidth, network.input().shape().size() > 1, shapes);
  }
}
