package dev.kiln.runtime.training;

import dev.kiln.runtime.CheckpointPolicy;
import dev.kiln.runtime.NonFiniteStepException;
import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.checkpoint.StoredCheckpoint;
import dev.kiln.runtime.step.LearnedWidth;
import dev.kiln.runtime.step.Parameter;
import dev.kiln.runtime.step.StateVariable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The checkpoints of one training run, in {@code <run directory>/checkpoints}: when they are due,
 * writing them (never of a state with a non-finite value), keeping the last few and the best, and
 * resuming the run from the newest valid one. Holds the store's lock while open, so two processes
 * never train one run.
 */
public final class RunCheckpoints implements AutoCloseable {
  public static final String DIRECTORY = "checkpoints";

  private final CheckpointStore store;
  private final CheckpointStore.Lock lock;
  private final CheckpointPolicy policy;
  private final ModelSession model;
  private StoredCheckpoint latest;
  /** When {@link #latest} was written or resumed from, by {@link System#nanoTime()}. */
  private long latestNanos;

  private RunCheckpoints(CheckpointStore store, CheckpointStore.Lock lock, CheckpointPolicy policy, ModelSession model) {
    this.store = store;
    this.lock = lock;
    this.policy = policy;
    this.model = model;
  }

  /**
   * Checks that checkpoints can be written into the run directory and locks them.
   *
   * @throws IOException naming the directory and the operating system's reason, or the other run
   *     that holds the lock
   */
  static RunCheckpoints open(Path runDirectory, CheckpointPolicy policy, ModelSession model) throws IOException {
    CheckpointStore store = CheckpointStore.at(runDirectory.resolve(DIRECTORY));
    store.probeWritable();
    return new RunCheckpoints(store, store.lock(), policy, model);
  }

  Path directory() {
    return store.directory();
  }

  CheckpointPolicy policy() {
    return policy;
  }

  /** The checkpoint written last, or resumed from. */
  Optional<Path> latest() {
    return Optional.ofNullable(latest).map(StoredCheckpoint::directory);
  }

  /** The step of {@link #latest}. */
  Optional<Long> latestStep() {
    return Optional.ofNullable(latest).map(StoredCheckpoint::step);
  }

  /** Whether checkpoints were ever written here, valid or not. */
  boolean anyWritten() throws IOException {
    return !store.checkpoints().isEmpty();
  }

  /**
   * The run's state at its newest valid checkpoint, with the model restored to it and the run's
   * event files cut back to what they held then; empty if there is no valid checkpoint. Reports
   * each checkpoint set aside as corrupt and each change to the event files to {@code report}.
   *
   * @throws IllegalArgumentException if the checkpoint is of another network, batch size, seed,
   *     shuffling or data: the model is then left as it was
   */
  Optional<TrainingState> resume(TrainingState.Fingerprint fingerprint, Path runDirectory, Consumer<String> report) throws IOException {
    Optional<StoredCheckpoint> found = store.recover(report);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    StoredCheckpoint checkpoint = found.get();
    TrainingState state = TrainingState.fromProperties(
        checkpoint.directory(), checkpoint.state(), scalarParameterNames(), model.graph.state.learnedWidths().stream().map(LearnedWidth::layer).toList());
    Optional<String> difference = fingerprint.differenceFrom(state.fingerprint());
    if (difference.isPresent()) {
      throw new IllegalArgumentException(
          "run directory " + runDirectory + " holds a run with " + difference.get() + " (checkpoint " + checkpoint.directory()
              + "); resume it with the same settings and data, or give this run another name");
    }
    model.restore(checkpoint.directory());
    RunEvents.rewind(runDirectory, state.eventFiles()).forEach(report);
    latest = checkpoint;
    latestNanos = System.nanoTime();
    return Optional.of(state);
  }

  /** Whether a checkpoint is due after {@code stepsDone} steps of the run, by a step interval and the minimum time between them. */
  boolean dueAfterSteps(long stepsDone) {
    return policy.unit() == CheckpointPolicy.Unit.STEPS && stepsDone % policy.every() == 0 && minimumIntervalPassed();
  }

  /** Whether a checkpoint is due after {@code epochsDone} epochs of the run, by an epoch interval and the minimum time between them. */
  boolean dueAfterEpochs(int epochsDone) {
    return policy.unit() == CheckpointPolicy.Unit.EPOCHS && epochsDone % policy.every() == 0 && minimumIntervalPassed();
  }

  private boolean minimumIntervalPassed() {
    return latest == null || System.nanoTime() - latestNanos >= policy.minimumInterval().toNanos();
  }

  /**
   * Writes a checkpoint of the model in {@code state}, then deletes all but the newest
   * {@link CheckpointPolicy#keepLast()} and the best.
   *
   * @throws NonFiniteStepException if a variable holds a NaN or an infinity (an update that
   *     overflowed): such a state is never saved, and the previous checkpoint stays the last good one
   * @throws IOException naming the checkpoint and the reason if it cannot be written; earlier ones are intact
   */
  Path write(TrainingState state) throws IOException {
    requireFinite(state.step());
    latest = store.write(state.step(), state.toProperties(), model::save);
    latestNanos = System.nanoTime();
    List<Path> keep = new ArrayList<>();
    state.bestCheckpoint(store.directory()).ifPresent(keep::add);
    store.retain(policy.keepLast(), keep);
    return latest.directory();
  }

  private void requireFinite(long step) {
    try (Result result = model.runner().fetch(model.graph.checkpoint.allFinite()).run()) {
      if (((TBool) result.get(0)).getBoolean()) {
        return;
      }
    }
    String variable = firstNonFiniteVariable();
    throw new NonFiniteStepException(
        "training stopped at step " + step + ": " + variable + " is not finite (an update that overflowed, or values set from non-finite data), "
            + "so no checkpoint of this state is written; "
            + latest().map(p -> "the last good checkpoint is " + p).orElse("there is no earlier checkpoint"),
        step, variable, latest());
  }

  private String firstNonFiniteVariable() {
    for (StateVariable<?> variable : model.graph.state.variables()) {
      if (variable.type() != TFloat32.class) {
        continue;
      }
      try (Result result = model.runner().fetch(variable.read()).run()) {
        for (float value : ModelSession.values(result.get(0))) {
          if (!Float.isFinite(value)) {
            return "the variable " + variable.name();
          }
        }
      }
    }
    return "a variable";
  }

  private List<String> scalarParameterNames() {
    return model.graph.state.parameters().stream().filter(Parameter::scalar).map(Parameter::name).toList();
  }

  @Override
  public void close() throws IOException {
    lock.close();
  }
}
