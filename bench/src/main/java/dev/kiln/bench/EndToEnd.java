package dev.kiln.bench;

import dev.kiln.samples.moons.MoonsAnnealingMain;
import java.util.Arrays;

/**
 * W4 in a child JVM: runs the moons sample's own {@code main} (or its hand-written counterpart,
 * {@link HandMoons}) unchanged, then prints the process's peak resident memory after the
 * program's last line, for the parent to read.
 *
 * <pre>
 * usage: EndToEnd kiln|hand [arguments of the main]
 * </pre>
 */
public final class EndToEnd {
  /** Marks the line that carries the peak resident memory, in bytes. */
  static final String MEMORY_PREFIX = "BENCH-PEAK-RESIDENT-BYTES ";

  private EndToEnd() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: EndToEnd kiln|hand [arguments of the main]");
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "kiln" -> MoonsAnnealingMain.main(rest);
      case "hand" -> HandMoons.main(rest);
      default -> throw new IllegalArgumentException("unknown side '" + args[0] + "': expected kiln or hand");
    }
    System.out.flush();
    System.out.println(MEMORY_PREFIX + ProcessStats.peakResidentBytes());
  }
}
