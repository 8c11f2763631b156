package dev.kiln.runtime.training;

import dev.kiln.runtime.CheckpointPolicy;
import dev.kiln.runtime.step.Progress;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.NonFiniteStepException;
import dev.kiln.runtime.NonFiniteSteps;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.TrainingInterruptedException;
import dev.kiln.runtime.TrainingResult;
import dev.kiln.runtime.ValidationMetric;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.step.LossOps;
import dev.kiln.runtime.step.Parameter;
import dev.kiln.runtime.step.Relaxation;
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
 * One training run of a model: the epoch and step loop, checkpoints and resuming, the non-finite
 * guard, stopping on request, TensorBoard events and console progress. What it writes and prints
 * is documented on {@link Model#train(Dataset, TrainingConfig)}.
 */
public final class Trainer {
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  /** Skipped steps reported one by one; later ones are only counted in the epoch lines. */
  private static final int SKIPS_REPORTED = 10;

  private final ModelSession model;
  private final TrainingConfig config;
  private final ProgressPrinter printer;
  private final StopRequest stop;

  public Trainer(ModelSession model, TrainingConfig config, String deviceDescription, StopRequest stop) {
    this.model = model;
    this.config = config;
    this.stop = stop;
    this.printer = new ProgressPrinter(config, model.spec(), deviceDescription, model.graph.head.accuracy() != null);
  }

  /**
   * A value written under {@code tag} on logging steps: the {@code fetch}-th fetch of the step's run
   * (one op can be logged under two tags, such as an annealed learning rate, but fetched only once);
   * a scalar is its {@code element}-th value (scalars stacked into one fetch, as a relaxed network's
   * hundred hidden losses, cost one fetch, not a hundred).
   */
  private record Logged(String tag, int fetch, int element, boolean histogram) {}

  /** What logging steps fetch, and which fetch each tag is written from. */
  private record LoggingPlan(List<Operand<?>> fetches, List<Logged> logged) {}

  /** The mean training loss and accuracy of an epoch (NaN without an accuracy), as its last step fetched them. */
  private record EpochMeans(double loss, double accuracy) {}

  /** Whether a step was applied (false for a skipped non-finite one), and the epoch's means if it closed the epoch. */
  private record StepOutcome(boolean applied, EpochMeans epochMeans) {}

  /**
   * Trains on {@code train}, validating after every epoch on {@code validation} (may be null: then
   * on the configured split of {@code train}, if any).
   */
  public TrainingResult train(Dataset train, Dataset validation) {
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
    config.checkpoints().flatMap(CheckpointPolicy::best).ifPresent(this::requireDefinedOn);
    if (config.checkpoints().flatMap(CheckpointPolicy::best).isPresent() && validation == null) {
      throw new IllegalArgumentException(
          "the checkpoint policy keeps the best by " + config.checkpoints().get().best().get().tag()
              + ", which needs validation data: pass a validation set or set a validation split");
    }
    Path runDirectory = runDirectory();
    stop.begin();
    try (RunCheckpoints checkpoints = config.checkpoints().isPresent() ? RunCheckpoints.open(runDirectory, config.checkpoints().get(), model) : null) {
      return new Run(train, validation, runDirectory, checkpoints).execute();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      stop.end();
    }
  }

  private void requireDefinedOn(ValidationMetric metric) {
    boolean defined =
        switch (metric) {
          case LOSS -> true;
          case ACCURACY -> model.graph.head.accuracy() != null;
          case PRECISION, RECALL, F1 -> LossOps.classes(model.spec().loss(), model.spec().outputUnits()) > 0;
        };
    if (!defined) {
      throw new IllegalArgumentException(
          "the checkpoint policy keeps the best by " + metric.tag() + ", which network " + model.spec().name() + " ("
              + model.spec().loss() + ", " + model.spec().outputUnits() + " outputs) does not have");
    }
  }

  /** One run: its data, directory, position and history, from start (or resume) to end. */
  private final class Run {
    private final Dataset train;
    private final Dataset validation;
    private final Path runDirectory;
    /** Null when checkpoints are off. */
    private final RunCheckpoints checkpoints;
    private final int n;
    private final int batchSize;
    private final long stepsPerEpoch;
    private final long processStart = System.nanoTime();
    private final List<EpochStats> history = new ArrayList<>();
    private TrainingState.Fingerprint fingerprint;
    private Duration elapsedBefore = Duration.ZERO;
    private long firstStep;
    private long step;
    private Optional<TrainingState.Best> best = Optional.empty();
    private Optional<Path> resumedFrom = Optional.empty();
    private EventFileWriter events;
    private long skipsReported;

    Run(Dataset train, Dataset validation, Path runDirectory, RunCheckpoints checkpoints) {
      this.train = train;
      this.validation = validation;
      this.runDirectory = runDirectory;
      this.checkpoints = checkpoints;
      this.n = train.size();
      this.batchSize = Math.min(config.batchSize(), n);
      this.stepsPerEpoch = (n + batchSize - 1) / batchSize;
    }

    TrainingResult execute() throws IOException {
      printer.start(train, validation, config, stepsPerEpoch, batchSize, runDirectory);
      if (checkpoints != null) {
        printer.checkpoints(checkpoints.directory(), checkpoints.policy());
      }
      Optional<TrainingState> resumed = resume();
      if (resumed.isPresent() && resumed.get().epochsDone() >= config.epochs()) {
        return alreadyTrained(resumed.get());
      }
      // From here on, the graph's schedules count epochs of this data set. A run that starts at an
      // epoch's start also starts the epoch's sums from zero; resuming mid-epoch, they come back
      // with the checkpoint instead (later epochs find them reset by the step that closed the last).
      try (TInt64 feed = TInt64.scalarOf(stepsPerEpoch)) {
        ModelRunner runner = model.runner().feed(model.graph.stepsPerEpochFeed, feed).addTarget(model.graph.setStepsPerEpoch);
        if (resumed.map(state -> state.batchesDone() == 0).orElse(true)) {
          runner.addTarget(model.graph.epochSums.reset());
        }
        runner.run().close();
      }
      resumed.ifPresent(state -> printer.resumed(resumedFrom.orElseThrow(), state, stepsPerEpoch));
      Optional<ShutdownStop> shutdown = config.stopOnSignals() ? ShutdownStop.install(stop) : Optional.empty();
      try (EventFileWriter writer = EventFileWriter.create(runDirectory, RunEvents.SUFFIX)) {
        events = writer;
        if (resumed.isEmpty()) {
          firstStep = model.progress().step();
          step = firstStep;
          // The run's first state: a run cut off before its first interval restarts from here cleanly.
          writeCheckpoint("start", 0, 0, TrainingState.EpochSoFar.NONE);
          return trainEpochs(1, 0, TrainingState.EpochSoFar.NONE, shutdown);
        }
        TrainingState state = resumed.get();
        return trainEpochs(state.epochsDone() + 1, state.batchesDone(), state.epochSoFar(), shutdown);
      } catch (UncheckedIOException e) {
        throw new UncheckedIOException(e.getMessage() + "; training stopped at step " + step + lastCheckpointAdvice(), e.getCause());
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage() + "; training stopped at step " + step + lastCheckpointAdvice(), e);
      } finally {
        shutdown.ifPresent(ShutdownStop::close);
      }
    }

    /** Continues from the newest valid checkpoint of the run directory, if checkpoints are on and there is one. */
    private Optional<TrainingState> resume() throws IOException {
      if (checkpoints == null) {
        return Optional.empty();
      }
      fingerprint = TrainingState.Fingerprint.of(model.spec(), config, batchSize, train, validation);
      boolean hadCheckpoints = checkpoints.anyWritten();
      Optional<TrainingState> resumed = checkpoints.resume(fingerprint, runDirectory, printer::note);
      if (resumed.isEmpty()) {
        if (hadCheckpoints) {
          // Every checkpoint, the run's first included, was corrupt: the run starts over, and what it logged goes.
          RunEvents.rewind(runDirectory, Map.of()).forEach(printer::note);
        }
        return resumed;
      }
      TrainingState state = resumed.get();
      resumedFrom = checkpoints.latest();
      firstStep = state.firstStep();
      step = state.step();
      history.addAll(state.history());
      best = state.best();
      elapsedBefore = state.elapsed();
      return resumed;
    }

    private TrainingResult alreadyTrained(TrainingState state) {
      TrainingResult result =
          new TrainingResult(
              history, runDirectory, resumedFrom, state.bestCheckpoint(checkpoints.directory()), resumedFrom, step, state.elapsed());
      printer.alreadyTrained(result, config.epochs());
      return result;
    }

    private TrainingResult trainEpochs(int startEpoch, long startBatch, TrainingState.EpochSoFar resumedEpoch, Optional<ShutdownStop> shutdown)
        throws IOException {
      try (BatchFeeder buffers = new BatchFeeder(model.graph.input, model.graph.head.labels(), train, batchSize)) {
        return trainEpochs(startEpoch, startBatch, resumedEpoch, shutdown, buffers);
      }
    }

    private TrainingResult trainEpochs(
        int startEpoch, long startBatch, TrainingState.EpochSoFar resumedEpoch, Optional<ShutdownStop> shutdown, BatchFeeder buffers)
        throws IOException {
      LoggingPlan logging = loggingPlan();
      model.relaxedTargets().ifPresent(targets -> targets.bind(model, train));
      for (int epoch = startEpoch; epoch <= config.epochs(); epoch++) {
        long firstBatch = epoch == startEpoch ? startBatch : 0;
        TrainingState.EpochSoFar before = epoch == startEpoch ? resumedEpoch : TrainingState.EpochSoFar.NONE;
        if (firstBatch == 0) {
          long epochStartStep = step;
          // Resuming mid-epoch, the targets come back with the checkpoint instead.
          model.relaxedTargets().ifPresent(targets -> targets.beforeEpoch(model, train, epochStartStep / stepsPerEpoch));
        }
        int[] order = config.shuffle() ? Dataset.permutation(n, epochSeed(config.seed(), epoch)) : ModelSession.identity(n);
        // The epoch's training time: checkpoints written during it do not count.
        long epochStart = System.nanoTime() - before.nanos();
        long examples = before.examples();
        long skipped = before.skippedSteps();
        EpochMeans means = null;
        for (long batch = firstBatch; batch < stepsPerEpoch; batch++) {
          TrainingState.EpochSoFar soFar = new TrainingState.EpochSoFar(System.nanoTime() - epochStart, examples, skipped);
          stopIfRequested(epoch - 1, batch, soFar, shutdown);
          int from = Math.toIntExact(batch * batchSize);
          int count = Math.min(batchSize, n - from);
          boolean logs = (step - firstStep) % config.logEvery() == 0;
          boolean last = batch + 1 == stepsPerEpoch;
          StepOutcome outcome =
              trainStep(order, from, count, buffers, new Progress(step, stepsPerEpoch), logs ? logging : null, last);
          examples += count;
          skipped += outcome.applied() ? 0 : 1;
          means = outcome.epochMeans();
          step++;
          printer.step(epoch, config.epochs(), batch + 1, stepsPerEpoch, examples, epochStart);
          if (checkpoints != null && checkpoints.dueAfterSteps(step - firstStep) && batch + 1 < stepsPerEpoch) {
            // One due at an epoch's last step waits for the epoch's results, below.
            long writing = System.nanoTime();
            writeCheckpoint("interval", epoch - 1, batch + 1, new TrainingState.EpochSoFar(writing - epochStart, examples, skipped));
            epochStart += System.nanoTime() - writing;
          }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        EpochStats stats = epochStats(epoch, means, validation, examples / seconds, elapsed(), skipped);
        logEpoch(stats);
        history.add(stats);
        printer.epoch(stats, config.epochs());
        epochCheckpoint(epoch, stats);
      }
      TrainingResult result =
          new TrainingResult(
              history, runDirectory, checkpoints != null ? checkpoints.latest() : Optional.empty(),
              checkpoints != null ? bestCheckpoint() : Optional.empty(), resumedFrom, step, elapsed());
      printer.finish(result);
      return result;
    }

    /** The checkpoint after an epoch: at the end of the run, on the interval, or for a new best. */
    private void epochCheckpoint(int epoch, EpochStats stats) throws IOException {
      if (checkpoints == null) {
        return;
      }
      String kind = null;
      if (checkpoints.dueAfterEpochs(epoch) || checkpoints.dueAfterSteps(step - firstStep)) {
        kind = "interval";
      }
      Optional<ValidationMetric> metric = checkpoints.policy().best();
      if (metric.isPresent() && stats.validation().isPresent()) {
        double value = metric.get().of(stats.validation().get());
        if (best.isEmpty() || metric.get().improves(value, best.get().value())) {
          best = Optional.of(new TrainingState.Best(metric.get(), value, step));
          kind = "best";
        }
      }
      if (epoch == config.epochs()) {
        kind = "final";
      }
      if (kind != null) {
        writeCheckpoint(kind, epoch, 0, TrainingState.EpochSoFar.NONE);
      }
    }

    /**
     * Writes a checkpoint of the current state, after putting the logs up to it on the disk (their
     * lengths are part of it). Does nothing without checkpoints, or if one of this step exists.
     */
    private Optional<Path> writeCheckpoint(String kind, int epochsDone, long batchesDone, TrainingState.EpochSoFar soFar) throws IOException {
      if (checkpoints == null) {
        return Optional.empty();
      }
      if (checkpoints.latestStep().filter(latest -> latest == step).isPresent()) {
        return checkpoints.latest();
      }
      events.sync();
      TrainingState state =
          new TrainingState(
              kind, fingerprint, firstStep, step, epochsDone, batchesDone, stepsPerEpoch, soFar, elapsed(), history, best,
              RunEvents.lengths(runDirectory), model.scalarParameters());
      return Optional.of(checkpoints.write(state));
    }

    /** At a step boundary: if a stop was requested, saves, flushes and throws. */
    private void stopIfRequested(int epochsDone, long batchesDone, TrainingState.EpochSoFar soFar, Optional<ShutdownStop> shutdown)
        throws IOException {
      Optional<String> reason = stop.reason();
      if (reason.isEmpty()) {
        return;
      }
      Optional<Path> checkpoint = writeCheckpoint("interrupted", epochsDone, batchesDone, soFar);
      events.sync();
      String message =
          "Training interrupted at step " + step + " (epoch " + (epochsDone + 1) + ", before batch " + (batchesDone + 1) + " of "
              + stepsPerEpoch + "): " + reason.get() + ". " + checkpoint.map(p -> "Saved checkpoint " + p + ". ").orElse("Checkpoints are off; nothing was saved. ")
              + (checkpoint.isPresent() ? resumeAdvice() : "");
      printer.note(message);
      if (shutdown.map(ShutdownStop::shuttingDown).orElse(false) && config.output() != System.err) {
        System.err.println("Kiln: " + message);
        System.err.flush();
      }
      throw new TrainingInterruptedException(message, step, checkpoint);
    }

    /** How to resume this run: as the program said, or the same command if it has a name of its own. */
    private String resumeAdvice() {
      if (config.resumeInstruction().isPresent()) {
        return "To resume, " + config.resumeInstruction().get() + ".";
      }
      String name = runDirectory.getFileName().toString();
      if (config.runName().isEmpty()) {
        return "To resume, train again with TrainingConfig.withRunName(\"" + name + "\") and the same log root ("
            + config.logRoot() + ").";
      }
      String command = ProcessHandle.current().info().commandLine().map(line -> ": " + line).orElse("");
      return "To resume, run the same command again (run '" + name + "' continues from its last checkpoint)" + command;
    }

    private String lastCheckpointAdvice() {
      return checkpoints == null || checkpoints.latest().isEmpty()
          ? ""
          : "; the last checkpoint, " + checkpoints.latest().get() + ", is intact. " + resumeAdvice();
    }

    private Optional<Path> bestCheckpoint() {
      return best.map(b -> b.checkpointIn(checkpoints.directory()));
    }

    private Duration elapsed() {
      return elapsedBefore.plusNanos(System.nanoTime() - processStart);
    }

    /**
     * One training step; with a logging plan, also fetches and writes the step's logged values.
     *
     * @param closesEpoch whether this is the epoch's last step, which also fetches the epoch's means
     * @return whether the step was applied (false for a non-finite one that was skipped), and the
     *     epoch's means if it closed the epoch
     * @throws NonFiniteStepException for a non-finite step, unless such steps are skipped
     */
    private StepOutcome trainStep(
        int[] order, int from, int count, BatchFeeder buffers, Progress progress, LoggingPlan logging, boolean closesEpoch)
        throws IOException {
      boolean finite;
      EpochMeans means = null;
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        ModelRunner runner = feedStep(model.runner(), feeds, order, from, count, buffers, progress);
        runner.addTarget(closesEpoch ? model.graph.trainClosingEpoch : model.graph.train);
        runner.fetch(model.graph.guard.finite);
        if (closesEpoch) {
          runner.fetch(model.graph.epochSums.totals());
        }
        if (logging != null) {
          // Fetched in the training run itself, so logging costs no extra forward pass.
          logging.fetches().forEach(runner::fetch);
        }
        try (Result result = runner.run()) {
          finite = ((TBool) result.get(0)).getBoolean();
          int firstLogged = 1;
          if (closesEpoch) {
            float[] totals = ModelSession.values(result.get(1));
            double examples = totals[2];
            means = new EpochMeans(totals[0] / examples, model.graph.head.accuracy() != null ? totals[1] / examples : Double.NaN);
            firstLogged++;
          }
          if (logging != null) {
            // Each fetch copied to the host once, however many tags read it (a relaxed network's
            // stacked hidden losses feed one tag a layer).
            float[][] values = new float[logging.fetches().size()][];
            for (Logged logged : logging.logged()) {
              if (values[logged.fetch()] == null) {
                values[logged.fetch()] = ModelSession.values(result.get(firstLogged + logged.fetch()));
              }
              write(events, logged, progress.step(), values[logged.fetch()]);
            }
          }
        }
      }
      if (!finite) {
        nonFinite(order, from, count, buffers, progress);
      }
      return new StepOutcome(finite, means);
    }

    private ModelRunner feedStep(
        ModelRunner runner, ModelSession.Feeds feeds, int[] order, int from, int count, BatchFeeder buffers,
        Progress progress) {
      buffers.feed(runner, order, from, count);
      model.feedHostParameters(runner, feeds, progress);
      model.graph.state.trainingPhase().ifPresent(phase -> runner.feed(phase, feeds.add(TBool.scalarOf(true))));
      model.relaxedTargets().ifPresent(targets -> targets.feedExampleIndices(runner, feeds, order, from, count));
      return runner;
    }

    /** A step the guard stopped: skips it, or stops the run, naming the first non-finite value. */
    private void nonFinite(int[] order, int from, int count, BatchFeeder buffers, Progress progress) throws IOException {
      String cause = firstNonFinite(order, from, count, buffers, progress);
      long epoch = (progress.step() - firstStep) / stepsPerEpoch + 1;
      long batch = (progress.step() - firstStep) % stepsPerEpoch + 1;
      String where = "step " + progress.step() + " (epoch " + epoch + ", batch " + batch + " of " + stepsPerEpoch + ")";
      if (config.nonFiniteSteps() == NonFiniteSteps.SKIP) {
        model.run(model.graph.guard.skip);
        if (skipsReported++ < SKIPS_REPORTED) {
          printer.note("skipped " + where + ": not finite; first non-finite value: " + cause
              + (skipsReported == SKIPS_REPORTED ? " (further skipped steps are only counted in the epoch lines)" : ""));
        }
        return;
      }
      events.sync();
      Optional<Path> lastGood = checkpoints != null ? checkpoints.latest() : Optional.empty();
      String message =
          "Training stopped at " + where + ": its loss, learning rate or gradients are not finite; first non-finite value: " + cause
              + ". The step was not applied, and the logs up to it are written. "
              + lastGood.map(p -> "Last good checkpoint: " + p + ". ").orElse("There is no checkpoint. ")
              + "Check the data and the schedules, lower the learning rate, or skip such steps with "
              + "TrainingConfig.withNonFiniteSteps(NonFiniteSteps.SKIP).";
      printer.note(message);
      throw new NonFiniteStepException(message, progress.step(), cause, lastGood);
    }

    /**
     * The first non-finite value of a failed step: in the batch's data, a host-scheduled
     * parameter, or else the first tensor of the graph, found by running the step again.
     */
    private String firstNonFinite(int[] order, int from, int count, BatchFeeder buffers, Progress progress) {
      int exampleSize = train.exampleSize();
      for (int i = 0; i < count * exampleSize; i++) {
        if (!Float.isFinite(buffers.features[i])) {
          return "feature " + i % exampleSize + " of training example " + order[from + i / exampleSize] + " is " + buffers.features[i];
        }
      }
      for (int i = 0; i < count * train.labelWidth(); i++) {
        if (!Float.isFinite(buffers.labels[i])) {
          return "the label of training example " + order[from + i / train.labelWidth()] + " is " + buffers.labels[i];
        }
      }
      for (Parameter parameter : model.graph.state.parameters()) {
        if (parameter.kind() == Parameter.Kind.HOST_SCHEDULED) {
          double value = parameter.schedule().valueAt(progress.step(), progress.stepsPerEpoch());
          if (!Double.isFinite((float) value)) {
            return "the host schedule of parameter " + parameter.name() + " gives " + value + " at step " + progress.step();
          }
        }
      }
      try (ModelSession.Feeds feeds = new ModelSession.Feeds()) {
        return model.graph.guard.firstNonFinite(outputs -> {
              ModelRunner runner = feedStep(model.runner(), feeds, order, from, count, buffers, progress);
              outputs.forEach(runner::fetch);
              return runner.run();
            })
            .orElse("none of the step's tensors: a gradient is too large for the guard's float32 check (its elements sum, or a weight"
                + " gradient's two factors have norms that multiply, past float32's range), which only a diverging step comes near");
      }
    }

    private EpochStats epochStats(
        int epoch, EpochMeans means, Dataset validation, double examplesPerSecond, Duration elapsed, long skipped) {
      Optional<Evaluation> validated =
          validation != null && config.validatesAfter(epoch) ? Optional.of(model.evaluate(validation)) : Optional.empty();
      Map<String, Double> parameters = model.scalarParameters();
      return new EpochStats(
          epoch, step, means.loss(), means.accuracy(), validated, parameters, model.learnedWidths(), examplesPerSecond, elapsed, skipped);
    }

    private void logEpoch(EpochStats stats) {
      long at = stats.step();
      String training = model.graph.relaxation().isPresent() ? "epoch/relaxed/" : "epoch/";
      events.scalar(training + "train_loss", at, stats.trainLoss());
      if (!Double.isNaN(stats.trainAccuracy())) {
        events.scalar(training + "train_accuracy", at, stats.trainAccuracy());
      }
      events.scalar("epoch/examples_per_second", at, stats.examplesPerSecond());
      stats.learnedWidths().forEach((layer, width) -> events.scalar("size/" + layer, at, width));
      if (config.nonFiniteSteps() == NonFiniteSteps.SKIP) {
        events.scalar("epoch/skipped_steps", at, stats.skippedSteps());
      }
      stats.validation().ifPresent(evaluation -> evaluation.writeTo(events, "validation", at));
      events.flush();
    }
  }

  private static void write(EventFileWriter events, Logged logged, long step, float[] values) {
    if (!logged.histogram()) {
      events.scalar(logged.tag(), step, values[logged.element()]);
    } else if (allFinite(values)) {
      // A diverged parameter cannot be binned; its NaN still shows in the loss.
      events.histogram(logged.tag(), step, values);
    }
  }

  private LoggingPlan loggingPlan() {
    List<Operand<?>> fetches = new ArrayList<>();
    List<Logged> logged = new ArrayList<>();
    BiConsumer<String, Operand<?>> scalar = (tag, value) -> logged.add(new Logged(tag, fetchIndex(fetches, value), 0, false));
    scalar.accept("loss", model.graph.loss);
    if (model.graph.regularization != null) {
      scalar.accept("loss/regularization", model.graph.regularization);
    }
    if (model.graph.head.accuracy() != null) {
      scalar.accept("accuracy", model.graph.head.accuracy());
    }
    scalar.accept("learning_rate", model.graph.learningRate);
    if (model.graph.guard.gradientNorm != null) {
      scalar.accept("gradient_norm", model.graph.guard.gradientNorm);
    }
    model.graph.relaxation().ifPresent(relaxation -> {
      relaxation.loggedScalars().forEach(scalar);
      List<String> layers = relaxation.targets.stream().map(Relaxation.Target::layer).toList();
      int fetch = fetchIndex(fetches, relaxation.layerHiddenLosses);
      for (int i = 0; i < layers.size(); i++) {
        logged.add(new Logged("relaxed/" + layers.get(i) + "/hidden_loss", fetch, i, false));
      }
    });
    for (Parameter parameter : model.graph.state.parameters()) {
      logged.add(new Logged("parameters/" + parameter.name(), fetchIndex(fetches, parameter.value()), 0, !parameter.scalar()));
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
