package dev.kiln.runtime;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.DeviceSpec;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Where a model runs: the CPU (the default) or one GPU. A GPU needs TensorFlow Java's CUDA build,
 * which the Maven profile {@code gpu} selects ({@code mvn -Pgpu ...}), and a host with an NVIDIA
 * driver, CUDA 12 and cuDNN 9.
 *
 * <pre>{@code
 * Model.build(new MoonsGraph(), Device.parse(args.length > 0 ? args[0] : "cpu"))
 * }</pre>
 *
 * @param index the device's index among devices of its kind (always 0 for the CPU)
 */
public record Device(Kind kind, int index) {
  public enum Kind {
    CPU,
    GPU
  }

  public Device {
    Objects.requireNonNull(kind, "kind");
    if (index < 0 || (kind == Kind.CPU && index != 0)) {
      throw new IllegalArgumentException("no such device: " + kind + ":" + index);
    }
  }

  public static Device cpu() {
    return new Device(Kind.CPU, 0);
  }

  /** The first GPU. */
  public static Device gpu() {
    return gpu(0);
  }

  public static Device gpu(int index) {
    return new Device(Kind.GPU, index);
  }

  /**
   * Reads {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:<index>}, ignoring case, e.g. from
   * a command-line argument.
   */
  public static Device parse(String text) {
    Objects.requireNonNull(text, "text");
    String normalised = text.trim().toLowerCase(Locale.ROOT);
    if (normalised.equals("cpu") || normalised.equals("cpu:0")) {
      return cpu();
    }
    if (normalised.equals("gpu")) {
      return gpu();
    }
    if (normalised.startsWith("gpu:")) {
      String index = normalised.substring("gpu:".length());
      if (!index.isEmpty() && index.chars().allMatch(Character::isDigit) && index.length() <= 9) {
        return gpu(Integer.parseInt(index));
      }
    }
    throw new IllegalArgumentException("unknown device '" + text + "': expected cpu, gpu or gpu:<index>, e.g. gpu:1");
  }

  /** Listed once: TensorFlow finds a process's devices when it first starts and keeps them. */
  private static volatile List<DeviceInfo> visible;

  /** Every device TensorFlow sees in this process (the CPU, and GPUs with the CUDA build). */
  public static List<DeviceInfo> visible() {
    List<DeviceInfo> devices = visible;
    if (devices == null) {
      devices = listDevices();
      visible = devices;
    }
    return devices;
  }

  /** Asks a throwaway session which devices it has: TF Java has no API for it outside the C API. */
  private static List<DeviceInfo> listDevices() {
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      // Without growth, a session takes nearly all of every GPU's memory just to list it.
      BytePointer config = new BytePointer(sessionConfig().toByteArray());
      TF_SetConfig(options, config, config.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_Graph graph = TF_Graph.newGraph();
      TF_Session session = TF_Session.newSession(graph, options, status);
      status.throwExceptionIfNotOK();
      TF_DeviceList list = TF_SessionListDevices(session, status);
      status.throwExceptionIfNotOK();
      try {
        List<DeviceInfo> devices = new ArrayList<>();
        for (int i = 0; i < TF_DeviceListCount(list); i++) {
          devices.add(
              new DeviceInfo(
                  TF_DeviceListName(list, i, status).getString(),
                  TF_DeviceListType(list, i, status).getString(),
                  TF_DeviceListMemoryBytes(list, i, status)));
          status.throwExceptionIfNotOK();
        }
        return List.copyOf(devices);
      } finally {
        TF_DeleteDeviceList(list);
      }
    }
  }

  /**
   * Checks that this device is among {@code visible}.
   *
   * @return the visible device this one is
   * @throws IllegalStateException naming the devices found and how to get a GPU build
   */
  public DeviceInfo requireIn(List<DeviceInfo> visible) {
    return visible.stream()
        .filter(d -> d.type().equalsIgnoreCase(kind.name()) && d.index() == index)
        .findFirst()
        .orElseThrow(
            () -> {
              String found = visible.stream().map(DeviceInfo::shortName).collect(Collectors.joining(", "));
              String hint =
                  kind == Kind.GPU
                      ? ". GPUs need TensorFlow Java's CUDA build: build with the Maven profile gpu (mvn -Pgpu ...) on a host with"
                          + " an NVIDIA driver, CUDA 12 and cuDNN 9, or run on Device.cpu()"
                      : "";
              return new IllegalStateException(this + " was requested, but TensorFlow sees only: " + found + hint);
            });
  }

  /** Session settings: GPU memory grows as needed; ops without a kernel on the device fall back to the CPU. */
  static ConfigProto sessionConfig() {
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true))
        .build();
  }

  DeviceSpec spec() {
    return DeviceSpec.newBuilder()
        .deviceType(kind == Kind.CPU ? DeviceSpec.DeviceType.CPU : DeviceSpec.DeviceType.GPU)
        .deviceIndex(index)
        .build();
  }

  /** {@code cpu} or {@code gpu:<index>}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return kind == Kind.CPU ? "cpu" : "gpu:" + index;
  }
}
