package dev.kiln.runtime;

import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import java.util.Optional;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A hand-written stand-in for the code Kiln generates for a {@code @Relaxed} network: sigmoid
 * hidden layers {@code hidden1 ..}, each relaxed at its pre-activation (or activation), and an
 * output layer {@code output}, relaxed too unless told otherwise.
 */
final class RelaxedMlp implements NetworkGraph {
  private final NetworkSpec spec;
  private final int[] hidden;
  private Relaxed.Targets targets = Relaxed.Targets.PRE_ACTIVATION;
  private boolean relaxOutput = true;
  private Function<GraphBuilder, Operand<TFloat32>> hiddenLossWeight;
  private Function<GraphBuilder, Operand<TFloat32>> strength;
  private Function<GraphBuilder, Operand<TFloat32>> resetStrength;

  private RelaxedMlp(NetworkSpec spec, int[] hidden) {
    this.spec = spec;
    this.hidden = hidden.clone();
  }

  /** {@code 2 → hidden... → 1}, sigmoid cross-entropy, targets as {@code relaxation} says. */
  static RelaxedMlp of(String name, OptimizerSpec optimizer, RelaxationSpec relaxation, int... hidden) {
    return new RelaxedMlp(new NetworkSpec(name, Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, optimizer, 42, Optional.of(relaxation)), hidden);
  }

  /** The same network trained the ordinary way: no relaxation, no targets. */
  static RelaxedMlp plain(String name, OptimizerSpec optimizer, int... hidden) {
    return new RelaxedMlp(new NetworkSpec(name, Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, optimizer, 42), hidden);
  }

  /** Mean squared error between targets and values, weight 1, targets from a forward pass, never reset. */
  static RelaxationSpec forward() {
    return new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.FORWARD, 0, 1.0);
  }

  RelaxedMlp withTargets(Relaxed.Targets targets) {
    this.targets = targets;
    return this;
  }

  RelaxedMlp withoutOutputTargets() {
    this.relaxOutput = false;
    return this;
  }

  /** The relaxation's strength α, a parameter the network makes. */
  RelaxedMlp withStrength(Function<GraphBuilder, Operand<TFloat32>> strength) {
    this.strength = strength;
    return this;
  }

  /** How far each reset moves the targets, ρ, a parameter the network makes. */
  RelaxedMlp withResetStrength(Function<GraphBuilder, Operand<TFloat32>> resetStrength) {
    this.resetStrength = resetStrength;
    return this;
  }

  RelaxedMlp withHiddenLossWeight(Function<GraphBuilder, Operand<TFloat32>> weight) {
    this.hiddenLossWeight = weight;
    return this;
  }

  @Override
  public NetworkSpec spec() {
    return spec;
  }

  @Override
  public Operand<TFloat32> buildForward(GraphBuilder graph) {
    if (hiddenLossWeight != null) {
      graph.hiddenLossWeight(hiddenLossWeight.apply(graph));
    }
    if (strength != null) {
      graph.relaxationStrength(strength.apply(graph));
    }
    if (resetStrength != null) {
      graph.resetStrength(resetStrength.apply(graph));
    }
    boolean relaxed = spec.relaxation().isPresent();
    Operand<TFloat32> x = graph.input("input");
    long width = 2;
    for (int i = 0; i < hidden.length; i++) {
      String layer = "hidden" + (i + 1);
      Ops ops = graph.scope(layer);
      Operand<TFloat32> linear = linear(graph, layer, x, width, hidden[i]);
      if (relaxed && targets == Relaxed.Targets.PRE_ACTIVATION) {
        linear = graph.relax(layer, linear);
      }
      x = ops.withName("sigmoid").math.sigmoid(linear);
      if (relaxed && targets == Relaxed.Targets.POST_ACTIVATION) {
        x = graph.relax(layer, x);
      }
      width = hidden[i];
    }
    Operand<TFloat32> logits = linear(graph, "output", x, width, 1);
    return relaxed && relaxOutput ? graph.relax("output", logits) : logits;
  }

  private static Operand<TFloat32> linear(GraphBuilder graph, String layer, Operand<TFloat32> x, long in, long out) {
    Ops ops = graph.scope(layer);
    Operand<TFloat32> weights = graph.weights(layer + "/weights", Shape.of(in, out));
    Operand<TFloat32> bias = graph.bias(layer + "/bias", out);
    return ops.withName("linear").math.add(ops.linalg.matMul(x, weights), bias);
  }
}
