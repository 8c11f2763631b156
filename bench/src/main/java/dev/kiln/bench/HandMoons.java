package dev.kiln.bench;

import dev.kiln.bench.hand.HandNetworks;
import dev.kiln.bench.hand.HandTrainer;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import java.util.Locale;

/**
 * W4's hand-written counterpart of the moons sample's main: the same data (1000 points, noise 0.1,
 * 80/20 split, 10 % of the training points held out for validation), the same network and θ
 * schedule, 30 epochs of batches of 32, a line per epoch with the validation loss and
 * accuracy, and the test accuracy at the end. No TensorBoard, no checkpoint.
 */
public final class HandMoons {
  private static final int EPOCHS = 30;
  private static final int BATCH = 32;
  private static final long SEED = 1;

  private HandMoons() {}

  public static void main(String[] args) {
    Dataset.Split data = TwoMoons.generate(1000, 0.1, SEED).randomSplit(0.8, SEED);
    Dataset.Split held = data.first().randomSplit(0.1, SEED);
    Dataset validation = held.first();
    Dataset train = held.second();
    long stepsPerEpoch = (train.size() + BATCH - 1) / BATCH;
    // The sample's θ: π/4 for 2 epochs, then linearly to 0 over 18 epochs.
    try (HandTrainer trainer = new HandTrainer(HandNetworks.moonsMlp(2 * stepsPerEpoch, 18 * stepsPerEpoch), Sessions.config(Tuning.DEFAULT))) {
      System.out.printf("Training the moons MLP by hand: %d training and %d validation points, %d epochs of %d steps%n",
          train.size(), validation.size(), EPOCHS, stepsPerEpoch);
      for (int epoch = 1; epoch <= EPOCHS; epoch++) {
        trainer.epoch(train, Dataset.permutation(train.size(), SEED * 31 + epoch), BATCH);
        HandTrainer.Evaluation validated = trainer.evaluate(validation, 1024);
        System.out.printf(Locale.ROOT, "epoch %2d/%d  val_loss %.4f  val_accuracy %.4f%n", epoch, EPOCHS, validated.loss(), validated.accuracy());
      }
      HandTrainer.Evaluation test = trainer.evaluate(data.second(), 1024);
      System.out.printf(Locale.ROOT, "Test set (%d points): loss %.4f, accuracy %.4f%n", data.second().size(), test.loss(), test.accuracy());
    }
  }
}
