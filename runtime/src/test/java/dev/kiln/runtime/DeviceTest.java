package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

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
  void aMissingGpuNamesTheDevicesFoundAndTheGpuBuild() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Device.gpu(0).requireIn(List.of(CPU, GPU_1)));
    assertThat(e).hasMessageThat().startsWith("gpu:0 was requested, but TensorFlow sees only: CPU:0, GPU:1");
    assertThat(e).hasMessageThat().contains("mvn -Pgpu");
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
    assertThat(e).hasMessageThat().contains("-Pgpu");
  }
}
