package dev.kiln.runtime.training;

import dev.kiln.dsl.Loss;
import dev.kiln.runtime.Device;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.step.CheckpointOps;
import dev.kiln.runtime.step.LossOps;
import dev.kiln.runtime.step.NetworkBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A TensorFlow SavedModel of a trained model's ordinary forward pass, for serving
 * ({@code Model.export}).
 *
 * <p>The forward pass is built again, alone, into a graph of its own ({@link NetworkBuilder#forServing}),
 * so the export holds what serving needs and nothing of training: no loss, optimiser or its state,
 * relaxed targets, metric sums, weight penalties or dropout. Its variables are the forward pass's
 * (weights, biases, trainable parameters, and the step counters from which annealed parameters are
 * computed), with the trained model's values: the trained session writes them
 * ({@link ModelGraph#forwardWriter}), the serving session restores them, and TensorFlow Java's
 * exporter writes the SavedModel from it. The exporter finds the variables through the checkpoint
 * ops under {@code save/} ({@link CheckpointOps}); without them it would silently write none.
 */
public final class ServingExport {
  /** The tag of the one graph in the export, as TensorFlow Serving and {@code SavedModelBundle.load} expect. */
  public static final String TAG = SavedModelBundle.DEFAULT_TAG;
  /** The signature's key: {@code serving_default}. */
  public static final String SIGNATURE = Signature.DEFAULT_KEY;
  /** The signature's method: TensorFlow Serving's Predict API. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";
  /** Output of a classifier: what {@code Model.predict} returns, per output (sigmoid) or per class (softmax). */
  public static final String PROBABILITIES = "probabilities";
  /** Output of a classifier: the network's last layer, before the sigmoid or softmax. */
  public static final String LOGITS = "logits";
  /** Output of a regression network (mean squared error): its outputs, what {@code Model.predict} returns. */
  public static final String OUTPUTS = "outputs";
  /** Holds the trained values on their way from one session to the other; removed before the export is complete. */
  private static final String TRANSFER = ".trained-variables";

  private ServingExport() {}

  /** Writes the SavedModel of {@code trained}'s forward pass into {@code directory}, an empty directory. */
  public static void writeInto(ModelSession trained, Path directory) throws IOException {
    NetworkSpec spec = trained.spec();
    Path transfer = Files.createDirectory(directory.resolve(TRANSFER));
    String prefix = transfer.resolve("variables").toAbsolutePath().toString();
    CheckpointOps.Writer writer = trained.graph.forwardWriter;
    try (TString filename = TString.scalarOf(prefix);
        Result ignored = trained.runner().feed(writer.filename(), filename).addTarget(writer.save()).run()) {
      // Run for the files it writes.
    }
    try (Graph graph = new Graph()) {
      NetworkBuilder state = NetworkBuilder.forServing(graph, spec, trained.progress());
      Operand<TFloat32> logits = trained.graph.network.buildForward(state);
      Placeholder<TFloat32> input =
          state.inputPlaceholder()
              .orElseThrow(() -> new IllegalStateException(spec.name() + ": buildForward never called input(...): the network has no input"));
      Signature signature = signature(spec, state.scope("head"), input, logits);
      // Under save/, where the exporter looks for them.
      CheckpointOps.build(state.scope("save"), state.variables());
      try (Session session = new Session(graph, Device.cpu().sessionConfig())) {
        try {
          // Counts as the session's initialisation: the variables' initial values never run.
          session.restore(prefix);
        } catch (TensorFlowException e) {
          throw new IllegalStateException(
              spec.name() + ": the forward pass built for export does not match the trained model's variables: " + e.getMessage(), e);
        }
        SavedModelBundle.exporter(directory.toString()).withTags(TAG).withSession(session).withSignature(signature).export();
      }
    }
    Directories.deleteRecursively(transfer);
  }

  /**
   * {@code serving_default}: from the input, under the name the network gave it, to
   * {@value #PROBABILITIES} and {@value #LOGITS} for a classifier, or {@value #OUTPUTS} for a
   * regression network; each with the batch as its first, unknown dimension.
   */
  private static Signature signature(NetworkSpec spec, Ops head, Placeholder<TFloat32> input, Operand<TFloat32> logits) {
    Operand<TFloat32> predictions = LossOps.predictions(head, spec.loss(), logits);
    Signature.Builder signature = Signature.builder().key(SIGNATURE).methodName(PREDICT_METHOD).input(input.op().name(), input);
    if (spec.loss() == Loss.MEAN_SQUARED_ERROR) {
      return signature.output(OUTPUTS, predictions).build();
    }
    return signature.output(PROBABILITIES, predictions).output(LOGITS, head.withName(LOGITS).identity(logits)).build();
  }
}
