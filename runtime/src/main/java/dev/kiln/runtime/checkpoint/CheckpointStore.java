package dev.kiln.runtime.checkpoint;

import dev.kiln.runtime.io.Directories;
import dev.kiln.runtime.io.FileErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of checkpoints, one sub-directory per checkpoint named after its step,
 * {@code step-000000000120}, each holding the model's files, a {@value #STATE_FILE} and a
 * {@value Manifest#FILE} with the SHA-256 of every other file.
 *
 * <p>A checkpoint is written into a hidden temporary directory ({@code .partial-step-...}),
 * completed with its manifest, forced to the disk and then renamed into place in one atomic
 * step, so a crash or a full disk at any moment leaves either the whole checkpoint or none, and
 * earlier checkpoints are never touched. A checkpoint that does not verify is reported, set aside
 * as {@code step-....corrupt} and never overwritten or deleted.
 *
 * <p>One process at a time may write a store: {@link #lock} holds an operating-system lock on it.
 */
public final class CheckpointStore {
  /** The file of each checkpoint that holds its state as {@code key=value} lines. */
  public static final String STATE_FILE = "state.properties";
  /** The file of each checkpoint that holds the SHA-256 of every other one, in {@code sha256sum}'s format. */
  public static final String MANIFEST = Manifest.FILE;

  private static final Pattern NAME = Pattern.compile("step-(\\d{12})");
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final String CORRUPT_SUFFIX = ".corrupt";
  private static final String LOCK_FILE = ".lock";
  /** Tells apart the temporary directories of one process. */
  private static final AtomicLong WRITES = new AtomicLong();

  private final Path directory;

  private CheckpointStore(Path directory) {
    this.directory = directory;
  }

  /** The store in {@code directory}, which need not exist yet. */
  public static CheckpointStore at(Path directory) {
    return new CheckpointStore(Objects.requireNonNull(directory, "directory"));
  }

  public Path directory() {
    return directory;
  }

  /** The name of the checkpoint of {@code step}: {@code step-} and 12 digits, so names sort by step. */
  public static String nameOf(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("a checkpoint's step must be >= 0, got " + step);
    }
    return String.format("step-%012d", step);
  }

  /** The step of a checkpoint directory named by {@link #nameOf}; empty for any other name. */
  public static OptionalLong stepOf(Path checkpoint) {
    Matcher name = NAME.matcher(checkpoint.getFileName().toString());
    return name.matches() ? OptionalLong.of(Long.parseLong(name.group(1))) : OptionalLong.empty();
  }

  /**
   * Creates the directory if needed and checks that a file can be created in it, so that a
   * directory training cannot write is reported before training starts.
   *
   * @throws IOException naming the directory and the operating system's reason
   */
  public void probeWritable() throws IOException {
    try {
      Files.createDirectories(directory);
      Path probe = Files.createTempFile(directory, ".probe-", "");
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException("cannot write checkpoints to " + FileErrors.describe(directory, e), e);
    }
  }

  /** A lock on the store, held until closed; the operating system releases it if the process dies. */
  public interface Lock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Locks the store for this process, creating the directory if needed.
   *
   * @throws IOException if another process (or another training run in this one) holds it
   */
  public Lock lock() throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(LOCK_FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot lock " + FileErrors.describe(file, e), e);
    }
    if (lock == null) {
      channel.close();
      throw new IOException(
          "the checkpoints in " + directory + " are in use by another training run (it holds " + file
              + "); two runs must not write one run directory");
    }
    FileLock held = lock;
    return () -> {
      try {
        held.release();
      } finally {
        channel.close();
      }
    };
  }

  /** Every checkpoint directory, verified or not, in step order; none if the store does not exist. */
  public List<Path> checkpoints() throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries
          .filter(p -> stepOf(p).isPresent() && Files.isDirectory(p))
          .sorted(Comparator.comparingLong(p -> stepOf(p).getAsLong()))
          .toList();
    }
  }

  /**
   * The newest checkpoint that verifies, reading only: each newer one that does not is reported
   * to {@code report} with its path and the problem, and skipped.
   */
  public Optional<StoredCheckpoint> latestValid(Consumer<String> report) throws IOException {
    List<Path> all = checkpoints();
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        return Optional.of(verify(all.get(i)));
      } catch (CorruptCheckpointException e) {
        report.accept(e.getMessage() + "; skipping it");
      }
    }
    return Optional.empty();
  }

  /**
   * Prepares the store for a run to continue from it: removes the temporary directories of
   * checkpoints whose writing was cut off, sets aside every checkpoint newer than the newest valid
   * one as {@code <name>.corrupt} (kept for inspection, never overwritten), reporting each, and
   * returns the newest valid checkpoint.
   */
  public Optional<StoredCheckpoint> recover(Consumer<String> report) throws IOException {
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    for (Path partial : partialWrites()) {
      Directories.deleteRecursively(partial);
      report.accept("removed " + partial + ", a checkpoint whose writing was cut off");
    }
    List<Path> all = checkpoints();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path checkpoint = all.get(i);
      try {
        return Optional.of(verify(checkpoint));
      } catch (CorruptCheckpointException e) {
        Path aside = unusedSibling(checkpoint, CORRUPT_SUFFIX);
        Files.move(checkpoint, aside);
        report.accept(e.getMessage() + "; set aside as " + aside + " and continuing from the checkpoint before it");
      }
    }
    return Optional.empty();
  }

  /**
   * Verifies a checkpoint directory against its manifest and reads its state.
   *
   * @throws CorruptCheckpointException if a file is missing, unlisted or does not match its hash,
   *     or the state has no step that matches the directory's name
   */
  public static StoredCheckpoint verify(Path checkpoint) throws IOException {
    if (!Files.isDirectory(checkpoint)) {
      throw new CorruptCheckpointException(checkpoint, "it is not a directory");
    }
    Manifest.verify(checkpoint);
    Path stateFile = checkpoint.resolve(STATE_FILE);
    if (!Files.isRegularFile(stateFile)) {
      throw new CorruptCheckpointException(checkpoint, "it has no " + STATE_FILE);
    }
    Map<String, String> state = StateFile.read(stateFile);
    long step;
    try {
      step = Long.parseLong(state.getOrDefault("step", ""));
    } catch (NumberFormatException e) {
      throw new CorruptCheckpointException(checkpoint, STATE_FILE + " has no valid 'step': '" + state.get("step") + "'");
    }
    OptionalLong named = stepOf(checkpoint);
    if (named.isPresent() && named.getAsLong() != step) {
      throw new CorruptCheckpointException(checkpoint, STATE_FILE + " holds step " + step + ", but the directory is named for step " + named.getAsLong());
    }
    return new StoredCheckpoint(checkpoint, step, state);
  }

  /**
   * Verifies a checkpoint directory against its manifest only, as {@link #writeAtomically} writes
   * it (without a state file).
   *
   * @throws CorruptCheckpointException naming the file at fault
   */
  public static void verifyFiles(Path checkpoint) throws IOException {
    Manifest.verify(checkpoint);
  }

  /** Writes a checkpoint's files into a directory that the store then completes and publishes. */
  @FunctionalInterface
  public interface Content {
    void writeInto(Path directory) throws IOException;
  }

  /**
   * Writes the checkpoint of {@code step}: {@code content}'s files and {@code state}, then the
   * manifest, all forced to the disk, then renamed into place at once.
   *
   * @param state must hold {@code step} under the key {@code step}
   * @throws IOException naming the checkpoint and the reason if anything fails (nothing is left
   *     behind and every earlier checkpoint stays as it was), or if a checkpoint of that step
   *     already exists, which is never overwritten
   */
  public StoredCheckpoint write(long step, Map<String, String> state, Content content) throws IOException {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(content, "content");
    if (!String.valueOf(step).equals(state.get("step"))) {
      throw new IllegalArgumentException("the state of the checkpoint of step " + step + " holds step " + state.get("step"));
    }
    Path target = directory.resolve(nameOf(step));
    if (Files.exists(target)) {
      throw new IOException("cannot write checkpoint " + target + ": it already exists, and a checkpoint is never overwritten");
    }
    Files.createDirectories(directory);
    Path temporary = directory.resolve(PARTIAL_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid() + "-" + WRITES.incrementAndGet());
    try {
      Files.createDirectory(temporary);
      content.writeInto(temporary);
      StateFile.write(temporary.resolve(STATE_FILE), state);
      Manifest.write(temporary);
      Directories.forceTree(temporary);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      Directories.forceDirectory(directory);
    } catch (IOException | RuntimeException e) {
      Directories.deleteQuietly(temporary, e);
      String reason = e instanceof IOException io ? FileErrors.describe(temporary, io) : temporary + ": " + e.getMessage();
      throw new IOException("cannot write checkpoint " + target + " (via " + reason + ")", e);
    }
    return new StoredCheckpoint(target, step, state);
  }

  /**
   * Deletes every checkpoint but the newest {@code keepLast} and those in {@code keep}; checkpoints
   * set aside as corrupt are never deleted.
   *
   * @return the deleted checkpoints
   */
  public List<Path> retain(int keepLast, Collection<Path> keep) throws IOException {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    }
    Set<Path> kept = Set.copyOf(keep.stream().map(Path::toAbsolutePath).toList());
    List<Path> all = checkpoints();
    List<Path> deleted = new ArrayList<>();
    for (Path checkpoint : all.subList(0, Math.max(0, all.size() - keepLast))) {
      if (!kept.contains(checkpoint.toAbsolutePath())) {
        Directories.deleteRecursively(checkpoint);
        deleted.add(checkpoint);
      }
    }
    return deleted;
  }

  /**
   * Writes a model's files (and a manifest) to {@code target} as one atomic step: into a
   * temporary sibling, then renamed. An existing {@code target} that holds a checkpoint is replaced
   * (it stays whole until the new one is complete); one that holds anything else is refused.
   */
  public static void writeAtomically(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path parent = absolute.getParent();
    if (Files.exists(absolute)) {
      requireOnlyCheckpointFiles(absolute);
    }
    Files.createDirectories(parent);
    String name = absolute.getFileName().toString();
    Path temporary = parent.resolve("." + name + ".partial-" + ProcessHandle.current().pid() + "-" + WRITES.incrementAndGet());
    Path replaced = null;
    try {
      Files.createDirectory(temporary);
      content.writeInto(temporary);
      Manifest.write(temporary);
      Directories.forceTree(temporary);
      if (Files.exists(absolute)) {
        replaced = unusedSibling(parent.resolve("." + name), ".replaced");
        Files.move(absolute, replaced, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
      Directories.forceDirectory(parent);
    } catch (IOException | RuntimeException e) {
      Directories.deleteQuietly(temporary, e);
      if (replaced != null && !Files.exists(absolute)) {
        try {
          Files.move(replaced, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException restoring) {
          e.addSuppressed(restoring);
        }
      }
      String reason = e instanceof IOException io ? FileErrors.describe(temporary, io) : temporary + ": " + e.getMessage();
      throw new IOException("cannot write checkpoint " + absolute + " (via " + reason + ")", e);
    }
    if (replaced != null) {
      Directories.deleteRecursively(replaced);
    }
  }

  private static void requireOnlyCheckpointFiles(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new FileAlreadyExistsException(directory.toString(), null, "exists and is not a directory; not replacing it with a checkpoint");
    }
    try (Stream<Path> entries = Files.list(directory)) {
      Optional<Path> foreign =
          entries.filter(p -> !isCheckpointFileName(p.getFileName().toString()) || !Files.isRegularFile(p)).findFirst();
      if (foreign.isPresent()) {
        throw new FileAlreadyExistsException(
            directory.toString(), null, "holds " + foreign.get().getFileName() + ", which is not part of a checkpoint; not replacing it");
      }
    }
  }

  private static boolean isCheckpointFileName(String name) {
    return name.startsWith("model.") || name.equals(Manifest.FILE) || name.equals(STATE_FILE);
  }

  private List<Path> partialWrites() throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(PARTIAL_PREFIX)).sorted().toList();
    }
  }

  /** {@code <path><suffix>}, or with {@code -2}, {@code -3}, ... appended if that exists. */
  private static Path unusedSibling(Path path, String suffix) {
    Path candidate = path.resolveSibling(path.getFileName() + suffix);
    for (int n = 2; Files.exists(candidate); n++) {
      candidate = path.resolveSibling(path.getFileName() + suffix + "-" + n);
    }
    return candidate;
  }
}
