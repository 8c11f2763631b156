package org.tensorflow.op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;

/**
 * Kiln's {@link Scope} for building a whole model graph: name scopes that share one registry of
 * the names handed out, instead of TensorFlow Java's, which list every operation of the graph
 * each time a sub-scope is made (to learn which names are in use there). With a sub-scope per
 * layer, variable and optimiser slot, that listing made building a graph of n ops cost O(n²) JNI
 * calls: over a minute for a 100-layer network. Names are the same as TensorFlow Java's: an op or
 * sub-scope gets its name if free, else {@code name_1}, {@code name_2}, ...
 *
 * <p>Every op of the graph must be made through scopes of one registry (ops that TensorFlow's C API
 * adds under a name handed out, such as gradients under {@code Gradients}, stay under that name).
 * In this package because {@link Ops} is made from a scope only here.
 */
public final class RegistryScope implements Scope {
  /** Every full name handed out in one graph, and for each the next suffix to try. */
  private static final class Registry {
    private final Set<String> used = new HashSet<>();
    private final Map<String, Integer> nextSuffix = new HashMap<>();

    /** {@code name} if {@code prefix/name} is free, else {@code name_k} for the first free k; reserved. */
    String unique(String prefix, String name) {
      if (used.add(qualify(prefix, name))) {
        return name;
      }
      String key = qualify(prefix, name);
      int suffix = nextSuffix.getOrDefault(key, 1);
      while (!used.add(qualify(prefix, name + "_" + suffix))) {
        suffix++;
      }
      nextSuffix.put(key, suffix + 1);
      return name + "_" + suffix;
    }
  }

  private final Graph graph;
  private final Registry registry;
  /** The scope's path ({@code hidden/weights}); null at the root. */
  private final String prefix;
  /** The name the next op gets instead of its default, if set with {@link #withName}. */
  private final String opName;
  private final List<Operation> controlDependencies;
  private final DeviceSpec device;
  private final boolean init;

  private RegistryScope(
      Graph graph, Registry registry, String prefix, String opName, List<Operation> controlDependencies, DeviceSpec device,
      boolean init) {
    this.graph = graph;
    this.registry = registry;
    this.prefix = prefix;
    this.opName = opName;
    this.controlDependencies = controlDependencies;
    this.device = device;
    this.init = init;
  }

  /**
   * Ops at the root of {@code graph} with a fresh registry: make every op of the graph through
   * them (and the scopes derived from them), on a graph with no ops yet.
   */
  public static Ops create(Graph graph) {
    Objects.requireNonNull(graph, "graph");
    return new Ops(new RegistryScope(graph, new Registry(), null, null, List.of(), DeviceSpec.newBuilder().build(), false));
  }

  @Override
  public ExecutionEnvironment env() {
    return graph;
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    String name = opName != null ? opName : childScopeName;
    requireValid(name);
    return new RegistryScope(graph, registry, qualify(prefix, registry.unique(prefix, name)), null, controlDependencies, device, init);
  }

  @Override
  public Scope withName(String name) {
    requireValid(name);
    return new RegistryScope(graph, registry, prefix, name, controlDependencies, device, init);
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    return withSubScope(defaultName);
  }

  @Override
  public Scope withDevice(DeviceSpec newDevice) {
    return new RegistryScope(graph, registry, prefix, opName, controlDependencies, newDevice, init);
  }

  @Override
  public Scope withInitScope() {
    return new RegistryScope(graph, registry, prefix, opName, List.of(), device, true);
  }

  @Override
  public String makeOpName(String defaultName) {
    String name = opName != null ? opName : defaultName;
    requireValid(name);
    return qualify(prefix, registry.unique(prefix, name));
  }

  @Override
  public String makeUnique(String id) {
    return registry.unique(prefix, id);
  }

  /** Nothing to refresh: the registry holds every name its scopes handed out. */
  @Override
  public void refreshNames() {}

  /** As TensorFlow Java's scopes: an init scope depends only on init ops, other scopes skip them. */
  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    List<Operation> added = new ArrayList<>();
    for (Operation control : controls) {
      graph.checkInput(control);
      if (init && !graph.isInitializer(control)) {
        throw new IllegalArgumentException("Init scope can not have non-init control dependency.");
      }
      if (init || !graph.isInitializer(control)) {
        added.add(control);
      }
    }
    return new RegistryScope(graph, registry, prefix, opName, List.copyOf(added), device, init);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    builder.setDevice(device.toString());
    for (Operation control : controlDependencies) {
      if (init || !graph.isInitializer(control)) {
        builder.addControlInput(control);
      }
    }
    return builder;
  }

  @Override
  public String getDeviceString() {
    return device.toString();
  }

  @Override
  public boolean isInit() {
    return init;
  }

  private static String qualify(String prefix, String name) {
    return prefix == null ? name : prefix + "/" + name;
  }

  private static void requireValid(String name) {
    if (!Scope.isValidOpName(name)) {
      throw new IllegalArgumentException(
          "invalid name: '" + name + "': use letters, digits, '.', '_' and '-', starting with a letter, digit or '.'");
    }
  }
}
