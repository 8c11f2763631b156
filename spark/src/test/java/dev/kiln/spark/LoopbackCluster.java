package dev.kiln.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A standalone Spark cluster on loopback for tests and benchmarks: a master and workers of one
 * core, each a child JVM started from this classpath (Spark's own Master and Worker classes), an
 * empty Spark installation (the executors take their classes from the driver's classpath), logs
 * in {@code directory}. Closing it kills every process it started and their children.
 */
final class LoopbackCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final String master;

  LoopbackCluster(Path directory, int workers) throws IOException, InterruptedException {
    Path sparkHome = Files.createDirectories(directory.resolve("spark-home").resolve("jars")).getParent();
    int port = freePort();
    master = "spark://127.0.0.1:" + port;
    try {
      start(directory, sparkHome, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
          Integer.toString(port), "--webui-port", Integer.toString(freePort()));
      awaitPort(port, Duration.ofSeconds(60));
      for (int worker = 1; worker <= workers; worker++) {
        Path work = Files.createDirectories(directory.resolve("worker" + worker));
        start(directory, sparkHome, "worker" + worker, "org.apache.spark.deploy.worker.Worker", master, "--host", "127.0.0.1",
            "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString());
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The master's URL, {@code spark://127.0.0.1:<port>}. */
  String master() {
    return master;
  }

  @Override
  public void close() {
    processes.forEach(process -> process.descendants().forEach(ProcessHandle::destroyForcibly));
    processes.forEach(Process::destroyForcibly);
  }

  private void start(Path directory, Path sparkHome, String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    command.addAll(List.of(SparkSweep.JAVA_OPTIONS.split(" ")));
    command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(directory.resolve(name + ".log").toFile());
    // A worker builds its executors' command from a Spark installation: here an empty one.
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    processes.add(builder.start());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the Spark master did not listen on port " + port + " within " + timeout);
  }
}
