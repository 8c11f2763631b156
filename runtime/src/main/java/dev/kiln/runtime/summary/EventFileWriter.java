package dev.kiln.runtime.summary;

import dev.kiln.runtime.io.FileErrors;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Writes one TensorBoard event file in pure Java: TFRecord-framed {@link Event} protos, scalars as
 * legacy {@code simple_value} and histograms as legacy {@link org.tensorflow.proto.HistogramProto}
 * with TensorFlow's default buckets, which is what TF's own summary writer produces and what
 * TensorBoard's loaders read.
 *
 * <p>Writes are buffered: call {@link #flush()} (for example once an epoch) so that a running
 * TensorBoard sees them, or {@link #sync()} to also put them on the disk; {@link #close()} flushes
 * too. Methods are thread-safe. A write after
 * {@code close()} throws {@link IllegalStateException}; an I/O failure while writing throws
 * {@link UncheckedIOException} naming the file and the operating system's error.
 */
public final class EventFileWriter implements Closeable {
  /** The event-format version TensorBoard expects as the first record of a file. */
  static final String FILE_VERSION = "brain.Event:2";

  private static final int BUFFER_BYTES = 64 * 1024;
  /** Distinguishes files that one process creates in the same second, as TF's writer does. */
  private static final AtomicLong FILE_COUNTER = new AtomicLong();
  /** What TensorFlow allows as a file-name suffix here: nothing that could leave the directory. */
  private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9_.\\-]*");

  private final Path file;
  private final FileChannel channel;
  private final OutputStream out;
  /** Bytes handed to {@link #out} so far, buffered ones included: the file's length after a flush. */
  private long length;
  private boolean closed;

  private EventFileWriter(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
    this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
  }

  /**
   * Creates {@code runDirectory} if needed and a new event file in it, named like TensorFlow's:
   * {@code events.out.tfevents.<epoch seconds>.<host>.<pid>.<counter>}. Its first record is the
   * {@code file_version} event {@value #FILE_VERSION}, already flushed.
   *
   * @throws IOException naming the path and the operating system's error if the directory or the
   *     file cannot be created
   */
  public static EventFileWriter create(Path runDirectory) throws IOException {
    return create(runDirectory, "");
  }

  /**
   * Like {@link #create(Path)}, with {@code suffix} appended to the file name, as TensorFlow's
   * writer allows: it tells one writer's files from others' in a shared run directory, and
   * TensorBoard reads every file whose name contains {@code tfevents}.
   *
   * @param suffix letters, digits, {@code _}, {@code .} or {@code -}; may be empty
   */
  public static EventFileWriter create(Path runDirectory, String suffix) throws IOException {
    Objects.requireNonNull(runDirectory, "runDirectory");
    Objects.requireNonNull(suffix, "suffix");
    if (!SUFFIX.matcher(suffix).matches()) {
      throw new IllegalArgumentException("event file suffix '" + suffix + "' may hold only letters, digits, '_', '.' and '-'");
    }
    try {
      Files.createDirectories(runDirectory);
    } catch (IOException e) {
      throw new IOException("cannot create TensorBoard run directory " + FileErrors.describe(runDirectory, e), e);
    }
    long epochSeconds = System.currentTimeMillis() / 1000;
    String name = String.format(
        "events.out.tfevents.%010d.%s.%d.%d%s",
        epochSeconds, HostName.VALUE, ProcessHandle.current().pid(), FILE_COUNTER.getAndIncrement(), suffix);
    Path file = runDirectory.resolve(name);
    FileChannel channel;
    try {
      // CREATE_NEW: never append to or overwrite another writer's file.
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("cannot create event file " + FileErrors.describe(file, e), e);
    }
    EventFileWriter writer = new EventFileWriter(file, channel);
    try {
      writer.write(Event.newBuilder().setWallTime(wallTime()).setFileVersion(FILE_VERSION).build());
      writer.flush();
    } catch (UncheckedIOException e) {
      writer.closeQuietly();
      throw new IOException(e.getMessage(), e.getCause());
    }
    return writer;
  }

  /** The event file this writer writes. */
  public Path file() {
    return file;
  }

  /**
   * Records {@code value} under {@code tag} at {@code step}, as a legacy {@code simple_value} (a
   * float32, like every TensorFlow scalar summary). NaN and infinities are written as they are.
   */
  public void scalar(String tag, long step, double value) {
    writeSummary(step, Summary.Value.newBuilder().setTag(checkTag(tag)).setSimpleValue((float) value));
  }

  /**
   * Records the histogram of {@code values} under {@code tag} at {@code step}, with TensorFlow's
   * default bucket edges.
   *
   * @throws IllegalArgumentException if a value is NaN or infinite (TensorFlow's histogram op
   *     refuses them too), naming the tag and the index
   */
  public void histogram(String tag, long step, float[] values) {
    Objects.requireNonNull(values, "values");
    writeSummary(step, Summary.Value.newBuilder().setTag(checkTag(tag)).setHisto(DefaultHistogram.of(tag, values)));
  }

  /**
   * Records a prebuilt summary value at {@code step}, for summaries this class has no method of its
   * own for, such as the HParams plugin's ({@link HParams}).
   */
  public void summary(long step, Summary.Value value) {
    Objects.requireNonNull(value, "value");
    checkTag(value.getTag());
    writeSummary(step, value.toBuilder());
  }

  /** Hands buffered events to the operating system, so that readers of the file see them. */
  public synchronized void flush() {
    checkOpen();
    try {
      out.flush();
    } catch (IOException e) {
      throw failure("flush", e);
    }
  }

  /**
   * Flushes, then forces the file's content to the storage device, so that it survives a crash of
   * the machine, not only of the process.
   *
   * @return the file's length: every event written so far is within it
   */
  public synchronized long sync() {
    flush();
    try {
      channel.force(false);
    } catch (IOException e) {
      throw failure("sync", e);
    }
    return length;
  }

  /** Flushes and closes the file. Closing again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw failure("close", e);
    }
  }

  private void writeSummary(long step, Summary.Value.Builder value) {
    write(Event.newBuilder().setWallTime(wallTime()).setStep(step).setSummary(Summary.newBuilder().addValue(value)).build());
  }

  private synchronized void write(Event event) {
    checkOpen();
    byte[] data = event.toByteArray();
    try {
      out.write(TfRecordFraming.header(data.length));
      out.write(data);
      out.write(TfRecordFraming.footer(data));
      length += TfRecordFraming.HEADER_BYTES + data.length + TfRecordFraming.CRC_BYTES;
    } catch (IOException e) {
      throw failure("write", e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("event file writer for " + file + " is closed");
    }
  }

  private UncheckedIOException failure(String action, IOException e) {
    return new UncheckedIOException("cannot " + action + " event file " + FileErrors.describe(file, e), e);
  }

  private void closeQuietly() {
    try {
      close();
    } catch (UncheckedIOException suppressed) {
      // The failure that made us close is the one to report.
    }
  }

  private static String checkTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    if (tag.isBlank()) {
      throw new IllegalArgumentException("summary tag must not be blank, got '" + tag + "'");
    }
    return tag;
  }

  private static double wallTime() {
    return System.currentTimeMillis() / 1000.0;
  }

  /** The host name, looked up once and only when the first file is created. */
  private static final class HostName {
    static final String VALUE = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        // The name only makes file names unique across machines; a host without one still logs.
        return "localhost";
      }
    }
  }
}
