package dev.kiln.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code main} class of the test classpath run in a JVM of its own, with its standard output and
 * error read line by line as it runs, so that a test can wait for a line and then signal or kill
 * it.
 */
final class ChildJvm implements AutoCloseable {
  /** Only a guard against a child that hangs; no test depends on how long a child takes. */
  private static final long EXIT_GUARD_MINUTES = 3;
  private static final String END = new String("<end of output>");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final CountDownLatch outputEnded = new CountDownLatch(1);

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code java <jvmOptions> -cp <this test classpath> <main> <args>}, prefixed by
   * {@code shell} if it is not empty (for example {@code ulimit} in {@code bash -c}).
   */
  static ChildJvm start(List<String> shell, List<String> jvmOptions, Class<?> main, String... args) {
    List<String> command = new ArrayList<>(shell);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    try {
      return new ChildJvm(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  static ChildJvm start(Class<?> main, String... args) {
    return start(List.of(), List.of(), main, args);
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (lines) {
          lines.add(line);
        }
        pending.add(line);
      }
    } catch (IOException e) {
      synchronized (lines) {
        lines.add("<reading the output failed: " + e + ">");
      }
    } finally {
      pending.add(END);
      outputEnded.countDown();
    }
  }

  /**
   * Waits for a line that {@code matches}.
   *
   * @throws AssertionError with everything the child printed if it ends its output first
   */
  String awaitLine(Predicate<String> matches) throws InterruptedException {
    while (true) {
      String line = pending.take();
      if (line == END) {
        pending.add(END);
        throw new AssertionError("the child's output ended before the line the test waits for:\n" + output());
      }
      if (matches.test(line)) {
        return line;
      }
    }
  }

  /** Waits for the child to exit and returns its status. */
  int exitCode() throws InterruptedException {
    if (!process.waitFor(EXIT_GUARD_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the child ran for more than " + EXIT_GUARD_MINUTES + " minutes:\n" + output());
    }
    // The output is complete once the reader has seen its end.
    outputEnded.await();
    return process.exitValue();
  }

  /**
   * SIGTERM on Linux, through the process handle: {@link Process#destroy} would also close the
   * child's output, which the test still reads.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL on Linux: no shutdown hook runs. */
  void kill() {
    process.destroyForcibly();
  }

  /** Everything the child printed so far, standard output and error interleaved. */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
