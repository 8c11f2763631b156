package dev.kiln.bench;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeersTest {
  private static Peers.PeerResult speed(String peer, double examplesPerSecond) {
    return new Peers.PeerResult("W1", peer, "keras 3", "CPU", examplesPerSecond, 128_000 / examplesPerSecond, null, 4.0, 900, 1.0);
  }

  @Test
  void aPeersLineParsesBackToItsFigures() {
    Peers.PeerResult result = Peers.PeerResult.parse(
        "{\"workload\": \"W1\", \"peer\": \"keras-jit\", \"framework\": \"keras 3.15.1 / tensorflow 2.21.0\", \"device\": \"CPU\","
            + " \"peakResidentMiB\": 1039.7, \"loadAverage\": 1.21, \"examplesPerSecond\": 26104.4, \"msPerStep\": 4.9, \"startupSeconds\": 6.62}");
    assertThat(result.peer()).isEqualTo("keras-jit");
    assertThat(result.examplesPerSecond()).isWithin(1e-9).of(26104.4);
    assertThat(result.msPerStep()).isWithin(1e-9).of(4.9);
    assertThat(result.seconds()).isNull();
    assertThat(result.peakResidentMiB()).isWithin(1e-9).of(1039.7);
  }

  @Test
  void aLineWithoutAFigureIsNamedInTheError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> Peers.PeerResult.parse("{\"workload\": \"W1\", \"peer\": \"keras-fit\"}"));
    assertThat(error).hasMessageThat().contains("without examplesPerSecond or seconds");
    assertThrows(IllegalArgumentException.class, () -> Peers.PeerResult.parse("{}"));
  }

  @Test
  void kilnOverAPeerIsTheMedianOfEachRunsRatioAndTheFastestPeerIsTheBest() {
    List<Double> kiln = List.of(40_000.0, 30_000.0, 36_000.0);
    Bench.PeerSummary slow = Bench.PeerSummary.of(List.of(speed("slow", 10_000), speed("slow", 10_000), speed("slow", 12_000)), kiln, false);
    Bench.PeerSummary fast = Bench.PeerSummary.of(List.of(speed("fast", 20_000), speed("fast", 30_000), speed("fast", 36_000)), kiln, false);
    // Run by run: 4, 3, 3 against the slow peer; 2, 1, 1 against the fast one.
    assertThat(slow.ratio()).isWithin(1e-9).of(3.0);
    assertThat(fast.ratio()).isWithin(1e-9).of(1.0);
    assertThat(fast.ratioQuartiles().third()).isWithin(1e-9).of(1.5);
    assertThat(fast.examplesPerSecond()).isWithin(1e-9).of(30_000);
    Bench.Row row = new Bench.Row(Workload.W1, "default", null, null, null, 1.0, List.of(slow, fast));
    assertThat(row.bestPeer().orElseThrow().peer()).isEqualTo("fast");
  }

  @Test
  void endToEndRatiosAreThePeersTimeOverKilns() {
    Peers.PeerResult keras = new Peers.PeerResult("W4", "keras-fit", "keras 3", "CPU", null, null, 10.0, 4.0, 600, 1.0);
    Bench.PeerSummary summary = Bench.PeerSummary.of(List.of(keras, keras, keras), List.of(2.5, 2.0, 4.0), true);
    assertThat(summary.ratio()).isWithin(1e-9).of(4.0);
    assertThat(summary.seconds()).isWithin(1e-9).of(10.0);
  }
}
