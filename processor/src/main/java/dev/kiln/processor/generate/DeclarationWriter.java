package dev.kiln.processor.generate;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.Activation;
import dev.kiln.processor.model.ActivationKind;
import dev.kiln.processor.model.DropoutModel;
import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.FlattenLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.OptimizerModel;
import dev.kiln.processor.model.ParameterModel;
import dev.kiln.processor.model.ParameterModel.AnnealedParameter;
import dev.kiln.processor.model.ParameterModel.FixedParameter;
import dev.kiln.processor.model.ParameterModel.TrainableParameter;
import dev.kiln.processor.model.ParameterRole;
import dev.kiln.processor.model.ParameterUse;
import dev.kiln.processor.model.PoolingModel;
import dev.kiln.processor.model.RegularizationModel;
import dev.kiln.processor.model.ScheduleModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes the body of {@code declarationWith(name, widths)} for a network whose layers learn their
 * width: the network's declaration as Java source, from the model, with each such layer at the
 * width it is given and without {@code @LearnedWidth}, so that a user can paste the smaller
 * network a pruning found. A repeated layer whose repetitions learn different widths is written
 * out as one member per repetition, named as its layers are. Parameters used only as width
 * penalties are left out (the pruned network has none).
 */
final class DeclarationWriter {
  private final NetworkModel network;
  private final String widths;

  /** @param widths the name of the method's map parameter */
  DeclarationWriter(NetworkModel network, String widths) {
    this.network = network;
    this.widths = widths;
  }

  /** {@code return Optional.of(String.join("\n", <line>, ...));}, a line of source per element. */
  CodeBlock write(String name) {
    List<CodeBlock> lines = new ArrayList<>();
    lines.add(literal("package " + network.packageName() + ";"));
    lines.add(literal(""));
    lines.add(literal("import dev.kiln.dsl.*;"));
    lines.add(literal(""));
    lines.add(literal("/** " + network.name() + " at the widths a pruning learned (Model.prune). */"));
    lines.add(literal("@Network(loss = Loss." + network.loss().name() + ", seed = " + network.seed() + "L)"));
    lines.add(literal(optimizer(network.optimizer())));
    network.regularization().ifPresent(penalty -> lines.add(literal(regularization(penalty))));
    lines.add(CodeBlock.of("$S + $N + $S", "interface ", name, " {"));
    for (LayerModel layer : network.layers()) {
      lines.addAll(layer(layer));
    }
    Map<String, List<ParameterUse>> uses = network.parameterUses();
    for (ParameterModel parameter : network.parameters()) {
      List<ParameterUse> used = uses.getOrDefault(parameter.name(), List.of());
      if (!used.isEmpty() && used.stream().allMatch(use -> use.role() == ParameterRole.WIDTH_PENALTY)) {
        continue;
      }
      lines.add(literal("  " + parameter(parameter) + " double " + parameter.name() + "();"));
    }
    lines.add(literal("}"));
    lines.add(literal(""));
    return CodeBlock.builder()
        .add("return $T.of($T.join($S,\n$>$>", Optional.class, String.class, "\n")
        .add(CodeBlock.join(lines, ",\n"))
        .add("));$<$<\n")
        .build();
  }

  private static CodeBlock literal(String line) {
    return CodeBlock.of("$S", line);
  }

  private List<CodeBlock> layer(LayerModel layer) {
    if (layer instanceof InputLayer input) {
      String shape = input.shape().size() == 1
          ? input.shape().get(0).toString()
          : input.shape().stream().map(String::valueOf).collect(Collectors.joining(", ", "{", "}"));
      return List.of(literal("  @Input(shape = " + shape + ")" + activation(input.activation()) + " Layer " + input.name() + "();"));
    }
    if (layer instanceof FlattenLayer flatten) {
      return List.of(literal("  @Flatten Layer " + flatten.name() + "();"));
    }
    if (layer instanceof OutputLayer output) {
      return List.of(literal("  @Output(units = " + output.units() + ")" + own(output.regularization()) + " Layer " + output.name() + "();"));
    }
    if (layer instanceof Conv2DLayer conv) {
      String rest = ", kernel = " + conv.kernel() + ", stride = " + conv.stride() + ", padding = Padding." + conv.padding().name() + ")"
          + activation(Optional.of(conv.activation())) + conv.pooling().map(DeclarationWriter::pooling).orElse("")
          + dropout(conv.dropout()) + own(conv.regularization()) + " Layer " + conv.name() + "();";
      return List.of(conv.learnedWidth().isPresent()
          ? CodeBlock.of("$S + $N.getOrDefault($S, $L) + $S", "  @Conv2D(filters = ", widths, conv.name(), conv.filters(), rest)
          : literal("  @Conv2D(filters = " + conv.filters() + rest));
    }
    DenseLayer dense = (DenseLayer) layer;
    String rest = ")" + activation(Optional.of(dense.activation())) + dropout(dense.dropout()) + own(dense.regularization());
    if (dense.learnedWidth().isEmpty()) {
      String repeat = dense.isRepeated() ? ", repeat = " + dense.repeat() : "";
      return List.of(literal("  @Dense(units = " + dense.units() + repeat + rest + " Layer " + dense.name() + "();"));
    }
    // Each repetition pruned to its own width: one member each, named as its layer.
    List<CodeBlock> lines = new ArrayList<>();
    for (String instance : dense.instanceNames()) {
      lines.add(CodeBlock.of("$S + $N.getOrDefault($S, $L) + $S", "  @Dense(units = ", widths, instance, dense.units(),
          rest + " Layer " + instance + "();"));
    }
    return lines;
  }

  private static String activation(Optional<Activation> activation) {
    if (activation.isEmpty() || activation.get().kind() == ActivationKind.IDENTITY) {
      return "";
    }
    String type = activation.get().kind().annotationType();
    String simple = type.substring(type.lastIndexOf('.') + 1);
    return " @" + simple + activation.get().parameter().map(parameter -> "(\"" + parameter + "\")").orElse("");
  }

  private static String pooling(PoolingModel pooling) {
    return " @MaxPool(value = " + pooling.window() + ", stride = " + pooling.stride() + ", padding = Padding." + pooling.padding().name() + ")";
  }

  private static String dropout(Optional<DropoutModel> dropout) {
    return dropout.map(given -> " @Dropout(" + given.rate() + ")").orElse("");
  }

  private static String own(Optional<RegularizationModel> penalty) {
    return penalty.map(given -> " " + regularization(given)).orElse("");
  }

  private static String regularization(RegularizationModel penalty) {
    return "@Regularization(l1 = " + penalty.l1() + ", l2 = " + penalty.l2() + ")";
  }

  private static String optimizer(OptimizerModel optimizer) {
    // The rate, or the parameter that gives it.
    String rate = optimizer.learningRateParameter()
        .map(parameter -> "learningRateParameter = \"" + parameter + "\"")
        .orElse("learningRate = " + optimizer.learningRate());
    if (optimizer instanceof OptimizerModel.Sgd) {
      return "@Sgd(" + rate + ")";
    }
    if (optimizer instanceof OptimizerModel.Momentum momentum) {
      return "@Momentum(" + rate + ", momentum = " + momentum.momentum() + ", nesterov = " + momentum.nesterov() + ")";
    }
    if (optimizer instanceof OptimizerModel.Adam adam) {
      return "@Adam(" + rate + ", beta1 = " + adam.beta1() + ", beta2 = " + adam.beta2() + ", epsilon = " + adam.epsilon() + ")";
    }
    if (optimizer instanceof OptimizerModel.Rprop rprop) {
      return "@Rprop(learningRate = " + rprop.learningRate() + ", growth = " + rprop.growth() + ", shrink = " + rprop.shrink()
          + ", minStep = " + rprop.minStep() + ", maxStep = " + rprop.maxStep() + ")";
    }
    OptimizerModel.RmsProp rms = (OptimizerModel.RmsProp) optimizer;
    return "@RmsProp(" + rate + ", decay = " + rms.decay() + ", momentum = " + rms.momentum()
        + ", epsilon = " + rms.epsilon() + ")";
  }

  private static String parameter(ParameterModel parameter) {
    if (parameter instanceof FixedParameter fixed) {
      return "@Fixed(" + fixed.value() + ")";
    }
    if (parameter instanceof TrainableParameter trainable) {
      return "@Trainable(initial = " + trainable.initial() + ", min = " + number(trainable.min()) + ", max = " + number(trainable.max())
          + ", perNeuron = " + trainable.perNeuron() + ", learningRateScale = " + trainable.learningRateScale() + ")";
    }
    ScheduleModel schedule = ((AnnealedParameter) parameter).schedule();
    String type = schedule instanceof ScheduleModel.PhasedScheduleModel phased
        ? phased.type().getQualifiedName().toString()
        : ((ScheduleModel.HostScheduleModel) schedule).type().getQualifiedName().toString();
    return "@Annealed(" + type + ".class)";
  }

  /** A double as Java source, infinities included. */
  private static String number(double value) {
    if (Double.isInfinite(value)) {
      return value > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
    }
    return Double.toString(value);
  }
}
