package dev.kiln.runtime.graph;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A {@link GraphBuilder} that passes every call on to another: the base of one that changes a few. */
abstract class ForwardingGraphBuilder implements GraphBuilder {
  final GraphBuilder graph;

  ForwardingGraphBuilder(GraphBuilder graph) {
    this.graph = graph;
  }

  /**
   * Fails if a name the caller gave is none of those the network made, naming both.
   *
   * @param missing what the network lacks, {@code %s} for the names: "fixed parameter %s"
   * @param existing what it has instead, before the names: "fixed parameters"
   */
  static void requireMade(NetworkGraph network, String missing, String existing, Collection<String> given, Collection<String> made) {
    List<String> unknown = new ArrayList<>(given);
    unknown.removeAll(made);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("network " + network.spec().name() + " has no " + String.format(missing, String.join(", ", unknown))
          + "; its " + existing + " are " + (made.isEmpty() ? "none" : String.join(", ", new TreeSet<>(made))));
    }
  }

  @Override
  public Operand<TFloat32> fixed(String name, double value) {
    return graph.fixed(name, value);
  }

  @Override
  public Ops tf() {
    return graph.tf();
  }

  @Override
  public Ops scope(String name) {
    return graph.scope(name);
  }

  @Override
  public Operand<TFloat32> input(String name) {
    return graph.input(name);
  }

  @Override
  public Operand<TFloat32> weights(String name, Shape shape) {
    return graph.weights(name, shape);
  }

  @Override
  public Operand<TFloat32> bias(String name, long units) {
    return graph.bias(name, units);
  }

  @Override
  public Operand<TFloat32> annealed(String name, PhasedSchedule schedule) {
    return graph.annealed(name, schedule);
  }

  @Override
  public Operand<TFloat32> hostScheduled(String name, Schedule schedule) {
    return graph.hostScheduled(name, schedule);
  }

  @Override
  public Operand<TFloat32> trainable(String name, Shape shape, double initial, double min, double max, double learningRateScale) {
    return graph.trainable(name, shape, initial, min, max, learningRateScale);
  }

  @Override
  public void learningRate(Operand<TFloat32> learningRate) {
    graph.learningRate(learningRate);
  }

  @Override
  public void regularize(String name, Operand<TFloat32> weights, double l1, double l2) {
    graph.regularize(name, weights, l1, l2);
  }

  @Override
  public Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow) {
    return graph.gates(ops, layer, x, penalty, initial, deadBelow);
  }

  @Override
  public Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope) {
    return graph.softSize(ops, layer, x, penalty, initialSize, slope);
  }

  @Override
  public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate) {
    return graph.dropout(name, x, rate);
  }

  @Override
  public Operand<TFloat32> relax(String layer, Operand<TFloat32> value) {
    return graph.relax(layer, value);
  }

  @Override
  public void hiddenLossWeight(Operand<TFloat32> weight) {
    graph.hiddenLossWeight(weight);
  }

  @Override
  public void relaxationStrength(Operand<TFloat32> strength) {
    graph.relaxationStrength(strength);
  }

  @Override
  public void resetStrength(Operand<TFloat32> strength) {
    graph.resetStrength(strength);
  }

  @Override
  public Operand<TFloat32> thetaLeaky(Ops ops, Operand<TFloat32> x, Operand<TFloat32> theta) {
    return graph.thetaLeaky(ops, x, theta);
  }

  @Override
  public Operand<TFloat32> maxPool(Ops ops, Operand<TFloat32> x, int window, int stride, String padding) {
    return graph.maxPool(ops, x, window, stride, padding);
  }

  @Override
  public Operand<TFloat32> flatten(Ops ops, Operand<TFloat32> x) {
    return graph.flatten(ops, x);
  }
}
