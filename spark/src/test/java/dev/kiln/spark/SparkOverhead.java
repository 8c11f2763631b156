package dev.kiln.spark;

import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark, not a test: the same sweep of small trials (two moons, 3 epochs each) in this
 * process, on {@code local[1]} and {@code local[2]}, and on a standalone cluster on loopback with
 * one and with two workers of one core ({@link LoopbackCluster}); prints the wall time and the
 * overhead per trial against the in-process sweep. From {@code spark/}, after
 * {@code mvn -B -o test-compile} and
 * {@code mvn -B -o dependency:build-classpath -Dmdep.outputFile=target/classpath}, run
 * {@code java OPTIONS -cp "target/test-classes:target/classes:$(cat target/classpath)" dev.kiln.spark.SparkOverhead [TRIALS]}
 * with the JVM options the pom's {@code spark.java.options} holds.
 */
public final class SparkOverhead {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private SparkOverhead() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Path root = Files.createTempDirectory("kiln-spark-overhead");
    List<Trial> trials = new ArrayList<>();
    for (int seed = 1; seed <= count; seed++) {
      trials.add(new Trial("moons", seed, Map.of("seed", seed)));
    }
    // Warm TensorFlow up in this JVM once, so that the in-process figure is not its start-up.
    new Sweep(root.resolve("warm-up"), List.of(), List.of(), QUIET).run(trials.subList(0, 1), SparkSweepTest::train);

    double inProcess = time(() -> new Sweep(root.resolve("in-process"), List.of(), List.of(), QUIET).run(trials, SparkSweepTest::train));
    System.out.printf(Locale.ROOT, "%d trials of two moons, 3 epochs each%n%n| where | wall s | s a trial | overhead a trial against in-process |%n|---|---:|---:|---:|%n", count);
    row("in process, one after another", inProcess, inProcess, count);
    for (String master : List.of("local[1]", "local[2]")) {
      double seconds = time(() -> new SparkSweep(new Sweep(root.resolve(master.replaceAll("\\W", "")), List.of(), List.of(), QUIET), master)
          .run(trials, () -> SparkSweepTest::train));
      row("Spark " + master, seconds, inProcess, count);
    }
    for (int workers = 1; workers <= 2; workers++) {
      try (LoopbackCluster cluster = new LoopbackCluster(Files.createDirectories(root.resolve("cluster" + workers)), workers)) {
        Thread.sleep(3000); // the workers register with the master
        int n = workers;
        double seconds = time(() -> new SparkSweep(new Sweep(root.resolve("standalone" + n), List.of(), List.of(), QUIET), cluster.master())
            .run(trials, () -> SparkSweepTest::train));
        row("standalone cluster, " + workers + " worker" + (workers == 1 ? "" : "s") + " of 1 core", seconds, inProcess, count);
      }
    }
  }

  private interface Run {
    void run() throws Exception;
  }

  private static double time(Run run) throws Exception {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static void row(String where, double seconds, double inProcess, int count) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %+.2f s |%n", where, seconds, seconds / count, (seconds - inProcess) / count);
  }
}
