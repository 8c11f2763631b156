package dev.kiln.samples.width;

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
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The experiment's table and plots: for each method, start width and penalty, the mean ± standard
 * deviation over seeds of the learned width and of the test accuracy of the trained, the pruned
 * and the from-scratch network, with sizes and prediction speeds.
 */
final class Report {
  /** The files written. */
  record Written(Path markdown, Path csv, List<Path> plots) {}

  private final List<Run> runs;
  private final int epochs;
  private final int trainSize;
  private final int batchSize;
  private final boolean fashion;
  private final Map<String, List<Run>> byGroup = new LinkedHashMap<>();

  Report(List<Run> runs, int epochs, int trainSize, int batchSize, boolean fashion) {
    this.runs = List.copyOf(runs);
    this.epochs = epochs;
    this.trainSize = trainSize;
    this.batchSize = batchSize;
    this.fashion = fashion;
    runs.forEach(run -> byGroup.computeIfAbsent(run.group(), group -> new ArrayList<>()).add(run));
  }

  /** A mean and a (sample) standard deviation, 0 for one value. */
  record Stat(double mean, double std) {
    static Stat of(List<Run> runs, ToDoubleFunction<Run> value) {
      double mean = runs.stream().mapToDouble(value).average().orElse(Double.NaN);
      double squares = runs.stream().mapToDouble(run -> Math.pow(value.applyAsDouble(run) - mean, 2)).sum();
      return new Stat(mean, runs.size() > 1 ? Math.sqrt(squares / (runs.size() - 1)) : 0);
    }

    String format(String pattern) {
      return String.format(Locale.ROOT, pattern, mean) + " ± " + String.format(Locale.ROOT, pattern, std);
    }
  }

  String markdown() {
    StringBuilder text = new StringBuilder();
    long seeds = runs.stream().mapToLong(Run::seed).distinct().count();
    text.append(String.format(Locale.ROOT,
        "Learned width on %s: one hidden ReLU layer, %d epochs of %,d training images, Adam 1e-3, batches of %d; "
            + "mean ± std over %d seed%s; test accuracy on the 10,000 test images.%n%n",
        fashion ? "Fashion-MNIST" : "MNIST", epochs, trainSize, batchSize, seeds, seeds == 1 ? "" : "s"));
    text.append("| method | start | penalty | learned width | accuracy, trained | accuracy, pruned | accuracy, learned width from scratch "
        + "| parameters before → after | predictions/s trained → pruned |\n");
    text.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (List<Run> group : byGroup.values()) {
      Run first = group.get(0);
      text.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %,.0f → %,.0f | %,.0f → %,.0f |%n",
          first.method(), first.start(), first.penalty(), Stat.of(group, Run::learnedWidth).format("%.1f"),
          Stat.of(group, Run::gatedAccuracy).format("%.4f"), Stat.of(group, Run::prunedAccuracy).format("%.4f"),
          Stat.of(group, Run::scratchAccuracy).format("%.4f"), Stat.of(group, Run::parametersBefore).mean(),
          Stat.of(group, Run::parametersAfter).mean(), Stat.of(group, Run::gatedPredictionsPerSecond).mean(),
          Stat.of(group, Run::prunedPredictionsPerSecond).mean()));
    }
    return text.toString();
  }

  Written write(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path markdown = directory.resolve("results.md");
    Files.writeString(markdown, markdown());
    Path csv = directory.resolve("results.csv");
    List<String> lines = new ArrayList<>(List.of(Run.csvHeader()));
    runs.forEach(run -> lines.add(run.csv()));
    Files.write(csv, lines);
    List<Path> plots = List.of(
        plot(directory, "width-by-penalty", "Learned width against the penalty (mean over seeds)", "penalty", "learned width (units)",
            Run::penalty, Run::learnedWidth),
        plot(directory, "accuracy-by-width", "Test accuracy of the trained network against its learned width", "learned width (units)",
            "test accuracy", Run::learnedWidth, Run::gatedAccuracy));
    return new Written(markdown, csv, plots);
  }

  /** One line per method and start width, a point per penalty: the means of {@code x} and {@code y} over seeds. */
  private Path plot(Path directory, String name, String title, String xTitle, String yTitle, ToDoubleFunction<Run> x,
      ToDoubleFunction<Run> y) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setMarkerSize(7);
    Map<String, List<List<Run>>> lines = new LinkedHashMap<>();
    for (List<Run> group : byGroup.values()) {
      lines.computeIfAbsent(group.get(0).method() + " from " + group.get(0).start(), line -> new ArrayList<>()).add(group);
    }
    for (Map.Entry<String, List<List<Run>>> line : lines.entrySet()) {
      double[] xs = line.getValue().stream().mapToDouble(group -> Stat.of(group, x).mean()).toArray();
      double[] ys = line.getValue().stream().mapToDouble(group -> Stat.of(group, y).mean()).toArray();
      XYSeries series = chart.addSeries(line.getKey(), xs, ys);
      series.setMarker(SeriesMarkers.CIRCLE);
    }
    Path file = directory.resolve(name + ".png");
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    return file;
  }
}
