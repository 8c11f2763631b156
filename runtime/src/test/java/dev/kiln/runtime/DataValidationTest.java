package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.OptimizerSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/** Data that does not fit the network is refused before any step runs, with both shapes named. */
class DataValidationTest {
  private static Model binary;
  private static Model classes;

  @TempDir Path logs;

  @BeforeAll
  static void buildModels() {
    binary = Model.build(TestMlp.of("Binary", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 4));
    classes = Model.build(TestMlp.of("Classes", 2, 3, Loss.SOFTMAX_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 4));
  }

  @AfterAll
  static void closeModels() {
    binary.close();
    classes.close();
  }

  private TrainingConfig config() {
    return TrainingConfig.defaults().withEpochs(1).withLogRoot(logs).quiet();
  }

  private static Dataset data(int n, Shape exampleShape, int labelWidth, float label) {
    float[] labels = new float[n * labelWidth];
    java.util.Arrays.fill(labels, label);
    return Dataset.of(new float[n * (int) exampleShape.size()], exampleShape, labels, labelWidth);
  }

  @Test
  void trainingDataOfAnotherShapeNamesBothShapes() {
    Dataset wide = data(10, Shape.of(3), 1, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> binary.train(wide, config()));
    assertThat(e).hasMessageThat().isEqualTo(
        "training data has examples of shape [3], but network Binary takes input of shape [2]");
    assertThat(binary.step()).isEqualTo(0);
  }

  @Test
  void everyDataSetIsCheckedAndNamed() {
    Dataset good = data(10, Shape.of(2), 1, 0);
    Dataset image = data(10, Shape.of(2, 1), 1, 0);
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.train(good, image, config())))
        .hasMessageThat().startsWith("validation data has examples of shape [2, 1]");
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.evaluate(image)))
        .hasMessageThat().startsWith("evaluation data has examples of shape [2, 1], but network Binary takes input of shape [2]");
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.predict(image)))
        .hasMessageThat().startsWith("prediction data has examples of shape [2, 1]");
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.predict(new float[][] {{1, 2}, {1, 2, 3}})))
        .hasMessageThat().isEqualTo("example 1 has 3 values, but network Binary takes input of shape [2] (2 values)");
  }

  @Test
  void labelsOfTheWrongWidthAreRefused() {
    Dataset twoLabels = data(10, Shape.of(2), 2, 0);
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.train(twoLabels, config())))
        .hasMessageThat().isEqualTo(
            "training data has labels of width 2, but network Binary (SIGMOID_CROSS_ENTROPY) needs width 1 (one per output unit)");
    Dataset oneHot = data(10, Shape.of(2), 3, 0);
    assertThat(assertThrows(IllegalArgumentException.class, () -> classes.evaluate(oneHot)))
        .hasMessageThat().isEqualTo(
            "evaluation data has labels of width 3, but network Classes (SOFTMAX_CROSS_ENTROPY) needs width 1 (the class index)");
  }

  @Test
  void softmaxLabelsMustBeClassIndices() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> classes.train(data(5, Shape.of(2), 1, 3), config())))
        .hasMessageThat().isEqualTo("training data: label 3.0 of example 0 is not a class index in [0, 3)");
    assertThat(assertThrows(IllegalArgumentException.class, () -> classes.train(data(5, Shape.of(2), 1, 0.5f), config())))
        .hasMessageThat().contains("label 0.5 of example 0 is not a class index");
  }

  @Test
  void splitsAndEmptyDataAreChecked() {
    Dataset two = data(2, Shape.of(2), 1, 0);
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.train(two, config().withValidationSplit(0.1))))
        .hasMessageThat().contains("leaves 0 validation and 2 training examples");
    Dataset good = data(10, Shape.of(2), 1, 0);
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.train(good, good, config().withValidationSplit(0.1))))
        .hasMessageThat().contains("both a validation data set and a validation split");
    Dataset empty = Dataset.of(new float[0], Shape.of(2), new float[0], 1);
    assertThat(assertThrows(IllegalArgumentException.class, () -> binary.evaluate(empty)))
        .hasMessageThat().isEqualTo("evaluation data has no examples");
  }

  @Test
  void aClosedModelRefusesWork() {
    Model model = Model.build(TestMlp.of("Closed", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, new OptimizerSpec.Sgd(0.1), 2));
    model.close();
    model.close();
    assertThat(assertThrows(IllegalStateException.class, () -> model.evaluate(data(1, Shape.of(2), 1, 0))))
        .hasMessageThat().isEqualTo("model Closed is closed");
  }
}
