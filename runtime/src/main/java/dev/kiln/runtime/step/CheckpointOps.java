package dev.kiln.runtime.step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssignVariableOp;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Save and restore ops over every variable of a graph, in TensorFlow's V2 checkpoint format, keyed
 * by variable name. TF Java's own {@code Session.save} skips resource variables, so the runtime
 * builds these itself, under the names {@code Graph.saverDef()} looks for ({@code save/filename},
 * {@code save/control_dependency}, {@code save/restore_all}), which also lets a SavedModel export
 * find them.
 *
 * @param filename fed with the checkpoint prefix (a path without the {@code .index} suffix)
 * @param save writes every variable
 * @param restore assigns every variable from the checkpoint: a complete initialisation
 * @param allFinite true when every floating-point variable holds only finite values, so that no
 *     checkpoint keeps a diverged state
 */
public record CheckpointOps(Placeholder<TString> filename, Op save, Op restore, Operand<TBool> allFinite) {

  /** Builds the ops in {@code save}, which should be the scope {@code save}. */
  public static CheckpointOps build(Ops save, List<StateVariable<?>> variables) {
    Placeholder<TString> filename = save.withName("filename").placeholder(TString.class);
    Operand<TString> names = names(save, variables);
    Operand<TString> slices = wholeTensors(save, variables.size());
    Op saved = write(save, filename, names, slices, variables);
    return new CheckpointOps(filename, saved, restore(save, filename, names, slices, variables), allFinite(save, variables));
  }

  /**
   * A save op alone, over {@code variables} only, in the same format and under the same keys as
   * {@link #build}'s: what a graph with other variables of those names can restore from.
   *
   * @param filename fed with the checkpoint prefix
   * @param save writes the variables
   */
  public record Writer(Placeholder<TString> filename, Op save) {
    /** Builds the ops in {@code scope}, which must not be {@code save}, the scope of a graph's own checkpoint ops. */
    static Writer build(Ops scope, List<StateVariable<?>> variables) {
      Placeholder<TString> filename = scope.withName("filename").placeholder(TString.class);
      return new Writer(filename, write(scope, filename, names(scope, variables), wholeTensors(scope, variables.size()), variables));
    }
  }

  /**
   * A restore op alone, over {@code variables} only: what takes the weights a {@link Writer} (or
   * a pruning) wrote into a graph that has other variables besides, which keep their values.
   *
   * @param filename fed with the checkpoint prefix
   * @param restore assigns the variables from the checkpoint
   */
  public record Reader(Placeholder<TString> filename, Op restore) {
    /** Builds the ops in {@code scope}, which must not be {@code save}. */
    static Reader build(Ops scope, List<StateVariable<?>> variables) {
      Placeholder<TString> filename = scope.withName("filename").placeholder(TString.class);
      return new Reader(filename, CheckpointOps.restore(scope, filename, names(scope, variables), wholeTensors(scope, variables.size()), variables));
    }
  }

  /** Assigns every variable from the checkpoint; a no-op that waits for all of them. */
  private static Op restore(Ops scope, Placeholder<TString> filename, Operand<TString> names, Operand<TString> slices, List<StateVariable<?>> variables) {
    List<Class<? extends TType>> types = new ArrayList<>();
    variables.forEach(variable -> types.add(variable.type()));
    Restore read = scope.train.restore(filename, names, slices, types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      // A resource variable takes a value of any shape unless told: a checkpoint of another
      // width would change the variable's shape instead of failing. Per-example variables (with
      // an unknown number of rows) take the checkpoint's rows.
      StateVariable<?> variable = variables.get(i);
      boolean fixed = !variable.shape().hasUnknownDimension();
      assigns.add(scope.assignVariableOp(variable.handle(), read.tensors().get(i), AssignVariableOp.validateShape(fixed)));
    }
    return scope.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  /** The checkpoint's keys: the variables' names. */
  private static Operand<TString> names(Ops scope, List<StateVariable<?>> variables) {
    return scope.constant(StdArrays.ndCopyOf(variables.stream().map(StateVariable::name).toArray(String[]::new)));
  }

  /** Empty slice specs: each tensor is saved and restored whole. */
  private static Operand<TString> wholeTensors(Ops scope, int count) {
    String[] whole = new String[count];
    Arrays.fill(whole, "");
    return scope.constant(StdArrays.ndCopyOf(whole));
  }

  /** Writes every variable, then passes the filename on as {@code control_dependency}, the name a SaverDef gives its save tensor. */
  private static Op write(Ops scope, Placeholder<TString> filename, Operand<TString> names, Operand<TString> slices, List<StateVariable<?>> variables) {
    List<Operand<?>> values = new ArrayList<>();
    for (StateVariable<?> variable : variables) {
      values.add(variable.read());
    }
    Op write = scope.train.save(filename, names, slices, values);
    return scope.withControlDependencies(List.of(write)).withName("control_dependency").identity(filename);
  }

  private static Operand<TBool> allFinite(Ops save, List<StateVariable<?>> variables) {
    List<Operand<TBool>> checks = new ArrayList<>();
    checks.add(save.constant(true));
    for (StateVariable<?> variable : variables) {
      if (variable.type() == TFloat32.class) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> value = (Operand<TFloat32>) variable.read();
        checks.add(save.reduceAll(save.math.isFinite(NonFiniteGuard.flat(save, value)), save.constant(0)));
      }
    }
    return save.withName("all_finite").reduceAll(save.stack(checks), save.constant(0));
  }
}
