package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning rates scheduled per epoch: the epoch a step belongs to, the value logged, the value used. */
class LearningRateScheduleTest {
  // 60 examples in batches of 20, 10 held out: 50 to train on, so 3 steps an epoch (20, 20, 10).
  private static final Dataset MOONS = TwoMoons.generate(60, 0.1, 6);
  private static final long STEPS_PER_EPOCH = 3;

  @TempDir Path logs;

  /** The reference's decay, {@code 1e-3 / (epoch + 1)}, as a host schedule class like a user writes it. */
  public static final class ReferenceDecay implements Schedule {
    @Override
    public double valueAt(long step, long stepsPerEpoch) {
      return 1e-3 / (step / stepsPerEpoch + 1);
    }
  }

  /** 0.1, except 0 throughout the second epoch: a wrong epoch boundary moves the weights. */
  public static final class PausedSecondEpoch implements Schedule {
    @Override
    public double valueAt(long step, long stepsPerEpoch) {
      return step / stepsPerEpoch == 1 ? 0 : 0.1;
    }
  }

  private TrainingConfig config(String run, int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(20).withValidationSplitFirst(10 / 60.0)
        .withLogEvery(1).withLogRoot(logs).withRunName(run).withCheckpoint(false).quiet();
  }

  private static TestMlp mlp(String name, OptimizerSpec optimizer) {
    return TestMlp.of(name, 2, 1, Loss.SIGMOID_CROSS_ENTROPY, optimizer, 8);
  }

  @Test
  void aHostScheduleSeesEachStepsEpochAndItsValueIsLoggedAsTheLearningRate() throws IOException {
    TestMlp network = mlp("Decayed", new OptimizerSpec.Adam(1e-3, 0.9, 0.999, 1e-7)).withLearningRate(g -> g.hostScheduled("lr", new ReferenceDecay()));
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(MOONS, config("decayed", 3));
      List<ScalarPoint> logged = EventFileReader.scalars(result.runDirectory()).get("learning_rate");
      assertThat(logged).hasSize(9);
      for (ScalarPoint point : logged) {
        long epoch = point.step() / STEPS_PER_EPOCH;
        assertThat(point.value()).isWithin(1e-10).of((float) (1e-3 / (epoch + 1)));
      }
      assertThat(logged.get(2).value()).isWithin(1e-10).of(1e-3f);
      assertThat(logged.get(3).value()).isWithin(1e-10).of(5e-4f);
      // After the last epoch the parameter shows the rate the next step would use.
      assertThat(result.last().parameters().get("lr")).isWithin(1e-10).of((double) (float) (1e-3 / 4));
    }
  }

  @Test
  void theScheduledRateIsTheOneTheOptimizerUses() {
    TestMlp network = mlp("Paused", new OptimizerSpec.Sgd(1)).withLearningRate(g -> g.hostScheduled("lr", new PausedSecondEpoch()));
    try (Model model = Model.build(network)) {
      model.train(MOONS, config("first", 1));
      float[] afterFirst = model.parameter("hidden1/weights");
      model.train(MOONS, config("second", 1));
      assertThat(model.step()).isEqualTo(2 * STEPS_PER_EPOCH);
      assertThat(model.parameter("hidden1/weights")).isEqualTo(afterFirst);
      model.train(MOONS, config("third", 1));
      assertThat(model.parameter("hidden1/weights")).isNotEqualTo(afterFirst);
    }
  }

  @Test
  void aPhasedRatePerEpochHoldsWithinEachEpoch() throws IOException {
    PhasedSchedule linear = PhasedSchedule.of(Granularity.EPOCH, Phase.linear(1e-2, 0, Length.epochs(4)));
    TestMlp network = mlp("Linear", new OptimizerSpec.Adam(1e-2, 0.9, 0.999, 1e-7)).withLearningRate(g -> g.annealed("lr", linear));
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(MOONS, config("linear", 3));
      for (ScalarPoint point : EventFileReader.scalars(result.runDirectory()).get("learning_rate")) {
        long epoch = point.step() / STEPS_PER_EPOCH;
        assertThat(point.value()).isWithin(1e-9).of((float) (1e-2 * (1 - epoch / 4.0)));
      }
    }
  }
}
