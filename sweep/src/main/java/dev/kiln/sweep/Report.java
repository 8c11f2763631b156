package dev.kiln.sweep;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The comparison of a sweep's groups: per group, final scores as mean ± standard deviation over
 * its seeds and the time to reach given levels of an epoch value (a table in Markdown and CSV);
 * and plots of epoch values against epoch or wall time, one line per group (the mean over its
 * seeds).
 *
 * <pre>{@code
 * Report.of(results, new Report.Spec("variant",
 *     List.of(new Report.Column("test accuracy", "accuracy")),
 *     List.of(new Report.Target("validation/accuracy", 0.98, "98 % val. accuracy")),
 *     List.of(new Report.Plot("validation-accuracy-by-epoch", "Validation accuracy", "validation accuracy", "validation/accuracy", false))))
 * }</pre>
 */
public final class Report {
  static {
    // Plots are drawn off screen: no display is needed, or wanted, on a training machine.
    System.setProperty("java.awt.headless", "true");
  }

  /** A column of the table: the final score {@code metric} (a {@link TrialResult#metric}), titled {@code title}. */
  public record Column(String title, String metric) {}

  /** A time to reach: the first epoch whose value {@code value} is {@code level} or more, titled {@code title}. */
  public record Target(String value, double level, String title) {}

  /** A plot, {@code <file>.png}: the epoch value {@code value} against the epoch or the wall time. */
  public record Plot(String file, String title, String yTitle, String value, boolean againstTime) {}

  /**
   * What a report shows.
   *
   * @param group what the first column calls a group ("variant")
   */
  public record Spec(String group, List<Column> columns, List<Target> targets, List<Plot> plots) {
    public Spec {
      Objects.requireNonNull(group, "group");
      columns = List.copyOf(columns);
      targets = List.copyOf(targets);
      plots = List.copyOf(plots);
    }
  }

  /** Mean and sample standard deviation over trials; the deviation is NaN for a single one. */
  public record Stat(double mean, double std) {
    static Stat of(List<Double> values) {
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      if (values.size() < 2) {
        return new Stat(mean, Double.NaN);
      }
      double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
      return new Stat(mean, Math.sqrt(squares / (values.size() - 1)));
    }

    /** "0.9750 ± 0.0071", "0.9000" for one trial, "–" for a score not measured. */
    String format() {
      if (Double.isNaN(mean)) {
        return "–";
      }
      return Double.isNaN(std)
          ? String.format(Locale.ROOT, "%.4f", mean)
          : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
  }

  /**
   * When trials first reached a target: at the end of which epoch, after how many seconds (means
   * over the trials that reached it).
   */
  public record Reach(double target, int reached, int runs, double meanSeconds, double meanEpoch) {
    static Reach of(Target target, List<TrialResult> runs) {
      List<Epoch> first = new ArrayList<>();
      for (TrialResult run : runs) {
        run.history().stream().filter(e -> e.value(target.value()) >= target.level()).findFirst().ifPresent(first::add);
      }
      return new Reach(
          target.level(), first.size(), runs.size(),
          first.stream().mapToDouble(Epoch::seconds).average().orElse(Double.NaN),
          first.stream().mapToDouble(Epoch::epoch).average().orElse(Double.NaN));
    }

    String format() {
      if (reached == 0) {
        return "not reached";
      }
      String time = String.format(Locale.ROOT, "%.1f s (epoch %.1f)", meanSeconds, meanEpoch);
      return reached == runs ? time : time + String.format(Locale.ROOT, ", %d of %d runs", reached, runs);
    }
  }

  /** One group's line of the table: a statistic per column and a reach per target, in the spec's order. */
  public record Row(String group, int runs, List<Stat> columns, List<Reach> reaches) {}

  /** The files {@link #write} wrote. */
  public record Written(Path markdown, Path csv, List<Path> plots) {}

  private final Spec spec;
  private final Map<String, List<TrialResult>> byGroup;
  private final List<Row> rows;

  private Report(Spec spec, Map<String, List<TrialResult>> byGroup) {
    this.spec = spec;
    this.byGroup = byGroup;
    List<Row> table = new ArrayList<>();
    byGroup.forEach((group, runs) -> table.add(new Row(
        group, runs.size(),
        spec.columns().stream().map(column -> stat(runs, r -> r.metric(column.metric()))).toList(),
        spec.targets().stream().map(target -> Reach.of(target, runs)).toList())));
    this.rows = List.copyOf(table);
  }

  /** The report of {@code results}, groups in the order they first appear. */
  public static Report of(List<TrialResult> results, Spec spec) {
    Objects.requireNonNull(spec, "spec");
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no finished trials to report on");
    }
    Map<String, List<TrialResult>> byGroup = new LinkedHashMap<>();
    for (TrialResult result : results) {
      byGroup.computeIfAbsent(result.group(), group -> new ArrayList<>()).add(result);
    }
    return new Report(spec, byGroup);
  }

  public List<Row> rows() {
    return rows;
  }

  /** The table in Markdown. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| " + spec.group() + " | runs |");
    spec.columns().forEach(column -> md.append(' ').append(column.title()).append(" |"));
    spec.targets().forEach(target -> md.append(" time to ").append(target.title()).append(" |"));
    md.append("\n|---|---:|").append("---:|".repeat(spec.columns().size())).append("---|".repeat(spec.targets().size())).append('\n');
    for (Row row : rows) {
      md.append("| ").append(row.group()).append(" | ").append(row.runs()).append(" |");
      row.columns().forEach(stat -> md.append(' ').append(stat.format()).append(" |"));
      row.reaches().forEach(reach -> md.append(' ').append(reach.format()).append(" |"));
      md.append('\n');
    }
    return md.toString();
  }

  /** The table as CSV: one number per cell, empty where there is none (a single trial's deviation, a target not reached). */
  public String csv() {
    StringBuilder csv = new StringBuilder(spec.group() + ",runs");
    spec.columns().forEach(column -> csv.append(',').append(column.metric()).append("_mean,").append(column.metric()).append("_std"));
    for (int i = 0; i < spec.targets().size(); i++) {
      String name = spec.targets().get(i).value() + ">=" + spec.targets().get(i).level();
      csv.append(",reached ").append(name).append(",seconds to ").append(name).append(",epoch to ").append(name);
    }
    csv.append('\n');
    for (Row row : rows) {
      csv.append(row.group()).append(',').append(row.runs());
      for (Stat stat : row.columns()) {
        csv.append(',').append(TrialStore.number(stat.mean())).append(',').append(TrialStore.number(stat.std()));
      }
      for (Reach reach : row.reaches()) {
        csv.append(',').append(reach.reached()).append(',').append(TrialStore.number(reach.meanSeconds()))
            .append(',').append(TrialStore.number(reach.meanEpoch()));
      }
      csv.append('\n');
    }
    return csv.toString();
  }

  /**
   * Writes {@code report.md} ({@code heading}, {@code caption} if not empty, the table),
   * {@code report.csv} and the spec's plots into {@code directory}.
   */
  public Written write(Path directory, String heading, String caption) throws IOException {
    Files.createDirectories(directory);
    Path markdown = directory.resolve("report.md");
    TrialStore.writeAtomically(markdown, "# " + heading + "\n\n" + (caption.isEmpty() ? "" : caption + "\n\n") + markdown());
    Path csv = directory.resolve("report.csv");
    TrialStore.writeAtomically(csv, csv());
    List<Path> plots = new ArrayList<>();
    for (Plot plot : spec.plots()) {
      plots.add(plot(directory, plot));
    }
    return new Written(markdown, csv, List.copyOf(plots));
  }

  /** One line per group: the mean over its trials of the value (and of the wall time, on a time axis) at each epoch all of them reached. */
  private Path plot(Path directory, Plot plot) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(plot.title())
        .xAxisTitle(plot.againstTime() ? "wall time (s)" : "epoch").yAxisTitle(plot.yTitle()).build();
    chart.getStyler().setMarkerSize(6);
    for (Map.Entry<String, List<TrialResult>> group : byGroup.entrySet()) {
      List<TrialResult> runs = group.getValue();
      int epochs = runs.stream().mapToInt(r -> r.history().size()).min().orElseThrow();
      double[] xs = new double[epochs];
      double[] ys = new double[epochs];
      for (int e = 0; e < epochs; e++) {
        int epoch = e;
        xs[e] = plot.againstTime() ? mean(runs, r -> r.history().get(epoch).seconds()) : runs.get(0).history().get(epoch).epoch();
        ys[e] = mean(runs, r -> r.history().get(epoch).value(plot.value()));
      }
      chart.addSeries(group.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
    Path file = directory.resolve(plot.file() + ".png");
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    return file;
  }

  private static Stat stat(List<TrialResult> runs, ToDoubleFunction<TrialResult> value) {
    return Stat.of(runs.stream().map(run -> value.applyAsDouble(run)).toList());
  }

  private static double mean(List<TrialResult> runs, ToDoubleFunction<TrialResult> value) {
    return runs.stream().mapToDouble(value).average().orElse(Double.NaN);
  }
}
