package dev.kiln.runtime;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.ModelGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Run in a fresh JVM by {@link DeviceTest}: lists the devices (as {@link Model#build} does first),
 * then prints, for a training step of a small network on the CPU with XLA and without, the op
 * types its partition graphs ran: {@code xla: <types>} and {@code plain: <types>}.
 */
final class XlaProbe {
  private XlaProbe() {}

  public static void main(String[] args) {
    Device.visible();
    System.out.println("xla: " + String.join(" ", partitionOps(Device.cpu().withXla(true))));
    System.out.println("plain: " + String.join(" ", partitionOps(Device.cpu())));
  }

  /** The op types a probe printed for {@code label}. */
  static List<String> ops(List<String> lines, String label) {
    return lines.stream()
        .filter(line -> line.startsWith(label + ": "))
        .findFirst()
        .map(line -> Arrays.asList(line.substring(label.length() + 2).split(" ")))
        .orElseThrow(() -> new AssertionError("the probe printed no '" + label + ":' line; it printed " + lines));
  }

  private static List<String> partitionOps(Device device) {
    TestMlp network = TestMlp.of("Jit", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 4);
    try (ModelGraph graph = ModelGraph.build(network, device.spec());
        Session session = new Session(graph.graph, device.sessionConfig());
        TFloat32 input = TFloat32.tensorOf(Shape.of(8, 2));
        TFloat32 labels = TFloat32.tensorOf(Shape.of(8, 1));
        Result result =
            session.runner().feed(graph.input, input).feed(graph.head.labels(), labels).addTarget(graph.train)
                .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build()).runAndFetchMetadata()) {
      List<String> types = new ArrayList<>();
      for (GraphDef partition : result.getMetadata().orElseThrow().getPartitionGraphsList()) {
        partition.getNodeList().forEach(node -> types.add(node.getOp()));
      }
      return types;
    }
  }
}
