package dev.kiln.bench;

import java.util.Locale;

/** The benchmark's report as Markdown: what ran where, the table, the logging cost, the soak. */
final class ReportFormat {
  private ReportFormat() {}

  static String markdown(Bench.Report report) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "Date: %s  %n", report.date()));
    text.append(String.format(Locale.ROOT, "Machine: %s; %s; TensorFlow %s  %n", report.machine(), report.java(), report.tensorflow()));
    text.append(String.format(Locale.ROOT, "Load average (1 min): %.2f before, %.2f after  %n", report.loadBefore(), report.loadAfter()));
    text.append("Command: `").append(report.command()).append("`  \n");
    Calibration.Ceiling ceiling = report.ceiling().median();
    text.append(String.format(Locale.ROOT,
        "Ceiling: TensorFlow runs the eight matrix products of a W1 step, and nothing else, at %,.0f examples/s (%.1f ms a step, %.0f GFLOPS; median of %d runs, load %.2f)%n%n",
        ceiling.examplesPerSecond(), ceiling.stepMillis(), ceiling.gflops(), report.ceiling().runs().size(), ceiling.loadAverage()));
    boolean peers = report.rows().stream().anyMatch(row -> !row.peers().isEmpty());
    text.append("| workload | tuning | Kiln examples/s | hand examples/s | Kiln/hand | Kiln s/epoch | hand s/epoch | step logging | Kiln start-up s | hand start-up s | Kiln peak MiB | hand peak MiB | load |"
        + (peers ? " Kiln/best peer |" : "") + "\n");
    text.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|" + (peers ? "---:|" : "") + "\n");
    for (Bench.Row row : report.rows()) {
      Bench.Summary kiln = row.kiln();
      Bench.Summary hand = row.hand();
      Bench.Comparison c = row.comparison();
      double loadMin = Math.min(kiln.loadMin(), hand.loadMin());
      double loadMax = Math.max(kiln.loadMax(), hand.loadMax());
      String kilnSpeed;
      String handSpeed;
      String kilnEpoch;
      String handEpoch;
      String logging;
      String ratio = String.format(Locale.ROOT, "%.3f", row.ratio());
      if (c == null) {
        kilnSpeed = String.format(Locale.ROOT, "%.2f s end to end", kiln.measuredSeconds());
        handSpeed = String.format(Locale.ROOT, "%.2f s end to end", hand.measuredSeconds());
        kilnEpoch = "—";
        handEpoch = "—";
        logging = "—";
      } else {
        String mark = c.epochExtrapolated() ? "*" : "";
        kilnSpeed = String.format(Locale.ROOT, "%,.0f", c.kilnExamplesPerSecond());
        handSpeed = String.format(Locale.ROOT, "%,.0f", c.handExamplesPerSecond());
        kilnEpoch = String.format(Locale.ROOT, "%.3f%s", c.kilnEpochSeconds(), mark);
        handEpoch = String.format(Locale.ROOT, "%.3f%s", c.handEpochSeconds(), mark);
        logging = String.format(Locale.ROOT, "%.1f%%", 100 * c.loggingCost());
        ratio += String.format(Locale.ROOT, " (%.3f–%.3f)", c.ratioQuartiles().first(), c.ratioQuartiles().third());
        loadMin = Math.min(loadMin, c.loadMin());
        loadMax = Math.max(loadMax, c.loadMax());
      }
      text.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.0f | %.0f | %.2f–%.2f |",
          row.workload(), row.tuning(), kilnSpeed, handSpeed, ratio, kilnEpoch, handEpoch, logging, kiln.startupSeconds(),
          hand.startupSeconds(), kiln.peakResidentMiB(), hand.peakResidentMiB(), loadMin, loadMax));
      if (peers) {
        text.append(row.bestPeer().map(best -> " " + ratioWithQuartiles(best) + " (" + best.peer() + ")").orElse(" —")).append(" |");
      }
      text.append('\n');
    }
    text.append('\n');
    text.append("Examples/s, s/epoch, Kiln/hand and step logging: medians over the rounds of the alternations (Kiln, the hand-written "
        + "network and Kiln without step logging, timed in turns on the same steps in one JVM); Kiln/hand is the median of the rounds' "
        + "ratios, in brackets their first and third quartiles. Step logging: the share of Kiln's time that its TensorBoard scalars at the default interval (every 10 steps) take. "
        + "Start-up (process start to the end of the first training step; W4: to the line announcing training) and peak resident memory "
        + "(VmHWM): medians over separate JVMs, one side each. * W2's epoch (469 steps) is extrapolated from blocks of 50 steps. "
        + "W4 is the moons sample's main, unchanged, from process start to its last line; its Kiln/hand is the inverse ratio of those times.\n");
    if (peers) {
      text.append(peerTable(report));
    }
    for (Soak.SoakResult soak : report.soaks()) {
      text.append(String.format(Locale.ROOT, "%nSoak, %s, W1: %s (load %.2f).%n", soak.side(), Bench.soakSummary(soak), soak.loadAverage()));
    }
    return text.toString();
  }

  /** Kiln against each Python peer, one line per peer. */
  static String peerTable(Bench.Report report) {
    StringBuilder text = new StringBuilder();
    text.append("\n| workload | peer | framework | peer | Kiln | Kiln/peer | peer start-up s | peer peak MiB | load |\n");
    text.append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
    for (Bench.Row row : report.rows()) {
      String best = row.bestPeer().map(Bench.PeerSummary::peer).orElse("");
      for (Bench.PeerSummary peer : row.peers()) {
        String peerFigure;
        String kilnFigure;
        if (peer.seconds() != null) {
          peerFigure = String.format(Locale.ROOT, "%.2f s end to end", peer.seconds());
          kilnFigure = String.format(Locale.ROOT, "%.2f s end to end", row.kiln().measuredSeconds());
        } else {
          peerFigure = String.format(Locale.ROOT, "%,.0f examples/s (%.2f ms a step)", peer.examplesPerSecond(), peer.msPerStep());
          kilnFigure = String.format(Locale.ROOT, "%,.0f examples/s", row.comparison().kilnExamplesPerSecond());
        }
        String name = peer.peer().equals(best) ? "**" + peer.peer() + "**" : peer.peer();
        text.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f | %.0f | %.2f–%.2f |%n", row.workload(), name, peer.framework(),
            peerFigure, kilnFigure, ratioWithQuartiles(peer), peer.startupSeconds(), peer.peakResidentMiB(), peer.loadMin(), peer.loadMax()));
      }
    }
    text.append("\nPeers: the same workloads in Python (bench/peers), one process per peer and run, interleaved with Kiln's runs. Kiln/peer: "
        + "Kiln's examples per second over the peer's (W4: the peer's time over Kiln's), the median of the runs' ratios, each run's Kiln "
        + "figure from the same run (W1–W3: its alternation; W4: its end-to-end trial), in brackets the quartiles. The fastest peer is in "
        + "bold. Peer start-up: from the process's start to the start of the timed training (W4: of training).\n");
    return text.toString();
  }

  private static String ratioWithQuartiles(Bench.PeerSummary peer) {
    return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", peer.ratio(), peer.ratioQuartiles().first(), peer.ratioQuartiles().third());
  }
}
