package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
  @Test
  void defaults() {
    TrainingConfig config = TrainingConfig.defaults();
    assertThat(config.epochs()).isEqualTo(10);
    assertThat(config.batchSize()).isEqualTo(32);
    assertThat(config.seed()).isEqualTo(42);
    assertThat(config.shuffle()).isTrue();
    assertThat(config.validationFraction()).isEqualTo(0.0);
    assertThat(config.logRoot()).isEqualTo(Path.of("runs"));
    assertThat(config.runName()).isEmpty();
    assertThat(config.logEvery()).isEqualTo(10);
    assertThat(config.validateEvery()).isEqualTo(1);
    assertThat(config.output()).isSameInstanceAs(System.out);
    assertThat(config.saveCheckpoint()).isTrue();
    assertThat(config.checkpoints()).hasValue(CheckpointPolicy.everyEpochs(1).keepLast(2).atMostEvery(Duration.ofSeconds(30)));
    assertThat(config.nonFiniteSteps()).isEqualTo(NonFiniteSteps.STOP);
    assertThat(config.stopOnSignals()).isTrue();
  }

  @Test
  void withersReturnChangedCopies() {
    TrainingConfig defaults = TrainingConfig.defaults();
    TrainingConfig changed =
        defaults.withEpochs(3).withBatchSize(8).withSeed(7).withShuffle(false).withValidationSplitFirst(0.25)
            .withLogRoot(Path.of("logs")).withRunName("first-try").withLogEvery(2).withCheckpoint(false);
    assertThat(defaults.epochs()).isEqualTo(10);
    assertThat(changed.epochs()).isEqualTo(3);
    assertThat(changed.batchSize()).isEqualTo(8);
    assertThat(changed.seed()).isEqualTo(7);
    assertThat(changed.shuffle()).isFalse();
    assertThat(changed.validationFraction()).isEqualTo(0.25);
    assertThat(changed.validationRandom()).isFalse();
    assertThat(changed.withValidationSplit(0.1).validationRandom()).isTrue();
    assertThat(changed.withoutValidationSplit().validationFraction()).isEqualTo(0.0);
    assertThat(changed.logRoot()).isEqualTo(Path.of("logs"));
    assertThat(changed.runName()).hasValue("first-try");
    assertThat(changed.logEvery()).isEqualTo(2);
    assertThat(changed.saveCheckpoint()).isFalse();
    assertThat(changed.checkpoints()).isEmpty();
    assertThat(changed.withCheckpoint(true).checkpoints()).hasValue(CheckpointPolicy.defaults());
    CheckpointPolicy policy = CheckpointPolicy.everySteps(500).keepLast(3).keepBest(ValidationMetric.F1);
    assertThat(changed.withCheckpoints(policy).checkpoints()).hasValue(policy);
    assertThat(defaults.withCheckpoints(policy).withCheckpoint(true).checkpoints()).hasValue(policy);
    assertThat(changed.withNonFiniteSteps(NonFiniteSteps.SKIP).nonFiniteSteps()).isEqualTo(NonFiniteSteps.SKIP);
    assertThat(changed.withStopOnSignals(false).stopOnSignals()).isFalse();
    assertThat(changed.withCheckpoints(policy).toString())
        .contains("checkpoints=every 500 steps, keeping the last 3 and the best by validation/f1, nonFiniteSteps=STOP, stopOnSignals=true");
    assertThat(changed.quiet().output()).isNotSameInstanceAs(System.out);
    assertThat(changed.toString()).contains("validation=0.25 first");
  }

  @Test
  void refusesNonsense() {
    TrainingConfig config = TrainingConfig.defaults();
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withEpochs(0)))
        .hasMessageThat().isEqualTo("epochs must be > 0, got 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withBatchSize(-1)))
        .hasMessageThat().isEqualTo("batchSize must be > 0, got -1");
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withLogEvery(0)))
        .hasMessageThat().isEqualTo("logEvery must be > 0, got 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withValidateEvery(0)))
        .hasMessageThat().isEqualTo("validateEvery must be > 0, got 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withValidationSplit(1.0)))
        .hasMessageThat().isEqualTo("the validation fraction must be in (0, 1), got 1.0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> config.withRunName("../escape")))
        .hasMessageThat().contains("must be one directory name");
    assertThat(assertThrows(IllegalArgumentException.class, () -> CheckpointPolicy.everySteps(0)))
        .hasMessageThat().isEqualTo("steps must be > 0, got 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> CheckpointPolicy.everyEpochs(1).keepLast(0)))
        .hasMessageThat().isEqualTo("keepLast must be > 0, got 0");
  }
}
