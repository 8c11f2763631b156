package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.schedule.Length;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.dsl.schedule.PhasedSchedule;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.TwoMoons;
import dev.kiln.runtime.graph.GraphBuilder;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.graph.OptimizerSpec;
import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.training.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;


/**
 * {@link Model#export}: a SavedModel that TensorFlow Java loads and that predicts as the model did,
 * with the trained weights in it and only what serving needs; a relaxed network's ordinary pass;
 * and every way an export can be refused without writing anything.
 *
 * <p>The exports of the tests that compare predictions, with their inputs and {@link Model#predict}'s
 * outputs, are also written to {@value #PYTHON_CHECK_DIRECTORY}, where {@code .ci/run} has
 * TensorFlow Python load them ({@code .ci/check_savedmodel.py}).
 */
class ExportTest {
  private static final String PYTHON_CHECK_DIRECTORY = "target/savedmodel-check";
  private static final Path PYTHON_CHECK = Path.of(PYTHON_CHECK_DIRECTORY);
  private static final OptimizerSpec ADAM = new OptimizerSpec.Adam(0.01, 0.9, 0.999, 1e-7);
  private static final Dataset MOONS = TwoMoons.generate(200, 0.1, 1);
  /** Within this of {@link Model#predict}, as the issue asks of every loader. */
  private static final double TOLERANCE = 1e-5;

  @TempDir Path temp;

  private TrainingConfig config(int epochs) {
    return TrainingConfig.defaults().withEpochs(epochs).withBatchSize(20).withLogRoot(temp.resolve("runs")).withCheckpoint(false).quiet();
  }

  /** θ from π/4 to 0 over 10 epochs: after 3 epochs it is between, so the exported step counter matters. */
  private static final PhasedSchedule THETA =
      PhasedSchedule.of(Granularity.STEP, Phase.linear(Math.PI / 4, 0, Length.epochs(10)));

  private static TestMlp annealedMlp(String name) {
    return TestMlp.of(name, 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16, 8)
        .withTheta(TestMlp.shared(g -> g.annealed("theta", THETA)))
        .withDropout(0.2)
        .withRegularization(0, 1e-4);
  }

  @Test
  void anExportServesTheForwardPassAndPredictsAsTheModel() throws IOException {
    Path export = pythonCheckExport("annealed-mlp");
    float[][] points = points(64, 5);
    try (Model model = Model.build(annealedMlp("Annealed"))) {
      model.train(MOONS, config(3));
      float theta = model.parameter("theta")[0];
      assertThat(theta).isGreaterThan(0.3f);
      assertThat(theta).isLessThan(0.6f);
      model.export(export);
      float[][] predicted = model.predict(points);

      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        SignatureDef signature = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
        assertThat(signature.getMethodName()).isEqualTo("tensorflow/serving/predict");
        assertThat(signature.getInputsMap().keySet()).containsExactly("input");
        assertThat(signature.getInputsOrThrow("input").getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(dims(signature.getInputsOrThrow("input").getTensorShape())).containsExactly(-1L, 2L).inOrder();
        assertThat(signature.getOutputsMap().keySet()).containsExactly("probabilities", "logits");
        assertThat(dims(signature.getOutputsOrThrow("probabilities").getTensorShape())).containsExactly(-1L, 1L).inOrder();
        assertThat(dims(signature.getOutputsOrThrow("logits").getTensorShape())).containsExactly(-1L, 1L).inOrder();

        Map<String, float[][]> served = serve(bundle, "input", Shape.of(2), points);
        assertClose(served.get("probabilities"), predicted);
        for (int i = 0; i < points.length; i++) {
          assertThat(sigmoid(served.get("logits")[i][0])).isWithin(TOLERANCE).of(predicted[i][0]);
        }
      }
      writeExpected(export, model, "input", Shape.of(2), points, "probabilities");
    }
  }

  @Test
  void theExportHoldsTheTrainedWeightsAndOnlyTheForwardPassesVariables() throws IOException {
    Path export = temp.resolve("export");
    float[][] points = points(32, 6);
    try (Model untrained = Model.build(annealedMlp("Weights")); Model model = Model.build(annealedMlp("Weights"))) {
      model.train(MOONS, config(3));
      model.export(export);

      // The variables are the exporter's own files, holding the trained values, not the initial ones.
      assertThat(fileNames(export)).containsExactly("saved_model.pb", "variables");
      assertThat(fileNames(export.resolve("variables"))).containsExactly("variables.index", "variables.data-00000-of-00001");
      for (String name : List.of("hidden1/weights", "hidden2/bias", "output/weights")) {
        float[] exported = savedValue(export.resolve("variables/variables"), name, TFloat32.class);
        assertThat(exported).usingExactEquality().containsExactly(model.parameter(name)).inOrder();
        assertThat(exported).isNotEqualTo(untrained.parameter(name));
      }
      assertThat(savedValue(export.resolve("variables/variables"), "training/step", TInt64.class)).isEqualTo(new float[] {model.step()});

      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        float[][] served = serve(bundle, "input", Shape.of(2), points).get("probabilities");
        assertClose(served, model.predict(points));
        assertThat(maxDifference(served, untrained.predict(points))).isGreaterThan(0.01);

        // Only what the forward pass reads: no optimiser slots, metric sums or training ops.
        assertThat(variablesOf(bundle)).containsExactly(
            "training/step", "training/steps_per_epoch", "hidden1/weights", "hidden1/bias", "hidden2/weights", "hidden2/bias",
            "output/weights", "output/bias");
        assertThat(model.variableNames()).contains("hidden1/weights/adam_m");
        // Nor the initial values, the loss, dropout or weight penalties.
        assertThat(opTypes(bundle)).containsNoneOf(
            "ResourceApplyAdam", "StatelessRandomUniformV2", "Log1p", "Square", "Floor");
        assertThat(nodeNames(bundle).stream().filter(n -> n.endsWith("/assign") || n.contains("dropout") || n.contains("regularization")))
            .isEmpty();
      }
    }
  }

  @Test
  void aRelaxedNetworkExportsItsOrdinaryPassWithoutItsTargets() throws IOException {
    Path export = pythonCheckExport("relaxed");
    Dataset moons = TwoMoons.generate(400, 0.1, 3);
    float[][] points = points(64, 7);
    try (Model model = Model.build(RelaxedMlp.of("Relaxed", ADAM, RelaxedMlp.forward(), 16, 16))) {
      model.train(moons, config(5));
      assertThat(model.variableNames()).contains("relaxed/hidden1/targets");
      model.export(export);
      float[][] predicted = model.predict(points);

      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        assertClose(serve(bundle, "input", Shape.of(2), points).get("probabilities"), predicted);
        assertThat(variablesOf(bundle)).containsExactly(
            "training/step", "training/steps_per_epoch", "hidden1/weights", "hidden1/bias", "hidden2/weights", "hidden2/bias",
            "output/weights", "output/bias");
        assertThat(nodeNames(bundle).stream().filter(n -> n.startsWith("relaxed/"))).isEmpty();
      }
      // The weights alone: 2·16 + 16 + 16·16 + 16 + 16 + 1 floats and two int64 counters, where the
      // targets of 400 examples (16 + 16 + 1 per example) would be 52,800 bytes more.
      long weightBytes = 4L * (2 * 16 + 16 + 16 * 16 + 16 + 16 + 1) + 2 * 8;
      assertThat(Files.size(export.resolve("variables/variables.data-00000-of-00001"))).isEqualTo(weightBytes);
      writeExpected(export, model, "input", Shape.of(2), points, "probabilities");
    }
  }

  @Test
  void aConvolutionalClassifierTakesImagesAndGivesClassProbabilities() throws IOException {
    Path export = pythonCheckExport("cnn");
    Dataset images = images(120, 8);
    float[][] examples = rows(images(16, 9));
    try (Model model = Model.build(new TestCnn("Cnn", 8, 8, 1, 3, 4, 3, ADAM))) {
      model.train(images, config(2));
      model.export(export);
      float[][] predicted = model.predict(examples);

      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        SignatureDef signature = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
        assertThat(dims(signature.getInputsOrThrow("image").getTensorShape())).containsExactly(-1L, 8L, 8L, 1L).inOrder();
        assertThat(dims(signature.getOutputsOrThrow("probabilities").getTensorShape())).containsExactly(-1L, 3L).inOrder();
        Map<String, float[][]> served = serve(bundle, "image", Shape.of(8, 8, 1), examples);
        assertClose(served.get("probabilities"), predicted);
        for (float[] logits : served.get("logits")) {
          assertThat(logits).hasLength(3);
        }
      }
      writeExpected(export, model, "image", Shape.of(8, 8, 1), examples, "probabilities");
    }
  }

  @Test
  void aRegressionNetworkExportsItsOutputs() throws IOException {
    Path export = pythonCheckExport("regression");
    Dataset sums = sums(200, 10);
    float[][] points = points(32, 11);
    try (Model model = Model.build(TestMlp.of("Regression", 2, 2, Loss.MEAN_SQUARED_ERROR, ADAM, 8))) {
      model.train(sums, config(3));
      model.export(export);
      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        assertThat(bundle.metaGraphDef().getSignatureDefOrThrow("serving_default").getOutputsMap().keySet()).containsExactly("outputs");
        assertClose(serve(bundle, "input", Shape.of(2), points).get("outputs"), model.predict(points));
      }
      writeExpected(export, model, "input", Shape.of(2), points, "outputs");
    }
  }

  @Test
  void aHostScheduledParameterIsExportedAtItsCurrentValue() throws IOException {
    Path export = pythonCheckExport("host-scheduled");
    float[][] points = points(32, 12);
    TestMlp network =
        TestMlp.of("Host", 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 16)
            .withTheta(TestMlp.shared(g -> g.hostScheduled("theta", (step, perEpoch) -> 0.7 / (1 + step / 10.0))));
    try (Model model = Model.build(network)) {
      model.train(MOONS, config(2));
      model.export(export);
      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
        // Nothing to feed but the input: the value is a constant of the graph.
        assertThat(bundle.metaGraphDef().getSignatureDefOrThrow("serving_default").getInputsMap().keySet()).containsExactly("input");
        assertClose(serve(bundle, "input", Shape.of(2), points).get("probabilities"), model.predict(points));
      }
      writeExpected(export, model, "input", Shape.of(2), points, "probabilities");
    }
  }

  @Test
  void aModelLoadedFromACheckpointExportsWhatItLoaded() throws IOException {
    Path checkpoint = temp.resolve("checkpoint");
    float[][] points = points(16, 13);
    float[][] predicted;
    try (Model model = Model.build(annealedMlp("Loaded"))) {
      model.train(MOONS, config(2));
      model.save(checkpoint);
      predicted = model.predict(points);
    }
    try (Model loaded = Model.load(annealedMlp("Loaded"), checkpoint)) {
      loaded.export(temp.resolve("export"));
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(temp.resolve("export").toString(), "serve")) {
      assertClose(serve(bundle, "input", Shape.of(2), points).get("probabilities"), predicted);
    }
  }

  @Test
  void anEmptyDirectoryIsReplacedByTheExport() throws IOException {
    Path export = Files.createDirectory(temp.resolve("empty"));
    try (Model model = trained("Empty")) {
      model.export(export);
    }
    assertThat(fileNames(export)).containsExactly("saved_model.pb", "variables");
    assertThat(fileNames(temp)).containsExactly("empty", "runs");
  }

  // ---- bad input: each refused with a message naming the problem, nothing written or changed ----

  @Test
  void aModelThatNeverTrainedIsNotExported() {
    Path export = temp.resolve("export");
    try (Model model = Model.build(annealedMlp("Untrained"))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.export(export));
      assertThat(e).hasMessageThat().isEqualTo(
          "cannot export network Untrained to " + export + ": it has not been trained (step 0), so its weights are only their "
              + "initialisation; train it, or Model.load a trained checkpoint, and export that");
    }
    assertThat(Files.exists(export)).isFalse();
  }

  @Test
  void aDirectoryThatHoldsAnythingIsNotOverwritten() throws IOException {
    Path export = Files.createDirectory(temp.resolve("export"));
    Files.writeString(export.resolve("notes.txt"), "mine");
    Files.createDirectory(export.resolve("variables"));
    try (Model model = trained("Occupied")) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.export(export));
      assertThat(e).hasMessageThat().isEqualTo(
          "cannot export network Occupied: " + export.toAbsolutePath() + ": is not empty (it holds notes.txt, variables); "
              + "write the SavedModel into a new or empty directory, nothing there is overwritten");
    }
    assertThat(fileNames(export)).containsExactly("notes.txt", "variables");
    assertThat(Files.readString(export.resolve("notes.txt"))).isEqualTo("mine");
    assertThat(fileNames(export.resolve("variables"))).isEmpty();
    assertThat(fileNames(temp)).containsExactly("export", "runs");
  }

  @Test
  void aFileInThePlaceOfTheDirectoryIsNotOverwritten() throws IOException {
    Path file = Files.writeString(temp.resolve("model"), "a file");
    try (Model model = trained("File")) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.export(file));
      assertThat(e).hasMessageThat().isEqualTo(
          "cannot export network File: " + file.toAbsolutePath() + ": exists and is not a directory; not writing a SavedModel in its place");
    }
    assertThat(Files.readString(file)).isEqualTo("a file");
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsReportedWithTheOperatingSystemsReason() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "in the way");
    Path export = file.resolve("export");
    try (Model model = trained("Blocked")) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.export(export));
      assertThat(e).hasMessageThat().isEqualTo(
          "cannot export network Blocked: cannot write SavedModel " + export.toAbsolutePath() + ": " + file.toAbsolutePath() + " is not a directory");
    }
    assertThat(Files.readString(file)).isEqualTo("in the way");
  }

  @Test
  void aDirectoryWithoutWritePermissionIsReportedAndLeftAsItWas() throws IOException {
    // The superuser may write anywhere: this needs an ordinary user, as CI and users run.
    assumeTrue(!"root".equals(System.getProperty("user.name")), "runs as an ordinary user only");
    Path readOnly = Files.createDirectory(temp.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try (Model model = trained("ReadOnly")) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> model.export(readOnly.resolve("export")));
      assertThat(e).hasMessageThat().contains("Permission denied");
      UncheckedIOException empty = assertThrows(UncheckedIOException.class, () -> model.export(readOnly));
      assertThat(empty).hasMessageThat().endsWith(": the directory is not writable");
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(fileNames(readOnly)).isEmpty();
  }

  @Test
  void anExportThatFailsHalfwayLeavesNothingBehind() throws IOException {
    Path export = temp.resolve("export");
    try (Model model = Model.build(new ChangingNetwork())) {
      model.train(MOONS, config(1));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.export(export));
      assertThat(e).hasMessageThat().startsWith("Changing: the forward pass built for export does not match the trained model's variables: ");
    }
    assertThat(fileNames(temp)).containsExactly("runs");
  }

  @Test
  void aClosedModelIsNotExported() {
    Model model = trained("Closed");
    model.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.export(temp.resolve("export")));
    assertThat(e).hasMessageThat().isEqualTo("model Closed is closed");
    assertThat(Files.exists(temp.resolve("export"))).isFalse();
  }

  /** A network whose second build has a weight the first did not: the export's restore fails after files were written. */
  private static final class ChangingNetwork implements NetworkGraph {
    private final NetworkSpec spec = new NetworkSpec("Changing", Shape.of(2), 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 42);
    private int builds;

    @Override
    public NetworkSpec spec() {
      return spec;
    }

    @Override
    public Operand<TFloat32> buildForward(GraphBuilder graph) {
      Ops tf = graph.tf();
      String name = builds++ == 0 ? "output/weights" : "output/other_weights";
      return tf.linalg.matMul(graph.input("input"), graph.weights(name, Shape.of(2, 1)));
    }
  }

  // ---- helpers ----

  private Model trained(String name) {
    Model model = Model.build(TestMlp.of(name, 2, 1, Loss.SIGMOID_CROSS_ENTROPY, ADAM, 4));
    model.train(MOONS, config(1));
    return model;
  }

  /** {@code <PYTHON_CHECK>/<name>/export}, after removing what an earlier run left there. */
  private static Path pythonCheckExport(String name) throws IOException {
    Path directory = PYTHON_CHECK.resolve(name);
    if (Files.exists(directory)) {
      Directories.deleteRecursively(directory);
    }
    Files.createDirectories(directory);
    return directory.resolve("export");
  }

  /**
   * Writes {@code expected.json} next to {@code export}: the inputs, what {@link Model#predict}
   * returned for them under the output that holds it, and the loss, for .ci/check_savedmodel.py.
   */
  private static void writeExpected(Path export, Model model, String input, Shape exampleShape, float[][] examples, String output)
      throws IOException {
    StringBuilder json = new StringBuilder("{\n");
    json.append("  \"network\": \"").append(model.spec().name()).append("\",\n");
    json.append("  \"loss\": \"").append(model.spec().loss()).append("\",\n");
    json.append("  \"signature\": \"serving_default\",\n");
    json.append("  \"input\": \"").append(input).append("\",\n");
    json.append("  \"example_shape\": ").append(jsonRow(exampleShape.asArray())).append(",\n");
    json.append("  \"output\": \"").append(output).append("\",\n");
    json.append("  \"tolerance\": ").append(TOLERANCE).append(",\n");
    json.append("  \"inputs\": ").append(jsonRows(examples)).append(",\n");
    json.append("  \"predictions\": ").append(jsonRows(model.predict(examples))).append("\n}\n");
    Files.writeString(export.resolveSibling("expected.json"), json, StandardCharsets.UTF_8);
  }

  private static String jsonRows(float[][] rows) {
    return Stream.of(rows).map(ExportTest::jsonRow).collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
  }

  private static String jsonRow(float[] row) {
    List<String> values = new ArrayList<>();
    for (float value : row) {
      values.add(Float.toString(value));
    }
    return "[" + String.join(", ", values) + "]";
  }

  private static String jsonRow(long[] row) {
    return "[" + LongStream.of(row).mapToObj(Long::toString).collect(Collectors.joining(", ")) + "]";
  }

  /** Runs {@code serving_default} on {@code examples}: every output, one row per example. */
  private static Map<String, float[][]> serve(SavedModelBundle bundle, String input, Shape exampleShape, float[][] examples) {
    int size = Math.toIntExact(exampleShape.size());
    float[] flat = new float[examples.length * size];
    for (int i = 0; i < examples.length; i++) {
      System.arraycopy(examples[i], 0, flat, i * size, size);
    }
    Map<String, float[][]> outputs = new LinkedHashMap<>();
    try (TFloat32 batch = TFloat32.tensorOf(ModelSession.batchShape(examples.length, exampleShape), DataBuffers.of(flat));
        Result result = bundle.function(Signature.DEFAULT_KEY).call(Map.of(input, batch))) {
      for (Map.Entry<String, Tensor> output : result) {
        float[] values = ModelSession.values(output.getValue());
        int width = values.length / examples.length;
        float[][] rows = new float[examples.length][];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = Arrays.copyOfRange(values, i * width, (i + 1) * width);
        }
        outputs.put(output.getKey(), rows);
      }
    }
    return outputs;
  }

  /** The value of {@code name} in the checkpoint at {@code prefix}, read with TensorFlow's own RestoreV2. */
  private static <T extends TType> float[] savedValue(Path prefix, String name, Class<T> type) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      var restore = tf.train.restore(tf.constant(prefix.toString()), tf.constant(StdArrays.ndCopyOf(new String[] {name})), tf.constant(StdArrays.ndCopyOf(new String[] {""})), List.of(type));
      try (Result result = session.runner().fetch(restore.tensors().get(0)).run()) {
        return ModelSession.values(result.get(0));
      }
    }
  }

  /** The variables of the exported graph, by shared name. */
  private static Set<String> variablesOf(SavedModelBundle bundle) {
    Set<String> names = new TreeSet<>();
    for (NodeDef node : bundle.metaGraphDef().getGraphDef().getNodeList()) {
      if (node.getOp().equals("VarHandleOp")) {
        names.add(node.getAttrOrThrow("shared_name").getS().toStringUtf8());
      }
    }
    return names;
  }

  private static Set<String> opTypes(SavedModelBundle bundle) {
    return bundle.metaGraphDef().getGraphDef().getNodeList().stream().map(NodeDef::getOp).collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<String> nodeNames(SavedModelBundle bundle) {
    return bundle.metaGraphDef().getGraphDef().getNodeList().stream().map(NodeDef::getName).toList();
  }

  private static List<Long> dims(TensorShapeProto shape) {
    return shape.getDimList().stream().map(TensorShapeProto.Dim::getSize).toList();
  }

  private static void assertClose(float[][] actual, float[][] expected) {
    assertThat(actual).hasLength(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage("example %s", i).that(actual[i]).usingTolerance(TOLERANCE).containsExactly(expected[i]).inOrder();
    }
  }

  private static double maxDifference(float[][] a, float[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  private static double sigmoid(float x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static List<String> fileNames(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Points in the square [-2, 2]², around the moons. */
  private static float[][] points(int n, long seed) {
    Random random = new Random(seed);
    float[][] points = new float[n][2];
    for (float[] point : points) {
      point[0] = random.nextFloat() * 4 - 2;
      point[1] = random.nextFloat() * 4 - 2;
    }
    return points;
  }

  /** {@code n} 8×8 images of noise, each brightest in one of three bands, which is its class. */
  private static Dataset images(int n, long seed) {
    Random random = new Random(seed);
    float[] pixels = new float[n * 64];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      int band = random.nextInt(3);
      labels[i] = band;
      for (int p = 0; p < 64; p++) {
        int row = p / 8;
        pixels[i * 64 + p] = random.nextFloat() * 0.5f + (row / 3 == band ? 0.5f : 0);
      }
    }
    return Dataset.of(pixels, Shape.of(8, 8, 1), labels, 1);
  }

  /** Each example's values, flattened. */
  private static float[][] rows(Dataset data) {
    float[][] rows = new float[data.size()][data.exampleSize()];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < rows[i].length; j++) {
        rows[i][j] = data.feature(i, j);
      }
    }
    return rows;
  }

  /** Points with two targets each: their sum and their difference. */
  private static Dataset sums(int n, long seed) {
    float[][] points = points(n, seed);
    float[] features = new float[2 * n];
    float[] targets = new float[2 * n];
    for (int i = 0; i < n; i++) {
      features[2 * i] = points[i][0];
      features[2 * i + 1] = points[i][1];
      targets[2 * i] = points[i][0] + points[i][1];
      targets[2 * i + 1] = points[i][0] - points[i][1];
    }
    return Dataset.of(features, Shape.of(2), targets, 2);
  }
}
