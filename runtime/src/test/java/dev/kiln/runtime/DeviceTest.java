package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.ModelGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.OptimizerOptions;


class DeviceTest {
  private static final DeviceInfo CPU = new DeviceInfo("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", 268435456);
  private static final DeviceInfo GPU_1 = new DeviceInfo("/job:localhost/replica:0/task:0/device:GPU:1", "GPU", 8L << 30);

  @Test
  void parsesCpuAndGpus() {
    assertThat(Device.parse("cpu")).isEqualTo(Device.cpu());
    assertThat(Device.parse(" CPU ")).isEqualTo(Device.cpu());
    assertThat(Device.parse("gpu")).isEqualTo(Device.gpu());
    assertThat(Device.parse("GPU:1")).isEqualTo(Device.gpu(1));
    assertThat(Device.gpu()).isEqualTo(Device.gpu(0));
    assertThat(Device.parse(Device.gpu(3).toString())).isEqualTo(Device.gpu(3));
    assertThat(Device.cpu().toString()).isEqualTo("cpu");
  }

  @Test
  void refusesOtherDevices() {
    for (String text : List.of("tpu", "gpu:", "gpu:-1", "gpu:x", "cpu:1", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(text));
      assertThat(e).hasMessageThat().contains("unknown device '" + text + "'");
      assertThat(e).hasMessageThat().contains("expected cpu, gpu or gpu:<index>");
    }
    assertThrows(IllegalArgumentException.class, () -> Device.gpu(-1));
  }

  @Test
  void listsTheCpu() {
    List<DeviceInfo> visible = Device.visible();
    assertThat(visible).isNotEmpty();
    DeviceInfo cpu = Device.cpu().requireIn(visible);
    assertThat(cpu.type()).isEqualTo("CPU");
    assertThat(cpu.shortName()).isEqualTo("CPU:0");
    assertThat(cpu.name()).endsWith("device:CPU:0");
  }

  @Test
  void findsARequestedGpuAmongTheVisibleDevices() {
    assertThat(Device.gpu(1).requireIn(List.of(CPU, GPU_1))).isEqualTo(GPU_1);
    assertThat(GPU_1.index()).isEqualTo(1);
    assertThat(GPU_1.toString()).isEqualTo("GPU:1 (GPU, 8192 MiB)");
  }

  @Test
  void aMissingGpuNamesTheDevicesFoundAndWhatAGpuNeeds() {
    IllegalStateException cpuBuild = assertThrows(IllegalStateException.class, () -> Device.gpu(0).requireIn(List.of(CPU, GPU_1), false));
    assertThat(cpuBuild).hasMessageThat().startsWith("gpu:0 was requested, but TensorFlow sees only: CPU:0, GPU:1");
    assertThat(cpuBuild).hasMessageThat().contains("GPUs need TensorFlow Java's CUDA build: build with the Maven profile gpu (mvn -Pgpu ...)");

    IllegalStateException cudaBuild = assertThrows(IllegalStateException.class, () -> Device.gpu(0).requireIn(List.of(CPU), true));
    assertThat(cudaBuild).hasMessageThat().startsWith("gpu:0 was requested, but TensorFlow sees only: CPU:0. This is TensorFlow Java's CUDA build");
    assertThat(cudaBuild).hasMessageThat().contains("an NVIDIA driver (nvidia-smi lists the GPUs), CUDA 12 and cuDNN 9");
    assertThat(cudaBuild).hasMessageThat().doesNotContain("-Pgpu");
  }

  @Test
  void knowsWhichNativeBuildIsOnTheClassPath() {
    ClassLoader loader = Device.class.getClassLoader();
    String directory = "org/tensorflow/internal/c_api/" + org.bytedeco.javacpp.Loader.getPlatform();
    boolean cpu = loader.getResource(directory + "/LICENSE") != null;
    boolean cuda = loader.getResource(directory + "-gpu/LICENSE") != null;
    // The poms choose one native build (mvn -Pgpu: the CUDA one), never both.
    assertThat(cpu).isNotEqualTo(cuda);
    assertThat(Device.cudaBuild()).isEqualTo(cuda);
  }

  @Test
  void buildingOnAGpuThatIsNotThereFailsClearly() {
    boolean hasGpu = Device.visible().stream().anyMatch(d -> d.type().equals("GPU"));
    Device missing = Device.gpu(hasGpu ? 99 : 0);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Model.build(TestMlp.of("Gpu", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 2), missing));
    assertThat(e).hasMessageThat().contains(missing + " was requested, but TensorFlow sees only: CPU:0");
    assertThat(e).hasMessageThat().contains(Device.cudaBuild() ? "This is TensorFlow Java's CUDA build" : "-Pgpu");
  }

  @Test
  void executionSettingsKeepTheDeviceAndShowInItsName() {
    Device device = Device.gpu(1).withXla(true).withThreads(2, 1);
    assertThat(device.kind()).isEqualTo(Device.Kind.GPU);
    assertThat(device.index()).isEqualTo(1);
    assertThat(device.xla()).isTrue();
    assertThat(device.intraOpThreads()).isEqualTo(2);
    assertThat(device.interOpThreads()).isEqualTo(1);
    assertThat(device.name()).isEqualTo("gpu:1");
    assertThat(device.toString()).isEqualTo("gpu:1 (XLA JIT, 2 intra-op threads, 1 inter-op thread)");
    assertThat(Device.cpu().withXla(false)).isEqualTo(Device.cpu());
    assertThat(Device.cpu().withThreads(0, 0)).isEqualTo(Device.cpu());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.cpu().withThreads(-1, 0));
    assertThat(e).hasMessageThat().contains("thread counts must be >= 0 (0 lets TensorFlow choose), got -1 intra-op and 0 inter-op threads");
  }

  @Test
  void describesTheDeviceUsedTheDevicesFoundAndTheSettings() {
    assertThat(Device.cpu().describe(List.of(CPU, GPU_1))).isEqualTo("CPU:0 (TensorFlow sees CPU:0, GPU:1)");
    assertThat(Device.gpu(1).withXla(true).describe(List.of(CPU, GPU_1))).isEqualTo("GPU:1 (TensorFlow sees CPU:0, GPU:1; XLA JIT)");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Device.gpu(0).describe(List.of(CPU)));
    assertThat(e).hasMessageThat().startsWith("gpu:0 was requested, but TensorFlow sees only: CPU:0");
  }

  @Test
  void sessionsGrowGpuMemoryAndACpuSessionSeesNoGpu() {
    ConfigProto cpu = Device.cpu().sessionConfig();
    assertThat(cpu.getGpuOptions().getAllowGrowth()).isTrue();
    assertThat(cpu.getAllowSoftPlacement()).isTrue();
    assertThat(cpu.getDeviceCountMap()).containsEntry("GPU", 0);
    assertThat(cpu.getIntraOpParallelismThreads()).isEqualTo(0);
    assertThat(cpu.getInterOpParallelismThreads()).isEqualTo(0);
    assertThat(cpu.getGraphOptions().getOptimizerOptions().getGlobalJitLevel()).isEqualTo(OptimizerOptions.GlobalJitLevel.DEFAULT);
    assertThat(cpu.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isTrue();

    ConfigProto gpu = Device.gpu(1).withThreads(3, 2).sessionConfig();
    assertThat(gpu.getGpuOptions().getAllowGrowth()).isTrue();
    assertThat(gpu.getDeviceCountMap()).doesNotContainKey("GPU");
    assertThat(gpu.getIntraOpParallelismThreads()).isEqualTo(3);
    assertThat(gpu.getInterOpParallelismThreads()).isEqualTo(2);
    assertThat(gpu.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isFalse();
  }

  @Test
  void grapplerIsOffOnTheCpuAndOnOnAGpuUnlessAsked() {
    assertThat(Device.cpu().grappler()).isFalse();
    assertThat(Device.gpu(0).grappler()).isTrue();
    assertThat(Device.parse("gpu:2").grappler()).isTrue();
    assertThat(Device.cpu().withGrappler(true).sessionConfig().getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isFalse();
    assertThat(Device.gpu(0).withGrappler(false).sessionConfig().getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isTrue();
    // With XLA too: the step is marked for compilation in its graph, not by any session setting.
    ConfigProto xla = Device.cpu().withXla(true).sessionConfig();
    assertThat(xla.getGraphOptions().getOptimizerOptions().getGlobalJitLevel()).isEqualTo(OptimizerOptions.GlobalJitLevel.DEFAULT);
    assertThat(xla.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isTrue();
    // Named only where it differs from the device's default.
    assertThat(Device.cpu().withGrappler(true).toString()).isEqualTo("cpu (Grappler)");
    assertThat(Device.gpu(0).withGrappler(false).toString()).isEqualTo("gpu:0 (no Grappler)");
    assertThat(Device.gpu(0).toString()).isEqualTo("gpu:0");
    assertThat(Device.cpu().withGrappler(false)).isEqualTo(Device.cpu());
  }

  @Test
  void placesEveryOpTheNetworkAndRuntimeBuildOnTheDevice() {
    // Building a graph needs no GPU: only its session does.
    TestMlp network = TestMlp.of("Placed", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 4);
    for (Device device : List.of(Device.cpu(), Device.gpu(1))) {
      String expected = device.kind() == Device.Kind.CPU ? "/device:CPU:0" : "/device:GPU:1";
      try (ModelGraph graph = ModelGraph.build(network, device.spec())) {
        List<String> elsewhere = new ArrayList<>();
        int placed = 0;
        for (Iterator<GraphOperation> ops = graph.graph.operations(); ops.hasNext(); ) {
          GraphOperation op = ops.next();
          // TensorFlow adds the gradient ops itself, without a device (see Device's class comment).
          if (op.name().contains("/Gradients/")) {
            continue;
          }
          if (op.device().equals(expected)) {
            placed++;
          } else {
            elsewhere.add(op.name() + " on '" + op.device() + "'");
          }
        }
        assertThat(elsewhere).isEmpty();
        assertThat(placed).isGreaterThan(50);
      }
    }
  }

  @Test
  void aModelTrainsWithXlaAndThreadSettings(@TempDir Path logs) {
    TestMlp network = TestMlp.of("Tuned", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.05, 0.9, 0.999, 1e-7), 8);
    try (Model model = Model.build(network, Device.cpu().withXla(true).withThreads(1, 1))) {
      assertThat(model.device()).isEqualTo(Device.cpu().withXla(true).withThreads(1, 1));
      TrainingResult result =
          model.train(TestData.halfPlanes(256, 3), TrainingConfig.defaults().withEpochs(15).withBatchSize(32).withLogRoot(logs).quiet());
      assertThat(result.last().trainAccuracy()).isGreaterThan(0.9);
    }
  }
}
