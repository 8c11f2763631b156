package dev.kiln.runtime.summary;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.Range;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;

class EventFileWriterTest {
  private static final Pattern FILE_NAME =
      Pattern.compile("events\\.out\\.tfevents\\.(\\d{10})\\.(.+)\\.(\\d+)\\.(\\d+)");

  @TempDir Path temp;

  @Test
  void scalarsReadBackByTagInStepOrder() throws IOException {
    double before = System.currentTimeMillis() / 1000.0;
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.scalar("loss", 0, 0.75);
      writer.scalar("parameters/theta", 0, Math.PI / 4);
      writer.scalar("loss", 10, 0.5);
      writer.scalar("parameters/theta", 10, 0.25);
      writer.scalar("loss", 5, 0.625); // out of order on purpose: the reader sorts by step
    }
    double after = System.currentTimeMillis() / 1000.0;

    Map<String, List<ScalarPoint>> scalars = EventFileReader.scalars(temp);

    assertThat(scalars.keySet()).containsExactly("loss", "parameters/theta").inOrder();
    List<ScalarPoint> loss = scalars.get("loss");
    assertThat(loss.stream().map(ScalarPoint::step).toList()).containsExactly(0L, 5L, 10L).inOrder();
    assertThat(loss.stream().map(ScalarPoint::value).toList()).containsExactly(0.75, 0.625, 0.5).inOrder();
    List<ScalarPoint> theta = scalars.get("parameters/theta");
    // Scalars are float32 on disk, like every TensorFlow scalar summary.
    assertThat(theta.get(0).value()).isEqualTo((double) (float) (Math.PI / 4));
    assertThat(theta.get(1).value()).isEqualTo(0.25);
    for (ScalarPoint point : loss) {
      assertThat(point.wallTime()).isAtLeast(Math.floor(before));
      assertThat(point.wallTime()).isAtMost(after);
    }
  }

  @Test
  void nonFiniteScalarsAreWrittenAsTheyAre() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.scalar("loss", 1, Double.NaN);
      writer.scalar("loss", 2, Double.POSITIVE_INFINITY);
    }

    List<ScalarPoint> loss = EventFileReader.scalars(temp).get("loss");

    assertThat(loss.get(0).value()).isNaN();
    assertThat(loss.get(1).value()).isPositiveInfinity();
  }

  @Test
  void firstRecordIsTheFileVersionThenOneSummaryPerCall() throws IOException {
    Path file;
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      file = writer.file();
      writer.scalar("loss", 3, 1.5);
      writer.histogram("weights", 3, new float[] {1, 2});
    }

    List<Event> events = EventFileReader.read(file);

    assertThat(events).hasSize(3);
    assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(1).getStep()).isEqualTo(3);
    assertThat(events.get(1).getSummary().getValue(0).getTag()).isEqualTo("loss");
    assertThat(events.get(1).getSummary().getValue(0).getSimpleValue()).isEqualTo(1.5f);
    assertThat(events.get(2).getSummary().getValue(0).getTag()).isEqualTo("weights");
    assertThat(events.get(2).getSummary().getValue(0).hasHisto()).isTrue();
  }

  @Test
  void histogramsReadBackWithCountsAndSums() throws IOException {
    float[] first = {-1.5f, 0f, 0f, 0.25f, 3f};
    float[] second = {2f, 2f, 2f};
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.histogram("dense1/theta", 20, second);
      writer.histogram("dense1/theta", 10, first);
    }

    Map<String, List<HistogramPoint>> histograms = EventFileReader.histograms(temp);

    assertThat(histograms.keySet()).containsExactly("dense1/theta");
    List<HistogramPoint> points = histograms.get("dense1/theta");
    assertThat(points.stream().map(HistogramPoint::step).toList()).containsExactly(10L, 20L).inOrder();
    HistogramProto h = points.get(0).histogram();
    assertThat(h.getNum()).isEqualTo(5.0);
    assertThat(h.getMin()).isEqualTo(-1.5);
    assertThat(h.getMax()).isEqualTo(3.0);
    assertThat(h.getSum()).isEqualTo(1.75);
    assertThat(h.getSumSquares()).isEqualTo(2.25 + 0.0625 + 9);
    assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(5.0);
    assertBucketsHold(h, first);
    HistogramProto h2 = points.get(1).histogram();
    assertThat(h2.getNum()).isEqualTo(3.0);
    assertThat(h2.getSum()).isEqualTo(6.0);
    assertBucketsHold(h2, second);
  }

  @Test
  void histogramsAreBucketedAtTensorFlowsDefaultLimits() throws IOException {
    float[] values = {-1e30f, -1f, -0f, 0f, 1e-13f, 1f, 1f, 7f, 1e30f};
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.histogram("h", 0, values);
    }

    HistogramProto h = EventFileReader.histograms(temp).get("h").get(0).histogram();

    double[] limits = DefaultHistogram.limits();
    List<Double> emittedLimits = h.getBucketLimitList();
    // Every emitted limit is one of TF's default limits, in ascending order, ending at DBL_MAX.
    for (double limit : emittedLimits) {
      assertThat(Arrays.binarySearch(limits, limit)).isAtLeast(0);
    }
    assertThat(emittedLimits).isInStrictOrder();
    assertThat(emittedLimits.get(emittedLimits.size() - 1)).isEqualTo(Double.MAX_VALUE);
    assertBucketsHold(h, values);
    // 0, -0 and 1e-13 all fall below the smallest positive limit, 1e-12.
    int zeroBucket = emittedLimits.indexOf(1e-12);
    assertThat(h.getBucket(zeroBucket)).isEqualTo(3.0);
    // Values above 1e20 land in the last bucket, whose limit is DBL_MAX.
    assertThat(h.getBucket(h.getBucketCount() - 1)).isEqualTo(1.0);
  }

  @Test
  void runsOfEmptyBucketsAreCollapsedAsTensorFlowDoes() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.histogram("h", 0, new float[] {-3f, 5f});
    }

    HistogramProto h = EventFileReader.histograms(temp).get("h").get(0).histogram();

    // Empty run below -3, the bucket of -3, empty run, the bucket of 5, empty run up to DBL_MAX.
    assertThat(h.getBucketList()).containsExactly(0.0, 1.0, 0.0, 1.0, 0.0).inOrder();
    double[] limits = DefaultHistogram.limits();
    int bucketOfMinus3 = upperBound(limits, -3);
    int bucketOf5 = upperBound(limits, 5);
    assertThat(h.getBucketLimitList())
        .containsExactly(
            limits[bucketOfMinus3 - 1], limits[bucketOfMinus3],
            limits[bucketOf5 - 1], limits[bucketOf5],
            Double.MAX_VALUE)
        .inOrder();
  }

  @Test
  void emptyHistogramHasOneEmptyBucketLikeTensorFlows() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.histogram("h", 0, new float[0]);
    }

    HistogramProto h = EventFileReader.histograms(temp).get("h").get(0).histogram();

    assertThat(h.getNum()).isEqualTo(0.0);
    assertThat(h.getBucketLimitList()).containsExactly(Double.MAX_VALUE);
    assertThat(h.getBucketList()).containsExactly(0.0);
  }

  @Test
  void defaultLimitsAreTensorFlows() {
    double[] limits = DefaultHistogram.limits();

    // 774 powers 1e-12·1.1^k below 1e20 and DBL_MAX on each side of 0.
    assertThat(limits).hasLength(2 * 775 + 1);
    assertThat(limits[775]).isEqualTo(0.0);
    assertThat(limits[776]).isEqualTo(1e-12);
    assertThat(limits[777]).isEqualTo(1e-12 * 1.1);
    assertThat(limits[774]).isEqualTo(-1e-12);
    assertThat(limits[0]).isEqualTo(-Double.MAX_VALUE);
    assertThat(limits[limits.length - 1]).isEqualTo(Double.MAX_VALUE);
    assertThat(limits[limits.length - 2]).isLessThan(1e20);
    assertThat(limits[limits.length - 2] * 1.1).isAtLeast(1e20);
    for (int i = 1; i < limits.length; i++) {
      assertThat(limits[i]).isGreaterThan(limits[i - 1]);
      assertThat(limits[i] + limits[limits.length - 1 - i]).isEqualTo(0.0); // symmetric about 0
    }
  }

  @Test
  void nonFiniteHistogramValueIsRejectedNamingTagAndIndex() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      IllegalArgumentException e = assertThrows(
          IllegalArgumentException.class, () -> writer.histogram("dense2/theta", 0, new float[] {1f, Float.NaN}));
      assertThat(e).hasMessageThat().contains("dense2/theta");
      assertThat(e).hasMessageThat().contains("index 1");
    }
  }

  @Test
  void blankTagIsRejected() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      assertThrows(IllegalArgumentException.class, () -> writer.scalar(" ", 0, 1));
      assertThrows(NullPointerException.class, () -> writer.histogram(null, 0, new float[] {1}));
    }
  }

  @Test
  void fileIsNamedLikeTensorFlowsAndEachWriterGetsItsOwn() throws IOException {
    long before = System.currentTimeMillis() / 1000;
    Path first;
    Path second;
    try (EventFileWriter a = EventFileWriter.create(temp); EventFileWriter b = EventFileWriter.create(temp)) {
      first = a.file();
      second = b.file();
    }
    long after = System.currentTimeMillis() / 1000;

    assertThat(first).isNotEqualTo(second);
    for (Path file : List.of(first, second)) {
      assertThat(file.getParent()).isEqualTo(temp);
      Matcher name = FILE_NAME.matcher(file.getFileName().toString());
      assertThat(name.matches()).isTrue();
      assertThat(Long.parseLong(name.group(1))).isIn(Range.closed(before, after));
      assertThat(name.group(2)).isNotEmpty();
      assertThat(Long.parseLong(name.group(3))).isEqualTo(ProcessHandle.current().pid());
    }
  }

  @Test
  void aSuffixEndsTheFileNameAndAnUnsafeOneIsRefused() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp, ".kiln")) {
      String name = writer.file().getFileName().toString();
      assertThat(name).endsWith(".kiln");
      assertThat(FILE_NAME.matcher(name.substring(0, name.length() - ".kiln".length())).matches()).isTrue();
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventFileWriter.create(temp, "/../x"));
    assertThat(e).hasMessageThat().isEqualTo("event file suffix '/../x' may hold only letters, digits, '_', '.' and '-'");
  }

  @Test
  void syncPutsEverythingWrittenInTheFileAndReturnsItsLength() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.scalar("loss", 1, 0.5);
      writer.histogram("theta", 1, new float[] {0.1f, 0.2f});
      long length = writer.sync();
      assertThat(length).isEqualTo(Files.size(writer.file()));
      assertThat(EventFileReader.read(writer.file())).hasSize(3);
      writer.scalar("loss", 2, 0.25);
      assertThat(writer.sync()).isGreaterThan(length);
    }
  }

  @Test
  void createsMissingRunDirectories() throws IOException {
    Path run = temp.resolve("runs/moons-1");
    try (EventFileWriter writer = EventFileWriter.create(run)) {
      assertThat(writer.file().getParent()).isEqualTo(run);
    }
    assertThat(Files.isDirectory(run)).isTrue();
  }

  @Test
  void flushMakesEventsVisibleBeforeClose() throws IOException {
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.scalar("loss", 1, 0.5);
      writer.flush();

      assertThat(EventFileReader.scalars(temp).get("loss")).hasSize(1);
    }
  }

  @Test
  void writesAfterCloseThrow() throws IOException {
    EventFileWriter writer = EventFileWriter.create(temp);
    writer.close();
    writer.close(); // a second close is harmless

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.scalar("loss", 0, 1));
    assertThat(e).hasMessageThat().contains(writer.file().toString());
    assertThrows(IllegalStateException.class, () -> writer.histogram("h", 0, new float[] {1}));
    assertThrows(IllegalStateException.class, writer::flush);
  }

  @Test
  void runDirectoryUnderARegularFileFailsNamingThePath() throws IOException {
    Path regularFile = Files.writeString(temp.resolve("not-a-directory"), "x");
    Path run = regularFile.resolve("run");

    IOException e = assertThrows(IOException.class, () -> EventFileWriter.create(run));

    assertThat(e).hasMessageThat().contains(run.toString());
    assertThat(e).hasMessageThat().contains("Not a directory");
  }

  @Test
  void runDirectoryThatIsARegularFileFailsNamingThePath() throws IOException {
    Path regularFile = Files.writeString(temp.resolve("run"), "x");

    IOException e = assertThrows(IOException.class, () -> EventFileWriter.create(regularFile));

    assertThat(e).hasMessageThat().contains(regularFile.toString());
    assertThat(e).hasMessageThat().contains("File exists");
  }

  /** Each non-empty bucket holds exactly the values in [previous limit, its limit). */
  private static void assertBucketsHold(HistogramProto h, float[] values) {
    double lower = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < h.getBucketCount(); i++) {
      double upper = h.getBucketLimit(i);
      long expected = 0;
      for (float v : values) {
        if (v >= lower && v < upper) {
          expected++;
        }
      }
      assertThat(h.getBucket(i)).isEqualTo((double) expected);
      lower = upper;
    }
  }

  private static int upperBound(double[] limits, double value) {
    int i = 0;
    while (limits[i] <= value) {
      i++;
    }
    return i;
  }
}
