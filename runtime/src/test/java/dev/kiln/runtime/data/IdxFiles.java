package dev.kiln.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files, gzip streams and ustar archives in memory, for the data tests. */
final class IdxFiles {
  private IdxFiles() {}

  /** An {@code idx3-ubyte} file of {@code count} images, pixel {@code p} of image {@code i} being {@code (i + p) % 256}. */
  static byte[] images(int count, int rows, int columns) {
    ByteBuffer file = ByteBuffer.allocate(16 + count * rows * columns);
    file.putInt(0x00000803).putInt(count).putInt(rows).putInt(columns);
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < rows * columns; p++) {
        file.put((byte) ((i + p) % 256));
      }
    }
    return file.array();
  }

  /** An {@code idx1-ubyte} file of {@code labels}. */
  static byte[] labels(int... labels) {
    ByteBuffer file = ByteBuffer.allocate(8 + labels.length);
    file.putInt(0x00000801).putInt(labels.length);
    for (int label : labels) {
      file.put((byte) label);
    }
    return file.array();
  }

  static byte[] gzip(byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A ustar archive builder: regular files and directories, as npm writes them. */
  static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Tar file(String name, byte[] content) {
      header(name, content.length, '0');
      bytes.writeBytes(content);
      bytes.writeBytes(new byte[(512 - content.length % 512) % 512]);
      return this;
    }

    Tar directory(String name) {
      header(name, 0, '5');
      return this;
    }

    /** The archive with its two end-of-archive blocks. */
    byte[] bytes() {
      ByteArrayOutputStream done = new ByteArrayOutputStream();
      done.writeBytes(bytes.toByteArray());
      done.writeBytes(new byte[1024]);
      return done.toByteArray();
    }

    private void header(String name, long size, char type) {
      byte[] header = new byte[512];
      put(header, 0, name);
      put(header, 100, "0000644");
      put(header, 108, "0000000");
      put(header, 116, "0000000");
      put(header, 124, String.format("%011o", size));
      put(header, 136, "00000000000");
      header[156] = (byte) type;
      put(header, 257, "ustar");
      put(header, 263, "00");
      for (int i = 148; i < 156; i++) {
        header[i] = ' ';
      }
      long sum = 0;
      for (byte b : header) {
        sum += b & 0xff;
      }
      put(header, 148, String.format("%06o", sum));
      header[155] = ' ';
      bytes.writeBytes(header);
    }

    private static void put(byte[] header, int offset, String text) {
      byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(ascii, 0, header, offset, ascii.length);
    }
  }
}
