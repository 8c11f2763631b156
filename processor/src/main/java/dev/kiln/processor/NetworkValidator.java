package dev.kiln.processor;

import dev.kiln.dsl.LearnedWidth;
import dev.kiln.dsl.Loss;
import dev.kiln.processor.model.DropoutModel;
import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.LearnedWidthModel;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.OptimizerModel;
import dev.kiln.processor.model.Origin;
import dev.kiln.processor.model.ParameterModel;
import dev.kiln.processor.model.ParameterModel.AnnealedParameter;
import dev.kiln.processor.model.ParameterModel.FixedParameter;
import dev.kiln.processor.model.ParameterModel.TrainableParameter;
import dev.kiln.processor.model.ParameterRole;
import dev.kiln.processor.model.ParameterUse;
import dev.kiln.processor.model.RegularizationModel;
import dev.kiln.processor.model.RelaxationModel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a parsed network: its structure, numbers, names and the parameters its activations and
 * optimiser name. Every problem is an error (an unused parameter, a warning) on the declaration
 * that caused it, worded so the user knows what to change.
 */
final class NetworkValidator {
  /** What the generated code names {@code <layer>/<name>} besides per-neuron parameters. */
  private static final Set<String> LAYER_STATE_NAMES = Set.of("weights", "kernel", "bias", "regularization", "dropout");
  /** The scope of a relaxed network's targets and relaxed pass in the graph. */
  private static final String RELAXED_SCOPE = "relaxed";
  /** What TensorFlow accepts as one segment of an op name. */
  private static final Pattern TENSORFLOW_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private final Diagnostics diagnostics;
  private final ScheduleValidator schedules;

  NetworkValidator(Diagnostics diagnostics, ScheduleValidator schedules) {
    this.diagnostics = diagnostics;
    this.schedules = schedules;
  }

  /** Whether code can be generated for the network: no errors here or in a schedule it uses. */
  boolean validate(NetworkModel network) {
    int errorsBefore = diagnostics.errorCount();
    validateStructure(network);
    validateLayers(network);
    validateNames(network);
    validateParameterUses(network);
    validateOptimizer(network.optimizer());
    network.relaxation().ifPresent(relaxation -> validateRelaxation(network, relaxation));
    boolean parametersValid = validateParameters(network);
    return parametersValid && diagnostics.errorCount() == errorsBefore;
  }

  /** One input, first; one output, last. */
  private void validateStructure(NetworkModel network) {
    List<LayerModel> layers = network.layers();
    Set<LayerModel> misplaced = new HashSet<>();
    List<InputLayer> inputs = network.inputs();
    if (inputs.isEmpty()) {
      diagnostics.error(network.origin(), network.name() + " has no input: declare it as the first layer, "
          + "e.g. @Input(shape = 2) Layer point();");
    } else {
      for (InputLayer extra : inputs.subList(1, inputs.size())) {
        diagnostics.error(extra.origin(), network.name() + " has more than one input (" + names(inputs)
            + "): a network has exactly one @Input, its first layer");
        misplaced.add(extra);
      }
      for (LayerModel layer : layers.subList(0, layers.indexOf(inputs.get(0)))) {
        diagnostics.error(layer.origin(), "layer '" + layer.name() + "' comes before the input '"
            + inputs.get(0).name() + "': the @Input is the first layer; move it above '" + layer.name() + "'");
        misplaced.add(layer);
      }
    }
    List<OutputLayer> outputs = network.outputs();
    if (outputs.isEmpty()) {
      diagnostics.error(network.origin(), network.name() + " has no output layer: end its layers with one, "
          + "e.g. @Output(units = 1) Layer logit();");
    } else {
      for (OutputLayer extra : outputs.subList(1, outputs.size())) {
        diagnostics.error(extra.origin(), network.name() + " has more than one output layer (" + names(outputs)
            + "): a network has exactly one @Output, its last layer");
        misplaced.add(extra);
      }
      for (LayerModel layer : layers.subList(layers.indexOf(outputs.get(0)) + 1, layers.size())) {
        if (!misplaced.contains(layer)) {
          diagnostics.error(layer.origin(), "layer '" + layer.name() + "' comes after the output layer '"
              + outputs.get(0).name() + "': the @Output is the last layer; move '" + layer.name() + "' above it");
        }
      }
    }
  }

  private void validateLayers(NetworkModel network) {
    for (LayerModel layer : network.layers()) {
      if (layer instanceof InputLayer input) {
        validateInputShape(input);
      } else if (layer instanceof DenseLayer dense) {
        requirePositive(dense.origin(), "units", dense.units(),
            "layer '" + dense.name() + "' has units = " + dense.units() + ": a layer has at least one unit");
        requirePositive(dense.origin(), "repeat", dense.repeat(), "layer '" + dense.name() + "' has repeat = "
            + dense.repeat() + ": repeat is how many of the layer there are in a row, at least 1");
        dense.dropout().ifPresent(dropout -> validateDropout(dense.name(), dropout));
        dense.regularization().ifPresent(this::validateRegularization);
        dense.learnedWidth().ifPresent(width -> validateLearnedWidth(network, dense.name(), dense.units(), width));
      } else if (layer instanceof Conv2DLayer conv) {
        validateConv2D(conv);
        conv.learnedWidth().ifPresent(width -> validateLearnedWidth(network, conv.name(), conv.filters(), width));
      } else if (layer instanceof OutputLayer output) {
        requirePositive(output.origin(), "units", output.units(), "output layer '" + output.name()
            + "' has units = " + output.units() + ": it has one unit per logit, at least one");
        output.regularization().ifPresent(this::validateRegularization);
        if (network.loss() == Loss.SOFTMAX_CROSS_ENTROPY && output.units() == 1) {
          diagnostics.error(output.origin(), "units", "output layer '" + output.name() + "' has one unit under "
              + "SOFTMAX_CROSS_ENTROPY: a softmax over one class is always 1, so the network could never learn; "
              + "for two classes use @Network(loss = Loss.SIGMOID_CROSS_ENTROPY) with one unit, or give the output "
              + "one unit per class");
        }
      }
    }
    network.regularization().ifPresent(this::validateRegularization);
  }

  /** Values in range, one way to give the penalty, only the mode's own elements, and not on a relaxed network. */
  private void validateLearnedWidth(NetworkModel network, String layer, int units, LearnedWidthModel width) {
    Origin origin = width.origin();
    String on = "@LearnedWidth on '" + layer + "'";
    if (network.relaxation().isPresent()) {
      diagnostics.error(origin, on + ": " + network.name() + " is @Relaxed, and a relaxed network's targets have the "
          + "declared width of their layer; learn the width of a network trained without relaxation");
    }
    if (!(width.penalty() >= 0) || Double.isInfinite(width.penalty())) {
      diagnostics.error(origin, "penalty", on + " has penalty = " + width.penalty() + ": the penalty's weight is a "
          + "finite number >= 0 (0 keeps every unit)");
    } else if (width.penalty() != 0 && width.penaltyParameter().isPresent()) {
      diagnostics.error(origin, "penaltyParameter", on + " gives the penalty twice, as " + width.penalty()
          + " and as parameter '" + width.penaltyParameter().get() + "': keep one");
    }
    LearnedWidth.Mode other = width.mode() == LearnedWidth.Mode.GATES ? LearnedWidth.Mode.SOFT_SIZE : LearnedWidth.Mode.GATES;
    for (String element : LearnedWidthModel.elementsOf(other)) {
      if (width.written().contains(element)) {
        diagnostics.error(origin, element, on + " sets " + element + ", which only mode " + other + " uses; it is in mode "
            + width.mode() + ": remove " + element + (other == LearnedWidth.Mode.SOFT_SIZE ? " or set mode = SOFT_SIZE" : ""));
      }
    }
    if (width.mode() == LearnedWidth.Mode.GATES) {
      if (!(width.deadBelow() > 0 && width.deadBelow() < 1)) {
        diagnostics.error(origin, "deadBelow", on + " has deadBelow = " + width.deadBelow() + ": the threshold below which "
            + "a gate is dead is in (0, 1)");
      } else if (!(width.initial() > width.deadBelow()) || Double.isInfinite(width.initial())) {
        diagnostics.error(origin, "initial", on + " starts its gates at " + width.initial() + ", not above deadBelow = "
            + width.deadBelow() + ": every unit would start dead; start them above it (1 by default)");
      }
    } else {
      if (!(width.slope() > 0) || Double.isInfinite(width.slope())) {
        diagnostics.error(origin, "slope", on + " has slope = " + width.slope() + ": the soft size's slope is a finite "
            + "number > 0");
      }
      double start = width.initialSize(units);
      // A layer without units already has its error; (0, 0] would only repeat it.
      if (units > 0 && !(start > 0 && start <= units)) {
        diagnostics.error(origin, "initialSize", on + " starts its soft size at " + width.initialSize() + ", outside (0, "
            + units + "], the layer's declared width; -1 (the default) starts it there");
      }
    }
  }

  private void validateConv2D(Conv2DLayer conv) {
    String layer = "@Conv2D layer '" + conv.name() + "'";
    requirePositive(conv.origin(), "filters", conv.filters(), layer + " has filters = " + conv.filters()
        + ": it has one output channel per filter, at least one");
    requirePositive(conv.origin(), "kernel", conv.kernel(), layer + " has kernel = " + conv.kernel()
        + ": the kernel's height and width, at least 1");
    requirePositive(conv.origin(), "stride", conv.stride(), layer + " has stride = " + conv.stride()
        + ": the step between kernel positions, at least 1");
    conv.pooling().ifPresent(pooling -> {
      requirePositive(pooling.origin(), "value", pooling.window(), "@MaxPool on '" + conv.name() + "' has a window of "
          + pooling.window() + ": the window's height and width, at least 1");
      if (pooling.stride() < 0) {
        diagnostics.error(pooling.origin(), "stride", "@MaxPool on '" + conv.name() + "' has stride = "
            + pooling.stride() + ": the step between windows, at least 1 (or 0, the default, for the window size)");
      }
    });
    conv.dropout().ifPresent(dropout -> validateDropout(conv.name(), dropout));
    conv.regularization().ifPresent(this::validateRegularization);
  }

  private void validateDropout(String layer, DropoutModel dropout) {
    if (!(dropout.rate() >= 0 && dropout.rate() < 1)) {
      diagnostics.error(dropout.origin(), "value", "@Dropout on '" + layer + "' has rate " + dropout.rate()
          + ": it is the fraction of values dropped, at least 0 and below 1");
    }
  }

  private void validateRegularization(RegularizationModel regularization) {
    requirePenaltyWeight(regularization.origin(), "l1", regularization.l1());
    requirePenaltyWeight(regularization.origin(), "l2", regularization.l2());
  }

  private void requirePenaltyWeight(Origin origin, String attribute, double weight) {
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      diagnostics.error(origin, attribute, "@Regularization on '" + origin.elementName() + "' has " + attribute
          + " = " + weight + ": a penalty's weight is a finite number, at least 0 (0 for none)");
    }
  }

  private void validateInputShape(InputLayer input) {
    if (input.shape().isEmpty()) {
      diagnostics.error(input.origin(), "shape", "input '" + input.name() + "' has an empty shape: give the shape "
          + "of one example without the batch dimension, e.g. shape = 2 or shape = {28, 28, 1}");
    }
    for (long dimension : input.shape()) {
      if (dimension == 0 || dimension < -1) {
        diagnostics.error(input.origin(), "shape", "input '" + input.name() + "' has dimension " + dimension
            + " in shape " + input.shape() + ": every dimension is positive, or -1 if unknown until run time");
      }
    }
  }

  private void requirePositive(Origin origin, String attribute, int value, String message) {
    if (value <= 0) {
      diagnostics.error(origin, attribute, message);
    }
  }

  /**
   * Names are TensorFlow names and TensorBoard tags: no two layers (repeated layers' names
   * included) or parameters share one.
   */
  private void validateNames(NetworkModel network) {
    for (LayerModel layer : network.layers()) {
      requireTensorFlowName(layer.name(), layer.origin(), "layer");
    }
    for (ParameterModel parameter : network.parameters()) {
      requireTensorFlowName(parameter.name(), parameter.origin(), "parameter");
    }
    Map<String, String> declaredBy = new HashMap<>();
    for (LayerModel layer : network.layers()) {
      for (String name : layer.instanceNames()) {
        String description = describe(layer, name);
        String earlier = declaredBy.putIfAbsent(name, description);
        if (earlier != null) {
          diagnostics.error(layer.origin(), "two layers are named '" + name + "': " + earlier + " and " + description
              + "; rename one");
        }
      }
    }
    Set<String> parameterNames = new HashSet<>();
    for (ParameterModel parameter : network.parameters()) {
      String name = parameter.name();
      if (!parameterNames.add(name)) {
        diagnostics.error(parameter.origin(), "parameter '" + name + "' is declared twice: keep one declaration");
      } else if (declaredBy.containsKey(name)) {
        diagnostics.error(parameter.origin(), "'" + name + "' names both a parameter and " + declaredBy.get(name)
            + ": rename one");
      }
    }
  }

  private void requireTensorFlowName(String name, Origin origin, String what) {
    if (!TENSORFLOW_NAME.matcher(name).matches()) {
      diagnostics.error(origin, what + " name '" + name + "' cannot be a TensorFlow name, which layer and parameter "
          + "names become: use ASCII letters, digits and '_', starting with a letter");
    }
  }

  private static String describe(LayerModel layer, String instanceName) {
    if (layer instanceof DenseLayer dense && dense.isRepeated()) {
      List<String> names = dense.instanceNames();
      return "layer '" + dense.name() + "' repeated " + dense.repeat() + " times (" + names.get(0) + " .. "
          + names.get(names.size() - 1) + ")";
    }
    return "layer '" + instanceName + "'";
  }

  /** Every named parameter is declared and has one role; every declared one is used. */
  private void validateParameterUses(NetworkModel network) {
    Map<String, List<ParameterUse>> uses = network.parameterUses();
    for (Map.Entry<String, List<ParameterUse>> entry : uses.entrySet()) {
      String name = entry.getKey();
      List<ParameterUse> parameterUses = entry.getValue();
      ParameterModel parameter = network.parameter(name).orElse(null);
      if (parameter == null) {
        for (ParameterUse use : parameterUses) {
          reportUndeclared(network, use);
        }
        continue;
      }
      Map<ParameterRole, ParameterUse> byRole = new LinkedHashMap<>();
      parameterUses.forEach(use -> byRole.putIfAbsent(use.role(), use));
      if (byRole.size() > 1) {
        diagnostics.error(parameter.origin(), "parameter '" + name + "' is used as "
            + byRole.values().stream()
                .map(use -> use.role().displayName() + " (by " + use.describe() + ")")
                .collect(Collectors.joining(" and as "))
            + ": a parameter has one meaning; declare a separate parameter for each");
      }
      if (parameter instanceof TrainableParameter trainable) {
        validateTrainableUses(network, trainable, parameterUses);
      }
    }
    for (ParameterModel parameter : network.parameters()) {
      if (!uses.containsKey(parameter.name())) {
        diagnostics.warning(parameter.origin(), "parameter '" + parameter.name() + "' is not used: nothing names it (an "
            + "activation, the optimiser's learningRateParameter, @Relaxed's hiddenLossWeightParameter, strengthParameter or resetStrengthParameter, "
            + "or a @LearnedWidth's penaltyParameter), so it is left out of the graph; name it in one (e.g. @ThetaLeaky(\""
            + parameter.name() + "\")) or remove it");
      }
    }
  }

  private void reportUndeclared(NetworkModel network, ParameterUse use) {
    String attribute = use.attribute();
    if (use.parameter().isEmpty()) {
      diagnostics.error(use.origin(), attribute, use.describe() + " names no parameter: write the name of a "
          + use.role().displayName() + " parameter the network declares, e.g. @Fixed(0) double theta();");
      return;
    }
    String declared = network.parameters().isEmpty()
        ? "it declares no parameters"
        : "its parameters are " + network.parameters().stream().map(ParameterModel::name)
            .distinct().collect(Collectors.joining(", "));
    String example = switch (use.role()) {
      case LEARNING_RATE -> "@Fixed(0.01) double " + use.parameter() + "();";
      case HIDDEN_LOSS_WEIGHT -> "@Fixed(1) double " + use.parameter() + "(); or @Annealed(...)";
      case WIDTH_PENALTY -> "@Fixed(1e-4) double " + use.parameter() + "(); or @Annealed(...)";
      case RELAXATION_STRENGTH -> "@Annealed(...) double " + use.parameter() + "(); or @Fixed(1) or @Trainable";
      case RESET_STRENGTH -> "@Annealed(...) double " + use.parameter() + "(); or @Fixed(0.5)";
      case THETA, BETA -> "@Fixed(0) double " + use.parameter() + "(); or @Annealed(...) or @Trainable";
    };
    diagnostics.error(use.origin(), attribute, use.describe() + " names parameter '" + use.parameter()
        + "', which " + network.name() + " does not declare (" + declared + "): declare it, e.g. " + example);
  }

  private void validateTrainableUses(NetworkModel network, TrainableParameter trainable, List<ParameterUse> uses) {
    for (ParameterUse use : uses) {
      if (use.role() == ParameterRole.LEARNING_RATE) {
        diagnostics.error(use.origin(), "learningRateParameter", "the learning rate cannot be @Trainable: '"
            + trainable.name() + "' would be learned by the optimiser it drives; make it @Annealed or @Fixed");
      } else if (use.role() == ParameterRole.WIDTH_PENALTY) {
        diagnostics.error(use.origin(), "penaltyParameter", "a width penalty cannot be @Trainable: training would drive '"
            + trainable.name() + "' to 0 and keep every unit; make it @Annealed or @Fixed");
      } else if (use.role() == ParameterRole.HIDDEN_LOSS_WEIGHT) {
        diagnostics.error(use.origin(), "hiddenLossWeightParameter", "the hidden-loss weight cannot be @Trainable: "
            + "training would drive '" + trainable.name() + "' to 0 and leave the targets unconstrained; make it "
            + "@Annealed or @Fixed");
      } else if (use.role() == ParameterRole.RESET_STRENGTH) {
        diagnostics.error(use.origin(), "resetStrengthParameter", "the reset strength cannot be @Trainable: no loss "
            + "depends on '" + trainable.name() + "', which only says how far a reset moves the targets; make it @Annealed or @Fixed");
      } else if (trainable.perNeuron() && use.layer() instanceof InputLayer input && input.hasUnknownDimension()) {
        diagnostics.error(use.origin(), "per-neuron parameter '" + trainable.name() + "' needs the width of input '"
            + input.name() + "', but its shape " + input.shape() + " has an unknown (-1) dimension: give every "
            + "input dimension, or share one value (perNeuron = false)");
      } else if (trainable.perNeuron() && use.layer() != null && use.layer().learnedWidth()
          .filter(width -> width.stateName().equals(trainable.name())).isPresent()) {
        // The runtime would refuse the second <layer>/<name> only when the graph is built.
        String state = use.layer().learnedWidth().get().mode() == LearnedWidth.Mode.GATES ? "the gates" : "the soft size";
        diagnostics.error(use.origin(), use.attribute(), "per-neuron parameter '" + trainable.name() + "' of layer '"
            + use.user() + "' would be named " + use.layer().instanceNames().get(0) + "/" + trainable.name() + " like "
            + state + " of its @LearnedWidth: rename the parameter");
      }
    }
    if (trainable.perNeuron() && LAYER_STATE_NAMES.contains(trainable.name())) {
      diagnostics.error(trainable.origin(), "per-neuron parameter '" + trainable.name() + "' would be named "
          + "<layer>/" + trainable.name() + " like each layer's own " + trainable.name() + ": rename it");
    }
  }

  private void validateOptimizer(OptimizerModel optimizer) {
    Origin origin = optimizer.origin();
    String name = origin.annotationName();
    if (optimizer.learningRateParameter().isPresent()) {
      if (origin.explicitValue("learningRate").isPresent()) {
        diagnostics.error(origin, "learningRate", name + " sets both learningRate and learningRateParameter: the "
            + "learning rate is parameter '" + optimizer.learningRateParameter().get() + "'; remove learningRate");
      }
    } else if (!(optimizer.learningRate() > 0) || Double.isInfinite(optimizer.learningRate())) {
      diagnostics.error(origin, "learningRate", name + " has learningRate = " + optimizer.learningRate()
          + ": the learning rate is a positive number");
    }
    if (optimizer instanceof OptimizerModel.Rprop rprop) {
      validateRprop(rprop);
    } else if (optimizer instanceof OptimizerModel.Momentum momentum) {
      requireFraction(origin, "momentum", momentum.momentum());
    } else if (optimizer instanceof OptimizerModel.Adam adam) {
      requireFraction(origin, "beta1", adam.beta1());
      requireFraction(origin, "beta2", adam.beta2());
      requirePositive(origin, "epsilon", adam.epsilon());
    } else if (optimizer instanceof OptimizerModel.RmsProp rmsProp) {
      requireFraction(origin, "decay", rmsProp.decay());
      requireFraction(origin, "momentum", rmsProp.momentum());
      requirePositive(origin, "epsilon", rmsProp.epsilon());
    }
  }

  private void validateRprop(OptimizerModel.Rprop rprop) {
    Origin origin = rprop.origin();
    if (!(rprop.growth() > 1) || Double.isInfinite(rprop.growth())) {
      diagnostics.error(origin, "growth", "@Rprop has growth = " + rprop.growth() + ": it multiplies the step of a "
          + "weight whose gradient kept its sign, a finite number above 1 (usually 1.2)");
    }
    if (!(rprop.shrink() > 0 && rprop.shrink() < 1)) {
      diagnostics.error(origin, "shrink", "@Rprop has shrink = " + rprop.shrink() + ": it multiplies the step of a "
          + "weight whose gradient changed sign, a number between 0 and 1 (usually 0.5)");
    }
    if (!(rprop.minStep() > 0) || Double.isInfinite(rprop.minStep())) {
      diagnostics.error(origin, "minStep", "@Rprop has minStep = " + rprop.minStep() + ": the smallest step is a "
          + "positive number");
    } else if (!(rprop.maxStep() >= rprop.minStep()) || Double.isInfinite(rprop.maxStep())) {
      diagnostics.error(origin, "maxStep", "@Rprop has maxStep = " + rprop.maxStep() + " below minStep = "
          + rprop.minStep() + ": the steps stay within [minStep, maxStep]; give a finite maxStep >= minStep");
    }
  }

  /**
   * The layers {@code @Relaxed} names exist and can be relaxed, at least one is; its numbers are in
   * range; and no layer or parameter takes the name of the scope of the targets.
   */
  private void validateRelaxation(NetworkModel network, RelaxationModel relaxation) {
    Origin origin = relaxation.origin();
    Map<String, LayerModel> layers = new LinkedHashMap<>();
    network.layers().forEach(layer -> layers.putIfAbsent(layer.name(), layer));
    String relaxable = network.layers().stream()
        .filter(layer -> layer instanceof DenseLayer || layer instanceof OutputLayer)
        .map(LayerModel::name)
        .collect(Collectors.joining(", "));
    Set<String> seen = new HashSet<>();
    for (String name : relaxation.layers()) {
      LayerModel layer = layers.get(name);
      if (!seen.add(name)) {
        diagnostics.error(origin, "layers", "@Relaxed names layer '" + name + "' twice: name each layer once");
      } else if (layer == null) {
        String repeated = network.layers().stream()
            .filter(candidate -> candidate instanceof DenseLayer dense && dense.isRepeated()
                && dense.instanceNames().contains(name))
            .map(LayerModel::name)
            .findFirst()
            .map(member -> ": it is one repetition of '" + member + "', and a repeated layer is relaxed as a whole; "
                + "write '" + member + "'")
            .orElse(": its layers that can be relaxed are " + relaxable);
        diagnostics.error(origin, "layers", "@Relaxed names '" + name + "', which is not a layer of " + network.name()
            + repeated);
      } else if (!(layer instanceof DenseLayer || layer instanceof OutputLayer)) {
        diagnostics.error(origin, "layers", "@Relaxed names " + layer.origin().annotationName() + " layer '" + name
            + "': only @Dense and @Output layers get targets (" + relaxable + ")");
      }
    }
    if (relaxation.layersWritten() && relaxation.layers().isEmpty()) {
      diagnostics.error(origin, "layers", "@Relaxed(layers = {}) relaxes no layer: name the layers that get targets ("
          + relaxable + "), or leave layers out to relax all of them");
    } else if (!relaxation.layersWritten() && network.layers().stream().noneMatch(layer -> layer instanceof DenseLayer)) {
      diagnostics.error(origin, network.name() + " has no @Dense layer to relax: relaxed training gives hidden layers "
          + "targets so that each learns from its own; add hidden @Dense layers or remove @Relaxed");
    }
    if (relaxation.hiddenLossWeightParameter().isPresent()) {
      if (origin.explicitValue("hiddenLossWeight").isPresent()) {
        diagnostics.error(origin, "hiddenLossWeight", "@Relaxed sets both hiddenLossWeight and "
            + "hiddenLossWeightParameter: the weight is parameter '" + relaxation.hiddenLossWeightParameter().get()
            + "'; remove hiddenLossWeight");
      }
    } else if (!(relaxation.hiddenLossWeight() > 0) || Double.isInfinite(relaxation.hiddenLossWeight())) {
      diagnostics.error(origin, "hiddenLossWeight", "@Relaxed has hiddenLossWeight = " + relaxation.hiddenLossWeight()
          + ": the hidden losses' weight is a positive number (without them the targets are unconstrained)");
    }
    if (relaxation.resetEvery() < 0) {
      diagnostics.error(origin, "resetEvery", "@Relaxed has resetEvery = " + relaxation.resetEvery() + ": it is a "
          + "number of epochs, 0 for never");
    } else if (relaxation.resetEvery() == 0 && relaxation.resetStrengthParameter().isPresent()) {
      diagnostics.error(origin, "resetStrengthParameter", "@Relaxed names resetStrengthParameter '"
          + relaxation.resetStrengthParameter().get() + "', how far each reset moves the targets, but never resets them: "
          + "set resetEvery to a number of epochs, or remove resetStrengthParameter");
    }
    if (!(relaxation.targetLearningRateScale() > 0) || Double.isInfinite(relaxation.targetLearningRateScale())) {
      diagnostics.error(origin, "targetLearningRateScale", "@Relaxed has targetLearningRateScale = "
          + relaxation.targetLearningRateScale() + ": it multiplies the optimiser's learning rate for the targets, a "
          + "positive number");
    }
    for (LayerModel layer : network.layers()) {
      if (layer.name().equals(RELAXED_SCOPE)) {
        diagnostics.error(layer.origin(), "a relaxed network cannot name a layer '" + RELAXED_SCOPE + "': the targets "
            + "and the relaxed pass live under that name; rename the layer");
      }
    }
    for (ParameterModel parameter : network.parameters()) {
      if (parameter.name().equals(RELAXED_SCOPE)) {
        diagnostics.error(parameter.origin(), "a relaxed network cannot name a parameter '" + RELAXED_SCOPE + "': the "
            + "targets and the relaxed pass live under that name; rename the parameter");
      }
    }
  }

  /** Decay rates and momenta: in [0, 1). */
  private void requireFraction(Origin origin, String attribute, double value) {
    if (!(value >= 0 && value < 1)) {
      diagnostics.error(origin, attribute, origin.annotationName() + " has " + attribute + " = " + value
          + ": it is a decay rate, at least 0 and below 1");
    }
  }

  private void requirePositive(Origin origin, String attribute, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      diagnostics.error(origin, attribute, origin.annotationName() + " has " + attribute + " = " + value
          + ": it must be a positive number");
    }
  }

  /** Each parameter's own values; false if one uses a schedule that cannot be generated. */
  private boolean validateParameters(NetworkModel network) {
    boolean schedulesValid = true;
    for (ParameterModel parameter : network.parameters()) {
      if (parameter instanceof FixedParameter fixed && !Double.isFinite(fixed.value())) {
        diagnostics.error(fixed.origin(), "value", "fixed parameter '" + fixed.name() + "' has value = "
            + fixed.value() + ": it must be a finite number");
      } else if (parameter instanceof FixedParameter fixed && !(fixed.value() >= 0 && fixed.value() <= 1)) {
        network.parameterUses().getOrDefault(fixed.name(), List.of()).stream()
            .filter(use -> use.role() == ParameterRole.RELAXATION_STRENGTH || use.role() == ParameterRole.RESET_STRENGTH)
            .findFirst()
            .ifPresent(use -> diagnostics.error(fixed.origin(), "value", "fixed parameter '" + fixed.name() + "' is "
                + use.role().displayName() + " (" + use.describe() + ") and has value = " + fixed.value()
                + ": it is a fraction between 0 and 1"));
      } else if (parameter instanceof AnnealedParameter annealed) {
        schedulesValid &= schedules.validate(annealed, network.packageName());
      } else if (parameter instanceof TrainableParameter trainable) {
        validateTrainable(trainable, network.parameterUses().getOrDefault(trainable.name(), List.of()));
      }
    }
    return schedulesValid;
  }

  private void validateTrainable(TrainableParameter trainable, List<ParameterUse> uses) {
    Origin origin = trainable.origin();
    String name = trainable.name();
    if (Double.isInfinite(trainable.initial())) {
      diagnostics.error(origin, "initial", "parameter '" + name + "' has initial = " + trainable.initial()
          + ": it starts at a finite value");
    } else if (trainable.min() > trainable.max()) {
      diagnostics.error(origin, origin.explicitValue("min").isPresent() ? "min" : "max", "parameter '" + name
          + "' has min = " + trainable.min() + " above max = " + trainable.max() + defaultsNote(origin, uses)
          + ": the value is kept within [min, max]; swap or correct them");
    } else if (trainable.initial() < trainable.min() || trainable.initial() > trainable.max()) {
      diagnostics.error(origin, "initial", "parameter '" + name + "' starts at " + trainable.initial()
          + ", outside its bounds [" + trainable.min() + ", " + trainable.max() + "]" + defaultsNote(origin, uses)
          + ": start within the bounds, or widen them with min and max");
    }
    double scale = trainable.learningRateScale();
    if (!(scale > 0) || Double.isInfinite(scale)) {
      diagnostics.error(origin, "learningRateScale", "parameter '" + name + "' has learningRateScale = " + scale
          + ": it multiplies the learning rate for this parameter and must be positive (for a parameter that "
          + "does not learn, use @Fixed)");
    }
  }

  /** Says where bounds or an initial value not written came from. */
  private static String defaultsNote(Origin origin, List<ParameterUse> uses) {
    boolean allWritten = origin.explicitValue("initial").isPresent() && origin.explicitValue("min").isPresent()
        && origin.explicitValue("max").isPresent();
    if (allWritten || uses.isEmpty()) {
      return "";
    }
    return " (the values not written are the defaults for " + uses.get(0).role().displayName() + ")";
  }

  private static String names(List<? extends LayerModel> layers) {
    return layers.stream().map(layer -> "'" + layer.name() + "'").collect(Collectors.joining(", "));
  }
}
