package dev.kiln.processor.generate;

import static dev.kiln.processor.generate.TypeNames.FLOAT_OPERAND;
import static dev.kiln.processor.generate.TypeNames.OPS;
import static dev.kiln.processor.generate.TypeNames.SHAPE;
import static dev.kiln.processor.generate.TypeNames.floatLiteral;
import static dev.kiln.processor.generate.TypeNames.literal;
import static dev.kiln.processor.generate.TypeNames.longLiteral;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import dev.kiln.dsl.LearnedWidth;
import dev.kiln.dsl.Relaxed;
import dev.kiln.processor.model.Activation;
import dev.kiln.processor.model.ActivationKind;
import dev.kiln.processor.model.DropoutModel;
import dev.kiln.processor.model.LayerModel;
import dev.kiln.processor.model.LayerModel.Conv2DLayer;
import dev.kiln.processor.model.LayerModel.DenseLayer;
import dev.kiln.processor.model.LayerModel.FlattenLayer;
import dev.kiln.processor.model.LayerModel.InputLayer;
import dev.kiln.processor.model.LayerModel.OutputLayer;
import dev.kiln.processor.model.LearnedWidthModel;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.NetworkShapes;
import dev.kiln.processor.model.NetworkShapes.LayerShape;
import dev.kiln.processor.model.ParameterModel;
import dev.kiln.processor.model.ParameterModel.AnnealedParameter;
import dev.kiln.processor.model.ParameterModel.FixedParameter;
import dev.kiln.processor.model.ParameterModel.TrainableParameter;
import dev.kiln.processor.model.RelaxationModel;
import dev.kiln.processor.model.ScheduleModel.HostScheduleModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes the body of {@code buildForward}: the shared parameters, the input, each layer in its own
 * TensorFlow name scope, one op a line, and the logits. Local variables are named after the
 * declaration ({@code hidden}, {@code hiddenWeights}, {@code conv1Kernel}, {@code theta}); a
 * layer's last op writes the local named after the layer, its other ops locals named after the
 * layer and the op ({@code conv1Linear}); a clash with another local gets a suffix.
 *
 * <p>For a {@code @Relaxed} network, each relaxed layer passes its pre-activation (or activation)
 * through {@code graph.relax(layer, value)}, into a local {@code <layer>Relaxed}: the place where,
 * in the relaxed pass, the layer's targets take over.
 */
final class ForwardPassWriter {
  /** The name of {@code buildForward}'s {@code GraphBuilder} parameter. */
  static final String GRAPH = "graph";

  private static final float ONE_OVER_SQRT_2 = (float) (1 / Math.sqrt(2));

  private final NetworkModel network;
  private final NetworkShapes shapes;
  private final Map<String, String> scheduleFields;
  private final NameAllocator names = new NameAllocator();
  private final CodeBlock.Builder code = CodeBlock.builder();
  /** The locals holding parameters shared by every layer (all but per-neuron ones), by parameter name. */
  private final Map<String, String> sharedParameters = new HashMap<>();
  private final Set<String> relaxedLayers;
  private final String tf;

  /**
   * @param scheduleFields the constants holding each phased schedule, by parameter name
   */
  ForwardPassWriter(NetworkModel network, NetworkShapes shapes, Map<String, String> scheduleFields) {
    this.network = network;
    this.shapes = shapes;
    this.scheduleFields = scheduleFields;
    this.relaxedLayers = network.relaxedLayers();
    names.newName(GRAPH);
    this.tf = names.newName("tf");
  }

  CodeBlock write() {
    code.addStatement("$T $N = $N.tf()", OPS, tf, GRAPH);
    writeSharedParameters();
    code.add("\n");
    String current = writeInput(network.input());
    for (LayerModel layer : network.layers()) {
      if (layer instanceof DenseLayer dense) {
        current = writeDense(dense, current);
      } else if (layer instanceof Conv2DLayer conv) {
        current = writeConv2D(conv, current);
      } else if (layer instanceof FlattenLayer flatten) {
        current = writeFlatten(flatten, current);
      }
    }
    String logits = writeOutput(network.output(), current);
    code.addStatement("return $N", logits);
    return code.build();
  }

  /** Each used parameter once, so every layer reads the same value (per-neuron ones go with their layer). */
  private void writeSharedParameters() {
    Set<String> used = network.parameterUses().keySet();
    Optional<String> learningRate = network.optimizer().learningRateParameter();
    Optional<String> hiddenLossWeight = network.relaxation().flatMap(RelaxationModel::hiddenLossWeightParameter);
    Optional<String> strength = network.relaxation().flatMap(RelaxationModel::strengthParameter);
    Optional<String> resetStrength = network.relaxation().flatMap(RelaxationModel::resetStrengthParameter);
    for (ParameterModel parameter : network.parameters()) {
      boolean perNeuron = parameter instanceof TrainableParameter trainable && trainable.perNeuron();
      if (!used.contains(parameter.name()) || perNeuron) {
        continue;
      }
      String variable = names.newName(parameter.name());
      sharedParameters.put(parameter.name(), variable);
      code.addStatement("$T $N = $L", FLOAT_OPERAND, variable, sharedParameter(parameter));
      if (learningRate.equals(Optional.of(parameter.name()))) {
        code.addStatement("$N.learningRate($N)", GRAPH, variable);
      }
      if (hiddenLossWeight.equals(Optional.of(parameter.name()))) {
        code.addStatement("$N.hiddenLossWeight($N)", GRAPH, variable);
      }
      if (strength.equals(Optional.of(parameter.name()))) {
        code.addStatement("$N.relaxationStrength($N)", GRAPH, variable);
      }
      if (resetStrength.equals(Optional.of(parameter.name()))) {
        code.addStatement("$N.resetStrength($N)", GRAPH, variable);
      }
    }
  }

  private CodeBlock sharedParameter(ParameterModel parameter) {
    String name = parameter.name();
    if (parameter instanceof FixedParameter fixed) {
      return CodeBlock.of("$N.fixed($S, $L)", GRAPH, name, literal(fixed.value()));
    }
    if (parameter instanceof TrainableParameter trainable) {
      return trainable(CodeBlock.of("$S", name), CodeBlock.of("$T.scalar()", SHAPE), trainable);
    }
    AnnealedParameter annealed = (AnnealedParameter) parameter;
    if (annealed.schedule() instanceof HostScheduleModel host) {
      return CodeBlock.of("$N.hostScheduled($S, new $T())", GRAPH, name, ClassName.get(host.type()));
    }
    return CodeBlock.of("$N.annealed($S, $N)", GRAPH, name, scheduleFields.get(name));
  }

  private static CodeBlock trainable(CodeBlock name, CodeBlock shape, TrainableParameter trainable) {
    return CodeBlock.of("$N.trainable($L, $L, $L, $L, $L, $L)", GRAPH, name, shape, literal(trainable.initial()),
        literal(trainable.min()), literal(trainable.max()), literal(trainable.learningRateScale()));
  }

  /** The input placeholder, and its activation if any. */
  private String writeInput(InputLayer input) {
    Optional<Activation> activation = input.activation().filter(given -> given.kind() != ActivationKind.IDENTITY);
    code.add("// $L: input $L$L\n", input.name(), input.shape(), activation.map(given -> ", " + given.describe()).orElse(""));
    String value;
    if (activation.isEmpty()) {
      value = names.newName(input.name());
      code.addStatement("$T $N = $N.input($S)", FLOAT_OPERAND, value, GRAPH, input.name());
    } else {
      LayerName layer = LayerName.of(input.name());
      String raw = names.newName(input.name() + "Raw");
      code.addStatement("$T $N = $N.input($S)", FLOAT_OPERAND, raw, GRAPH, input.name());
      CodeBlock parameter = parameterFor(activation.get(), layer, input.shape());
      String ops = scope(layer);
      value = names.newName(input.name());
      writeSteps(input.name(), List.of(activationStep(activation.get(), input.name(), ops, parameter)), raw, value,
          true);
    }
    code.add("\n");
    return value;
  }

  private String writeDense(DenseLayer dense, String input) {
    LayerShape first = shapes.layer(dense.instanceNames().get(0));
    String output = names.newName(dense.name());
    String dropout = dense.learnedWidth().map(width -> "; " + width.describe()).orElse("");
    dropout += dense.dropout().map(given -> "; dropout " + given.rate()).orElse("");
    dropout += relaxedNote(dense.name());
    if (!dense.isRepeated()) {
      code.add("// $L: dense $L -> $L, $L$L\n", dense.name(), first.inputWidth(), dense.units(),
          dense.activation().describe(), dropout);
      writeDenseBody(dense, LayerName.of(dense.name()), longLiteral(first.inputWidth()), input, output, true);
      code.add("\n");
      return output;
    }
    List<String> instances = dense.instanceNames();
    code.add("// $L .. $L: $L dense layers of $L units (the first reads $L), $L$L\n", instances.get(0),
        instances.get(instances.size() - 1), dense.repeat(), dense.units(), first.inputWidth(),
        dense.activation().describe(), dropout);
    code.addStatement("$T $N = $N", FLOAT_OPERAND, output, input);
    String index = names.newName(dense.name() + "Index");
    String name = names.newName(dense.name() + "Name");
    code.beginControlFlow("for (int $N = 1; $N <= $L; $N++)", index, index, dense.repeat(), index);
    code.addStatement("$T $N = $S + $N", String.class, name, dense.name(), index);
    CodeBlock inputWidth = first.inputWidth() == dense.units()
        ? CodeBlock.of("$L", dense.units())
        : CodeBlock.of("$N == 1 ? $L : $L", index, longLiteral(first.inputWidth()), dense.units());
    writeDenseBody(dense, LayerName.variable(dense.name(), name), inputWidth, output, output, false);
    code.endControlFlow();
    code.add("\n");
    return output;
  }

  /** Weights, bias, per-neuron parameters, then {@code activation(input·W + b)} and dropout into {@code output}. */
  private void writeDenseBody(
      DenseLayer dense, LayerName layer, CodeBlock inputWidth, String input, String output, boolean declare) {
    String weights = writeWeights(dense, layer, "weights", CodeBlock.of("$L, $L", inputWidth, dense.units()));
    String bias = writeBias(dense, layer, dense.units());
    CodeBlock parameter = parameterFor(dense.activation(), layer, List.of((long) dense.units()));
    String ops = scope(layer);
    List<Step> steps = new ArrayList<>();
    boolean relaxed = relaxedLayers.contains(dense.name());
    boolean activated = dense.activation().kind() != ActivationKind.IDENTITY;
    boolean postActivation = network.relaxation().map(RelaxationModel::targets).orElse(null) == Relaxed.Targets.POST_ACTIVATION;
    steps.add(new Step("Linear", value -> linear(ops, value, weights, bias)));
    if (relaxed && !(activated && postActivation)) {
      steps.add(relaxStep(layer));
    }
    if (activated) {
      steps.add(activationStep(dense.activation(), dense.name(), ops, parameter));
      if (relaxed && postActivation) {
        steps.add(relaxStep(layer));
      }
    }
    dense.learnedWidth().ifPresent(width -> steps.add(learnedWidthStep(layer, ops, width, dense.units())));
    dense.dropout().ifPresent(dropout -> steps.add(dropoutStep(layer, dropout)));
    writeSteps(dense.name(), steps, input, output, declare);
  }

  /**
   * Kernel, bias, per-channel parameters, then {@code activation(conv(input, K) + b)}, max-pooling
   * and dropout; a per-channel parameter broadcasts over the last (channel) axis.
   */
  private String writeConv2D(Conv2DLayer conv, String input) {
    LayerShape shape = shapes.layer(conv.name());
    CodeBlock pooling = conv.pooling()
        .map(pool -> CodeBlock.of("; max_pool $Lx$L, stride $L, $L -> $L", pool.window(), pool.window(),
            pool.effectiveStride(), pool.padding(), shape.output()))
        .orElse(CodeBlock.of(""));
    code.add("// $L: conv2d $Lx$L, $L filters, stride $L, $L: $L -> $L, $L$L$L$L\n", conv.name(), conv.kernel(),
        conv.kernel(), conv.filters(), conv.stride(), conv.padding(), shape.input(), shape.activated(),
        conv.activation().describe(), conv.learnedWidth().map(width -> "; " + width.describe()).orElse(""), pooling,
        conv.dropout().map(given -> "; dropout " + given.rate()).orElse(""));
    LayerName layer = LayerName.of(conv.name());
    String output = names.newName(conv.name());
    String kernel = writeWeights(conv, layer, "kernel",
        CodeBlock.of("$L, $L, $L, $L", conv.kernel(), conv.kernel(), longLiteral(shape.input().get(2)), conv.filters()));
    String bias = writeBias(conv, layer, conv.filters());
    CodeBlock parameter = parameterFor(conv.activation(), layer, List.of((long) conv.filters()));
    String ops = scope(layer);
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("Conv", value -> CodeBlock.of("$N.withName($S).nn.conv2d($N, $N, $T.of(1L, $LL, $LL, 1L), $S)",
        ops, "conv", value, kernel, List.class, conv.stride(), conv.stride(), conv.padding().name())));
    steps.add(new Step("Linear", value -> CodeBlock.of("$N.withName($S).nn.biasAdd($N, $N)", ops, "linear", value, bias)));
    if (conv.activation().kind() != ActivationKind.IDENTITY) {
      steps.add(activationStep(conv.activation(), conv.name(), ops, parameter));
    }
    // Gates and scales are >= 0, so they commute with max-pooling: applied before it, they see every channel value.
    conv.learnedWidth().ifPresent(width -> steps.add(learnedWidthStep(layer, ops, width, conv.filters())));
    conv.pooling().ifPresent(pool -> steps.add(new Step("Pooled", value -> CodeBlock.of("$N.maxPool($N, $N, $L, $L, $S)",
        GRAPH, ops, value, pool.window(), pool.effectiveStride(), pool.padding().name()))));
    conv.dropout().ifPresent(dropout -> steps.add(dropoutStep(layer, dropout)));
    writeSteps(conv.name(), steps, input, output, true);
    code.add("\n");
    return output;
  }

  /** Each example reshaped to a vector, {@code [batch, h·w·c]}, in row-major order (its width from the value's shape). */
  private String writeFlatten(FlattenLayer flatten, String input) {
    LayerShape shape = shapes.layer(flatten.name());
    code.add("// $L: flatten $L -> $L\n", flatten.name(), shape.input(), shape.output());
    String ops = scope(LayerName.of(flatten.name()));
    String output = names.newName(flatten.name());
    code.addStatement("$T $N = $N.flatten($N, $N)", FLOAT_OPERAND, output, GRAPH, ops, input);
    code.add("\n");
    return output;
  }

  private String writeOutput(OutputLayer outputLayer, String input) {
    LayerShape shape = shapes.layer(outputLayer.name());
    code.add("// $L: output $L -> $L, the logits$L\n", outputLayer.name(), shape.inputWidth(), shape.outputWidth(),
        relaxedLayers.contains(outputLayer.name()) ? "; relaxed: targets stand for them" : "");
    LayerName layer = LayerName.of(outputLayer.name());
    String weights = writeWeights(outputLayer, layer, "weights",
        CodeBlock.of("$L, $L", longLiteral(shape.inputWidth()), shape.outputWidth()));
    String bias = writeBias(outputLayer, layer, shape.outputWidth());
    String ops = scope(layer);
    String logits = names.newName(outputLayer.name());
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("Linear", value -> linear(ops, value, weights, bias)));
    if (relaxedLayers.contains(outputLayer.name())) {
      steps.add(relaxStep(layer));
    }
    writeSteps(outputLayer.name(), steps, input, logits, true);
    return logits;
  }

  /** Where the relaxed pass replaces the layer's value by its targets. */
  private static Step relaxStep(LayerName layer) {
    return new Step("Relaxed", value -> CodeBlock.of("$N.relax($L, $N)", GRAPH, layer.scope(), value));
  }

  /** The comment's note on a relaxed hidden layer: what its targets stand for. */
  private String relaxedNote(String layer) {
    if (!relaxedLayers.contains(layer)) {
      return "";
    }
    return network.relaxation().orElseThrow().targets() == Relaxed.Targets.POST_ACTIVATION
        ? "; relaxed: targets stand for its activations"
        : "; relaxed: targets stand for its pre-activations";
  }

  /**
   * The layer's weights, named {@code <layer>/<role>}, and right after them their penalty, if any,
   * named {@code <layer>/regularization}.
   */
  private String writeWeights(LayerModel model, LayerName layer, String role, CodeBlock dimensions) {
    String weights = names.newName(model.name() + Character.toUpperCase(role.charAt(0)) + role.substring(1));
    code.addStatement("$T $N = $N.weights($L, $T.of($L))", FLOAT_OPERAND, weights, GRAPH, layer.state(role), SHAPE,
        dimensions);
    network.regularizationOf(model).ifPresent(penalty -> code.addStatement("$N.regularize($L, $N, $L, $L)", GRAPH,
        layer.state("regularization"), weights, literal(penalty.l1()), literal(penalty.l2())));
    return weights;
  }

  private String writeBias(LayerModel model, LayerName layer, long units) {
    String bias = names.newName(model.name() + "Bias");
    code.addStatement("$T $N = $N.bias($L, $L)", FLOAT_OPERAND, bias, GRAPH, layer.state("bias"), units);
    return bias;
  }

  /** {@code biasAdd(matMul(input, weights), bias)}: BiasAdd's gradient is one op, a broadcasting Add's about eight. */
  private static CodeBlock linear(String ops, String input, String weights, String bias) {
    return CodeBlock.of("$N.withName($S).nn.biasAdd($N.linalg.matMul($N, $N), $N)", ops, "linear", ops, input, weights, bias);
  }

  /** The layer's ops, in the name scope its state is in. */
  private String scope(LayerName layer) {
    String ops = names.newName(layer.base() + "Ops");
    code.addStatement("$T $N = $N.scope($L)", OPS, ops, GRAPH, layer.scope());
    return ops;
  }

  /**
   * The value of the parameter the activation names, for this layer: a variable of the layer's
   * own (written here) for a per-neuron parameter, else the shared one; null if it names none.
   *
   * @param shape one value per neuron: the layer's output shape, or its channels for a convolution
   */
  private CodeBlock parameterFor(Activation activation, LayerName layer, List<Long> shape) {
    if (activation.parameter().isEmpty()) {
      return null;
    }
    String name = activation.parameter().get();
    ParameterModel parameter = network.parameter(name).orElseThrow();
    if (parameter instanceof TrainableParameter trainable && trainable.perNeuron()) {
      String variable = names.newName(layer.base() + Character.toUpperCase(name.charAt(0)) + name.substring(1));
      CodeBlock dimensions = shape.stream().map(TypeNames::longLiteral).collect(CodeBlock.joining(", "));
      code.addStatement("$T $N = $L", FLOAT_OPERAND, variable,
          trainable(layer.state(name), CodeBlock.of("$T.of($L)", SHAPE, dimensions), trainable));
      return CodeBlock.of("$N", variable);
    }
    return CodeBlock.of("$N", sharedParameters.get(name));
  }

  /**
   * One op of a layer, one line of code: its value from the previous step's, in a local whose name
   * is the layer's and {@code suffix}.
   */
  private record Step(String suffix, Function<String, CodeBlock> op) {}

  /**
   * Writes {@code steps} in order from {@code input}: the last into {@code output}, each other into
   * a local of its own.
   *
   * @param base the declared layer name, the stem of the locals
   */
  private void writeSteps(String base, List<Step> steps, String input, String output, boolean declareOutput) {
    String value = input;
    for (int index = 0; index < steps.size(); index++) {
      Step step = steps.get(index);
      CodeBlock computed = step.op().apply(value);
      boolean last = index == steps.size() - 1;
      String target = last ? output : names.newName(base + step.suffix());
      assign(target, computed, !last || declareOutput);
      value = target;
    }
  }

  /** The layer's units times their gates, or their soft size's scales. */
  private Step learnedWidthStep(LayerName layer, String ops, LearnedWidthModel width, int units) {
    CodeBlock penalty = width.penaltyParameter()
        .map(name -> CodeBlock.of("$N", sharedParameters.get(name)))
        .orElseGet(() -> CodeBlock.of("$N.constant($L)", ops, floatLiteral((float) width.penalty())));
    if (width.mode() == LearnedWidth.Mode.GATES) {
      return new Step("Gated", value -> CodeBlock.of("$N.gates($N, $L, $N, $L, $L, $L)", GRAPH, ops, layer.scope(), value, penalty,
          literal(width.initial()), literal(width.deadBelow())));
    }
    return new Step("Scaled", value -> CodeBlock.of("$N.softSize($N, $L, $N, $L, $L, $L)", GRAPH, ops, layer.scope(), value,
        penalty, literal(width.initialSize(units)), literal(width.slope())));
  }

  private static Step dropoutStep(LayerName layer, DropoutModel dropout) {
    return new Step("Dropout", value -> CodeBlock.of("$N.dropout($L, $N, $L)", GRAPH, layer.state("dropout"), value,
        literal(dropout.rate())));
  }

  /**
   * The activation applied elementwise; GELU first writes its normal CDF into a local of its own.
   *
   * @param base the declared layer name, the stem of that local
   */
  private Step activationStep(Activation activation, String base, String ops, CodeBlock parameter) {
    String op = activation.kind().opName();
    return new Step("Activation", input -> switch (activation.kind()) {
      case IDENTITY -> CodeBlock.of("$N", input);
      case RELU -> CodeBlock.of("$N.withName($S).nn.relu($N)", ops, op, input);
      case SIGMOID -> CodeBlock.of("$N.withName($S).math.sigmoid($N)", ops, op, input);
      case TANH -> CodeBlock.of("$N.withName($S).math.tanh($N)", ops, op, input);
      case SOFTPLUS -> CodeBlock.of("$N.withName($S).math.softplus($N)", ops, op, input);
      case ELU -> CodeBlock.of("$N.withName($S).nn.elu($N)", ops, op, input);
      case SELU -> CodeBlock.of("$N.withName($S).nn.selu($N)", ops, op, input);
      case GELU -> {
        // Exact GELU, x·Φ(x), with the normal CDF Φ(x) = (1 + erf(x/√2)) / 2.
        String cdf = names.newName(base + "Cdf");
        code.addStatement("$T $N = $N.withName($S).math.mul($N.constant($L), $N.math.add($N.constant($L), "
                + "$N.math.erf($N.math.mul($N, $N.constant($L)))))",
            FLOAT_OPERAND, cdf, ops, "normal_cdf", ops, floatLiteral(0.5f), ops, ops, floatLiteral(1f), ops, ops,
            input, ops, floatLiteral(ONE_OVER_SQRT_2));
        yield CodeBlock.of("$N.withName($S).math.mul($N, $N)", ops, op, input, cdf);
      }
      case SWISH -> CodeBlock.of("$N.withName($S).math.mul($N, $N.math.sigmoid($N.math.mul($L, $N)))",
          ops, op, input, ops, ops, parameter, input);
      case THETA_LEAKY -> CodeBlock.of("$N.thetaLeaky($N, $N, $L)", GRAPH, ops, input, parameter);
    });
  }

  private void assign(String variable, CodeBlock value, boolean declare) {
    if (declare) {
      code.addStatement("$T $N = $L", FLOAT_OPERAND, variable, value);
    } else {
      code.addStatement("$N = $L", variable, value);
    }
  }

  /**
   * How the code names one layer's state and scope: by a string constant, or (in the loop of a
   * repeated layer) by the local that holds the current repetition's name.
   *
   * @param base the declared member name, the stem of the layer's locals
   */
  private record LayerName(String base, String literal, String variable) {
    static LayerName of(String name) {
      return new LayerName(name, name, null);
    }

    static LayerName variable(String base, String variable) {
      return new LayerName(base, null, variable);
    }

    /** {@code "hidden/weights"}, or {@code hiddenName + "/weights"}. */
    CodeBlock state(String suffix) {
      return variable == null ? CodeBlock.of("$S", literal + "/" + suffix) : CodeBlock.of("$N + $S", variable, "/" + suffix);
    }

    CodeBlock scope() {
      return variable == null ? CodeBlock.of("$S", literal) : CodeBlock.of("$N", variable);
    }
  }
}
