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
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.DeviceSpec;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Where a model runs, the CPU (the default) or one GPU, and how its session executes: the
 * training step compiled by XLA or run op by op, TensorFlow's graph optimizer Grappler on or off,
 * and TensorFlow's thread pools. A GPU needs TensorFlow Java's CUDA build, which the Maven profile {@code gpu} selects
 * ({@code mvn -Pgpu ...}), and a host with an NVIDIA driver, CUDA 12 and cuDNN 9.
 *
 * <pre>{@code
 * Model.build(new MoonsGraph(), Device.parse(args.length > 0 ? args[0] : "cpu"))
 * Model.build(new MnistGraph(), Device.gpu().withXla(true))     // the whole step as one XLA computation
 * Model.build(new MnistGraph(), Device.cpu().withThreads(2, 1)) // 2 threads inside an op, 1 across ops
 * Model.build(new MnistGraph(), Device.cpu().withGrappler(true)) // TensorFlow's graph rewrites, as on a GPU
 * }</pre>
 *
 * <p>Grappler rewrites each new kind of session call (a training step, a logging step, validation)
 * before its first run. On the CPU it is off by default: measured on every workload of Kiln's
 * benchmark, it made no step faster, and it made each new kind of call seconds slower to start for
 * deep networks (3.5 s against 0.55 s for the first step of a 101-layer relaxed network). On a GPU
 * it stays on, as TensorFlow has it: its layout and fusion rewrites are made for GPUs.
 *
 * <p>On the CPU the model's session does not see any GPU, so no op lands on one. On a GPU every op
 * of the model is placed on it (ops without a GPU kernel fall back to the CPU), and its memory
 * grows as needed instead of being taken whole at the start. The gradient ops that TensorFlow adds
 * for training carry no device of their own and go to the first GPU: for another GPU, make it the
 * only visible one ({@code CUDA_VISIBLE_DEVICES=1}) and use {@code gpu}.
 *
 * @param index the device's index among devices of its kind (always 0 for the CPU)
 * @param xla whether XLA compiles the training step as one computation (as {@code jit_compile=True} does)
 * @param grappler whether TensorFlow's graph optimizer rewrites each new kind of session call
 *     before its first run (off: {@code disable_meta_optimizer})
 * @param intraOpThreads threads that one op may use; 0 lets TensorFlow choose (one per core)
 * @param interOpThreads threads that run independent ops at once; 0 lets TensorFlow choose
 */
public record Device(Kind kind, int index, boolean xla, boolean grappler, int intraOpThreads, int interOpThreads) {
  public enum Kind {
    CPU,
    GPU
  }

  public Device {
    Objects.requireNonNull(kind, "kind");
    if (index < 0 || (kind == Kind.CPU && index != 0)) {
      throw new IllegalArgumentException("no such device: " + kind + ":" + index);
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 lets TensorFlow choose), got " + intraOpThreads + " intra-op and " + interOpThreads + " inter-op threads");
    }
  }

  /**
   * The device with Kiln's execution defaults: no XLA, Grappler only on a GPU, thread pools sized
   * by TensorFlow.
   */
  public Device(Kind kind, int index) {
    this(kind, index, false, kind == Kind.GPU, 0, 0);
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

  /**
   * This device, with the training step compiled by XLA or run op by op (the default). Compiled,
   * every op of the step, from the forward pass through the gradients to the optimiser's updates,
   * is one XLA cluster (what {@code tf.function(jit_compile=True)} makes in Python), compiled on
   * the step's first run and again for each new batch size; the non-finite guard then selects
   * instead of branching, and keeps its promise. On this project's 2-core CPU the compiled step
   * was slower on every workload measured (docs/PERFORMANCE.md); where element-wise work
   * dominates, and on a GPU, it can be faster: measure.
   */
  public Device withXla(boolean xla) {
    return new Device(kind, index, xla, grappler, intraOpThreads, interOpThreads);
  }

  /**
   * This device, with TensorFlow's graph optimizer Grappler on or off (by default off on the CPU,
   * on on a GPU; see the class comment). Whether it makes a step faster depends on the network, so
   * measure (see docs/PERFORMANCE.md).
   */
  public Device withGrappler(boolean grappler) {
    return new Device(kind, index, xla, grappler, intraOpThreads, interOpThreads);
  }

  /**
   * This device, with TensorFlow's thread pools set: {@code intraOp} threads inside one op (a
   * matrix product), {@code interOp} threads running independent ops at once; 0 lets TensorFlow
   * choose (one per core), which is the default.
   */
  public Device withThreads(int intraOp, int interOp) {
    return new Device(kind, index, xla, grappler, intraOp, interOp);
  }

  /** Listed once: TensorFlow finds a process's devices when it first starts and keeps them. */
  private static volatile List<DeviceInfo> visible;

  /**
   * Every device TensorFlow sees in this process (the CPU, and GPUs with the CUDA build), listed on
   * the first call.
   */
  public static synchronized List<DeviceInfo> visible() {
    if (visible == null) {
      visible = listDevices();
    }
    return visible;
  }

  /**
   * {@link #visible()}, listed on a thread of its own while the caller goes on. In a fresh process
   * the first listing is TensorFlow starting its devices, 0.1–0.2 s on a 2-core machine, which
   * {@link Model#build} spends building the graph instead of waiting.
   */
  static CompletableFuture<List<DeviceInfo>> visibleSoon() {
    List<DeviceInfo> devices = visible;
    if (devices != null) {
      return CompletableFuture.completedFuture(devices);
    }
    return CompletableFuture.supplyAsync(Device::visible, task -> {
      Thread thread = new Thread(task, "kiln-list-devices");
      thread.setDaemon(true);
      thread.start();
    });
  }

  /** Asks a throwaway session which devices it has: TF Java has no API for it outside the C API. */
  private static List<DeviceInfo> listDevices() {
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      // Without growth, a session takes nearly all of every GPU's memory just to list it.
      BytePointer config = new BytePointer(baseConfig().build().toByteArray());
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
   * @throws IllegalStateException naming the devices found and, for a GPU, what it needs
   */
  public DeviceInfo requireIn(List<DeviceInfo> visible) {
    return requireIn(visible, cudaBuild());
  }

  /** {@link #requireIn(List)}, for TensorFlow's CUDA build ({@code cudaBuild}) or its CPU build. */
  DeviceInfo requireIn(List<DeviceInfo> visible, boolean cudaBuild) {
    return visible.stream()
        .filter(d -> d.type().equalsIgnoreCase(kind.name()) && d.index() == index)
        .findFirst()
        .orElseThrow(
            () -> {
              String found = visible.stream().map(DeviceInfo::shortName).collect(Collectors.joining(", "));
              String hint = "";
              if (kind == Kind.GPU && cudaBuild) {
                hint = ". This is TensorFlow Java's CUDA build, so the host is missing the GPU or what it needs: an NVIDIA driver"
                    + " (nvidia-smi lists the GPUs), CUDA 12 and cuDNN 9 libraries on the library path (TensorFlow's log above"
                    + " names the one it could not load); or run on Device.cpu()";
              } else if (kind == Kind.GPU) {
                hint = ". GPUs need TensorFlow Java's CUDA build: build with the Maven profile gpu (mvn -Pgpu ...) on a host with"
                    + " an NVIDIA driver, CUDA 12 and cuDNN 9, or run on Device.cpu()";
              }
              return new IllegalStateException(name() + " was requested, but TensorFlow sees only: " + found + hint);
            });
  }

  /** Whether TensorFlow Java's CUDA native build (Maven classifier {@code <platform>-gpu}) is on the class path. */
  static boolean cudaBuild() {
    String library = "org/tensorflow/internal/c_api/" + Loader.getPlatform() + "-gpu/LICENSE";
    return Device.class.getClassLoader().getResource(library) != null;
  }

  /**
   * What a training run prints about where it runs: the device used, every device TensorFlow
   * found, and the execution settings that are not the defaults, e.g.
   * {@code CPU:0 (TensorFlow sees CPU:0; XLA JIT)}.
   *
   * @throws IllegalStateException if this device is not among {@code visible} (see {@link #requireIn})
   */
  public String describe(List<DeviceInfo> visible) {
    DeviceInfo used = requireIn(visible);
    String seen = visible.stream().map(DeviceInfo::shortName).collect(Collectors.joining(", "));
    String settings = settings();
    return used.shortName() + " (TensorFlow sees " + seen + (settings.isEmpty() ? "" : "; " + settings) + ")";
  }

  /**
   * The session configuration of a model on this device: GPU memory grows as needed; ops without a
   * kernel on the device fall back to the CPU; on the CPU, no GPU is visible to the session; Grappler
   * and thread pools as set (a compiled step is marked in its graph, see {@link #withXla}).
   */
  public ConfigProto sessionConfig() {
    ConfigProto.Builder config =
        baseConfig().setIntraOpParallelismThreads(intraOpThreads).setInterOpParallelismThreads(interOpThreads);
    if (kind == Kind.CPU) {
      // The gradient ops carry no device; with a GPU visible TensorFlow would place them there.
      config.putDeviceCount("GPU", 0);
    }
    GraphOptions.Builder graph = GraphOptions.newBuilder();
    if (!grappler) {
      graph.setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true));
    }
    config.setGraphOptions(graph);
    return config.build();
  }

  private static ConfigProto.Builder baseConfig() {
    return ConfigProto.newBuilder().setAllowSoftPlacement(true).setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
  }

  DeviceSpec spec() {
    return DeviceSpec.newBuilder()
        .deviceType(kind == Kind.CPU ? DeviceSpec.DeviceType.CPU : DeviceSpec.DeviceType.GPU)
        .deviceIndex(index)
        .build();
  }

  /** {@code cpu} or {@code gpu:<index>}, as {@link #parse} reads it. */
  public String name() {
    return kind == Kind.CPU ? "cpu" : "gpu:" + index;
  }

  /** The execution settings that differ from Kiln's defaults, e.g. {@code XLA JIT, 2 intra-op threads}; empty if none. */
  private String settings() {
    List<String> settings = new ArrayList<>();
    if (xla) {
      settings.add("XLA JIT");
    }
    if (grappler != (kind == Kind.GPU)) {
      settings.add(grappler ? "Grappler" : "no Grappler");
    }
    if (intraOpThreads > 0) {
      settings.add(intraOpThreads + " intra-op thread" + (intraOpThreads == 1 ? "" : "s"));
    }
    if (interOpThreads > 0) {
      settings.add(interOpThreads + " inter-op thread" + (interOpThreads == 1 ? "" : "s"));
    }
    return String.join(", ", settings);
  }

  /** {@link #name()}, followed by the execution settings if any differ from the defaults: {@code cpu (XLA JIT)}. */
  @Override
  public String toString() {
    String settings = settings();
    return settings.isEmpty() ? name() : name() + " (" + settings + ")";
  }
}
