package dev.kiln.runtime.summary;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

class EventFileReaderTest {
  @TempDir Path temp;

  @Test
  void recordHeaderMatchesTensorFlowsBytes() throws IOException {
    // The first 12 bytes of an event file whose file_version record is 24 bytes long (a double
    // wall_time and "brain.Event:2"), as TensorFlow writes them; the CRC bytes were computed once
    // with TensorBoard 2.21's masked_crc32c and pasted in.
    byte[] expected = {0x18, 0, 0, 0, 0, 0, 0, 0, (byte) 0xa3, 0x7f, 0x4b, 0x22};

    assertThat(TfRecordFraming.header(24)).isEqualTo(expected);
    Path file;
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      file = writer.file();
    }
    assertThat(Arrays.copyOf(Files.readAllBytes(file), 12)).isEqualTo(expected);
  }

  @Test
  void flippedDataByteIsReportedWithTheRecordOffset() throws IOException {
    Path file = fileWithScalars(3);
    byte[] bytes = Files.readAllBytes(file);
    long second = recordEnd(bytes, 0);
    bytes[(int) second + TfRecordFraming.HEADER_BYTES + 2] ^= 0x01;
    Files.write(file, bytes);

    IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));

    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e).hasMessageThat().contains("data CRC mismatch");
    assertThat(e).hasMessageThat().contains("byte offset " + second);
  }

  @Test
  void flippedLengthByteIsReportedWithTheRecordOffset() throws IOException {
    Path file = fileWithScalars(3);
    byte[] bytes = Files.readAllBytes(file);
    long third = recordEnd(bytes, recordEnd(bytes, 0));
    bytes[(int) third] ^= 0x40;
    Files.write(file, bytes);

    IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));

    assertThat(e).hasMessageThat().contains("length CRC mismatch");
    assertThat(e).hasMessageThat().contains("byte offset " + third);
  }

  @Test
  void flippedDataCrcByteIsReported() throws IOException {
    Path file = fileWithScalars(1);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= (byte) 0x80;
    Files.write(file, bytes);

    IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));

    assertThat(e).hasMessageThat().contains("data CRC mismatch");
    assertThat(e).hasMessageThat().contains("byte offset " + recordEnd(bytes, 0));
  }

  @Test
  void truncatedRecordIsReported() throws IOException {
    Path file = fileWithScalars(2);
    byte[] bytes = Files.readAllBytes(file);
    long last = recordEnd(bytes, recordEnd(bytes, 0));
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));

    IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));

    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e).hasMessageThat().contains("truncated record");
    assertThat(e).hasMessageThat().contains("byte offset " + last);
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path file = fileWithScalars(1);
    byte[] bytes = Files.readAllBytes(file);
    long second = recordEnd(bytes, 0);
    Files.write(file, Arrays.copyOf(bytes, (int) second + 5));

    IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));

    assertThat(e).hasMessageThat().contains("truncated record header");
    assertThat(e).hasMessageThat().contains("byte offset " + second);
  }

  @Test
  void intactFileReadsEveryRecord() throws IOException {
    Path file = fileWithScalars(4);

    List<Event> events = EventFileReader.read(file);

    assertThat(events).hasSize(5);
    assertThat(events.stream().skip(1).map(Event::getStep).toList()).containsExactly(0L, 1L, 2L, 3L).inOrder();
  }

  @Test
  void runDirectoryReadsEveryEventFileAndIgnoresOthers() throws IOException {
    try (EventFileWriter first = EventFileWriter.create(temp)) {
      first.scalar("loss", 2, 0.2);
    }
    try (EventFileWriter second = EventFileWriter.create(temp)) {
      second.scalar("loss", 1, 0.1);
      second.scalar("accuracy", 1, 0.9);
    }
    Files.writeString(temp.resolve("notes.txt"), "not an event file");

    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(temp);

    assertThat(scalars.keySet()).containsExactly("accuracy", "loss").inOrder();
    assertThat(scalars.get("loss").stream().map(ScalarPoint::step).toList()).containsExactly(1L, 2L).inOrder();
    assertThat(EventFileReader.histograms(temp)).isEmpty();
  }

  @Test
  void missingRunDirectoryIsReported() {
    Path missing = temp.resolve("no-such-run");

    IOException e = assertThrows(IOException.class, () -> EventFileReader.scalars(missing));

    assertThat(e).hasMessageThat().contains(missing.toString());
  }

  private Path fileWithScalars(int count) throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      for (int step = 0; step < count; step++) {
        writer.scalar("loss", step, 1.0 / (step + 1));
      }
      return writer.file();
    }
  }

  /** The offset just past the record that starts at {@code offset}. */
  private static long recordEnd(byte[] bytes, long offset) {
    long length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong((int) offset);
    return offset + TfRecordFraming.HEADER_BYTES + length + TfRecordFraming.CRC_BYTES;
  }
}
