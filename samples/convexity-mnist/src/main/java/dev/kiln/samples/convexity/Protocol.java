package dev.kiln.samples.convexity;

/**
 * Which version of the experiments runs, and so which schedules the annealed variants take: each
 * anneals θ over the first half of its default length, then trains at ReLU, so that the short
 * version's table compares the same ideas as the full protocol's.
 */
public enum Protocol {
  /** The default command: 2 epochs, seed 1, the first 12,000 training images; θ annealed over epoch 1. */
  SHORT(2, 12_000, "short version"),
  /** {@code --full}: 20 epochs, seeds 1 to 5, all 60,000 training images; θ annealed over epochs 1 to 10. */
  FULL(20, 60_000, "full protocol");

  private final int epochs;
  private final int trainSize;
  private final String title;

  Protocol(int epochs, int trainSize, String title) {
    this.epochs = epochs;
    this.trainSize = trainSize;
    this.title = title;
  }

  /** Epochs per run, unless {@code --epochs} says otherwise (the schedules stay this version's). */
  public int epochs() {
    return epochs;
  }

  public int trainSize() {
    return trainSize;
  }

  /** Epochs over which the annealed variants take θ from π/4 to 0: the first half of {@link #epochs()}. */
  public int annealingEpochs() {
    return epochs / 2;
  }

  /** "short version" or "full protocol". */
  public String title() {
    return title;
  }
}
