package dev.kiln.runtime.step;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.graph.GraphBuilder;
import java.util.Objects;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The {@link GraphBuilder} of a relaxed network's second build of its forward pass, the relaxed
 * pass: every state method returns the state of that name the ordinary pass made (so both passes
 * share the weights and parameters), the layers' ops go under {@code relaxed/}, and
 * {@link #relax} replaces a layer's value by the batch's rows of its targets.
 */
final class RelaxedPassBuilder implements GraphBuilder {
  /** The scope of the relaxed pass's ops and of the targets: {@code relaxed/<layer>/...}. */
  static final String SCOPE = "relaxed";

  private final NetworkBuilder state;
  /** Makes a layer's targets from the value they stand for and returns the batch's rows. */
  private final BiFunction<String, Operand<TFloat32>, Operand<TFloat32>> targets;

  RelaxedPassBuilder(NetworkBuilder state, BiFunction<String, Operand<TFloat32>, Operand<TFloat32>> targets) {
    this.state = state;
    this.targets = targets;
  }

  @Override
  public Ops tf() {
    return state.scope(SCOPE);
  }

  @Override
  public Ops scope(String name) {
    return state.scope(SCOPE + "/" + name);
  }

  @Override
  public Operand<TFloat32> input(String name) {
    Operand<TFloat32> input = state.inputPlaceholder().orElseThrow(() -> differs("input(\"" + name + "\")"));
    if (!input.op().name().equals(name)) {
      throw differs("input(\"" + name + "\") (the ordinary pass's input is '" + input.op().name() + "')");
    }
    return input;
  }

  @Override
  public Operand<TFloat32> weights(String name, Shape shape) {
    return made(name, "weights");
  }

  @Override
  public Operand<TFloat32> bias(String name, long units) {
    return made(name, "bias");
  }

  @Override
  public Operand<TFloat32> fixed(String name, double value) {
    return made(name, "parameter");
  }

  @Override
  public Operand<TFloat32> annealed(String name, PhasedSchedule schedule) {
    return made(name, "parameter");
  }

  @Override
  public Operand<TFloat32> hostScheduled(String name, Schedule schedule) {
    return made(name, "parameter");
  }

  @Override
  public Operand<TFloat32> trainable(
      String name, Shape shape, double initial, double min, double max, double learningRateScale) {
    return made(name, "parameter");
  }

  @Override
  public void learningRate(Operand<TFloat32> learningRate) {
    if (!state.learningRateOverride().map(rate -> rate.asOutput().equals(learningRate.asOutput())).orElse(false)) {
      throw differs("learningRate(...) with another value");
    }
  }

  @Override
  public void hiddenLossWeight(Operand<TFloat32> weight) {
    if (!state.hiddenLossWeightOverride().map(set -> set.asOutput().equals(weight.asOutput())).orElse(false)) {
      throw differs("hiddenLossWeight(...) with another value");
    }
  }

  /** The ordinary pass added the penalty to the loss already. */
  @Override
  public void regularize(String name, Operand<TFloat32> weights, double l1, double l2) {
    requireClaimed(name, "regularize");
  }

  @Override
  public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
    throw learnedWidth(layer);
  }

  @Override
  public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
    throw learnedWidth(layer);
  }

  /** The processor refuses @LearnedWidth on a @Relaxed network; a hand-written graph gets the same answer here. */
  private IllegalStateException learnedWidth(String layer) {
    return new IllegalStateException(
        state.spec().name() + ": layer '" + layer + "' learns its width, which a relaxed network does not support (its targets have a fixed width)");
  }

  @Override
  public void relaxationStrength(Operand<TFloat32> strength) {
    if (!state.relaxationStrength().map(set -> set.asOutput().equals(strength.asOutput())).orElse(false)) {
      throw differs("relaxationStrength(...) with another value");
    }
  }

  @Override
  public void resetStrength(Operand<TFloat32> strength) {
    if (!state.resetStrength().map(set -> set.asOutput().equals(strength.asOutput())).orElse(false)) {
      throw differs("resetStrength(...) with another value");
    }
  }

  @Override
  public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate) {
    requireClaimed(name, "dropout");
    return state.dropoutIn(scope(name), name, x, rate);
  }

  @Override
  public Operand<TFloat32> relax(String layer, Operand<TFloat32> value) {
    Objects.requireNonNull(value, "value");
    if (!state.relaxedValues().containsKey(layer)) {
      throw differs("relax(\"" + layer + "\", ...)");
    }
    return targets.apply(layer, value);
  }

  private Operand<TFloat32> made(String name, String what) {
    return state.made(name).orElseThrow(() -> differs(what + " '" + name + "'"));
  }

  private void requireClaimed(String name, String call) {
    if (!state.claimed(name)) {
      throw differs(call + "(\"" + name + "\", ...)");
    }
  }

  /** The two builds of one forward pass must make the same calls. */
  private IllegalStateException differs(String call) {
    return new IllegalStateException(
        state.spec().name() + ": the relaxed pass asks for " + call + ", which the ordinary pass did not make; "
            + "buildForward must make the same calls each time it is built");
  }
}
