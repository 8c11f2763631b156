package dev.kiln.spark;

import dev.kiln.sweep.Sweep;
import dev.kiln.sweep.Trial;
import dev.kiln.sweep.TrialResult;
import dev.kiln.sweep.TrialTask;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A sweep whose trials are Spark tasks: one task per trial, on the executors of {@code master}
 * ({@code local[N]} runs them in this JVM on N threads, with nothing installed; a cluster is
 * {@code spark://host:7077}). The driver prepares the log root (the HParams experiment), every
 * task runs its trial with {@link Sweep#runTrial} into {@code <log root>/<trial>/}, and the driver
 * collects the results in the trials' order. Every worker must see the log root at the same path
 * (a shared file system).
 *
 * <p>A task that fails is retried by Spark ({@code spark.task.maxFailures}, 4 by default; in
 * local mode the {@code local[N,F]} master sets it), and its trial resumes from its last
 * checkpoint; a finished trial is not run again, by a retry or by a restarted driver, so each
 * trial's result is written once. Speculative execution is off: two copies of a trial would write
 * one directory.
 */
public final class SparkSweep {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  /**
   * What Spark needs opened on Java 17, as its own launcher passes it: given to the executors a
   * standalone worker starts, unless {@code spark.executor.extraJavaOptions} is set.
   */
  public static final String JAVA_OPTIONS = String.join(" ",
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false");

  /** Makes the task that runs a trial, in the executor: a trial task holds data sets and models, which do not travel. */
  @FunctionalInterface
  public interface Tasks extends Serializable {
    TrialTask create() throws IOException;
  }

  private final Sweep sweep;
  private final String master;

  /**
   * @param sweep the log root (one every worker sees), the HParams columns and metrics
   * @param master Spark's master URL: {@code local[2]}, {@code local[2,4]} (4 attempts a task), {@code spark://host:7077}
   */
  public SparkSweep(Sweep sweep, String master) {
    this.sweep = Objects.requireNonNull(sweep, "sweep");
    this.master = Objects.requireNonNull(master, "master");
  }

  /**
   * Runs every trial not finished earlier as a Spark task and returns all their results (earlier
   * ones loaded from disk), in the order of {@code trials}.
   *
   * @throws IllegalStateException naming the trial if one failed every attempt Spark gave it (the
   *     other trials' results are on disk, and the next run skips them)
   */
  public List<TrialResult> run(List<Trial> trials, Tasks tasks) throws IOException {
    requireReachable(master);
    sweep.prepare();
    SparkConf conf = new SparkConf().setMaster(master).setAppName("kiln-sweep " + sweep.logRoot().getFileName())
        .set("spark.speculation", "false")
        .set("spark.ui.enabled", "false");
    if (master.startsWith("spark://")) {
      // A standalone worker starts executors from its own installation: unless told otherwise, they
      // get this program's classpath (the same files on a machine, or a shared file system) and
      // the options Java 17 needs.
      conf.setIfMissing("spark.executor.extraClassPath", absoluteClassPath());
      conf.setIfMissing("spark.executor.extraJavaOptions", JAVA_OPTIONS);
    }
    String logRoot = sweep.logRoot().toAbsolutePath().toString();
    List<Indexed> indexed = new ArrayList<>();
    for (int i = 0; i < trials.size(); i++) {
      indexed.add(new Indexed(i, trials.get(i), Sweep.label(i, trials)));
    }
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      return spark.parallelize(indexed, Math.max(1, indexed.size()))
          .map(trial -> Sweep.runTrial(Path.of(logRoot), trial.trial(), tasks.create(), trial.label(), System.out))
          .collect();
    } catch (Exception e) {
      // Spark, written in Scala, throws its checked SparkException from collect() undeclared.
      SparkException failed = sparkFailure(e);
      if (failed != null) {
        throw new IllegalStateException("the sweep in " + logRoot + " failed: " + failed.getMessage()
            + " (finished trials keep their results; running the sweep again skips them)", e);
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e);
    }
  }

  /**
   * Fails at once, naming the master, if a standalone master's port does not answer: Spark's own
   * client would retry for a minute and then report that "all masters are unresponsive".
   */
  static void requireReachable(String master) {
    if (!master.startsWith("spark://")) {
      return;
    }
    String[] addresses = master.substring("spark://".length()).split(",");
    for (int i = 0; i < addresses.length; i++) {
      String address = addresses[i];
      int colon = address.lastIndexOf(':');
      String host = colon < 0 ? address : address.substring(0, colon);
      int port = colon < 0 ? 7077 : Integer.parseInt(address.substring(colon + 1));
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
        return; // one master of a high-availability list answering is enough
      } catch (IOException e) {
        if (i == addresses.length - 1) {
          throw new IllegalArgumentException(
              "cannot reach the Spark master " + master + " (" + e.getMessage() + "): is it running, and is " + host + ":" + port
                  + " reachable from here? For Spark in this JVM, use local[N]", e);
        }
      }
    }
  }

  /** This JVM's classpath with every entry absolute: an executor runs in its worker's directory. */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** A trial with its place in the sweep, for the lines it prints. */
  private record Indexed(int index, Trial trial, String label) implements Serializable {}

  private static SparkException sparkFailure(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkException spark) {
        return spark;
      }
    }
    return null;
  }
}
