package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** Rprop, built from graph ops, against updates worked out by hand. */
class RpropTest {
  @TempDir Path logs;

  /**
   * Outputs {@code b} (a trainable bias; the input is all zeros) with mean squared error to the
   * labels {@code t}: the loss {@code ((b0 - t0)² + (b1 - t1)²) / 2} is a quadratic with gradient
   * {@code b - t}.
   */
  private record Quadratic(NetworkSpec spec) implements NetworkGraph {
    Quadratic(OptimizerSpec optimizer) {
      this(new NetworkSpec("Quadratic", Shape.of(2), 2, Loss.MEAN_SQUARED_ERROR, optimizer, 1));
    }

    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      return graph.tf().math.add(graph.input("zeros"), graph.bias("b", 2));
    }
  }

  private TrainingConfig oneStep() {
    return TrainingConfig.defaults().withEpochs(1).withBatchSize(1).withLogRoot(logs).withCheckpoint(false).quiet();
  }

  @Test
  void stepsGrowShrinkRestAndStayBelowTheMaximum() {
    Dataset labels = Dataset.of(new float[] {0, 0}, Shape.of(2), new float[] {1, -3}, 2);
    // Initial step 0.6, growth 1.2, shrink 0.5, steps within [1e-6, 0.7].
    try (Model model = Model.build(new Quadratic(new OptimizerSpec.Rprop(0.6, 1.2, 0.5, 1e-6, 0.7)))) {
      // Step 1, gradients (-1, 3): no previous gradient, so each step stays 0.6.
      model.train(labels, oneStep());
      assertBias(model, 0.6, -0.6);
      // Step 2, gradients (-0.4, 2.4): same signs, steps grow to 0.72, clipped to 0.7.
      model.train(labels, oneStep());
      assertBias(model, 1.3, -1.3);
      // Step 3, gradients (0.3, 1.7): b0 overshot, so its step halves to 0.35 and b0 rests.
      model.train(labels, oneStep());
      assertBias(model, 1.3, -2.0);
      assertThat(model.parameter("optimizer/rprop_step")[0]).isWithin(1e-6f).of(0.35f);
      assertThat(model.parameter("optimizer/rprop_gradient")[0]).isEqualTo(0f);
      // Step 4, gradients (0.3, 1.0): b0 starts afresh with its halved step.
      model.train(labels, oneStep());
      assertBias(model, 0.95, -2.7);
      assertThat(model.parameter("optimizer/rprop_step")).usingTolerance(1e-6).containsExactly(0.35f, 0.7f).inOrder();
    }
  }

  @Test
  void stepsStayAboveTheMinimum() {
    Dataset labels = Dataset.of(new float[] {0, 0}, Shape.of(2), new float[] {0.05f, 0}, 2);
    // b0 overshoots 0.05 on every step; its step halves each time it turns, but not below 0.1.
    try (Model model = Model.build(new Quadratic(new OptimizerSpec.Rprop(0.4, 1.2, 0.5, 0.1, 50)))) {
      for (int step = 0; step < 12; step++) {
        model.train(labels, oneStep());
      }
      assertThat(model.parameter("optimizer/rprop_step")[0]).isWithin(1e-7f).of(0.1f);
      assertThat(Math.abs(model.parameter("b")[0] - 0.05)).isLessThan(0.1);
    }
  }

  @Test
  void rpropTrainsANetworkFullBatch() {
    Dataset data = TestData.halfPlanes(100, 3);
    try (Model model = Model.build(TestMlp.of("Resilient", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Rprop(0.01, 1.2, 0.5, 1e-6, 50), 8))) {
      double before = model.evaluate(data).loss();
      model.train(data, oneStep().withEpochs(60).withBatchSize(100));
      assertThat(model.evaluate(data).loss()).isLessThan(before / 2);
      assertThat(model.evaluate(data).accuracy()).isAtLeast(0.95);
      assertThat(model.variableNames()).containsAtLeast("optimizer/rprop_step", "optimizer/rprop_gradient");
    }
  }

  @Test
  void eachVariableStartsAtTheStepOfItsOwnLearningRateScale() {
    TestMlp network = TestMlp.of("Scaled", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Rprop(0.01, 1.2, 0.5, 1e-6, 50), 3)
        .withTheta(TestMlp.perNeuron(0.5, 10));
    try (Model model = Model.build(network)) {
      float[] steps = model.parameter("optimizer/rprop_step");
      // hidden1: 2·3 weights, 3 biases, 3 θ (×10); output: 3 weights, 1 bias.
      assertThat(steps).hasLength(6 + 3 + 3 + 3 + 1);
      assertThat(steps).usingTolerance(1e-9).containsExactly(
          0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.1f, 0.1f, 0.1f, 0.01f, 0.01f, 0.01f, 0.01f).inOrder();
      model.train(TestData.halfPlanes(20, 1), oneStep().withBatchSize(20).withEpochs(3));
      // θ is kept within [0, π/4] after every step.
      for (float theta : model.parameter("hidden1/theta")) {
        assertThat(theta).isIn(com.google.common.collect.Range.closed(0f, (float) (Math.PI / 4)));
      }
    }
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec.Rprop(0.1, 0.9, 0.5, 1e-6, 50)))
        .hasMessageThat().contains("growth > 1");
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec.Rprop(0.1, 1.2, 1.0, 1e-6, 50));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec.Rprop(0.1, 1.2, 0.5, 1, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec.Rprop(0, 1.2, 0.5, 1e-6, 50));
  }

  @Test
  void aLearningRateScheduleIsRejected() {
    TestMlp scheduled = TestMlp.of("Scheduled", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Rprop(0.1, 1.2, 0.5, 1e-6, 50), 2)
        .withLearningRate(graph -> graph.fixed("lr", 0.1));
    assertThat(assertThrows(IllegalStateException.class, () -> Model.build(scheduled)))
        .hasMessageThat().contains("Rprop takes no learning-rate parameter");
  }

  private static void assertBias(Model model, double b0, double b1) {
    float[] bias = model.parameter("b");
    assertThat((double) bias[0]).isWithin(1e-5).of(b0);
    assertThat((double) bias[1]).isWithin(1e-5).of(b1);
  }
}
