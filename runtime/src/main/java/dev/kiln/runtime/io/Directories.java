package dev.kiln.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Directories written whole or not at all: into a hidden temporary sibling, forced to the storage
 * device, then renamed into place in one step; and the file-tree helpers that takes.
 */
public final class Directories {
  /** Tells apart the temporary directories of one process. */
  private static final AtomicLong WRITES = new AtomicLong();

  private Directories() {}

  /** Writes a directory's files into the (empty, temporary) directory it is given. */
  @FunctionalInterface
  public interface Content {
    void writeInto(Path directory) throws IOException;
  }

  /**
   * Writes a new directory {@code target} with {@code content}: into
   * {@code .<name>.partial-<pid>-<n>} next to it, forced to the disk, then renamed to
   * {@code target}, so that a failure or a crash at any moment leaves no {@code target} (or the
   * empty one there was) and nothing else behind. {@code target} must not exist or be an empty
   * directory, which is replaced; anything else there is never touched.
   *
   * @param what what the directory is, for messages ("SavedModel")
   * @throws IOException naming {@code target}, the problem and, for a failed write, the path at
   *     fault and the operating system's reason
   */
  public static void writeNew(Path target, String what, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    requireNewOrEmpty(absolute, what);
    Path parent = absolute.getParent();
    try {
      Files.createDirectories(parent);
    } catch (FileAlreadyExistsException e) {
      // NIO names the file in the way "File exists"; what is wrong is that it is not a directory.
      throw new IOException("cannot write " + what + " " + absolute + ": " + e.getFile() + " is not a directory", e);
    } catch (IOException e) {
      throw new IOException("cannot write " + what + " " + absolute + ": cannot create " + FileErrors.describe(parent, e), e);
    }
    Path temporary = parent.resolve("." + absolute.getFileName() + ".partial-" + ProcessHandle.current().pid() + "-" + WRITES.incrementAndGet());
    try {
      Files.createDirectory(temporary);
      content.writeInto(temporary);
      forceTree(temporary);
      // Replaces an empty directory; fails on one that something filled in the meantime.
      Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory(parent);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary, e);
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("cannot write " + what + " " + absolute + " (via " + FileErrors.describe(temporary, (IOException) e) + ")", e);
    }
  }

  private static void requireNewOrEmpty(Path target, String what) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "exists and is not a directory; not writing a " + what + " in its place");
    }
    if (!Files.isWritable(target)) {
      throw new IOException("cannot write " + what + " " + target + ": the directory is not writable");
    }
    try (Stream<Path> entries = Files.list(target)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().limit(4).toList();
      if (!names.isEmpty()) {
        throw new FileAlreadyExistsException(
            target.toString(), null, "is not empty (it holds " + String.join(", ", names) + (names.size() == 4 ? ", ..." : "")
                + "); write the " + what + " into a new or empty directory, nothing there is overwritten");
      }
    }
  }

  /** Forces every file below {@code directory}, and every directory, to the storage device. */
  public static void forceTree(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.toList()) {
        if (Files.isDirectory(entry)) {
          forceTree(entry);
        } else {
          try (FileChannel channel = FileChannel.open(entry, StandardOpenOption.READ)) {
            channel.force(true);
          }
        }
      }
    }
    forceDirectory(directory);
  }

  /** Makes a rename or a new entry durable; some platforms cannot open a directory, and then this does nothing. */
  public static void forceDirectory(Path directory) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(directory, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }

  /** Deletes {@code directory} and everything below it. */
  public static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** Deletes {@code directory} if it exists; a failure to is added to {@code failure}, which is what the caller reports. */
  public static void deleteQuietly(Path directory, Exception failure) {
    try {
      if (Files.exists(directory)) {
        deleteRecursively(directory);
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
