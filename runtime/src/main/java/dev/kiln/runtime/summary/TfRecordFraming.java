package dev.kiln.runtime.summary;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorFlow event files: each record is a little-endian
 * {@code uint64} data length, the masked CRC32C of those 8 bytes, the data, and the masked CRC32C
 * of the data.
 */
final class TfRecordFraming {
  static final int LENGTH_BYTES = Long.BYTES;
  static final int CRC_BYTES = Integer.BYTES;
  /** Length plus its CRC. */
  static final int HEADER_BYTES = LENGTH_BYTES + CRC_BYTES;

  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordFraming() {}

  /**
   * TensorFlow's masked CRC32C: rotating and offsetting the CRC keeps a CRC computed over data
   * that itself holds CRCs from being trivially predictable.
   */
  static int maskedCrc32c(byte[] bytes, int offset, int length) {
    CRC32C crc32c = new CRC32C();
    crc32c.update(bytes, offset, length);
    int crc = (int) crc32c.getValue();
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** The 12-byte record header for {@code dataLength} bytes of data. */
  static byte[] header(int dataLength) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(0, dataLength);
    header.putInt(LENGTH_BYTES, maskedCrc32c(header.array(), 0, LENGTH_BYTES));
    return header.array();
  }

  /** The 4-byte record footer: the masked CRC32C of {@code data}. */
  static byte[] footer(byte[] data) {
    return ByteBuffer.allocate(CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, maskedCrc32c(data, 0, data.length)).array();
  }

  static long readLength(byte[] header) {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  static int readCrc(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
  }
}
