package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.Range;
import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.summary.EventFileReader;
import dev.kiln.runtime.training.ModelSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;


/** Dropout: inverted scaling while training, seeded by network seed, name and step; identity otherwise. */
class DropoutTest {
  private static final int WIDTH = 2000;
  private static final OptimizerSpec SGD = new OptimizerSpec.Sgd(0.1);

  @TempDir Path logs;

  /** Input → dropout named {@code name} → dense: the dropout's output is the op {@code <name>/output}. */
  private static NetworkGraph droppingInput(String name, double rate, long seed) {
    NetworkSpec spec = new NetworkSpec("Dropping", Shape.of(WIDTH), 1, Loss.SIGMOID_CROSS_ENTROPY, SGD, seed);
    return new NetworkGraph() {
      @Override
      public NetworkSpec spec() {
        return spec;
      }

      @Override
      public Operand<TFloat32> buildForward(GraphBuilder graph) {
        Ops tf = graph.tf();
        Operand<TFloat32> dropped = graph.dropout(name, graph.input("input"), rate);
        return tf.math.add(tf.linalg.matMul(dropped, graph.weights("output/weights", Shape.of(WIDTH, 1))), graph.bias("output/bias", 1));
      }
    };
  }

  /** The dropout output for one example of ones, at {@code step}, in the training phase or not. */
  private static float[] droppedOnes(NetworkGraph network, String name, long step, boolean training) {
    try (ModelGraph graph = ModelGraph.build(network, Device.cpu().spec());
        Session session = new Session(graph.graph);
        ModelSession.Feeds feeds = new ModelSession.Feeds()) {
      float[] ones = new float[WIDTH];
      Arrays.fill(ones, 1f);
      Session.Runner runner =
          session.runner()
              .feed(graph.input, feeds.add(TFloat32.tensorOf(Shape.of(1, WIDTH), DataBuffers.of(ones))))
              .feed(graph.state.step().read(), feeds.add(TInt64.scalarOf(step)));
      if (training) {
        runner.feed(graph.state.trainingPhase().orElseThrow(), feeds.add(TBool.scalarOf(true)));
      }
      try (Result result = runner.fetch(name + "/output").run()) {
        return ModelSession.values(result.get(0));
      }
    }
  }

  @Test
  void whileTrainingAboutRateOfTheValuesAreZeroedAndTheRestScaled() {
    float[] out = droppedOnes(droppingInput("drop", 0.3, 1), "drop", 0, true);
    int zeros = 0;
    for (float v : out) {
      if (v == 0f) {
        zeros++;
      } else {
        assertThat(v).isWithin(1e-6f).of(1 / 0.7f);
      }
    }
    // Binomial(2000, 0.3): mean 600, standard deviation 20.5; the bounds are five deviations wide.
    assertThat(zeros).isIn(Range.closed(500, 700));
  }

  @Test
  void theMaskDependsOnSeedNameAndStepAndNothingElse() {
    float[] first = droppedOnes(droppingInput("drop", 0.5, 1), "drop", 3, true);
    assertThat(droppedOnes(droppingInput("drop", 0.5, 1), "drop", 3, true)).isEqualTo(first);
    assertThat(droppedOnes(droppingInput("drop", 0.5, 1), "drop", 4, true)).isNotEqualTo(first);
    assertThat(droppedOnes(droppingInput("drop", 0.5, 2), "drop", 3, true)).isNotEqualTo(first);
    assertThat(droppedOnes(droppingInput("other", 0.5, 1), "other", 3, true)).isNotEqualTo(first);
  }

  @Test
  void outsideTrainingDropoutIsTheIdentity() {
    float[] ones = new float[WIDTH];
    Arrays.fill(ones, 1f);
    assertThat(droppedOnes(droppingInput("drop", 0.5, 1), "drop", 3, false)).isEqualTo(ones);
  }

  @Test
  void evaluationAndPredictionIgnoreDropout() {
    Dataset moons = TwoMoons.generate(64, 0.1, 5);
    TestMlp plain = TestMlp.of("Net", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, SGD, 16, 16);
    TestMlp dropping = TestMlp.of("Net", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, SGD, 16, 16).withDropout(0.5);
    try (Model without = Model.build(plain); Model with = Model.build(dropping)) {
      assertThat(with.predict(moons)).isEqualTo(without.predict(moons));
      assertThat(with.evaluate(moons).loss()).isEqualTo(without.evaluate(moons).loss());
    }
  }

  @Test
  void trainingStepsRunWithDropout() throws IOException {
    // One batch of every example, unshuffled: step 0's logged loss is the loss at the initial
    // weights, which evaluation (without dropout) gives exactly, unless the step dropped values.
    Dataset moons = TwoMoons.generate(64, 0.1, 5);
    TrainingConfig config =
        TrainingConfig.defaults().withEpochs(1).withBatchSize(64).withShuffle(false).withLogRoot(logs).withCheckpoint(false).quiet();
    for (double rate : new double[] {0, 0.5}) {
      try (Model model = Model.build(TestMlp.of("Net", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, SGD, 16, 16).withDropout(rate))) {
        double evaluated = model.evaluate(moons).loss();
        TrainingResult result = model.train(moons, config.withRunName("rate-" + rate));
        double logged = EventFileReader.scalars(result.runDirectory()).get("loss").get(0).value();
        if (rate == 0) {
          assertThat(logged).isWithin(1e-6).of(evaluated);
        } else {
          assertThat(logged).isNotWithin(1e-3).of(evaluated);
        }
      }
    }
  }

  @Test
  void aRateOfZeroAddsNothingAndBadRatesAreRejected() {
    try (ModelGraph graph = ModelGraph.build(droppingInput("drop", 0, 1), Device.cpu().spec())) {
      assertThat(graph.state.trainingPhase()).isEmpty();
      assertThat(graph.graph.operation("drop/output")).isNull();
    }
    for (double rate : new double[] {1, -0.1, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ModelGraph.build(droppingInput("drop", rate, 1), Device.cpu().spec()));
      assertThat(e).hasMessageThat().contains("Dropping: dropout 'drop' needs a rate in [0, 1), got " + rate);
    }
  }
}
