package dev.kiln.runtime.step;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * A training step compiled as one XLA cluster, as {@code tf.function(jit_compile=True)} compiles
 * one: every op the step runs carries {@code _XlaCompile = true} and one {@code _XlaScope}, and
 * TensorFlow compiles the ops it can into one computation on the step's first run (again for
 * each new batch size), instead of running them one by one.
 *
 * <p>TensorFlow's C API sets attributes only while an op is built, and the gradients it adds do
 * not pass through a scope that could set them; so the attributes go onto a copy of the whole
 * graph ({@link #compiledCopy}), with the same op names, which the model's session then runs.
 * The step must have been built with a guard that selects ({@link ModelGraph#build(
 * dev.kiln.runtime.graph.NetworkGraph, org.tensorflow.DeviceSpec, boolean)}): a {@code Switch}
 * would split the cluster.
 */
public final class StepCompilation {
  /** The one scope of the step's cluster: ops of one scope may be compiled together. */
  static final String SCOPE = "kiln_step";

  /** Ops that stay outside the cluster: what the step is fed and the variables' handles. */
  private static final Set<String> OUTSIDE = Set.of("Placeholder", "PlaceholderWithDefault", "VarHandleOp");

  private StepCompilation() {}

  /**
   * A copy of {@code model}'s graph in which the ops of its training step (everything
   * {@link ModelGraph#train} and {@link ModelGraph#trainClosingEpoch} depend on) are marked for
   * compilation as one cluster. The caller owns the copy.
   *
   * @throws IllegalArgumentException if {@code model}'s guard gates rather than selects
   */
  public static Graph compiledCopy(ModelGraph model) {
    if (!model.compiled) {
      throw new IllegalArgumentException(
          "network " + model.spec.name() + " was built to run op by op: its guard gates the updates with a Switch, which would split "
              + "a compiled step; build it with ModelGraph.build(network, device, true)");
    }
    GraphDef original = model.graph.toGraphDef();
    Set<String> roots = Set.of(model.train.op().name(), model.trainClosingEpoch.op().name());
    Set<String> step = dependencies(original, roots);
    GraphDef.Builder marked = original.toBuilder();
    AttrValue compile = AttrValue.newBuilder().setB(true).build();
    AttrValue scope = AttrValue.newBuilder().setS(ByteString.copyFromUtf8(SCOPE)).build();
    for (NodeDef.Builder node : marked.getNodeBuilderList()) {
      // The barriers inside the step (no-ops that order its reads before its updates) go into the
      // cluster, or they would split it; the step's targets stay outside, as what a run asks for.
      if (step.contains(node.getName()) && !OUTSIDE.contains(node.getOp()) && !roots.contains(node.getName())) {
        node.putAttr("_XlaCompile", compile).putAttr("_XlaScope", scope);
      }
    }
    Graph copy = new Graph();
    try {
      copy.importGraphDef(marked.build());
      return copy;
    } catch (RuntimeException e) {
      copy.close();
      throw e;
    }
  }

  /** The names of {@code roots} and of every node they depend on, through data and control inputs. */
  private static Set<String> dependencies(GraphDef graph, Set<String> roots) {
    Map<String, NodeDef> byName = new HashMap<>();
    graph.getNodeList().forEach(node -> byName.put(node.getName(), node));
    Set<String> reached = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>(roots);
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (reached.add(name)) {
        for (String input : byName.get(name).getInputList()) {
          // "^name" for a control input, "name:k" for an output other than the first.
          String source = input.startsWith("^") ? input.substring(1) : input;
          int colon = source.indexOf(':');
          pending.add(colon < 0 ? source : source.substring(0, colon));
        }
      }
    }
    return reached;
  }
}
