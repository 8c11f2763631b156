package dev.kiln.runtime;

import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.checkpoint.CorruptCheckpointException;
import dev.kiln.runtime.checkpoint.StoredCheckpoint;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkGraph;
import dev.kiln.runtime.graph.NetworkSpec;
import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.step.ModelGraph;
import dev.kiln.runtime.step.Parameter;
import dev.kiln.runtime.step.StateVariable;
import dev.kiln.runtime.step.StepCompilation;
import dev.kiln.runtime.training.ModelSession;
import dev.kiln.runtime.training.Pruning;
import dev.kiln.runtime.training.RelaxedTargets;
import dev.kiln.runtime.training.RunCheckpoints;
import dev.kiln.runtime.training.ServingExport;
import dev.kiln.runtime.training.StopRequest;
import dev.kiln.runtime.training.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;

/**
 * A network, built once into a TensorFlow graph and session, that trains, evaluates, predicts,
 * saves, loads and exports for serving. The network is the class the annotation processor generates for a
 * {@code @Network} declaration ({@code <Name>Graph}).
 *
 * <pre>{@code
 * Dataset moons = TwoMoons.generate(1000, 0.1, 0);
 * Dataset.Split data = moons.randomSplit(0.8, 1);
 * try (Model model = Model.build(new MoonsGraph())) {
 *   TrainingResult result = model.train(data.first(), TrainingConfig.defaults().withEpochs(40).withValidationSplit(0.1));
 *   Evaluation test = model.evaluate(data.second());
 *   System.out.println("test " + test + ", final theta " + model.parameter("theta")[0]);
 *   model.save(Path.of("moons-model"));                 // a checkpoint, to load and train on
 *   model.export(Path.of("models/moons/1"));            // a SavedModel, to serve
 * }
 * try (Model trained = Model.load(new MoonsGraph(), Path.of("moons-model"))) {
 *   float[][] p = trained.predict(new float[][] {{0.5f, -0.3f}});
 * }
 * }</pre>
 *
 * <p>A model is not thread-safe. Close it to free the graph and session (native memory).
 */
public final class Model implements AutoCloseable {
  private final ModelSession model;
  private final Device device;
  private final String deviceDescription;
  private final StopRequest stop = new StopRequest();
  private boolean closed;

  private Model(ModelSession model, Device device, String deviceDescription) {
    this.model = model;
    this.device = device;
    this.deviceDescription = deviceDescription;
  }

  /** Builds {@code network} on the CPU, with fresh weights (the same for every build of a network). */
  public static Model build(NetworkGraph network) {
    return build(network, Device.cpu());
  }

  /**
   * Builds {@code network} with every op placed on {@code device}.
   *
   * @throws IllegalStateException if TensorFlow does not see {@code device}, e.g. a GPU without
   *     the CUDA build, naming the devices it sees
   */
  public static Model build(NetworkGraph network, Device device) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(device, "device");
    CompletableFuture<List<DeviceInfo>> visible = Device.visibleSoon();
    ModelGraph graph = ModelGraph.build(network, device.spec(), device.xla());
    Graph sessionGraph = null;
    try {
      sessionGraph = device.xla() ? StepCompilation.compiledCopy(graph) : graph.graph;
      String description = device.describe(joined(visible));
      return new Model(new ModelSession(graph, sessionGraph, new Session(sessionGraph, device.sessionConfig())), device, description);
    } catch (RuntimeException e) {
      if (sessionGraph != null && sessionGraph != graph.graph) {
        sessionGraph.close();
      }
      graph.close();
      throw e;
    }
  }

  /** The listing's result, or what it threw, as it threw it. */
  private static List<DeviceInfo> joined(CompletableFuture<List<DeviceInfo>> visible) {
    try {
      return visible.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Builds {@code network} on the CPU and restores the weights and state of a checkpoint: one
   * {@link #save} wrote, one of a run's ({@link TrainingResult#checkpoint}), or a run directory's
   * newest valid one.
   */
  public static Model load(NetworkGraph network, Path directory) {
    return load(network, directory, Device.cpu());
  }

  /**
   * Builds {@code network} on {@code device} and restores every variable (weights, parameters,
   * optimiser state, step counter) from a checkpoint, so that it predicts as the saved model did
   * and can train on from where it stopped. {@code directory} is a checkpoint directory (from
   * {@link #save} or a run's {@code checkpoints/step-...}), verified against its SHA-256 manifest
   * first; or a run directory, whose newest valid checkpoint is loaded (corrupt newer ones are
   * reported on {@code System.err} and skipped).
   *
   * @throws IllegalArgumentException if {@code directory} holds no checkpoint, a corrupt one, or one of another network
   */
  public static Model load(NetworkGraph network, Path directory, Device device) {
    return restored(network, directory, device, ModelSession::restore);
  }

  /** {@code network} built on {@code device}, then {@code restore}d from the verified checkpoint {@code directory} is or holds. */
  private static Model restored(NetworkGraph network, Path directory, Device device, BiConsumer<ModelSession, Path> restore) {
    Objects.requireNonNull(directory, "directory");
    Path checkpoint = verifiedCheckpoint(directory);
    Model model = build(network, device);
    try {
      restore.accept(model.model, checkpoint);
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Builds {@code network} on {@code device} with the weights, biases and parameters of a
   * checkpoint of them, such as {@link #prune} writes, and everything else fresh: optimiser state
   * starts anew, so the model fine-tunes from those weights. The checkpoint is verified against
   * its manifest first.
   *
   * @throws IllegalArgumentException if {@code directory} holds no weights, corrupt ones, or ones
   *     that do not fit {@code network} (a name or a shape), saying which
   */
  public static Model fromWeights(NetworkGraph network, Path directory, Device device) {
    return restored(network, directory, device, ModelSession::restoreWeights);
  }

  /** {@link #fromWeights(NetworkGraph, Path, Device)} on the CPU. */
  public static Model fromWeights(NetworkGraph network, Path directory) {
    return fromWeights(network, directory, Device.cpu());
  }

  /** The checkpoint {@code directory} is, or a run directory's newest valid one; verified if it has a manifest. */
  private static Path verifiedCheckpoint(Path directory) {
    try {
      if (Files.isDirectory(directory.resolve(RunCheckpoints.DIRECTORY)) && !Files.exists(directory.resolve(ModelSession.CHECKPOINT_PREFIX + ".index"))) {
        CheckpointStore store = CheckpointStore.at(directory.resolve(RunCheckpoints.DIRECTORY));
        return store.latestValid(problem -> System.err.println("Kiln: " + problem))
            .map(StoredCheckpoint::directory)
            .orElseThrow(() -> new IllegalArgumentException("no valid checkpoint in " + store.directory()));
      }
      if (Files.exists(directory.resolve(CheckpointStore.MANIFEST))) {
        CheckpointStore.verifyFiles(directory);
      }
      return directory;
    } catch (CorruptCheckpointException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Trains on {@code train} for {@code config.epochs()} epochs, writing TensorBoard events to
   * {@code <log root>/<run name>/} and printing progress to {@code config.output()}: at the start
   * the network, device, run directory and the {@code tensorboard --logdir} command; a line per
   * epoch; a summary at the end. Training continues from the model's current state, so calling
   * this again with a new run name trains further. Each epoch visits the examples in a seeded
   * random order, in batches of {@code config.batchSize()} (the last one holds the rest).
   *
   * <p>Checkpoints ({@link TrainingConfig#withCheckpoints}) go to
   * {@code <run directory>/checkpoints/step-<step>/}: the model's variables, a
   * {@code state.properties} (step, epoch and batch within it, the seed that orders each epoch,
   * every scalar parameter's value, the history so far, the event files' lengths, and what
   * identifies the run: network, batch size, seed, shuffling and CRC32C checksums of the data) and
   * a {@code MANIFEST.sha256} of the rest. Training into a run directory that holds checkpoints
   * resumes that run from its newest valid one (a corrupt one is reported and set aside): the step
   * counter, weights, optimiser state and every schedule continue where they were, the epoch goes
   * on from the batch it reached, the run's event files are cut back to what they held at the
   * checkpoint (so TensorBoard shows no step twice), and the run trains until it has
   * {@code config.epochs()} epochs in all; a run that has them already is only restored.
   *
   * <p>A step whose loss, learning rate or gradient norm is not finite changes nothing and, by
   * default, stops the run with a {@link NonFiniteStepException} naming the step, the first
   * non-finite value and the last good checkpoint ({@link TrainingConfig#withNonFiniteSteps}).
   * SIGINT, SIGTERM or {@link #requestStop} stop the run at the next step boundary with a
   * checkpoint and a {@link TrainingInterruptedException} that says how to resume.
   *
   * <p>TensorBoard tags:
   *
   * <ul>
   *   <li>every {@code config.logEvery()} steps of the run (steps 0, n, 2n, ... of a new model), the
   *       values the step computed with, before its update: {@code loss} and {@code accuracy} of
   *       the step's batch (with dropout, if the network has any), {@code loss/regularization}
   *       (the weight penalties, which {@code loss} includes) if the network has any,
   *       {@code learning_rate}, {@code gradient_norm} (the global L2 norm of every gradient the
   *       step applies) if anything trains, and {@code parameters/<name>} for every
   *       parameter: a scalar for fixed, annealed, host-scheduled and shared trainable ones, a
   *       histogram for per-neuron ones;
   *   <li>after every epoch, at the step count reached: {@code epoch/train_loss} and
   *       {@code epoch/train_accuracy} (means over the epoch's batches),
   *       {@code epoch/examples_per_second}, {@code epoch/skipped_steps} when non-finite steps
   *       are skipped, and with validation data (after every epoch, or as
   *       {@link TrainingConfig#withValidateEvery} says) {@code validation/loss},
   *       {@code validation/accuracy} and, for a classifier (see {@link Evaluation#confusion}),
   *       the macro averages over every class {@code validation/precision},
   *       {@code validation/recall} and {@code validation/f1}.
   * </ul>
   *
   * Accuracy tags are left out for mean squared error, which has no accuracy. Every loss (of a
   * step, an epoch, validation or {@link #evaluate}) is the network's loss plus its weight
   * penalties, as Keras reports it; dropout is active on training steps only.
   *
   * <p>A relaxed network ({@code @Relaxed}) trains its weights and per-example targets on the
   * relaxed loss; {@code loss}, {@code accuracy} and every validation value above are still those
   * of the ordinary forward pass, which is what predicts, and only the steps that log compute it.
   * The epoch's training figures are those its steps computed, through the targets:
   * {@code epoch/relaxed/train_loss} (the relaxed loss) and {@code epoch/relaxed/train_accuracy}
   * take the place of {@code epoch/train_loss} and {@code epoch/train_accuracy}, and the console
   * calls them {@code relaxed_loss} and {@code relaxed_accuracy}. Its logging steps add
   * {@code relaxed/loss} (what training minimises), {@code relaxed/output_loss} (through the
   * targets), {@code relaxed/hidden_loss} (the sum, unweighted), {@code relaxed/<layer>/hidden_loss}
   * per relaxed layer and, for a classifier, {@code relaxed/disagreement} (the fraction of
   * predictions on which the two passes differ). The targets get one row per training example
   * when the model first trains; training later on data of another size is an error.
   *
   * @throws IllegalArgumentException if the data does not fit the network (example shape, label
   *     width or class indices), naming both; or if the run directory holds checkpoints of a run
   *     with other settings or data, naming the difference
   * @throws UncheckedIOException naming the path and the operating system's error if the run
   *     directory cannot be written, at the start or at the write that failed (every checkpoint
   *     written before stays valid)
   * @throws NonFiniteStepException see above
   * @throws TrainingInterruptedException see above
   */
  public TrainingResult train(Dataset train, TrainingConfig config) {
    return train(train, null, config);
  }

  /**
   * Trains on {@code train} and evaluates on {@code validation} after every epoch, or as
   * {@link TrainingConfig#withValidateEvery} says (instead of a validation split, which
   * {@code config} must then not set).
   */
  public TrainingResult train(Dataset train, Dataset validation, TrainingConfig config) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(config, "config");
    checkOpen();
    return new Trainer(model, config, deviceDescription, stop).train(train, validation);
  }

  /**
   * Asks the training run in progress (on another thread) to stop at its next step boundary: it
   * writes a checkpoint, flushes its logs and {@link #train} throws a
   * {@link TrainingInterruptedException} saying how to resume. Does nothing when no run is in
   * progress. Safe to call from any thread.
   *
   * @return whether a run was in progress
   */
  public boolean requestStop() {
    return stop.request("Model.requestStop() was called");
  }

  /**
   * The mean loss on every example of {@code data} and, as the loss defines them, accuracy, macro
   * precision, recall and F1 and the confusion matrix, from one forward pass over the data.
   */
  public Evaluation evaluate(Dataset data) {
    Objects.requireNonNull(data, "data");
    checkOpen();
    model.requireFits(data, "evaluation data");
    return model.evaluate(data);
  }

  /**
   * For a relaxed network ({@code @Relaxed}): the losses training minimised, through the targets,
   * and how often the relaxed pass and the ordinary forward pass disagree, on {@code train}, the
   * training data the targets belong to. {@link #evaluate} reports the ordinary forward pass.
   *
   * @throws IllegalStateException if the network is not relaxed, or has not trained yet
   * @throws IllegalArgumentException if {@code train} does not fit the network, or has another
   *     number of examples than the targets
   */
  public RelaxedEvaluation evaluateRelaxed(Dataset train) {
    Objects.requireNonNull(train, "train");
    checkOpen();
    RelaxedTargets targets =
        model.relaxedTargets().orElseThrow(() -> new IllegalStateException("network " + spec().name() + " is not relaxed: it has no targets"));
    model.requireFits(train, "relaxed evaluation data");
    return targets.evaluate(model, train);
  }

  /**
   * The network's predictions for every example of {@code data} (labels are ignored): one row per
   * example with one value per output unit: probabilities for sigmoid cross-entropy (per unit) and
   * softmax cross-entropy (per class), the outputs themselves for mean squared error.
   */
  public float[][] predict(Dataset data) {
    Objects.requireNonNull(data, "data");
    checkOpen();
    if (!ModelSession.shapeFits(data.exampleShape(), spec().inputShape())) {
      throw new IllegalArgumentException(
          "prediction data has examples of shape " + data.exampleShape() + ", but network " + spec().name()
              + " takes input of shape " + spec().inputShape());
    }
    float[] features = new float[data.size() * data.exampleSize()];
    data.copyFeatures(ModelSession.identity(data.size()), 0, data.size(), features);
    return model.predict(features, data.exampleShape(), data.size());
  }

  /**
   * The predictions for {@code examples}, each a row of the input's values (flattened row-major
   * for a multi-dimensional input).
   */
  public float[][] predict(float[][] examples) {
    Objects.requireNonNull(examples, "examples");
    checkOpen();
    Shape input = spec().inputShape();
    if (input.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "network " + spec().name() + " has input shape " + input + " with an unknown size; predict from a Dataset instead");
    }
    int exampleSize = Math.toIntExact(input.size());
    float[] features = new float[examples.length * exampleSize];
    for (int i = 0; i < examples.length; i++) {
      if (examples[i].length != exampleSize) {
        throw new IllegalArgumentException(
            "example " + i + " has " + examples[i].length + " values, but network " + spec().name() + " takes input of shape "
                + input + " (" + exampleSize + " values)");
      }
      System.arraycopy(examples[i], 0, features, i * exampleSize, exampleSize);
    }
    return model.predict(features, input, examples.length);
  }

  /**
   * The current value of a parameter (e.g. {@code "theta"}, or {@code "hidden/theta"} for a
   * per-neuron one) or of any variable (e.g. {@code "hidden/weights"}), flattened: one value for a
   * scalar, one per neuron for a per-neuron parameter. Scheduled parameters give their value at
   * the current step.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public float[] parameter(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    return model.valueOf(name);
  }

  /** The network's parameters (fixed, annealed, host-scheduled, trainable), in declaration order. */
  public List<String> parameterNames() {
    return model.graph.state.parameters().stream().map(Parameter::name).collect(Collectors.toList());
  }

  /** Every variable: weights, biases, trainable parameters, optimiser state and training counters. */
  public List<String> variableNames() {
    return model.graph.state.variables().stream().map(StateVariable::name).collect(Collectors.toList());
  }

  /** Training steps done so far (restored by {@link #load}). */
  public long step() {
    checkOpen();
    return model.progress().step();
  }

  /**
   * Saves every variable (weights, parameters, optimiser state, step counter) to {@code directory}
   * as a TensorFlow V2 checkpoint, {@code model.index} and {@code model.data-*}, with a
   * {@code MANIFEST.sha256} that {@link #load} verifies. The files are written next to it and
   * renamed into place at once, so a crash leaves the old checkpoint or the new one, never half of
   * one; an existing {@code directory} must hold nothing but a checkpoint.
   *
   * @throws UncheckedIOException naming the directory and the reason if it cannot be written
   */
  public void save(Path directory) {
    Objects.requireNonNull(directory, "directory");
    checkOpen();
    try {
      CheckpointStore.writeAtomically(directory, model::save);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Turns this trained network, whose layers learned their widths ({@code @LearnedWidth}), into
   * the smaller network it learned, and writes that network's weights to {@code directory}. Each
   * such layer keeps its live units: those whose gate is at its threshold or above (for a soft
   * size, whose scale is one half or more). Each kept unit's gate is folded into the weights of
   * the layer that reads it, so a network pruned of gates predicts what this one does (to float32
   * rounding) before any further training; a soft size's dropped units were scaled by less than
   * one half, not by zero, so its pruned network only comes close.
   *
   * <p>The result says each layer's width before and after, the parameter counts, and holds the
   * Java source of the pruned network's declaration as type {@code name} (the declaration with
   * those widths and no {@code @LearnedWidth}): paste it into a project, and
   * {@code Model.fromWeights(new <name>Graph(), directory)} loads these weights into the network it
   * generates, to predict or fine-tune like any network.
   *
   * @throws IllegalStateException if no layer learns its width, or a layer has no live unit left
   * @throws UncheckedIOException naming {@code directory} if the weights cannot be written
   */
  public PrunedNetwork prune(String name, Path directory) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(directory, "directory");
    checkOpen();
    return Pruning.prune(model, name, directory);
  }

  /**
   * Exports the trained network for serving, as a TensorFlow SavedModel in {@code directory}:
   * {@code saved_model.pb} and {@code variables/}, with the tag {@code serve} and one signature,
   * {@code serving_default} (method {@code tensorflow/serving/predict}):
   *
   * <ul>
   *   <li>input: the network's input under the name it declares (e.g. {@code point}), float32
   *       {@code [batch, input shape...]} with the batch size unknown;
   *   <li>outputs, float32 {@code [batch, output units]}: {@code probabilities} (what
   *       {@link #predict} returns) and {@code logits} for sigmoid and softmax cross-entropy;
   *       {@code outputs} (what {@link #predict} returns) for mean squared error.
   * </ul>
   *
   * <p>It holds the ordinary forward pass, which is what predicts (a relaxed network's too), and
   * the values it computes with now: every weight and trainable parameter, and the step counter
   * that annealed parameters are computed from, so the export predicts as this model does;
   * host-scheduled parameters are constants at their current value. It holds nothing only
   * training uses: no loss, optimiser state, relaxed targets, weight penalties or dropout. To train
   * further later, {@link #save} instead.
   *
   * <p>Load it in Python with {@code tf.saved_model.load(directory).signatures["serving_default"]},
   * in Java with {@code SavedModelBundle.load(directory, "serve")}, or serve it with TensorFlow
   * Serving (which expects {@code <model base path>/<version number>/} as {@code directory}).
   *
   * <p>The export is written into a temporary directory next to {@code directory} and renamed into
   * place, so a failure leaves nothing behind.
   *
   * @throws IllegalStateException if the model has not trained a step (built and never trained,
   *     or loaded from a checkpoint of step 0): its weights are only their initialisation
   * @throws UncheckedIOException naming {@code directory} and the problem if it exists and is not
   *     an empty directory, or cannot be written; nothing there is changed
   */
  public void export(Path directory) {
    Objects.requireNonNull(directory, "directory");
    checkOpen();
    if (step() == 0) {
      throw new IllegalStateException(
          "cannot export network " + spec().name() + " to " + directory + ": it has not been trained (step 0), so its weights are "
              + "only their initialisation; train it, or Model.load a trained checkpoint, and export that");
    }
    try {
      Directories.writeNew(directory, "SavedModel", exported -> ServingExport.writeInto(model, exported));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export network " + spec().name() + ": " + e.getMessage(), e);
    }
  }

  public NetworkSpec spec() {
    return model.spec();
  }

  public Device device() {
    return device;
  }

  /** Closes the session and the graph. Closing again does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      model.close();
    } finally {
      model.graph.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("model " + spec().name() + " is closed");
    }
  }
}
