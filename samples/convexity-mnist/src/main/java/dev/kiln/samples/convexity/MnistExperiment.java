package dev.kiln.samples.convexity;

import dev.kiln.runtime.Device;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.WithSeed;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.HistogramPoint;
import dev.kiln.sweep.Epoch;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialOutcome;
import dev.kiln.sweep.TrialTask;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run of the protocol: trains a variant on MNIST (batches of 32, the first 5 % of the training
 * images held out for validation, as in the reference), then scores it on the test set.
 */
final class MnistExperiment implements TrialTask {
  static final int BATCH_SIZE = 32;
  static final double VALIDATION_FRACTION = 0.05;
  /** TensorBoard gets the step's scalars at least this often. */
  static final int LOG_EVERY_AT_MOST = 50;

  /** The values each epoch records, as the report and {@code history.csv} name them. */
  static final String THETA = "theta";
  static final String TRAIN_LOSS = "train_loss";
  static final String TRAIN_ACCURACY = "train_accuracy";
  static final String VALIDATION_LOSS = "validation/loss";
  static final String VALIDATION_ACCURACY = "validation/accuracy";
  static final String VALIDATION_F1 = "validation/f1";

  private final Dataset train;
  private final Dataset test;
  private final int epochs;
  private final Protocol protocol;
  private final Device device;
  private final PrintStream out;

  /**
   * @param train the training images, of which the first 5 % validate
   * @param protocol whose schedules the annealed variants follow
   * @param out where the runtime's progress lines and the test scores go
   */
  MnistExperiment(Dataset train, Dataset test, int epochs, Protocol protocol, Device device, PrintStream out) {
    this.train = Objects.requireNonNull(train, "train");
    this.test = Objects.requireNonNull(test, "test");
    this.epochs = epochs;
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    this.device = Objects.requireNonNull(device, "device");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Training examples left after the validation split: the runtime holds out {@code round(5 %)}. */
  int trainingExamples() {
    return train.size() - (int) Math.round(train.size() * VALIDATION_FRACTION);
  }

  /** What the runtime makes of the data: one step per batch of 32, the last one smaller. */
  /** The training images, validation share included. */
  int trainSize() {
    return train.size();
  }

  int testSize() {
    return test.size();
  }

  long stepsPerEpoch() {
    return (trainingExamples() + BATCH_SIZE - 1) / BATCH_SIZE;
  }

  /**
   * Log every {@code d} steps for the largest divisor {@code d} of the epoch's length up to
   * {@link #LOG_EVERY_AT_MOST}, so that a logged step starts every epoch: it records per-channel θ
   * before its update, that is as the previous epoch left it.
   */
  static int logEvery(long stepsPerEpoch) {
    for (int every = (int) Math.min(LOG_EVERY_AT_MOST, stepsPerEpoch); every > 1; every--) {
      if (stepsPerEpoch % every == 0) {
        return every;
      }
    }
    return 1;
  }

  @Override
  public TrialOutcome run(Trial spec, Path runDirectory) throws IOException {
    Variant variant = Variant.of(spec.group());
    TrainingConfig config =
        TrainingConfig.defaults()
            .withEpochs(epochs)
            .withBatchSize(BATCH_SIZE)
            .withValidationSplitFirst(VALIDATION_FRACTION)
            .withSeed(spec.seed())
            .withLogRoot(runDirectory.getParent())
            .withRunName(runDirectory.getFileName().toString())
            .withResumeInstruction(
                "run the same command again: the sweep skips the finished runs and resumes " + runDirectory.getFileName() + " from this checkpoint")
            .withLogEvery(logEvery(stepsPerEpoch()))
            .withOutput(out);
    try (Model model = Model.build(new WithSeed(variant.network(protocol), spec.seed()), device)) {
      TrainingResult training = model.train(train, config);
      if (training.history().get(0).step() != stepsPerEpoch()) {
        throw new IllegalStateException(
            "the runtime took " + training.history().get(0).step() + " steps for the first epoch, the sample expected "
                + stepsPerEpoch() + ": per-channel θ would be read at the wrong steps");
      }
      Evaluation scores = model.evaluate(test);
      out.printf("  test set: %s%n", scores);
      List<Double> theta = thetaAfterEachEpoch(model, training);
      List<Epoch> history = new ArrayList<>();
      for (int e = 0; e < training.history().size(); e++) {
        EpochStats stats = training.history().get(e);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(TRAIN_LOSS, stats.trainLoss());
        values.put(TRAIN_ACCURACY, stats.trainAccuracy());
        values.put(VALIDATION_LOSS, stats.validationLoss());
        values.put(VALIDATION_ACCURACY, stats.validationAccuracy());
        values.put(VALIDATION_F1, stats.validationF1());
        values.put(THETA, theta.get(e));
        history.add(new Epoch(stats.epoch(), stats.step(), stats.elapsed().toNanos() / 1e9, values));
      }
      Map<String, Double> test = new LinkedHashMap<>();
      test.put("loss", scores.loss());
      test.put("accuracy", scores.accuracy());
      test.put("precision", scores.precision());
      test.put("recall", scores.recall());
      test.put("f1", scores.f1());
      return new TrialOutcome(history, test);
    }
  }

  /**
   * θ after each epoch: the shared scalar from the epoch's statistics, or for per-channel θ the
   * mean over every channel of every layer, from the histograms logged at the step that starts the
   * next epoch (and for the last epoch from the model itself).
   */
  static List<Double> thetaAfterEachEpoch(Model model, TrainingResult training) throws IOException {
    List<EpochStats> epochs = training.history();
    if (epochs.get(0).parameters().containsKey(THETA)) {
      return epochs.stream().map(stats -> stats.parameters().get(THETA)).toList();
    }
    List<String> perChannel = model.parameterNames().stream().filter(name -> name.endsWith("/" + THETA)).toList();
    if (perChannel.isEmpty()) {
      throw new IllegalArgumentException(model.spec().name() + " has no parameter theta, shared or per channel: " + model.parameterNames());
    }
    Map<String, List<HistogramPoint>> histograms = EventFileReader.histograms(training.runDirectory());
    List<Double> means = new ArrayList<>();
    for (EpochStats stats : epochs.subList(0, epochs.size() - 1)) {
      double sum = 0;
      double count = 0;
      for (String name : perChannel) {
        HistogramPoint point = histograms.getOrDefault("parameters/" + name, List.of()).stream()
            .filter(p -> p.step() == stats.step())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no histogram of " + name + " at step " + stats.step() + " in " + training.runDirectory()));
        sum += point.histogram().getSum();
        count += point.histogram().getNum();
      }
      means.add(sum / count);
    }
    double sum = 0;
    int count = 0;
    for (String name : perChannel) {
      for (float value : model.parameter(name)) {
        sum += value;
        count++;
      }
    }
    means.add(sum / count);
    return means;
  }
}
