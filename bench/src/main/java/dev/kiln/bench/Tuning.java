package dev.kiln.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Session settings a trial runs with: XLA JIT compilation on or off, Grappler on or off (Kiln's
 * CPU default: off), and TensorFlow's thread pools (0: TensorFlow chooses, one thread per core).
 */
record Tuning(boolean xla, boolean grappler, int intraOpThreads, int interOpThreads) {
  static final Tuning DEFAULT = new Tuning(false, false, 0, 0);

  Tuning {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0 (0: TensorFlow's choice), got intra " + intraOpThreads + ", inter " + interOpThreads);
    }
  }

  /** Reads the options {@link #arguments()} writes: {@code --xla}, {@code --grappler}, {@code --intra N}, {@code --inter N}. */
  static Tuning parse(List<String> options) {
    boolean xla = false;
    boolean grappler = false;
    int intra = 0;
    int inter = 0;
    for (int i = 0; i < options.size(); i++) {
      switch (options.get(i)) {
        case "--xla" -> xla = true;
        case "--grappler" -> grappler = true;
        case "--intra" -> intra = Integer.parseInt(options.get(++i));
        case "--inter" -> inter = Integer.parseInt(options.get(++i));
        default -> throw new IllegalArgumentException("unknown tuning option " + options.get(i) + "; expected --xla, --grappler, --intra N or --inter N");
      }
    }
    return new Tuning(xla, grappler, intra, inter);
  }

  /** The command-line options that give this tuning to a trial. */
  List<String> arguments() {
    List<String> arguments = new ArrayList<>();
    if (xla) {
      arguments.add("--xla");
    }
    if (grappler) {
      arguments.add("--grappler");
    }
    arguments.add("--intra");
    arguments.add(Integer.toString(intraOpThreads));
    arguments.add("--inter");
    arguments.add(Integer.toString(interOpThreads));
    return arguments;
  }

  /** A short label for tables: {@code default}, {@code xla}, {@code grappler}, {@code xla+intra2/inter1}, ... */
  String label() {
    List<String> parts = new ArrayList<>();
    if (xla) {
      parts.add("xla");
    }
    if (grappler) {
      parts.add("grappler");
    }
    if (intraOpThreads != 0 || interOpThreads != 0) {
      parts.add("intra" + intraOpThreads + "/inter" + interOpThreads);
    }
    return parts.isEmpty() ? "default" : String.join("+", parts);
  }
}
