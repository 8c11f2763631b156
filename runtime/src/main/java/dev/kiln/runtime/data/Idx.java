package dev.kiln.runtime.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.tensorflow.ndarray.Shape;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST: images ({@code idx3-ubyte}: count, rows,
 * columns, then one unsigned byte per pixel) and labels ({@code idx1-ubyte}: count, then one byte
 * per label), all big-endian, raw or gzip-compressed (recognised by the gzip magic bytes
 * {@code 1f 8b}, whatever the file's name).
 *
 * <p>Every error names the file and what is wrong with it: a wrong magic number, a file shorter
 * than its header says (truncated), trailing bytes, a broken gzip stream, images and labels that
 * do not pair up.
 */
public final class Idx {
  /** Magic number: two zero bytes, type 0x08 (unsigned byte), then the number of dimensions. */
  private static final int UNSIGNED_BYTE = 0x08;

  private Idx() {}

  /**
   * The data set of {@code images} and their {@code labels}: each example of shape
   * {@code [rows, columns, 1]} with pixels scaled from 0..255 to [0, 1], each label its class
   * index (width 1).
   *
   * @throws IOException if a file cannot be read, is not an IDX file of the expected kind, is
   *     truncated, or the two files hold different numbers of examples
   */
  public static Dataset read(Path images, Path labels) throws IOException {
    return dataset(images, content(images), labels, content(labels));
  }

  /** {@link #read} from contents already in memory ({@link #content}); the paths are for messages. */
  static Dataset dataset(Path images, byte[] imageContent, Path labels, byte[] labelContent) throws IOException {
    int[] imageDims = header(images, imageContent, 3);
    int[] labelDims = header(labels, labelContent, 1);
    if (imageDims[0] != labelDims[0]) {
      throw new IOException(
          images + " holds " + imageDims[0] + " images but " + labels + " holds " + labelDims[0] + " labels; they must pair up one to one");
    }
    int count = imageDims[0];
    int rows = imageDims[1];
    int columns = imageDims[2];
    int imageOffset = headerSize(3);
    float[] pixels = new float[Math.multiplyExact(count, Math.multiplyExact(rows, columns))];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (imageContent[imageOffset + i] & 0xff) / 255f;
    }
    float[] classes = new float[count];
    int labelOffset = headerSize(1);
    for (int i = 0; i < count; i++) {
      classes[i] = labelContent[labelOffset + i] & 0xff;
    }
    return Dataset.owning(pixels, Shape.of(rows, columns, 1), classes, 1);
  }

  /** The file's bytes, decompressed if it is gzip: what the IDX header and a checksum are read from. */
  static byte[] content(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) {
      return bytes;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 64 * 1024)) {
      return in.readAllBytes();
    } catch (ZipException | java.io.EOFException e) {
      throw new IOException(file + " is a truncated or corrupt gzip file: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the header of an IDX file of unsigned bytes with {@code dimensions} dimensions and that
   * the data after it is exactly as long as they say.
   *
   * @return the dimensions
   */
  static int[] header(Path file, byte[] content, int dimensions) throws IOException {
    int headerSize = headerSize(dimensions);
    if (content.length < 4) {
      throw new IOException(file + " is truncated: " + content.length + " bytes, too short for an IDX magic number");
    }
    int magic = readInt(content, 0);
    int expectedMagic = (UNSIGNED_BYTE << 8) | dimensions;
    if (magic != expectedMagic) {
      throw new IOException(String.format(
          "%s is not an IDX file of unsigned bytes with %d dimension%s (%s): magic number 0x%08x, expected 0x%08x",
          file, dimensions, dimensions == 1 ? "" : "s", dimensions == 1 ? "labels, idx1-ubyte" : "images, idx3-ubyte", magic, expectedMagic));
    }
    if (content.length < headerSize) {
      throw new IOException(file + " is truncated: " + content.length + " bytes, shorter than its " + headerSize + "-byte IDX header");
    }
    int[] dims = new int[dimensions];
    long dataSize = 1;
    for (int d = 0; d < dimensions; d++) {
      dims[d] = readInt(content, 4 + 4 * d);
      if (dims[d] < 0) {
        throw new IOException(file + ": IDX dimension " + d + " is negative (" + Integer.toUnsignedString(dims[d]) + " read as unsigned)");
      }
      dataSize *= dims[d];
    }
    long actual = content.length - (long) headerSize;
    if (actual < dataSize) {
      throw new IOException(
          file + " is truncated: its header's dimensions " + Arrays.toString(dims) + " need " + dataSize + " bytes of data, it holds " + actual);
    }
    if (actual > dataSize) {
      throw new IOException(
          file + " has " + (actual - dataSize) + " bytes after the " + dataSize + " bytes of data its header's dimensions "
              + Arrays.toString(dims) + " describe");
    }
    return dims;
  }

  private static int headerSize(int dimensions) {
    return 4 + 4 * dimensions;
  }

  private static int readInt(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
  }
}
