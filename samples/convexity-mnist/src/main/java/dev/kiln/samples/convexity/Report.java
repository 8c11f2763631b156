package dev.kiln.samples.convexity;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The comparison of the variants: per variant, final test accuracy, F1 and loss as mean ± standard
 * deviation over seeds and the time to reach 97 % and 98 % validation accuracy (a table in Markdown
 * and CSV); and plots of validation accuracy and θ against epoch and against wall time, one line
 * per variant (the mean over its seeds).
 */
public final class Report {
  /** The validation accuracies whose time to reach the table shows. */
  public static final double[] TARGETS = {0.97, 0.98};

  static {
    // Plots are drawn off screen: no display is needed, or wanted, on a training machine.
    System.setProperty("java.awt.headless", "true");
  }

  /** Mean and sample standard deviation over runs; the deviation is NaN for a single run. */
  public record Stat(double mean, double std) {
    static Stat of(List<Double> values) {
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      if (values.size() < 2) {
        return new Stat(mean, Double.NaN);
      }
      double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
      return new Stat(mean, Math.sqrt(squares / (values.size() - 1)));
    }

    String format() {
      return Double.isNaN(std)
          ? String.format(Locale.ROOT, "%.4f", mean)
          : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
  }

  /**
   * When runs first reached a validation accuracy: at the end of which epoch, after how many
   * seconds (means over the runs that reached it).
   */
  public record Reach(double target, int reached, int runs, double meanSeconds, double meanEpoch) {
    static Reach of(double target, List<RunResult> runs) {
      List<EpochRecord> first = new ArrayList<>();
      for (RunResult run : runs) {
        run.history().stream().filter(e -> e.validationAccuracy() >= target).findFirst().ifPresent(first::add);
      }
      return new Reach(
          target, first.size(), runs.size(),
          first.stream().mapToDouble(EpochRecord::seconds).average().orElse(Double.NaN),
          first.stream().mapToDouble(EpochRecord::epoch).average().orElse(Double.NaN));
    }

    String format() {
      if (reached == 0) {
        return "not reached";
      }
      String time = String.format(Locale.ROOT, "%.1f s (epoch %.1f)", meanSeconds, meanEpoch);
      return reached == runs ? time : time + String.format(Locale.ROOT, ", %d of %d runs", reached, runs);
    }
  }

  /** One variant's line of the table. */
  public record Row(String variant, int runs, Stat testAccuracy, Stat testF1, Stat testLoss, List<Reach> reaches) {}

  /** The files {@link #write} wrote. */
  public record Written(Path markdown, Path csv, List<Path> plots) {}

  private final Map<String, List<RunResult>> byVariant;
  private final List<Row> rows;

  private Report(Map<String, List<RunResult>> byVariant) {
    this.byVariant = byVariant;
    List<Row> table = new ArrayList<>();
    byVariant.forEach((variant, runs) -> {
      List<Reach> reaches = new ArrayList<>();
      for (double target : TARGETS) {
        reaches.add(Reach.of(target, runs));
      }
      table.add(new Row(variant, runs.size(), stat(runs, r -> r.test().accuracy()), stat(runs, r -> r.test().f1()),
          stat(runs, r -> r.test().loss()), List.copyOf(reaches)));
    });
    this.rows = List.copyOf(table);
  }

  /** The report of {@code results}, variants in the order they first appear. */
  public static Report of(List<RunResult> results) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no finished runs to report on");
    }
    Map<String, List<RunResult>> byVariant = new LinkedHashMap<>();
    for (RunResult result : results) {
      byVariant.computeIfAbsent(result.variant(), v -> new ArrayList<>()).add(result);
    }
    return new Report(byVariant);
  }

  public List<Row> rows() {
    return rows;
  }

  /** The table in Markdown. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| variant | runs | test accuracy | test F1 (macro) | test loss |");
    for (double target : TARGETS) {
      md.append(String.format(Locale.ROOT, " time to %.0f %% val. accuracy |", target * 100));
    }
    md.append("\n|---|---:|---:|---:|---:|");
    md.append("---|".repeat(TARGETS.length)).append('\n');
    for (Row row : rows) {
      md.append("| ").append(row.variant()).append(" | ").append(row.runs()).append(" | ").append(row.testAccuracy().format())
          .append(" | ").append(row.testF1().format()).append(" | ").append(row.testLoss().format()).append(" |");
      for (Reach reach : row.reaches()) {
        md.append(' ').append(reach.format()).append(" |");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** The table as CSV: one number per cell, empty where there is none (a single run's deviation, a target not reached). */
  public String csv() {
    StringBuilder csv = new StringBuilder("variant,runs,test_accuracy_mean,test_accuracy_std,test_f1_mean,test_f1_std,test_loss_mean,test_loss_std");
    for (double target : TARGETS) {
      String name = String.format(Locale.ROOT, "%.0f", target * 100);
      csv.append(",reached_").append(name).append(",seconds_to_").append(name).append(",epoch_to_").append(name);
    }
    csv.append('\n');
    for (Row row : rows) {
      csv.append(row.variant()).append(',').append(row.runs());
      for (Stat stat : List.of(row.testAccuracy(), row.testF1(), row.testLoss())) {
        csv.append(',').append(RunStore.number(stat.mean())).append(',').append(RunStore.number(stat.std()));
      }
      for (Reach reach : row.reaches()) {
        csv.append(',').append(reach.reached()).append(',').append(RunStore.number(reach.meanSeconds()))
            .append(',').append(RunStore.number(reach.meanEpoch()));
      }
      csv.append('\n');
    }
    return csv.toString();
  }

  /**
   * Writes {@code report.md}, {@code report.csv} and the four plots into {@code directory}:
   * {@code validation-accuracy-by-epoch.png}, {@code validation-accuracy-by-time.png},
   * {@code theta-by-epoch.png}, {@code theta-by-time.png}.
   */
  public Written write(Path directory) throws IOException {
    return write(directory, "");
  }

  /** {@link #write(Path)}, with {@code caption} (what was run) between the heading and the table of {@code report.md}. */
  public Written write(Path directory, String caption) throws IOException {
    Files.createDirectories(directory);
    Path markdown = directory.resolve("report.md");
    RunStore.writeAtomically(markdown, "# Convexity annealing on MNIST\n\n" + (caption.isEmpty() ? "" : caption + "\n\n") + markdown());
    Path csv = directory.resolve("report.csv");
    RunStore.writeAtomically(csv, csv());
    List<Path> plots = List.of(
        plot(directory, "validation-accuracy-by-epoch", "Validation accuracy", "epoch", "validation accuracy", false, EpochRecord::validationAccuracy),
        plot(directory, "validation-accuracy-by-time", "Validation accuracy", "wall time (s)", "validation accuracy", true, EpochRecord::validationAccuracy),
        plot(directory, "theta-by-epoch", "θ after each epoch (per-channel θ: its mean)", "epoch", "θ (rad)", false, EpochRecord::theta),
        plot(directory, "theta-by-time", "θ after each epoch (per-channel θ: its mean)", "wall time (s)", "θ (rad)", true, EpochRecord::theta));
    return new Written(markdown, csv, plots);
  }

  /** One line per variant: the mean over its runs of {@code y} (and of the wall time, on a time axis) at each epoch all of them reached. */
  private Path plot(Path directory, String name, String title, String xTitle, String yTitle, boolean againstTime,
      ToDoubleFunction<EpochRecord> y) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setMarkerSize(6);
    for (Map.Entry<String, List<RunResult>> variant : byVariant.entrySet()) {
      List<RunResult> runs = variant.getValue();
      int epochs = runs.stream().mapToInt(r -> r.history().size()).min().orElseThrow();
      double[] xs = new double[epochs];
      double[] ys = new double[epochs];
      for (int e = 0; e < epochs; e++) {
        int epoch = e;
        xs[e] = againstTime ? mean(runs, r -> r.history().get(epoch).seconds()) : runs.get(0).history().get(epoch).epoch();
        ys[e] = mean(runs, r -> y.applyAsDouble(r.history().get(epoch)));
      }
      chart.addSeries(variant.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
    Path file = directory.resolve(name + ".png");
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    return file;
  }

  private static Stat stat(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
    return Stat.of(runs.stream().map(run -> value.applyAsDouble(run)).toList());
  }

  private static double mean(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
    return runs.stream().mapToDouble(value).average().orElse(Double.NaN);
  }
}
