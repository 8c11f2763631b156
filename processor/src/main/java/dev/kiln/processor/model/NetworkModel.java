package dev.kiln.processor.model;

import dev.kiln.dsl.Loss;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.TypeElement;

/**
 * A network as declared: its layer-like members and parameters in declaration order, optimiser,
 * loss and seed. The model is built before validation, so it can be wrong (no input, two outputs,
 * ...); the accessors that assume a valid network say so.
 *
 * @param name the declaring type's simple name
 * @param packageName the declaring type's package, where the generated classes go
 * @param regularization the weight penalty of every layer with weights that has none of its own
 * @param relaxation how the network trains with relaxed activation identities, if it is {@code @Relaxed}
 * @param origin the declaring type and its {@code @Network}
 */
public record NetworkModel(
    TypeElement type,
    String name,
    String packageName,
    Loss loss,
    long seed,
    List<LayerModel> layers,
    List<ParameterModel> parameters,
    OptimizerModel optimizer,
    Optional<RegularizationModel> regularization,
    Optional<RelaxationModel> relaxation,
    Origin origin) {

  public NetworkModel {
    layers = List.copyOf(layers);
    parameters = List.copyOf(parameters);
  }

  /** The simple name of the generated graph class: {@code MoonsGraph}, {@code Outer_MoonsGraph} if nested. */
  public String graphClassName() {
    StringBuilder simpleNames = new StringBuilder(type.getSimpleName());
    for (var enclosing = type.getEnclosingElement();
        enclosing instanceof TypeElement outer;
        enclosing = outer.getEnclosingElement()) {
      simpleNames.insert(0, outer.getSimpleName() + "_");
    }
    return simpleNames + "Graph";
  }

  public List<InputLayer> inputs() {
    return layersOfType(InputLayer.class);
  }

  public List<OutputLayer> outputs() {
    return layersOfType(OutputLayer.class);
  }

  /** The one input of a valid network. */
  public InputLayer input() {
    return single(inputs(), "input");
  }

  /** The one output layer of a valid network. */
  public OutputLayer output() {
    return single(outputs(), "output");
  }

  /**
   * The weight penalty of a layer with weights: its own, else the network's; empty if neither
   * penalises anything.
   */
  public Optional<RegularizationModel> regularizationOf(LayerModel layer) {
    Optional<RegularizationModel> own;
    if (layer instanceof DenseLayer dense) {
      own = dense.regularization();
    } else if (layer instanceof Conv2DLayer conv) {
      own = conv.regularization();
    } else if (layer instanceof OutputLayer output) {
      own = output.regularization();
    } else {
      return Optional.empty();
    }
    return own.or(() -> regularization).filter(RegularizationModel::penalizes);
  }

  public Optional<ParameterModel> parameter(String name) {
    return parameters.stream().filter(parameter -> parameter.name().equals(name)).findFirst();
  }

  /** Where each parameter name is used, keyed by name. */
  public Map<String, List<ParameterUse>> parameterUses() {
    return ParameterUse.collect(layers, optimizer, relaxation);
  }

  /**
   * The members whose layers get targets, in declaration order: those written in
   * {@code @Relaxed(layers)}, else every {@code @Dense} layer and the output layer; none for a
   * network that is not relaxed.
   */
  public Set<String> relaxedLayers() {
    Set<String> relaxed = new LinkedHashSet<>();
    relaxation.ifPresent(given -> {
      for (LayerModel layer : layers) {
        boolean relaxable = layer instanceof DenseLayer || layer instanceof OutputLayer;
        if (relaxable && (given.layers().isEmpty() ? !given.layersWritten() : given.layers().contains(layer.name()))) {
          relaxed.add(layer.name());
        }
      }
    });
    return relaxed;
  }

  private <T extends LayerModel> List<T> layersOfType(Class<T> kind) {
    return layers.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static <T> T single(List<T> layers, String what) {
    if (layers.size() != 1) {
      throw new IllegalStateException("a valid network has exactly one " + what + ", this one has " + layers.size());
    }
    return layers.get(0);
  }
}
