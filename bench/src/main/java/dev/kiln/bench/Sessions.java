package dev.kiln.bench;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTfXlaCpuGlobalJit;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;

/** The session configuration of the hand-written side: what Kiln's runtime sets, plus the tuning. */
final class Sessions {
  private Sessions() {}

  static ConfigProto config(Tuning tuning) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setAllowSoftPlacement(true)
            .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true))
            .setIntraOpParallelismThreads(tuning.intraOpThreads())
            .setInterOpParallelismThreads(tuning.interOpThreads());
    GraphOptions.Builder graph = GraphOptions.newBuilder();
    if (tuning.xla()) {
      // The session's JIT level alone clusters only GPU ops; CPU clustering is a process-wide flag.
      TF_SetTfXlaCpuGlobalJit((byte) 1);
      graph.setOptimizerOptions(OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1));
    }
    if (!tuning.grappler()) {
      graph.setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true));
    }
    config.setGraphOptions(graph);
    return config.build();
  }
}
