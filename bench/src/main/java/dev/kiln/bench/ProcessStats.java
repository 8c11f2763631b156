package dev.kiln.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** What Linux reports about this process and the machine: resident memory, start time, load. */
final class ProcessStats {
  private ProcessStats() {}

  /** Peak resident set size (VmHWM) of this process, in bytes. */
  static long peakResidentBytes() {
    return statusKilobytes("VmHWM:") * 1024;
  }

  /** Current resident set size (VmRSS) of this process, in bytes. */
  static long residentBytes() {
    return statusKilobytes("VmRSS:") * 1024;
  }

  /** When this process started, as the kernel recorded it (else when the JVM says it started). */
  static Instant processStart() {
    return ProcessHandle.current().info().startInstant()
        .orElseGet(() -> Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()));
  }

  /** The 1-minute load average. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/loadavg: " + e.getMessage(), e);
    }
  }

  private static long statusKilobytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          // "VmHWM:	  123456 kB"
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/status: " + e.getMessage(), e);
    }
    throw new IllegalStateException("/proc/self/status has no " + field + " line");
  }
}
