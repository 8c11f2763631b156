package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/** The IDX reader on small files the test writes: good raw and gzip files, and each kind of bad one. */
class IdxTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void readsRawImagesAsScaledPixelsAndLabelsAsClassIndices() throws IOException {
    Path images = write("images", IdxFiles.images(3, 4, 5));
    Path labels = write("labels", IdxFiles.labels(7, 0, 9));
    Dataset data = Idx.read(images, labels);
    assertThat(data.size()).isEqualTo(3);
    assertThat(data.exampleShape()).isEqualTo(Shape.of(4, 5, 1));
    assertThat(data.labelWidth()).isEqualTo(1);
    assertThat(data.label(0, 0)).isEqualTo(7f);
    assertThat(data.label(2, 0)).isEqualTo(9f);
    // Pixel p of image i is (i + p) % 256, scaled by 1/255.
    assertThat(data.feature(0, 0)).isEqualTo(0f);
    assertThat(data.feature(2, 19)).isEqualTo(21 / 255f);
  }

  @Test
  void pixelsCoverZeroToOne() throws IOException {
    Path images = write("images", IdxFiles.images(1, 16, 16));
    Dataset data = Idx.read(images, write("labels", IdxFiles.labels(1)));
    assertThat(data.feature(0, 0)).isEqualTo(0f);
    assertThat(data.feature(0, 255)).isEqualTo(1f);
    assertThat(data.feature(0, 128)).isWithin(1e-7f).of(128 / 255f);
  }

  @Test
  void readsGzipByItsMagicBytesWhateverTheName() throws IOException {
    Path raw = write("images", IdxFiles.images(2, 3, 3));
    Path gzipped = write("images.bin", IdxFiles.gzip(IdxFiles.images(2, 3, 3)));
    Path labels = write("labels.gz", IdxFiles.gzip(IdxFiles.labels(1, 2)));
    Dataset fromGzip = Idx.read(gzipped, labels);
    Dataset fromRaw = Idx.read(raw, write("labels", IdxFiles.labels(1, 2)));
    assertThat(fromGzip.size()).isEqualTo(2);
    for (int j = 0; j < 9; j++) {
      assertThat(fromGzip.feature(1, j)).isEqualTo(fromRaw.feature(1, j));
    }
    assertThat(fromGzip.label(1, 0)).isEqualTo(2f);
  }

  @Test
  void aTruncatedFileIsNamedWithWhatItLacks() throws IOException {
    byte[] images = IdxFiles.images(3, 4, 4);
    Path truncated = write("train-images-idx3-ubyte", Arrays.copyOf(images, images.length - 5));
    Path labels = write("labels", IdxFiles.labels(1, 2, 3));
    IOException e = assertThrows(IOException.class, () -> Idx.read(truncated, labels));
    assertThat(e).hasMessageThat().isEqualTo(truncated + " is truncated: its header's dimensions [3, 4, 4] need 48 bytes of data, it holds 43");

    Path shortHeader = write("short", Arrays.copyOf(images, 10));
    assertThat(assertThrows(IOException.class, () -> Idx.read(shortHeader, labels)))
        .hasMessageThat().isEqualTo(shortHeader + " is truncated: 10 bytes, shorter than its 16-byte IDX header");
  }

  @Test
  void aTruncatedGzipFileIsNamed() throws IOException {
    byte[] gzip = IdxFiles.gzip(IdxFiles.images(20, 8, 8));
    Path truncated = write("images.gz", Arrays.copyOf(gzip, gzip.length / 2));
    IOException e = assertThrows(IOException.class, () -> Idx.read(truncated, write("labels", IdxFiles.labels(new int[20]))));
    assertThat(e).hasMessageThat().startsWith(truncated + " is a truncated or corrupt gzip file");
  }

  @Test
  void trailingBytesAreAnError() throws IOException {
    byte[] labels = IdxFiles.labels(1, 2);
    Path longer = write("labels", Arrays.copyOf(labels, labels.length + 3));
    IOException e = assertThrows(IOException.class, () -> Idx.read(write("images", IdxFiles.images(2, 2, 2)), longer));
    assertThat(e).hasMessageThat().isEqualTo(longer + " has 3 bytes after the 2 bytes of data its header's dimensions [2] describe");
  }

  @Test
  void aWrongMagicNumberIsNamed() throws IOException {
    Path images = write("images", IdxFiles.images(2, 2, 2));
    Path labels = write("labels", IdxFiles.labels(1, 2));
    // Labels where images belong, and a file that is not IDX at all.
    IOException swapped = assertThrows(IOException.class, () -> Idx.read(labels, images));
    assertThat(swapped).hasMessageThat()
        .isEqualTo(labels + " is not an IDX file of unsigned bytes with 3 dimensions (images, idx3-ubyte): magic number 0x00000801, expected 0x00000803");
    Path text = write("readme", "MNIST images".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(assertThrows(IOException.class, () -> Idx.read(images, text)))
        .hasMessageThat().contains(text + " is not an IDX file of unsigned bytes with 1 dimension (labels, idx1-ubyte): magic number 0x4d4e4953");
  }

  @Test
  void imagesAndLabelsMustPairUp() throws IOException {
    Path images = write("images", IdxFiles.images(3, 2, 2));
    Path labels = write("labels", IdxFiles.labels(1, 2));
    IOException e = assertThrows(IOException.class, () -> Idx.read(images, labels));
    assertThat(e).hasMessageThat().isEqualTo(images + " holds 3 images but " + labels + " holds 2 labels; they must pair up one to one");
  }
}
