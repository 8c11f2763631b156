package dev.kiln.runtime;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * How {@link Model#train} trains: an immutable value, changed with {@code with...} methods that
 * return a copy.
 *
 * <pre>{@code
 * TrainingConfig config = TrainingConfig.defaults()
 *     .withEpochs(40)
 *     .withBatchSize(32)
 *     .withValidationSplit(0.2)      // a random 20 % of the training data, seeded
 *     .withSeed(7)
 *     .withLogRoot(Path.of("runs"));
 * }</pre>
 *
 * <p>Defaults: 10 epochs, batch size 32, seed 42, shuffled every epoch, no validation split, log
 * root {@code runs}, run name {@code <network>-<yyyyMMdd-HHmmss>}, TensorBoard scalars every 10
 * steps, progress printed to {@code System.out}, a checkpoint after every epoch in
 * {@code <run directory>/checkpoints} keeping the last 2 ({@link CheckpointPolicy#defaults}), a
 * non-finite step stops the run ({@link NonFiniteSteps#STOP}), SIGINT and SIGTERM stop it at the
 * next step with a checkpoint.
 *
 * <p>Resuming: a run is identified by its directory, {@code <log root>/<run name>}. Training into
 * a run directory that holds checkpoints continues that run from its newest valid one, up to
 * {@link #epochs()} epochs in all, provided the batch size, seed, shuffling and data are the same
 * (they are checked). So give a run a name ({@link #withRunName}) to make it resumable by running
 * the same command again; the default names, which hold the start time, are new every time.
 */
public final class TrainingConfig {
  private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");
  /** The output of {@link #quiet()}. */
  private static final PrintStream SILENT = new PrintStream(OutputStream.nullOutputStream());

  /** The settings; a config copies them to change one. */
  private static final class Settings implements Cloneable {
    int epochs = 10;
    int batchSize = 32;
    long seed = 42;
    boolean shuffle = true;
    double validationFraction = 0;
    boolean validationRandom = true;
    int validateEvery = 1;
    Path logRoot = Path.of("runs");
    String runName;
    /** Null: the runtime's own advice. */
    String resumeInstruction;
    int logEvery = 10;
    PrintStream output = System.out;
    EpochProgress epochProgress = EpochProgress.AUTO;
    /** Null: no checkpoints, and no resuming. */
    CheckpointPolicy checkpoints = CheckpointPolicy.defaults();
    NonFiniteSteps nonFiniteSteps = NonFiniteSteps.STOP;
    boolean stopOnSignals = true;

    @Override
    protected Settings clone() {
      try {
        return (Settings) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private final Settings settings;

  private TrainingConfig(Settings settings) {
    this.settings = settings;
  }

  private TrainingConfig with(Consumer<Settings> change) {
    Settings copy = settings.clone();
    change.accept(copy);
    return new TrainingConfig(copy);
  }

  /** The defaults listed in the class comment. */
  public static TrainingConfig defaults() {
    return new TrainingConfig(new Settings());
  }

  /** Passes over the training data; at least 1. */
  public TrainingConfig withEpochs(int epochs) {
    requirePositive("epochs", epochs);
    return with(s -> s.epochs = epochs);
  }

  /** Examples per step; the last batch of an epoch holds the rest and may be smaller. */
  public TrainingConfig withBatchSize(int batchSize) {
    requirePositive("batchSize", batchSize);
    return with(s -> s.batchSize = batchSize);
  }

  /** Seeds the per-epoch shuffles and the random validation split, so a run can be repeated. */
  public TrainingConfig withSeed(long seed) {
    return with(s -> s.seed = seed);
  }

  /** Whether each epoch visits the examples in a new seeded order (the default) or in data-set order. */
  public TrainingConfig withShuffle(boolean shuffle) {
    return with(s -> s.shuffle = shuffle);
  }

  /**
   * Holds out a random {@code fraction} (in (0, 1), seeded by {@link #withSeed}) of the training
   * data for validation after every epoch.
   */
  public TrainingConfig withValidationSplit(double fraction) {
    requireFraction(fraction);
    return with(s -> {
      s.validationFraction = fraction;
      s.validationRandom = true;
    });
  }

  /** Holds out the first {@code fraction} (in (0, 1)) of the training data, in order, for validation. */
  public TrainingConfig withValidationSplitFirst(double fraction) {
    requireFraction(fraction);
    return with(s -> {
      s.validationFraction = fraction;
      s.validationRandom = false;
    });
  }

  /**
   * Evaluates the validation data after every {@code epochs}-th epoch and after the last, instead
   * of after every epoch: for full-batch training, where an epoch is one step and a validation
   * pass can cost more than the step. The epochs between have no validation figures (and cannot
   * become the best checkpoint).
   */
  public TrainingConfig withValidateEvery(int epochs) {
    requirePositive("validateEvery", epochs);
    return with(s -> s.validateEvery = epochs);
  }

  /** Trains on all the data, holding nothing out (the default). */
  public TrainingConfig withoutValidationSplit() {
    return with(s -> s.validationFraction = 0);
  }

  /** The directory that holds one sub-directory per run: what {@code tensorboard --logdir} is given. */
  public TrainingConfig withLogRoot(Path logRoot) {
    Objects.requireNonNull(logRoot, "logRoot");
    return with(s -> s.logRoot = logRoot);
  }

  /** The run's directory name under the log root, instead of {@code <network>-<yyyyMMdd-HHmmss>}. */
  public TrainingConfig withRunName(String runName) {
    Objects.requireNonNull(runName, "runName");
    if (!RUN_NAME.matcher(runName).matches() || runName.equals(".") || runName.equals("..")) {
      throw new IllegalArgumentException(
          "run name '" + runName + "' must be one directory name of letters, digits, '_', '.' or '-'");
    }
    return with(s -> s.runName = runName);
  }

  /**
   * How a user resumes this run, for the message of an interrupted or failed run ("To resume,
   * {@code instruction}."): for a program whose own options name the run, e.g.
   * {@code "run the sample again with --run moons-20261204-101500"}. Without one, the message
   * says to run the same command again if the run has a name ({@link #withRunName}), or to train
   * again with that name if it was named after its start time.
   */
  public TrainingConfig withResumeInstruction(String instruction) {
    Objects.requireNonNull(instruction, "instruction");
    if (instruction.isBlank()) {
      throw new IllegalArgumentException("a resume instruction must say something");
    }
    return with(s -> s.resumeInstruction = instruction);
  }

  /** Writes the step's TensorBoard scalars every {@code steps} training steps (steps 0, n, 2n, ...). */
  public TrainingConfig withLogEvery(int steps) {
    requirePositive("logEvery", steps);
    return with(s -> s.logEvery = steps);
  }

  /**
   * Where the start lines, the epochs' progress lines (at most one a second for short epochs that
   * do not validate) and the final summary go.
   */
  public TrainingConfig withOutput(PrintStream output) {
    Objects.requireNonNull(output, "output");
    return with(s -> s.output = output);
  }

  /**
   * Whether progress within an epoch is shown (steps done, examples per second, time left), in place
   * on one line; by default ({@link EpochProgress#AUTO}) only when printing to a terminal.
   */
  public TrainingConfig withEpochProgress(EpochProgress progress) {
    Objects.requireNonNull(progress, "progress");
    return with(s -> s.epochProgress = progress);
  }

  /** Whether progress within an epoch is shown live: as {@link #withEpochProgress} says, for this output. */
  public boolean showsLiveProgress() {
    return switch (settings.epochProgress) {
      case LIVE -> prints();
      case LINES -> false;
      // System.console() is there only when the JVM's standard input and output are a terminal.
      case AUTO -> settings.output == System.out && System.console() != null;
    };
  }

  /** Prints nothing (TensorBoard files are still written). */
  public TrainingConfig quiet() {
    return withOutput(SILENT);
  }

  /** Whether progress goes anywhere: a quiet run does not even format its lines. */
  public boolean prints() {
    return settings.output != SILENT;
  }

  /**
   * With {@code true}, checkpoints as {@link #withCheckpoints} set them (by default
   * {@link CheckpointPolicy#defaults}); with {@code false}, none: nothing is written to
   * {@code <run directory>/checkpoints} and a run never resumes.
   */
  public TrainingConfig withCheckpoint(boolean saveCheckpoints) {
    return with(s -> s.checkpoints = saveCheckpoints ? (s.checkpoints != null ? s.checkpoints : CheckpointPolicy.defaults()) : null);
  }

  /** When checkpoints are written into {@code <run directory>/checkpoints} and which are kept. */
  public TrainingConfig withCheckpoints(CheckpointPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return with(s -> s.checkpoints = policy);
  }

  /** Whether a step with a non-finite loss, learning rate or gradient stops the run (the default) or is skipped. */
  public TrainingConfig withNonFiniteSteps(NonFiniteSteps policy) {
    Objects.requireNonNull(policy, "policy");
    return with(s -> s.nonFiniteSteps = policy);
  }

  /**
   * Whether, while training, SIGINT and SIGTERM (and {@code System.exit}) stop training at the
   * next step boundary with a final checkpoint and flushed logs before the process exits (the
   * default), through a JVM shutdown hook held only while training runs.
   */
  public TrainingConfig withStopOnSignals(boolean stopOnSignals) {
    return with(s -> s.stopOnSignals = stopOnSignals);
  }

  public int epochs() {
    return settings.epochs;
  }

  public int batchSize() {
    return settings.batchSize;
  }

  public long seed() {
    return settings.seed;
  }

  public boolean shuffle() {
    return settings.shuffle;
  }

  /** The held-out fraction of the training data; 0 for none. */
  public double validationFraction() {
    return settings.validationFraction;
  }

  /** Whether the held-out examples are a seeded random choice (true) or the first ones (false). */
  public boolean validationRandom() {
    return settings.validationRandom;
  }

  /** Validation runs after every this many epochs (and after the last); 1 by default. */
  public int validateEvery() {
    return settings.validateEvery;
  }

  /** Whether validation runs after epoch {@code epoch} (from 1). */
  public boolean validatesAfter(int epoch) {
    return epoch % settings.validateEvery == 0 || epoch == settings.epochs;
  }

  public Path logRoot() {
    return settings.logRoot;
  }

  /** The run name if one was set; otherwise each run is named after the network and its start time. */
  public Optional<String> runName() {
    return Optional.ofNullable(settings.runName);
  }

  /** How to resume this run, if {@link #withResumeInstruction} set it. */
  public Optional<String> resumeInstruction() {
    return Optional.ofNullable(settings.resumeInstruction);
  }

  public int logEvery() {
    return settings.logEvery;
  }

  public PrintStream output() {
    return settings.output;
  }

  /** Whether training writes checkpoints (and so can resume). */
  public boolean saveCheckpoint() {
    return settings.checkpoints != null;
  }

  /** The checkpoint policy; empty if checkpoints are switched off. */
  public Optional<CheckpointPolicy> checkpoints() {
    return Optional.ofNullable(settings.checkpoints);
  }

  public NonFiniteSteps nonFiniteSteps() {
    return settings.nonFiniteSteps;
  }

  public boolean stopOnSignals() {
    return settings.stopOnSignals;
  }

  @Override
  public String toString() {
    Settings s = settings;
    String validation =
        s.validationFraction == 0 ? "none" : s.validationFraction + (s.validationRandom ? " random" : " first");
    return "TrainingConfig[epochs=" + s.epochs + ", batchSize=" + s.batchSize + ", seed=" + s.seed + ", shuffle=" + s.shuffle
        + ", validation=" + validation + (s.validateEvery > 1 ? " every " + s.validateEvery + " epochs" : "")
        + ", logRoot=" + s.logRoot + ", runName=" + (s.runName == null ? "<network>-<time>" : s.runName)
        + ", logEvery=" + s.logEvery + ", checkpoints=" + (s.checkpoints == null ? "none" : s.checkpoints)
        + ", nonFiniteSteps=" + s.nonFiniteSteps + ", stopOnSignals=" + s.stopOnSignals + ", epochProgress=" + s.epochProgress
        + "]";
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }

  private static void requireFraction(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("the validation fraction must be in (0, 1), got " + fraction);
    }
  }
}
