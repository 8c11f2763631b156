package dev.kiln.runtime.summary;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Reads TensorBoard event files back, strictly: every record's length and data CRCs are checked,
 * so a test that reads its run back also proves the file is well formed.
 */
public final class EventFileReader {
  /** TensorBoard treats every file whose name contains this as an event file. */
  private static final String EVENT_FILE_MARKER = "tfevents";

  private EventFileReader() {}

  /**
   * All events of one file, in file order, checking both CRCs of every record.
   *
   * @throws IOException naming the file and the byte offset of the record at fault if a CRC does
   *     not match, a record is truncated or its data is not an {@link Event}
   */
  public static List<Event> read(Path file) throws IOException {
    List<Event> events = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      long offset = 0;
      while (true) {
        byte[] header = in.readNBytes(TfRecordFraming.HEADER_BYTES);
        if (header.length == 0) {
          return events;
        }
        if (header.length < TfRecordFraming.HEADER_BYTES) {
          throw corrupt(file, offset, "truncated record header (" + header.length + " of "
              + TfRecordFraming.HEADER_BYTES + " bytes)");
        }
        if (TfRecordFraming.readCrc(header, TfRecordFraming.LENGTH_BYTES)
            != TfRecordFraming.maskedCrc32c(header, 0, TfRecordFraming.LENGTH_BYTES)) {
          throw corrupt(file, offset, "length CRC mismatch");
        }
        long length = TfRecordFraming.readLength(header);
        if (length < 0 || length > Integer.MAX_VALUE - TfRecordFraming.CRC_BYTES) {
          throw corrupt(file, offset, "record length " + Long.toUnsignedString(length) + " is too large to read");
        }
        byte[] body = in.readNBytes((int) length + TfRecordFraming.CRC_BYTES);
        if (body.length < length + TfRecordFraming.CRC_BYTES) {
          throw corrupt(file, offset, "truncated record (" + body.length + " of "
              + (length + TfRecordFraming.CRC_BYTES) + " bytes after the header)");
        }
        if (TfRecordFraming.readCrc(body, (int) length) != TfRecordFraming.maskedCrc32c(body, 0, (int) length)) {
          throw corrupt(file, offset, "data CRC mismatch");
        }
        try {
          events.add(Event.parser().parseFrom(body, 0, (int) length));
        } catch (InvalidProtocolBufferException e) {
          throw new IOException(
              file + ": record at byte offset " + offset + " is not an Event proto: " + e.getMessage(), e);
        }
        offset += TfRecordFraming.HEADER_BYTES + body.length;
      }
    }
  }

  /**
   * Every scalar ({@code simple_value}, as {@link EventFileWriter} and TensorFlow's scalar summary
   * op write them) in every event file of {@code runDirectory}, by tag (sorted), each tag's points
   * in step order (points of one step stay in file order).
   *
   * @throws IOException if the directory cannot be listed or an event file is corrupt
   */
  public static Map<String, List<ScalarPoint>> scalars(Path runDirectory) throws IOException {
    return collect(runDirectory, Summary.Value.ValueCase.SIMPLE_VALUE,
        (event, value) -> new ScalarPoint(event.getStep(), value.getSimpleValue(), event.getWallTime()),
        ScalarPoint::step);
  }

  /**
   * Every histogram ({@code histo}) in every event file of {@code runDirectory}, by tag (sorted),
   * each tag's points in step order.
   *
   * @throws IOException if the directory cannot be listed or an event file is corrupt
   */
  public static Map<String, List<HistogramPoint>> histograms(Path runDirectory) throws IOException {
    return collect(runDirectory, Summary.Value.ValueCase.HISTO,
        (event, value) -> new HistogramPoint(event.getStep(), value.getHisto()),
        HistogramPoint::step);
  }

  private interface PointFactory<P> {
    P point(Event event, Summary.Value value);
  }

  private static <P> Map<String, List<P>> collect(
      Path runDirectory, Summary.Value.ValueCase kind, PointFactory<P> factory, ToLongFunction<P> step)
      throws IOException {
    Map<String, List<P>> byTag = new TreeMap<>();
    for (Path file : eventFiles(runDirectory)) {
      for (Event event : read(file)) {
        for (Summary.Value value : event.getSummary().getValueList()) {
          if (value.getValueCase() == kind) {
            byTag.computeIfAbsent(value.getTag(), tag -> new ArrayList<>()).add(factory.point(event, value));
          }
        }
      }
    }
    // Sorting an ordered stream is stable, so points of one step keep their file order.
    byTag.replaceAll((tag, points) -> points.stream().sorted(Comparator.comparingLong(step)).toList());
    return Collections.unmodifiableMap(byTag);
  }

  /** The run's event files in name order, which is creation order for TF-style names. */
  static List<Path> eventFiles(Path runDirectory) throws IOException {
    if (!Files.isDirectory(runDirectory)) {
      throw new IOException(runDirectory + " is not a directory of TensorBoard event files");
    }
    try (Stream<Path> entries = Files.list(runDirectory)) {
      return entries
          .filter(p -> p.getFileName().toString().contains(EVENT_FILE_MARKER) && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private static IOException corrupt(Path file, long offset, String problem) {
    return new IOException("corrupt event file " + file + ": " + problem + " in the record at byte offset " + offset);
  }
}
