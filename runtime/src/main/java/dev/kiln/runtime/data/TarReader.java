package dev.kiln.runtime.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the regular files of a ustar (POSIX tar) stream, as npm packs packages: 512-byte headers,
 * each followed by the entry's data padded to a multiple of 512 bytes, and two zero blocks at the
 * end. Other entries (directories, links, pax headers) are skipped. Enough for a package archive;
 * not a general tar implementation (no GNU long names, no base-256 sizes).
 */
final class TarReader {
  private static final int BLOCK = 512;

  /** Receives one regular file; {@code content} ends at the entry's end and need not be read fully. */
  interface EntryHandler {
    void accept(String name, long size, InputStream content) throws IOException;
  }

  private TarReader() {}

  /**
   * Calls {@code handler} for every regular file in {@code tar}, in archive order.
   *
   * @param source the archive, for messages
   * @throws IOException for a truncated archive, a header that is not ustar or fails its checksum
   */
  static void read(InputStream tar, Object source, EntryHandler handler) throws IOException {
    byte[] header = new byte[BLOCK];
    while (true) {
      if (!readBlock(tar, header, source)) {
        throw new EOFException(source + " is truncated: the tar stream ends without its end-of-archive blocks");
      }
      if (allZero(header)) {
        return;
      }
      requireUstar(header, source);
      String name = text(header, 0, 100);
      String prefix = text(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size = octal(header, 124, 12, source, name);
      byte type = header[156];
      EntryStream content = new EntryStream(tar, size, source, name);
      if (type == '0' || type == 0) {
        handler.accept(name, size, content);
      }
      content.skipRest();
      long padding = (BLOCK - size % BLOCK) % BLOCK;
      skipFully(tar, padding, source, name);
    }
  }

  private static void requireUstar(byte[] header, Object source) throws IOException {
    if (!text(header, 257, 5).equals("ustar")) {
      throw new IOException(source + " is not a ustar tar archive: a header lacks the 'ustar' magic");
    }
    long recorded = octal(header, 148, 8, source, text(header, 0, 100));
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      // The checksum field itself counts as eight spaces.
      sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
    }
    if (sum != recorded) {
      throw new IOException(source + ": the tar header of '" + text(header, 0, 100) + "' fails its checksum (corrupt archive)");
    }
  }

  /** A NUL-terminated ASCII field. */
  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }

  /** An octal number field, padded with spaces or NULs. */
  private static long octal(byte[] header, int offset, int length, Object source, String entry) throws IOException {
    long value = 0;
    boolean digits = false;
    for (int i = offset; i < offset + length; i++) {
      int b = header[i] & 0xff;
      if (b >= '0' && b <= '7') {
        value = value * 8 + (b - '0');
        digits = true;
      } else if (b == 0 || b == ' ') {
        if (digits) {
          break;
        }
      } else {
        throw new IOException(source + ": the tar header of '" + entry + "' has a malformed number field at offset " + offset);
      }
    }
    return value;
  }

  private static boolean allZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** Reads a whole block; false if the stream ended before its first byte. */
  private static boolean readBlock(InputStream in, byte[] block, Object source) throws IOException {
    int read = in.readNBytes(block, 0, BLOCK);
    if (read == 0) {
      return false;
    }
    if (read < BLOCK) {
      throw new EOFException(source + " is truncated inside a tar header block");
    }
    return true;
  }

  private static void skipFully(InputStream in, long bytes, Object source, String entry) throws IOException {
    try {
      in.skipNBytes(bytes);
    } catch (EOFException e) {
      throw new EOFException(source + " is truncated inside the entry '" + entry + "'");
    }
  }

  /** The data of one entry: at most {@code size} bytes of the archive; a short archive is an error. */
  private static final class EntryStream extends InputStream {
    private final InputStream in;
    private final Object source;
    private final String entry;
    private long remaining;

    EntryStream(InputStream in, long size, Object source, String entry) {
      this.in = in;
      this.remaining = size;
      this.source = source;
      this.entry = entry;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int read = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (read < 0) {
        throw new EOFException(source + " is truncated inside the entry '" + entry + "'");
      }
      remaining -= read;
      return read;
    }

    void skipRest() throws IOException {
      skipFully(in, remaining, source, entry);
      remaining = 0;
    }

    /** The archive stays open: the reader goes on to the next entry. */
    @Override
    public void close() {}
  }
}
