package dev.kiln.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SHA-256 of every other file of a checkpoint directory, one line per file in the format of
 * {@code sha256sum} ({@code <hex>  <name>}), so that {@code sha256sum -c MANIFEST.sha256} checks a
 * checkpoint too. It is written last: a checkpoint without it is incomplete.
 */
final class Manifest {
  static final String FILE = "MANIFEST.sha256";

  private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *](.+)");
  private static final int BUFFER_BYTES = 1 << 16;

  private Manifest() {}

  /** Hashes every regular file of {@code directory} and writes the manifest into it. */
  static void write(Path directory) throws IOException {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> entry : hashFiles(directory).entrySet()) {
      text.append(entry.getValue()).append("  ").append(entry.getKey()).append('\n');
    }
    Files.writeString(directory.resolve(FILE), text, StandardCharsets.UTF_8);
  }

  /**
   * Checks that the manifest exists, lists every file of {@code directory} and nothing else, and
   * that each file's hash matches.
   *
   * @throws CorruptCheckpointException naming the first file at fault
   */
  static void verify(Path directory) throws IOException {
    Path manifest = directory.resolve(FILE);
    if (!Files.isRegularFile(manifest)) {
      throw new CorruptCheckpointException(directory, "it has no " + FILE + " (written last, so the checkpoint is incomplete)");
    }
    Map<String, String> expected = new TreeMap<>();
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      Matcher line = LINE.matcher(lines.get(i));
      if (!line.matches()) {
        throw new CorruptCheckpointException(directory, FILE + " line " + (i + 1) + " is not '<sha-256>  <file>': '" + lines.get(i) + "'");
      }
      expected.put(line.group(2), line.group(1));
    }
    if (expected.isEmpty()) {
      throw new CorruptCheckpointException(directory, FILE + " lists no files");
    }
    TreeSet<String> present = new TreeSet<>(listFiles(directory));
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      String name = entry.getKey();
      if (!present.remove(name)) {
        throw new CorruptCheckpointException(directory, name + " is listed in " + FILE + " but missing");
      }
      Path file = directory.resolve(name);
      String actual = sha256(file);
      if (!actual.equals(entry.getValue())) {
        throw new CorruptCheckpointException(
            directory, name + " does not match its SHA-256 in " + FILE + " (" + Files.size(file) + " bytes, hash " + actual + ", expected " + entry.getValue() + ")");
      }
    }
    if (!present.isEmpty()) {
      throw new CorruptCheckpointException(directory, present.first() + " is not listed in " + FILE);
    }
  }

  private static Map<String, String> hashFiles(Path directory) throws IOException {
    Map<String, String> hashes = new TreeMap<>();
    for (String name : listFiles(directory)) {
      hashes.put(name, sha256(directory.resolve(name)));
    }
    return hashes;
  }

  /** The names of the directory's regular files, the manifest itself excepted. */
  private static List<String> listFiles(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(name -> !name.equals(FILE))
          .sorted()
          .toList();
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
