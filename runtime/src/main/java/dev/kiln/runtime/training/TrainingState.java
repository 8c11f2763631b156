package dev.kiln.runtime.training;

import dev.kiln.runtime.ConfusionMatrix;
import dev.kiln.runtime.EpochStats;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.TrainingConfig;
import dev.kiln.runtime.ValidationMetric;
import dev.kiln.runtime.checkpoint.CheckpointStore;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.graph.NetworkSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * Where a run stands at a checkpoint and what identifies it: what a checkpoint's
 * {@code state.properties} holds besides the model's variables (which hold the step counter, the
 * steps per epoch, every weight, optimiser slot and the partial epoch's sums).
 *
 * <p>The host-side random state is small: epoch {@code e} of a run visits the examples in the order
 * {@code Dataset.permutation(n, Trainer.epochSeed(seed, e))}, and dropout and initialisation are
 * stateless functions of seeds and the step, so the seed, the epoch and the position in it
 * ({@link #epochsDone}, {@link #batchesDone}) are all a resumed run needs to visit the same batches.
 *
 * @param kind why it was written: start, interval, best, final or interrupted
 * @param firstStep the global step the run started at (logging steps and intervals count from it)
 * @param step the global step of the checkpoint: steps done so far
 * @param epochsDone epochs of the run completed, their results in {@code history}
 * @param batchesDone batches of the next epoch already trained, in [0, steps per epoch)
 * @param epochSoFar time, examples and skipped steps of those batches
 * @param elapsed training time of the run so far (excluding time between interruption and resume)
 * @param best the best checkpoint so far by the policy's metric, if one is kept
 * @param eventFiles the run's own event files and their lengths when the checkpoint was written:
 *     whatever they hold beyond that was logged after it
 * @param parameters every scalar parameter's value at {@code step}: where each schedule stands
 */
record TrainingState(
    String kind,
    Fingerprint fingerprint,
    long firstStep,
    long step,
    int epochsDone,
    long batchesDone,
    long stepsPerEpoch,
    EpochSoFar epochSoFar,
    Duration elapsed,
    List<EpochStats> history,
    Optional<Best> best,
    Map<String, Long> eventFiles,
    Map<String, Double> parameters) {

  static final String FORMAT = "kiln-training-state/1";
  private static final int CHECKSUM_CHUNK_VALUES = 1 << 16;

  TrainingState {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(fingerprint, "fingerprint");
    history = List.copyOf(history);
    eventFiles = Map.copyOf(eventFiles);
    parameters = new LinkedHashMap<>(parameters);
  }

  /**
   * What makes two runs the same run: a resumed run must train the same network on the same data
   * in the same batches, or its steps would not continue the saved ones.
   *
   * @param trainingChecksum CRC32C of the training examples' features and labels, in order
   */
  record Fingerprint(
      String network, int batchSize, long seed, boolean shuffle, int trainingExamples, String trainingChecksum,
      int validationExamples, String validationChecksum) {

    /** This run's fingerprint; {@code validation} may be null. */
    static Fingerprint of(NetworkSpec spec, TrainingConfig config, int batchSize, Dataset train, Dataset validation) {
      return new Fingerprint(
          spec.name(), batchSize, config.seed(), config.shuffle(), train.size(), checksum(train),
          validation != null ? validation.size() : 0, validation != null ? checksum(validation) : "none");
    }

    /** CRC32C over the examples' features, then their labels, as little-endian float32 values in order. */
    static String checksum(Dataset data) {
      CRC32C crc = new CRC32C();
      int[] order = ModelSession.identity(data.size());
      int examplesPerChunk = Math.max(1, CHECKSUM_CHUNK_VALUES / Math.max(data.exampleSize(), data.labelWidth()));
      float[] values = new float[examplesPerChunk * Math.max(data.exampleSize(), data.labelWidth())];
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (boolean features : new boolean[] {true, false}) {
        int width = features ? data.exampleSize() : data.labelWidth();
        for (int from = 0; from < data.size(); from += examplesPerChunk) {
          int count = Math.min(examplesPerChunk, data.size() - from);
          if (features) {
            data.copyFeatures(order, from, count, values);
          } else {
            data.copyLabels(order, from, count, values);
          }
          bytes.clear();
          bytes.asFloatBuffer().put(values, 0, count * width);
          bytes.limit(count * width * Float.BYTES);
          crc.update(bytes);
        }
      }
      return String.format("%08x", crc.getValue());
    }

    /** The first setting in which {@code saved} (a checkpoint's) differs from this run's, described; empty if none. */
    Optional<String> differenceFrom(Fingerprint saved) {
      if (!network.equals(saved.network)) {
        return Optional.of("network " + saved.network + " (this is " + network + ")");
      }
      if (batchSize != saved.batchSize) {
        return Optional.of("batch size " + saved.batchSize + " (this run has " + batchSize + ")");
      }
      if (seed != saved.seed) {
        return Optional.of("seed " + saved.seed + " (this run has " + seed + ")");
      }
      if (shuffle != saved.shuffle) {
        return Optional.of("shuffling " + (saved.shuffle ? "on" : "off") + " (this run has it " + (shuffle ? "on" : "off") + ")");
      }
      if (trainingExamples != saved.trainingExamples || !trainingChecksum.equals(saved.trainingChecksum)) {
        return Optional.of(
            saved.trainingExamples + " training examples with checksum " + saved.trainingChecksum + " (this run has " + trainingExamples
                + " with checksum " + trainingChecksum + ")");
      }
      if (validationExamples != saved.validationExamples || !validationChecksum.equals(saved.validationChecksum)) {
        return Optional.of(
            saved.validationExamples + " validation examples with checksum " + saved.validationChecksum + " (this run has "
                + validationExamples + " with checksum " + validationChecksum + ")");
      }
      return Optional.empty();
    }
  }

  /** Time, examples and skipped steps of the batches of an epoch trained so far. */
  record EpochSoFar(long nanos, long examples, long skippedSteps) {
    static final EpochSoFar NONE = new EpochSoFar(0, 0, 0);
  }

  /** The best checkpoint so far: its step and its value of {@code metric}. */
  record Best(ValidationMetric metric, double value, long step) {
    /** Its directory in the run's checkpoint directory {@code checkpoints}. */
    Path checkpointIn(Path checkpoints) {
      return checkpoints.resolve(CheckpointStore.nameOf(step));
    }
  }

  /** The checkpoint of {@link #best}, in {@code checkpoints}. */
  Optional<Path> bestCheckpoint(Path checkpoints) {
    return best.map(b -> b.checkpointIn(checkpoints));
  }

  Map<String, String> toProperties() {
    Map<String, String> p = new TreeMap<>();
    p.put("format", FORMAT);
    p.put("kind", kind);
    p.put("step", Long.toString(step));
    p.put("run.first_step", Long.toString(firstStep));
    p.put("run.elapsed_nanos", Long.toString(elapsed.toNanos()));
    p.put("position.epochs_done", Integer.toString(epochsDone));
    p.put("position.batches_done", Long.toString(batchesDone));
    p.put("position.steps_per_epoch", Long.toString(stepsPerEpoch));
    p.put("position.epoch_nanos", Long.toString(epochSoFar.nanos()));
    p.put("position.epoch_examples", Long.toString(epochSoFar.examples()));
    p.put("position.epoch_skipped_steps", Long.toString(epochSoFar.skippedSteps()));
    p.put("network", fingerprint.network());
    p.put("config.batch_size", Integer.toString(fingerprint.batchSize()));
    p.put("config.seed", Long.toString(fingerprint.seed()));
    p.put("config.shuffle", Boolean.toString(fingerprint.shuffle()));
    p.put("data.training_examples", Integer.toString(fingerprint.trainingExamples()));
    p.put("data.training_crc32c", fingerprint.trainingChecksum());
    p.put("data.validation_examples", Integer.toString(fingerprint.validationExamples()));
    p.put("data.validation_crc32c", fingerprint.validationChecksum());
    p.put("shuffle.next_epoch_seed", Long.toString(Trainer.epochSeed(fingerprint.seed(), epochsDone + 1)));
    parameters.forEach((name, value) -> p.put("parameter." + name, Double.toString(value)));
    best.ifPresent(b -> {
      p.put("best.metric", b.metric().name());
      p.put("best.value", Double.toString(b.value()));
      p.put("best.step", Long.toString(b.step()));
    });
    int file = 0;
    for (Map.Entry<String, Long> entry : new TreeMap<>(eventFiles).entrySet()) {
      p.put("events." + file + ".file", entry.getKey());
      p.put("events." + file + ".bytes", Long.toString(entry.getValue()));
      file++;
    }
    for (EpochStats stats : history) {
      String prefix = "history." + stats.epoch() + ".";
      p.put(prefix + "step", Long.toString(stats.step()));
      p.put(prefix + "train_loss", Double.toString(stats.trainLoss()));
      p.put(prefix + "train_accuracy", Double.toString(stats.trainAccuracy()));
      p.put(prefix + "examples_per_second", Double.toString(stats.examplesPerSecond()));
      p.put(prefix + "elapsed_nanos", Long.toString(stats.elapsed().toNanos()));
      p.put(prefix + "skipped_steps", Long.toString(stats.skippedSteps()));
      stats.parameters().forEach((name, value) -> p.put(prefix + "parameter." + name, Double.toString(value)));
      stats.learnedWidths().forEach((layer, width) -> p.put(prefix + "width." + layer, Integer.toString(width)));
      stats.validation().ifPresent(validation -> {
        p.put(prefix + "validation.loss", Double.toString(validation.loss()));
        p.put(prefix + "validation.accuracy", Double.toString(validation.accuracy()));
        p.put(prefix + "validation.count", Integer.toString(validation.count()));
        validation.confusion().ifPresent(confusion -> p.put(prefix + "validation.confusion", confusionText(confusion.counts())));
      });
    }
    return p;
  }

  /**
   * Reads a checkpoint's state.
   *
   * @param parameterNames the network's scalar parameters, in declaration order (to keep it in the history)
   * @param widthLayers the network's layers that learn their width, in declaration order (likewise)
   * @throws IllegalStateException naming the checkpoint and the key if the state is not one this
   *     version of Kiln wrote
   */
  static TrainingState fromProperties(Path checkpoint, Map<String, String> p, List<String> parameterNames, List<String> widthLayers) {
    Reader r = new Reader(checkpoint, p);
    String format = r.string("format");
    if (!format.equals(FORMAT)) {
      throw new IllegalStateException("checkpoint " + checkpoint + " holds training state of format '" + format + "'; this Kiln reads " + FORMAT);
    }
    Fingerprint fingerprint =
        new Fingerprint(
            r.string("network"), r.integer("config.batch_size"), r.number("config.seed"), r.bool("config.shuffle"),
            r.integer("data.training_examples"), r.string("data.training_crc32c"), r.integer("data.validation_examples"),
            r.string("data.validation_crc32c"));
    Optional<Best> best =
        p.containsKey("best.metric")
            ? Optional.of(new Best(r.parse("best.metric", ValidationMetric::valueOf), r.real("best.value"), r.number("best.step")))
            : Optional.empty();
    Map<String, Long> events = new TreeMap<>();
    for (int file = 0; p.containsKey("events." + file + ".file"); file++) {
      events.put(r.string("events." + file + ".file"), r.number("events." + file + ".bytes"));
    }
    int epochsDone = r.integer("position.epochs_done");
    List<EpochStats> history = new ArrayList<>();
    for (int epoch = 1; epoch <= epochsDone; epoch++) {
      history.add(epochStats(r, "history." + epoch + ".", epoch, parameterNames, widthLayers));
    }
    return new TrainingState(
        r.string("kind"), fingerprint, r.number("run.first_step"), r.number("step"), epochsDone, r.number("position.batches_done"),
        r.number("position.steps_per_epoch"),
        new EpochSoFar(r.number("position.epoch_nanos"), r.number("position.epoch_examples"), r.number("position.epoch_skipped_steps")),
        Duration.ofNanos(r.number("run.elapsed_nanos")), history, best, events, parameters(r, "parameter.", parameterNames));
  }

  private static EpochStats epochStats(Reader r, String prefix, int epoch, List<String> parameterNames, List<String> widthLayers) {
    Optional<Evaluation> validation = Optional.empty();
    if (r.has(prefix + "validation.loss")) {
      Optional<ConfusionMatrix> confusion =
          r.has(prefix + "validation.confusion")
              ? Optional.of(ConfusionMatrix.of(r.parse(prefix + "validation.confusion", TrainingState::parseConfusion)))
              : Optional.empty();
      validation =
          Optional.of(
              new Evaluation(
                  r.real(prefix + "validation.loss"), r.real(prefix + "validation.accuracy"), r.integer(prefix + "validation.count"), confusion));
    }
    return new EpochStats(
        epoch, r.number(prefix + "step"), r.real(prefix + "train_loss"), r.real(prefix + "train_accuracy"), validation,
        parameters(r, prefix + "parameter.", parameterNames), present(r, prefix + "width.", widthLayers, r::integer),
        r.real(prefix + "examples_per_second"),
        Duration.ofNanos(r.number(prefix + "elapsed_nanos")), r.number(prefix + "skipped_steps"));
  }

  private static Map<String, Double> parameters(Reader r, String prefix, List<String> names) {
    return present(r, prefix, names, r::real);
  }

  /** The values of the keys {@code prefix + name} that are present, by name in the order of {@code names}. */
  private static <T> Map<String, T> present(Reader r, String prefix, List<String> names, Function<String, T> read) {
    Map<String, T> values = new LinkedHashMap<>();
    for (String name : names) {
      if (r.has(prefix + name)) {
        values.put(name, read.apply(prefix + name));
      }
    }
    return values;
  }

  /** Rows separated by {@code ;}, counts by {@code ,}. */
  private static String confusionText(long[][] counts) {
    StringBuilder text = new StringBuilder();
    for (int row = 0; row < counts.length; row++) {
      if (row > 0) {
        text.append(';');
      }
      for (int column = 0; column < counts[row].length; column++) {
        text.append(column > 0 ? "," : "").append(counts[row][column]);
      }
    }
    return text.toString();
  }

  private static long[][] parseConfusion(String text) {
    String[] rows = text.split(";");
    long[][] counts = new long[rows.length][];
    for (int row = 0; row < rows.length; row++) {
      String[] cells = rows[row].split(",");
      counts[row] = new long[cells.length];
      for (int column = 0; column < cells.length; column++) {
        counts[row][column] = Long.parseLong(cells[column]);
      }
    }
    return counts;
  }

  /** Typed reads of the state's keys, failing with the checkpoint and the key. */
  private record Reader(Path checkpoint, Map<String, String> properties) {
    boolean has(String key) {
      return properties.containsKey(key);
    }

    String string(String key) {
      String value = properties.get(key);
      if (value == null) {
        throw new IllegalStateException("checkpoint " + checkpoint + " has no '" + key + "' in its state");
      }
      return value;
    }

    <T> T parse(String key, Function<String, T> parser) {
      String value = string(key);
      try {
        return parser.apply(value);
      } catch (RuntimeException e) {
        throw new IllegalStateException("checkpoint " + checkpoint + " has an invalid '" + key + "' in its state: '" + value + "'", e);
      }
    }

    long number(String key) {
      return parse(key, Long::parseLong);
    }

    int integer(String key) {
      return parse(key, Integer::parseInt);
    }

    double real(String key) {
      return parse(key, Double::parseDouble);
    }

    boolean bool(String key) {
      return parse(key, value -> {
        if (!value.equals("true") && !value.equals("false")) {
          throw new IllegalArgumentException("not a boolean");
        }
        return Boolean.parseBoolean(value);
      });
    }
  }
}
