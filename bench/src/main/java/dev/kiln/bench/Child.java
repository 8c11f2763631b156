package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM on this JVM's class path: its output lines, each with the time it arrived (seconds
 * after the process was started), kept in memory and in a log file.
 */
final class Child {
  /** A line of the child's output (stdout and stderr merged). */
  record Line(double seconds, String text) {}

  /** What the child printed, and how it ended. */
  record Outcome(List<Line> lines, int exitCode, double seconds) {
    /** The text after {@code prefix} on the first line that starts with it. */
    String after(String prefix, Path log) {
      return lines.stream()
          .filter(line -> line.text().startsWith(prefix))
          .map(line -> line.text().substring(prefix.length()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("the child printed no '" + prefix.trim() + "' line (exit code " + exitCode + "); see " + log));
    }
  }

  private Child() {}

  /**
   * Runs {@code mainClass} with {@code arguments} in a JVM started with {@code jvmOptions}, writing
   * its output to {@code log}; fails if it exits with an error.
   */
  static Outcome run(String mainClass, List<String> jvmOptions, List<String> arguments, Path log) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    String shown = String.join(" ", command.subList(0, 1 + jvmOptions.size())) + " -cp <class path> " + mainClass + " " + String.join(" ", arguments);
    return run(new ProcessBuilder(command), shown, mainClass + " " + arguments, log);
  }

  /**
   * Runs {@code process} (its output merged and read line by line), writing {@code shown} and then
   * the output to {@code log}; fails, naming {@code what}, if it exits with an error.
   */
  static Outcome run(ProcessBuilder process, String shown, String what, Path log) {
    process.redirectErrorStream(true);
    // TensorFlow's native start-up chatter is noise here.
    process.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    List<Line> lines = new ArrayList<>();
    try {
      Files.createDirectories(log.getParent());
      long start = System.nanoTime();
      Process running = process.start();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter writer = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
        writer.println("$ " + shown);
        for (String text = reader.readLine(); text != null; text = reader.readLine()) {
          lines.add(new Line((System.nanoTime() - start) / 1e9, text));
          writer.println(text);
        }
      }
      int exitCode = running.waitFor();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (exitCode != 0) {
        throw new IllegalStateException(what + " exited with code " + exitCode + "; see " + log);
      }
      return new Outcome(List.copyOf(lines), exitCode, seconds);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + what + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what + " ran", e);
    }
  }
}
