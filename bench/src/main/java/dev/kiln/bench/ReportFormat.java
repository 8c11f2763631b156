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
    text.append("Command: `").append(report.command()).append("`\n\n");
    text.append("Medians over the runs; Kiln/hand is Kiln's speed over the hand-written TensorFlow Java's (1.00: no overhead).\n\n");
    text.append("| workload | tuning | Kiln examples/s | hand examples/s | Kiln/hand | Kiln s/epoch | hand s/epoch | Kiln start-up s | hand start-up s | Kiln peak MiB | hand peak MiB | load |\n");
    text.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Bench.Row row : report.rows()) {
      Bench.Summary kiln = row.kiln();
      Bench.Summary hand = row.hand();
      boolean endToEnd = row.workload() == Workload.W4;
      text.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3f | %s | %s | %.2f | %.2f | %.0f | %.0f | %.2f–%.2f |%n",
          row.workload(), row.tuning(),
          endToEnd ? String.format(Locale.ROOT, "%.2f s end to end", kiln.measuredSeconds()) : count(kiln.examplesPerSecond()),
          endToEnd ? String.format(Locale.ROOT, "%.2f s end to end", hand.measuredSeconds()) : count(hand.examplesPerSecond()),
          row.ratio(), epoch(kiln), epoch(hand), kiln.startupSeconds(), hand.startupSeconds(), kiln.peakResidentMiB(), hand.peakResidentMiB(),
          Math.min(kiln.loadMin(), hand.loadMin()), Math.max(kiln.loadMax(), hand.loadMax())));
    }
    text.append('\n');
    text.append("Start-up: process start to the end of the first training step (W4: to the line announcing training). "
        + "Peak: the process's VmHWM. W2's epoch (469 steps) is extrapolated from 200 timed steps (marked *). "
        + "W4 is the moons sample's main, unchanged, from process start to its last line; Kiln/hand is the inverse ratio of those times.\n");
    for (Bench.Row row : report.rows()) {
      if (row.loggingCost() != null) {
        text.append(String.format(Locale.ROOT, "%nStep logging at the default interval (%s, %s): Kiln %s examples/s with it, %s without it (only step 0 logs): %.1f%% of step time.%n",
            row.workload(), row.tuning(), count(row.kiln().examplesPerSecond()), count(row.kilnWithoutStepLogging().examplesPerSecond()),
            100 * row.loggingCost()));
      }
    }
    for (String pending : report.pending()) {
      text.append("\nPending: ").append(pending).append('\n');
    }
    for (Soak.SoakResult soak : report.soaks()) {
      text.append(String.format(Locale.ROOT, "%nSoak, %s, W1: %s (load %.2f).%n", soak.side(), Bench.soakSummary(soak), soak.loadAverage()));
    }
    return text.toString();
  }

  private static String count(Double value) {
    return value == null ? "—" : String.format(Locale.ROOT, "%,.0f", value);
  }

  private static String epoch(Bench.Summary summary) {
    if (summary.epochSeconds() == null) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.2f%s", summary.epochSeconds(), summary.epochExtrapolated() ? "*" : "");
  }
}
