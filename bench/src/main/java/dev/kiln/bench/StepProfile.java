package dev.kiln.bench;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.step.StepCompilation;
import dev.kiln.runtime.training.ModelRunner;
import dev.kiln.runtime.training.ModelSession;
import dev.kiln.samples.rai.DeepRelaxedGraph;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;

/**
 * Where a training step's time goes: Kiln's step of W1, W2 or W3 run with TensorFlow's step
 * statistics, each kernel's time summed by op type and by name scope over {@value #PROFILED} steps
 * (kernels of the two inter-op threads overlap, so the sum exceeds the wall time), then
 * {@value #TIMED} steps timed without them. The same batch every step, no logging, no
 * checkpoints: the graph's own cost. The figures of "The lean step" in docs/PERFORMANCE.md.
 *
 * <pre>
 * usage: StepProfile W1|W2|W3 [--grappler] [--threads INTRA/INTER]
 *   (how to run it: docs/PERFORMANCE.md, "The lean step")
 * </pre>
 */
public final class StepProfile {
  private static final int WARM_UP = 30;
  private static final int PROFILED = 20;
  private static final int TIMED = 200;

  private StepProfile() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: StepProfile W1|W2|W3 [--grappler] [--xla] [--threads INTRA/INTER]");
    }
    Workload workload = Workload.valueOf(args[0].toUpperCase(Locale.ROOT));
    Device device = Device.cpu();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--grappler" -> device = device.withGrappler(true);
        case "--xla" -> device = device.withXla(true);
        case "--threads" -> {
          String[] threads = args[++i].split("/");
          device = device.withThreads(Integer.parseInt(threads[0]), Integer.parseInt(threads[1]));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    NetworkGraph network =
        switch (workload) {
          case W1 -> new MnistMlpGraph();
          case W2 -> new LargeCnnGraph();
          case W3 -> new DeepRelaxedGraph();
          case W4 -> throw new IllegalArgumentException("W4 is a whole program, not a step: time it with the benchmark");
        };
    Dataset data = workload == Workload.W3 ? TwoMoons.generate(100, 0.1, 42) : Mnist.load().train().range(0, 128);
    DeviceSpec cpu = DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
    try (ModelGraph graph = ModelGraph.build(network, cpu, device.xla())) {
      Graph sessionGraph = device.xla() ? StepCompilation.compiledCopy(graph) : graph.graph;
      ModelSession model = new ModelSession(graph, sessionGraph, new Session(sessionGraph, device.sessionConfig()));
      try {
        profile(workload, network, data, model);
      } finally {
        model.close();
      }
    }
  }

  private static void profile(Workload workload, NetworkGraph network, Dataset data, ModelSession model) {
    model.relaxedTargets().ifPresent(relaxed -> relaxed.bind(model, data));
    ModelSession.BatchBuffers buffers = new ModelSession.BatchBuffers(data, data.size());
    Map<String, double[]> byType = new HashMap<>();
    Map<String, double[]> byScope = new HashMap<>();
    double total = 0;
    for (int step = -WARM_UP; step < PROFILED; step++) {
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelRunner runner = trainingStep(model, feeds, data, buffers);
        try (Result result = runner.runWithMetadata(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build())) {
          if (step < 0) {
            continue;
          }
          for (DeviceStepStats stats : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            for (NodeExecStats node : stats.getNodeStatsList()) {
              double millis = (node.getOpEndRelMicros() - node.getOpStartRelMicros()) / 1000.0;
              String label = node.getTimelineLabel();
              String type = label.contains(" = ") ? label.substring(label.indexOf(" = ") + 3).split("[(\\s]")[0] : node.getNodeName();
              add(byType, type, millis);
              add(byScope, scope(node.getNodeName()), millis);
              total += millis;
            }
          }
        }
      }
    }
    long start = System.nanoTime();
    for (int step = 0; step < TIMED; step++) {
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        trainingStep(model, feeds, data, buffers).run().close();
      }
    }
    double wall = (System.nanoTime() - start) / 1e6 / TIMED;
    System.out.printf(Locale.ROOT, "%s (%s): %.2f ms a step over %d steps; kernels' time %.2f ms a step, %.0f kernels a step%n",
        workload, network.spec().name(), wall, TIMED, total / PROFILED, byType.values().stream().mapToDouble(v -> v[1]).sum() / PROFILED);
    print("by op type", byType, total);
    print("by scope", byScope, total);
  }

  /** A runner of one training step on the whole of {@code data}, fed. */
  private static ModelRunner trainingStep(ModelSession model, ModelSession.Feeds feeds, Dataset data, ModelSession.BatchBuffers buffers) {
    int[] order = ModelSession.identity(data.size());
    ModelRunner runner = model.feedBatch(model.runner(), feeds, data, order, 0, data.size(), buffers);
    model.relaxedTargets().ifPresent(relaxed -> relaxed.feedExampleIndices(runner, feeds, order, 0, data.size()));
    return runner.addTarget(model.graph.train);
  }

  /** The first name scope, or the first two under {@code training/} and {@code relaxed/} (layer numbers as N). */
  private static String scope(String node) {
    String[] parts = node.split("/");
    if (parts.length > 2 && (parts[0].equals("training") || parts[0].equals("relaxed"))) {
      return parts[0] + "/" + parts[1].replaceAll("\\d+", "N");
    }
    return parts[0].replaceAll("\\d+$", "N");
  }

  private static void add(Map<String, double[]> sums, String key, double millis) {
    double[] sum = sums.computeIfAbsent(key, k -> new double[2]);
    sum[0] += millis;
    sum[1]++;
  }

  private static void print(String title, Map<String, double[]> sums, double total) {
    System.out.println(title + ":");
    sums.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .limit(20)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-40s %8.2f ms %5.1f%%  x%.0f%n", e.getKey(), e.getValue()[0] / PROFILED,
            100 * e.getValue()[0] / total, e.getValue()[1] / PROFILED));
  }
}
