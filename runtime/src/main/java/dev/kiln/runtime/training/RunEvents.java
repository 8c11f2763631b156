package dev.kiln.runtime.training;

import dev.kiln.runtime.io.FileErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The event files training itself writes into a run directory, told from others' (such as a
 * sweep's HParams records) by their name suffix. A checkpoint records their lengths; a run that
 * resumes from it cuts them back to those lengths, so that what the interrupted process logged
 * after the checkpoint (and any record it left half written) is gone before the resumed process
 * logs those steps again: no step is duplicated or missing, for TensorBoard and for
 * {@link dev.kiln.runtime.summary.EventFileReader} alike.
 *
 * <p>Why cut the files rather than rely on TensorBoard: its Python loader drops points at or after
 * the step of a second {@code SessionLog.START} event, which would also drop the epoch's summaries
 * logged at the checkpoint's own step before the checkpoint; its Rust loader ignores those events
 * and instead drops a tag's points once a step of that tag repeats; and neither reads past a record
 * cut short by a kill, which {@code EventFileReader} rejects. Cutting the files back leaves one
 * version of every step for all three. (A TensorBoard that was already running when the process
 * died keeps what it had read until it is restarted.)
 */
public final class RunEvents {
  /** The suffix of training's own event files, after TensorFlow's usual name. */
  public static final String SUFFIX = ".kiln";

  private RunEvents() {}

  /** Training's own event files in {@code runDirectory} and their current lengths, by file name. */
  static Map<String, Long> lengths(Path runDirectory) throws IOException {
    Map<String, Long> lengths = new TreeMap<>();
    for (Path file : ownFiles(runDirectory)) {
      lengths.put(file.getFileName().toString(), Files.size(file));
    }
    return lengths;
  }

  /**
   * Cuts training's own event files back to {@code recorded} (a checkpoint's record): longer ones
   * are truncated, ones the checkpoint does not know (created after it) removed.
   *
   * @return one line per change, for the console
   */
  static List<String> rewind(Path runDirectory, Map<String, Long> recorded) throws IOException {
    List<String> changes = new ArrayList<>();
    for (Path file : ownFiles(runDirectory)) {
      String name = file.getFileName().toString();
      Long length = recorded.get(name);
      try {
        if (length == null) {
          Files.delete(file);
          changes.add("removed " + file + ", logged after the checkpoint");
          continue;
        }
        long size = Files.size(file);
        if (size > length) {
          try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(true);
          }
          changes.add("cut " + (size - length) + " bytes logged after the checkpoint from " + file);
        } else if (size < length) {
          changes.add(file + " holds " + size + " bytes, fewer than the " + length + " it held at the checkpoint; left as it is");
        }
      } catch (IOException e) {
        throw new IOException("cannot rewind event file " + FileErrors.describe(file, e), e);
      }
    }
    for (String name : recorded.keySet()) {
      if (!Files.exists(runDirectory.resolve(name))) {
        changes.add(runDirectory.resolve(name) + ", which the checkpoint records, is missing");
      }
    }
    return changes;
  }

  private static List<Path> ownFiles(Path runDirectory) throws IOException {
    if (!Files.isDirectory(runDirectory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(runDirectory)) {
      return entries
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.contains("tfevents") && name.endsWith(SUFFIX) && Files.isRegularFile(p);
          })
          .sorted()
          .toList();
    }
  }
}
