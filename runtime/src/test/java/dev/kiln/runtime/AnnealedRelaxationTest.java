package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.dsl.Relaxed;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.graph.RelaxationSpec;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.summary.ScalarPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relaxation's strength α ({@code GraphBuilder.relaxationStrength}): α = 1 trains exactly as
 * relaxed training without it, α = 0 exactly as the plain network, an annealed α follows its
 * schedule in TensorBoard and goes on from a checkpoint where it stopped. The strength of the
 * targets' resets ρ ({@code GraphBuilder.resetStrength}): ρ = 0 leaves them alone, ρ = 1 sets them
 * from the forward pass as a reset without it does.
 */
class AnnealedRelaxationTest {
  private static final Dataset MOONS = TwoMoons.generate(60, 0.1, 5);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);

  @TempDir Path logs;

  private TrainingConfig config(String run) {
    return TrainingConfig.defaults().withEpochs(4).withBatchSize(20).withLogRoot(logs).withRunName(run).withCheckpoint(false).quiet();
  }

  /** Each epoch's training loss and the first layer's weights after training. */
  private record Trained(List<Double> losses, float[] weights) {}

  private Trained train(RelaxedMlp network, String run) {
    try (Model model = Model.build(network)) {
      List<Double> losses = model.train(MOONS, config(run)).history().stream().map(EpochStats::trainLoss).toList();
      return new Trained(losses, model.parameter("hidden1/weights"));
    }
  }

  @Test
  void atStrengthOneTheStepIsTodaysRelaxedStep() {
    Trained relaxed = train(RelaxedMlp.of("Relaxed", ADAM, RelaxedMlp.forward(), 6, 6), "relaxed");
    Trained one = train(RelaxedMlp.of("Relaxed", ADAM, RelaxedMlp.forward(), 6, 6).withStrength(g -> g.fixed("alpha", 1)), "one");
    assertThat(one.losses()).isEqualTo(relaxed.losses());
    assertThat(one.weights()).isEqualTo(relaxed.weights());
  }

  @Test
  void atStrengthZeroTheStepIsThePlainNetworksStep() {
    Trained plain = train(RelaxedMlp.plain("Net", ADAM, 6, 6), "plain");
    Trained zero = train(RelaxedMlp.of("Net", ADAM, RelaxedMlp.forward(), 6, 6).withStrength(g -> g.fixed("alpha", 0)), "zero");
    assertThat(zero.losses()).isEqualTo(plain.losses());
    assertThat(zero.weights()).isEqualTo(plain.weights());
    // And the relaxed run did train: its losses moved.
    assertThat(zero.losses().get(3)).isLessThan(zero.losses().get(0));
  }

  @Test
  void anAnnealedStrengthFollowsItsScheduleInTensorBoard() throws IOException {
    // α held at 1 for 3 steps, then linearly to 0 over 6: the 12 steps of 4 epochs of 3 batches.
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.hold(1, Length.steps(3)), Phase.linear(1, 0, Length.steps(6)));
    RelaxedMlp network = RelaxedMlp.of("Annealed", ADAM, RelaxedMlp.forward(), 6).withStrength(g -> g.annealed("alpha", schedule));
    try (Model model = Model.build(network)) {
      model.train(MOONS, config("annealed").withLogEvery(1));
    }
    List<ScalarPoint> alpha = EventFileReader.scalars(logs.resolve("annealed")).get("parameters/alpha");
    assertThat(alpha).hasSize(12);
    for (ScalarPoint point : alpha) {
      assertWithMessage("step " + point.step()).that(point.value()).isWithin(1e-6).of(schedule.valueAt(point.step(), 3));
    }
    assertThat(alpha.get(11).value()).isWithin(1e-6).of(0.0);
  }

  @Test
  void aResumedRunGoesOnAlongTheScheduleOfAlphaFromItsCheckpoint() throws IOException {
    PhasedSchedule schedule = PhasedSchedule.of(Granularity.STEP, Phase.hold(1, Length.steps(3)), Phase.linear(1, 0, Length.steps(6)));
    RelaxedMlp network = RelaxedMlp.of("Annealed", ADAM, RelaxedMlp.forward(), 6).withStrength(g -> g.annealed("alpha", schedule));
    TrainingConfig resumable = config("resumed").withLogEvery(1).withCheckpoint(true);
    try (Model model = Model.build(network)) {
      model.train(MOONS, resumable.withEpochs(2));
    }
    float[] resumedWeights;
    try (Model model = Model.build(network)) {
      TrainingResult result = model.train(MOONS, resumable);
      assertThat(result.resumedFrom()).isPresent();
      resumedWeights = model.parameter("hidden1/weights");
    }
    float[] straightWeights;
    try (Model model = Model.build(network)) {
      model.train(MOONS, config("straight"));
      straightWeights = model.parameter("hidden1/weights");
    }
    assertThat(resumedWeights).usingTolerance(1e-6).containsExactly(straightWeights).inOrder();
    List<ScalarPoint> alpha = EventFileReader.scalars(logs.resolve("resumed")).get("parameters/alpha");
    assertThat(alpha.stream().map(ScalarPoint::step).distinct().count()).isEqualTo(12);
    for (ScalarPoint point : alpha) {
      assertWithMessage("step " + point.step()).that(point.value()).isWithin(1e-6).of(schedule.valueAt(point.step(), 3));
    }
  }

  private static RelaxationSpec resetEvery(int epochs) {
    return new RelaxationSpec(Relaxed.HiddenLoss.MEAN_SQUARED_ERROR, 1.0, Relaxed.Init.FORWARD, epochs, 1.0);
  }

  @Test
  void aResetOfStrengthZeroLeavesTheTargetsAlone() {
    Trained never = train(RelaxedMlp.of("Net", ADAM, RelaxedMlp.forward(), 6, 6), "never");
    Trained zero = train(RelaxedMlp.of("Net", ADAM, resetEvery(1), 6, 6).withResetStrength(g -> g.fixed("rho", 0)), "zero");
    assertThat(zero.losses()).isEqualTo(never.losses());
    assertThat(zero.weights()).isEqualTo(never.weights());
  }

  @Test
  void aResetOfStrengthOneSetsTheTargetsFromTheForwardPass() {
    // Plain gradient descent keeps no optimiser state, so keeping it (ρ) or starting it afresh (no ρ) is the same.
    OptimizerSpec sgd = new OptimizerSpec.Sgd(0.5);
    Trained never = train(RelaxedMlp.of("Net", sgd, RelaxedMlp.forward(), 6, 6), "never");
    Trained full = train(RelaxedMlp.of("Net", sgd, resetEvery(1), 6, 6), "full");
    Trained one = train(RelaxedMlp.of("Net", sgd, resetEvery(1), 6, 6).withResetStrength(g -> g.fixed("rho", 1)), "one");
    assertThat(one.losses()).isEqualTo(full.losses());
    assertThat(one.weights()).isEqualTo(full.weights());
    assertThat(full.losses()).isNotEqualTo(never.losses());
  }

  @Test
  void aResetOfStrengthBetweenMovesTheTargetsPartWay() {
    // Three full-batch steps, the targets reset before the third: how far they are from what their
    // layers compute afterwards is one step's drift after a full reset, three steps' without any.
    double full = hiddenLossAfterReset(1), half = hiddenLossAfterReset(0.5), none = hiddenLossAfterReset(0);
    assertThat(full).isLessThan(half);
    assertThat(half).isLessThan(none);
  }

  private double hiddenLossAfterReset(double rho) {
    try (Model model = Model.build(RelaxedMlp.of("Net", ADAM, resetEvery(2), 6, 6).withResetStrength(g -> g.fixed("rho", rho)))) {
      model.train(MOONS, config("rho" + rho).withEpochs(3).withBatchSize(MOONS.size()));
      return model.evaluateRelaxed(MOONS).hiddenLoss();
    }
  }
}
