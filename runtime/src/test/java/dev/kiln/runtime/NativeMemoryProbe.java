package dev.kiln.runtime;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Measures the resident memory ({@code VmRSS}) of this JVM around training, for
 * {@link NativeMemoryTest}, which runs it in a JVM whose whole heap is touched at start
 * ({@code -XX:+AlwaysPreTouch}, {@code -Xms} = {@code -Xmx}) and whose young generation is large
 * enough that no collection runs while a phase is measured: so the Java heap adds nothing to the
 * resident memory, and a tensor, session or graph that is not closed, which TensorFlow Java frees
 * only when the collector finds it, stays resident and shows.
 *
 * <p>Prints one line per phase: {@code PHASE <name> <resident bytes before> <after> <collections during>}.
 */
public final class NativeMemoryProbe {
  /** Examples per step: a step's features are 256 × 64 float32 values, 64 KiB. */
  static final int BATCH = 256;
  static final int FEATURES = 64;
  static final int CYCLES = 10;
  static final int LONG_RUN_EPOCHS = 150;
  static final int LEAKED = 1200;
  static final int LEAKED_MODELS = 3;
  /** The width of {@link #wide}: its weights and Adam's two slots take 13 MB, what a session that is not closed keeps. */
  static final int WIDE = 1024;

  private NativeMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    Path logs = Path.of(args[0]);
    // 8 steps an epoch for the long run; 2 for the short runs, whose cost is in building.
    Dataset data = data(8 * BATCH);
    Dataset small = data(2 * BATCH);
    TrainingConfig config = TrainingConfig.defaults().withBatchSize(BATCH).withLogRoot(logs).withLogEvery(10).quiet();

    // Warm-up: TensorFlow's kernels, thread pools and allocator caches, and the JIT.
    for (int i = 0; i < 3; i++) {
      try (Model model = Model.build(wide())) {
        model.train(small, config.withEpochs(1).withRunName("warm-up-" + i));
      }
    }
    try (Model model = Model.build(narrow())) {
      model.train(data, config.withEpochs(20).withRunName("warm-up-long"));
    }

    // Many short runs: build, train, close.
    Phase cycles = Phase.start();
    for (int i = 0; i < CYCLES; i++) {
      try (Model model = Model.build(wide())) {
        model.train(small, config.withEpochs(1).withRunName("cycle-" + i));
      }
    }
    cycles.end("cycles");

    // One long run: 1,200 steps (as many as the leaked tensors below) on one model, a checkpoint every 10 epochs.
    try (Model model = Model.build(narrow())) {
      model.train(data, config.withEpochs(10).withRunName("long-warm-up"));
      Phase longRun = Phase.start();
      model.train(data, config.withEpochs(LONG_RUN_EPOCHS).withRunName("long").withCheckpoints(CheckpointPolicy.everyEpochs(10).keepLast(1)));
      longRun.end("long-run");
    }

    // Controls: what the phases above would show if training left a step's features unclosed,
    // or a run left its model (session and graph) unclosed.
    Phase tensors = Phase.start();
    float[] features = new float[BATCH * FEATURES];
    for (int i = 0; i < LEAKED; i++) {
      TFloat32.tensorOf(Shape.of(BATCH, FEATURES), DataBuffers.of(features, true, false));
    }
    tensors.end("leaked-tensors");
    Phase models = Phase.start();
    List<Model> leaked = new ArrayList<>();
    for (int i = 0; i < LEAKED_MODELS; i++) {
      Model model = Model.build(wide());
      model.train(small, config.withEpochs(1).withRunName("leaked-" + i));
      leaked.add(model);
    }
    models.end("leaked-models");
    leaked.forEach(Model::close);
  }

  /** 64 → 1024 → 1024 → 1. */
  static TestMlp wide() {
    return TestMlp.of("Wide", FEATURES, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(1e-3, 0.9, 0.999, 1e-7), WIDE, WIDE);
  }

  /** 64 → 64 → 1: fast steps, for many of them. */
  static TestMlp narrow() {
    return TestMlp.of("Narrow", FEATURES, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(1e-3, 0.9, 0.999, 1e-7), 64);
  }

  static Dataset data(int n) {
    Random random = new Random(1);
    float[] features = new float[n * FEATURES];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      float sum = 0;
      for (int j = 0; j < FEATURES; j++) {
        features[i * FEATURES + j] = (float) random.nextGaussian();
        sum += features[i * FEATURES + j];
      }
      labels[i] = sum > 0 ? 1 : 0;
    }
    return Dataset.of(features, Shape.of(FEATURES), labels, 1);
  }

  /** A measured phase: collects first, so that the collector has nothing to do during it. */
  private record Phase(long rssBefore, long collectionsBefore) {
    static Phase start() throws IOException {
      System.gc();
      return new Phase(residentBytes(), collections());
    }

    void end(String name) throws IOException {
      long rssAfter = residentBytes();
      System.out.println("PHASE " + name + " " + rssBefore + " " + rssAfter + " " + (collections() - collectionsBefore));
      System.out.flush();
    }
  }

  static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("/proc/self/status has no VmRSS line");
  }

  private static long collections() {
    long count = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, collector.getCollectionCount());
    }
    return count;
  }
}
