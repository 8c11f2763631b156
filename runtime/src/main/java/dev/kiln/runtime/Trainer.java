package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.summary.EventFileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/**
 * One training run of a model: the epoch and step loop, TensorBoard events and console progress.
 * What it writes and prints is documented on {@link Model#train(Dataset, TrainingConfig)}.
 */
final class Trainer {
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final ModelSession model;
  private final TrainingConfig config;
  private final ProgressPrinter printer;

  Trainer(ModelSession model, TrainingConfig config, String deviceDescription) {
    this.model = model;
    this.config = config;
    this.printer = new ProgressPrinter(config.output(), model.spec(), deviceDescription, model.graph.head.accuracy() != null);
  }

  /**
   * A value written under {@code tag} on logging steps: the {@code fetch}-th fetch of the step's run
   * (one op can be logged under two tags, such as an annealed learning rate, but fetched only once).
   */
  private record Logged(String tag, int fetch, boolean histogram) {}

  /** What logging steps fetch, and which fetch each tag is written from. */
  private record LoggingPlan(List<Operand<?>> fetches, List<Logged> logged) {}

  /**
   * Trains on {@code train}, validating after every epoch on {@code validation} (may be null: then
   * on the configured split of {@code train}, if any).
   */
  TrainingResult train(Dataset train, Dataset validation) {
    model.requireFits(train, "training data");
    if (validation != null) {
      if (config.validationFraction() > 0) {
        throw new IllegalArgumentException(
            "both a validation data set and a validation split (" + config.validationFraction() + ") were given; use one");
      }
      model.requireFits(validation, "validation data");
    } else if (config.validationFraction() > 0) {
      Dataset.Split split =
          config.validationRandom()
              ? train.randomSplit(config.validationFraction(), config.seed())
              : train.split(config.validationFraction());
      validation = split.first();
      train = split.second();
      if (validation.size() == 0 || train.size() == 0) {
        throw new IllegalArgumentException(
            "a validation split of " + config.validationFraction() + " leaves " + validation.size() + " validation and "
                + train.size() + " training examples; both need at least one");
      }
    }
    Path runDirectory = runDirectory();
    try (EventFileWriter events = EventFileWriter.create(runDirectory)) {
      return run(train, validation, runDirectory, events);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TrainingResult run(Dataset train, Dataset validation, Path runDirectory, EventFileWriter events) {
    long start = System.nanoTime();
    int n = train.size();
    int batchSize = Math.min(config.batchSize(), n);
    long stepsPerEpoch = (n + batchSize - 1) / batchSize;
    try (TInt64 feed = TInt64.scalarOf(stepsPerEpoch);
        Result ignored = model.session.runner().feed(model.graph.stepsPerEpochFeed, feed).addTarget(model.graph.setStepsPerEpoch).run()) {
      // From here on, the graph's schedules count epochs of this data set.
    }
    printer.start(train, validation, config, stepsPerEpoch, batchSize, runDirectory);

    LoggingPlan logging = loggingPlan();
    ModelSession.BatchBuffers buffers = new ModelSession.BatchBuffers(train, batchSize);
    long firstStep = model.progress().step();
    long step = firstStep;
    List<EpochStats> history = new ArrayList<>();
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      model.run(model.graph.epochSums.reset());
      model.graph.relaxation().ifPresent(relaxation -> relaxation.beforeEpoch(model, train));
      int[] order = config.shuffle() ? Dataset.permutation(n, epochSeed(config.seed(), epoch)) : ModelSession.identity(n);
      long epochStart = System.nanoTime();
      for (int from = 0; from < n; from += batchSize, step++) {
        boolean logs = (step - firstStep) % config.logEvery() == 0;
        trainStep(train, order, from, Math.min(batchSize, n - from), buffers, new ModelSession.Progress(step, stepsPerEpoch), logs ? logging : null, events);
      }
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      EpochStats stats = epochStats(epoch, step, validation, n / seconds, Duration.ofNanos(System.nanoTime() - start));
      logEpoch(stats, events);
      history.add(stats);
      printer.epoch(stats, config.epochs());
    }
    Optional<Path> checkpoint = Optional.empty();
    if (config.saveCheckpoint()) {
      checkpoint = Optional.of(runDirectory.resolve("checkpoint"));
      model.save(checkpoint.get());
    }
    TrainingResult result = new TrainingResult(history, runDirectory, checkpoint, step, Duration.ofNanos(System.nanoTime() - start));
    printer.finish(result);
    return result;
  }

  /** One training step; with a logging plan, also fetches and writes the step's logged values. */
  private void trainStep(
      Dataset train, int[] order, int from, int count, ModelSession.BatchBuffers buffers, ModelSession.Progress progress,
      LoggingPlan logging, EventFileWriter events) {
    try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
      Session.Runner runner = model.session.runner();
      model.feedBatch(runner, feeds, train, order, from, count, buffers);
      model.feedHostParameters(runner, feeds, progress);
      model.graph.state.trainingPhase().ifPresent(phase -> runner.feed(phase, feeds.add(TBool.scalarOf(true))));
      model.graph.relaxation().ifPresent(relaxation -> relaxation.feedExampleIndices(runner, feeds, order, from, count));
      runner.addTarget(model.graph.train);
      if (logging != null) {
        // Fetched in the training run itself, so logging costs no extra forward pass.
        logging.fetches().forEach(runner::fetch);
      }
      try (Result result = runner.run()) {
        if (logging != null) {
          for (Logged logged : logging.logged()) {
            write(events, logged, progress.step(), ModelSession.values(result.get(logged.fetch())));
          }
        }
      }
    }
  }

  private static void write(EventFileWriter events, Logged logged, long step, float[] values) {
    if (!logged.histogram()) {
      events.scalar(logged.tag(), step, values[0]);
    } else if (allFinite(values)) {
      // A diverged parameter cannot be binned; its NaN still shows in the loss.
      events.histogram(logged.tag(), step, values);
    }
  }

  private LoggingPlan loggingPlan() {
    List<Operand<?>> fetches = new ArrayList<>();
    List<Logged> logged = new ArrayList<>();
    BiConsumer<String, Operand<?>> scalar = (tag, value) -> logged.add(new Logged(tag, fetchIndex(fetches, value), false));
    scalar.accept("loss", model.graph.loss);
    if (model.graph.regularization != null) {
      scalar.accept("loss/regularization", model.graph.regularization);
    }
    if (model.graph.head.accuracy() != null) {
      scalar.accept("accuracy", model.graph.head.accuracy());
    }
    scalar.accept("learning_rate", model.graph.learningRate);
    model.graph.relaxation().ifPresent(relaxation -> relaxation.loggedScalars().forEach(scalar));
    for (Parameter parameter : model.graph.state.parameters()) {
      logged.add(new Logged("parameters/" + parameter.name(), fetchIndex(fetches, parameter.value()), !parameter.scalar()));
    }
    return new LoggingPlan(List.copyOf(fetches), List.copyOf(logged));
  }

  private static int fetchIndex(List<Operand<?>> fetches, Operand<?> value) {
    for (int i = 0; i < fetches.size(); i++) {
      if (fetches.get(i).asOutput().equals(value.asOutput())) {
        return i;
      }
    }
    fetches.add(value);
    return fetches.size() - 1;
  }

  private EpochStats epochStats(int epoch, long step, Dataset validation, double examplesPerSecond, Duration elapsed) {
    ModelGraph.EpochSums sums = model.graph.epochSums;
    double loss;
    double accuracy;
    try (Result result = model.session.runner().fetch(sums.loss().read()).fetch(sums.accuracy().read()).fetch(sums.examples().read()).run()) {
      double examples = ModelSession.scalar(result.get(2));
      loss = ModelSession.scalar(result.get(0)) / examples;
      accuracy = model.graph.head.accuracy() != null ? ModelSession.scalar(result.get(1)) / examples : Double.NaN;
    }
    Optional<Evaluation> validated = validation != null ? Optional.of(model.evaluate(validation)) : Optional.empty();
    Map<String, Double> parameters = model.scalarParameters();
    return new EpochStats(epoch, step, loss, accuracy, validated, parameters, examplesPerSecond, elapsed);
  }

  private void logEpoch(EpochStats stats, EventFileWriter events) {
    long step = stats.step();
    events.scalar("epoch/train_loss", step, stats.trainLoss());
    if (!Double.isNaN(stats.trainAccuracy())) {
      events.scalar("epoch/train_accuracy", step, stats.trainAccuracy());
    }
    events.scalar("epoch/examples_per_second", step, stats.examplesPerSecond());
    stats.validation().ifPresent(validation -> validation.writeTo(events, "validation", step));
    events.flush();
  }

  /** {@code <log root>/<run name>}; a default name that is taken gets a suffix, so runs never mix. */
  private Path runDirectory() {
    Optional<String> named = config.runName();
    if (named.isPresent()) {
      return config.logRoot().resolve(named.get());
    }
    String base = model.spec().name() + "-" + LocalDateTime.now().format(RUN_TIME);
    Path directory = config.logRoot().resolve(base);
    for (int suffix = 2; Files.exists(directory); suffix++) {
      directory = config.logRoot().resolve(base + "-" + suffix);
    }
    return directory;
  }

  /** A different, reproducible shuffle per epoch. */
  static long epochSeed(long seed, int epoch) {
    return seed * 0x9E3779B97F4A7C15L + epoch;
  }

  private static boolean allFinite(float[] values) {
    for (float value : values) {
      if (!Float.isFinite(value)) {
        return false;
      }
    }
    return true;
  }
}
