package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.nio.file.Path;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * One step of each optimiser on a linear model {@code y = x·W + b} with squared error on one
 * example, against the update worked out by hand from the gradient {@code 2(y - t)·x}.
 */
class OptimizerTest {
  private static final Dataset ONE = Dataset.of(new float[] {1, 2}, Shape.of(2), new float[] {3}, 1);
  private static final double LR = 0.1;

  @TempDir Path logs;

  private TrainingConfig oneEpoch() {
    return TrainingConfig.defaults().withEpochs(1).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  /** Trains one step and checks every weight and the bias moved by {@code update(gradient)}. */
  private void checkFirstStep(OptimizerSpec optimizer, DoubleUnaryOperator update) {
    try (Model model = Model.build(TestMlp.of("Linear", 2, 1, Loss.MEAN_SQUARED_ERROR, optimizer))) {
      float[] w = model.parameter("output/weights");
      double y = w[0] * 1 + w[1] * 2;
      double dy = 2 * (y - 3);
      model.train(ONE, oneEpoch());
      float[] trained = model.parameter("output/weights");
      assertThat((double) trained[0]).isWithin(1e-5).of(w[0] + update.applyAsDouble(dy * 1));
      assertThat((double) trained[1]).isWithin(1e-5).of(w[1] + update.applyAsDouble(dy * 2));
      assertThat((double) model.parameter("output/bias")[0]).isWithin(1e-5).of(update.applyAsDouble(dy));
    }
  }

  @Test
  void gradientDescent() {
    checkFirstStep(new OptimizerSpec.Sgd(LR), g -> -LR * g);
  }

  @Test
  void momentum() {
    checkFirstStep(new OptimizerSpec.Momentum(LR, 0.9, false), g -> -LR * g);
  }

  @Test
  void nesterovMomentum() {
    checkFirstStep(new OptimizerSpec.Momentum(LR, 0.9, true), g -> -LR * g * (1 + 0.9));
  }

  @Test
  void adamWithBiasCorrection() {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;
    checkFirstStep(new OptimizerSpec.Adam(LR, beta1, beta2, epsilon), g -> {
      double rate = LR * Math.sqrt(1 - beta2) / (1 - beta1);
      double m = (1 - beta1) * g;
      double v = (1 - beta2) * g * g;
      return -rate * m / (Math.sqrt(v) + epsilon);
    });
  }

  @Test
  void rmsProp() {
    double decay = 0.9;
    double epsilon = 1e-7;
    checkFirstStep(new OptimizerSpec.RmsProp(LR, decay, 0.0, epsilon), g -> -LR * g / Math.sqrt((1 - decay) * g * g + epsilon));
  }

  @Test
  void adamKeepsItsBetaPowers() {
    try (Model model = Model.build(TestMlp.of("Linear", 2, 1, Loss.MEAN_SQUARED_ERROR, new OptimizerSpec.Adam(LR, 0.8, 0.99, 1e-7)))) {
      assertThat(model.parameter("optimizer/beta1_power")[0]).isWithin(1e-7f).of(0.8f);
      model.train(ONE, oneEpoch().withEpochs(2));
      // After t steps the powers are β^(t+1): the next step's.
      assertThat((double) model.parameter("optimizer/beta1_power")[0]).isWithin(1e-6).of(Math.pow(0.8, 3));
      assertThat((double) model.parameter("optimizer/beta2_power")[0]).isWithin(1e-6).of(Math.pow(0.99, 3));
      assertThat(model.variableNames()).containsAtLeast("output/weights/adam_m", "output/weights/adam_v", "training/step");
    }
  }

  @Test
  void everyOptimiserLearnsASeparableProblem() {
    Dataset data = TestData.halfPlanes(200, 5);
    for (OptimizerSpec optimizer :
        new OptimizerSpec[] {
          new OptimizerSpec.Sgd(0.5), new OptimizerSpec.Momentum(0.1, 0.9, true),
          new OptimizerSpec.Adam(0.05, 0.9, 0.999, 1e-7), new OptimizerSpec.RmsProp(0.01, 0.9, 0.5, 1e-7)
        }) {
      try (Model model = Model.build(TestMlp.of("HalfPlanes", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, optimizer, 8))) {
        Evaluation before = model.evaluate(data);
        model.train(data, oneEpoch().withEpochs(15).withBatchSize(20));
        Evaluation after = model.evaluate(data);
        assertThat(after.loss()).isLessThan(before.loss() / 2);
        assertThat(after.accuracy()).isAtLeast(0.95);
      }
    }
  }
}
