package dev.kiln.runtime;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.training.ShutdownStop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run the interruption tests kill, stop and resume, as a program a child JVM runs:
 * {@code ResumableRun <log root> <run name> [<marker file> <step>]}.
 *
 * <p>200 moons, 40 held out: 160 examples in batches of 16, so 10 steps an epoch and 40 in 4
 * epochs; a checkpoint every 4 steps (at 28 in the middle of epoch 3, for one). θ is annealed in
 * the graph, the learning rate comes from a host schedule, dropout is keyed by the step: each kind
 * of schedule must continue exactly after a resume.
 *
 * <p>With a marker file that does not exist yet, the host schedule creates it, prints
 * {@value #BLOCKED} and holds training step {@code <step>} until the JVM has begun to shut down and
 * Kiln's shutdown hook has asked training to stop (forever, if the JVM is killed with SIGKILL);
 * once the file exists it never holds a step again, so running the very same command again
 * resumes and finishes the run. (The schedule also gives the value at the end of each epoch,
 * 10, 20, 30, so {@code <step>} should not be one of those.)
 */
public final class ResumableRun {
  static final String BLOCKED = "BLOCKED";
  static final int EPOCHS = 4;
  static final long STEPS_PER_EPOCH = 10;
  static final long CHECKPOINT_EVERY = 4;

  private static volatile boolean shuttingDown;

  private ResumableRun() {}

  public static void main(String[] args) throws IOException {
    Path logRoot = Path.of(args[0]);
    String run = args[1];
    StepHook hold = args.length > 2 ? new Hold(Path.of(args[2]), Long.parseLong(args[3])) : StepHook.NONE;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shuttingDown = true));
    try (Model model = Model.build(network(hold))) {
      TrainingResult result = model.train(data(), config(logRoot, run).withOutput(System.out));
      System.out.println("FINISHED steps=" + result.steps() + " checkpoint=" + result.checkpoint().orElseThrow());
    }
  }

  static Dataset data() {
    return TwoMoons.generate(200, 0.1, 3);
  }

  static TrainingConfig config(Path logRoot, String run) {
    return TrainingConfig.defaults()
        .withEpochs(EPOCHS).withBatchSize(16).withValidationSplit(0.2).withSeed(5).withLogEvery(1)
        .withLogRoot(logRoot).withRunName(run)
        .withCheckpoints(CheckpointPolicy.everySteps(CHECKPOINT_EVERY).keepLast(3))
        .quiet();
  }

  /**
   * Called by the learning-rate schedule with each step it gives a value for: every training step
   * as it is fed, and the step count at the end of each epoch (10, 20, 30, 40) for validation.
   */
  @FunctionalInterface
  interface StepHook {
    StepHook NONE = step -> {};

    void at(long step);
  }

  /** The network; its learning-rate schedule calls {@code hook} with each step. */
  static TestMlp network(StepHook hook) {
    PhasedSchedule theta = PhasedSchedule.of(Granularity.STEP, Phase.linear(Math.PI / 4, 0, Length.epochs(3)));
    Schedule rate = (step, stepsPerEpoch) -> {
      hook.at(step);
      return 0.02 * Math.pow(0.8, (double) (step / stepsPerEpoch));
    };
    return TestMlp.of("Resumable", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7), 16, 16)
        .withTheta(TestMlp.shared(g -> g.annealed("theta", theta)))
        .withLearningRate(g -> g.hostScheduled("lr", rate))
        .withDropout(0.1);
  }

  /** Holds {@code step} once, as the class comment says; the marker file records that it did. */
  private record Hold(Path marker, long step) implements StepHook {
    @Override
    public void at(long current) {
      if (current != step || !claim(marker)) {
        return;
      }
      System.out.println(BLOCKED + " " + current);
      System.out.flush();
      // Both hooks run at once; waiting for Kiln's to wait makes the step training stops at certain.
      while (!(shuttingDown && kilnHookWaits())) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    /** Whether Kiln's shutdown hook has asked training to stop and now waits for it. */
    private static boolean kilnHookWaits() {
      return Thread.getAllStackTraces().keySet().stream()
          .anyMatch(t -> t.getName().equals(ShutdownStop.THREAD_NAME) && t.getState() == Thread.State.TIMED_WAITING);
    }

    private static boolean claim(Path marker) {
      try {
        Files.createFile(marker);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
