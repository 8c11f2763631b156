package dev.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The medians and quartiles the report prints. */
class BenchStatisticsTest {
  private static final List<Double> EIGHT = List.of(8.0, 1.0, 7.0, 2.0, 6.0, 3.0, 5.0, 4.0);
  private static final List<Double> SEVEN = List.of(7.0, 1.0, 6.0, 2.0, 5.0, 3.0, 4.0);

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Bench.medianOf(EIGHT, Double::doubleValue)).isEqualTo(4.5);
    assertThat(Bench.medianOf(SEVEN, Double::doubleValue)).isEqualTo(4.0);
  }

  @Test
  void quartilesAreTheMediansOfTheLowerAndUpperHalves() {
    assertThat(Bench.quartilesOf(EIGHT, Double::doubleValue)).isEqualTo(new Bench.Quartiles(2.5, 6.5));
    // An odd count: the median belongs to both halves.
    assertThat(Bench.quartilesOf(SEVEN, Double::doubleValue)).isEqualTo(new Bench.Quartiles(2.5, 5.5));
    assertThat(Bench.quartilesOf(List.of(0.9), Double::doubleValue)).isEqualTo(new Bench.Quartiles(0.9, 0.9));
  }
}
