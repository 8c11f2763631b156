package dev.kiln.bench;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkGraph;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Kiln's {@link Model#train} with its defaults (TensorBoard scalars every 10 steps, a progress
 * line per epoch), except that no checkpoint is written at the end of each call.
 */
final class KilnSubject implements Subject {
  private final Model model;
  private final TrainingConfig config;

  /**
   * @param logEvery the TensorBoard interval; Kiln's default is 10
   * @param output where Kiln's progress lines go
   */
  KilnSubject(NetworkGraph network, Device device, Path logRoot, int logEvery, PrintStream output) {
    this.model = Model.build(network, device);
    this.config = TrainingConfig.defaults().withLogRoot(logRoot).withLogEvery(logEvery).withCheckpoint(false).withOutput(output).withSeed(1);
  }

  @Override
  public void train(Dataset data, int batchSize, int epochs) {
    model.train(data, config.withBatchSize(batchSize).withEpochs(epochs));
  }

  /** Like {@link #train(Dataset, int, int)}, logging TensorBoard scalars every {@code logEvery} steps instead. */
  void train(Dataset data, int batchSize, int epochs, int logEvery) {
    model.train(data, config.withBatchSize(batchSize).withEpochs(epochs).withLogEvery(logEvery));
  }

  Model model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
