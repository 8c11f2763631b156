package dev.kiln.bench;

import dev.kiln.bench.hand.HandModel;
import dev.kiln.bench.hand.HandTrainer;
import dev.kiln.runtime.data.Dataset;
import org.tensorflow.proto.ConfigProto;

/** The hand-written TensorFlow Java training loop, shuffling every epoch like Kiln. */
final class HandSubject implements Subject {
  private final HandTrainer trainer;
  private long epochsDone;

  HandSubject(HandModel model, ConfigProto config) {
    this.trainer = new HandTrainer(model, config);
  }

  @Override
  public void train(Dataset data, int batchSize, int epochs) {
    if (epochsDone == 0) {
      // A relaxed network's targets start from the forward pass, as Kiln's do by default.
      trainer.prepare(data);
    }
    for (int epoch = 0; epoch < epochs; epoch++) {
      trainer.epoch(data, Dataset.permutation(data.size(), ++epochsDone), batchSize);
    }
  }

  HandTrainer trainer() {
    return trainer;
  }

  @Override
  public void close() {
    trainer.close();
  }
}
