package dev.kiln.bench;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark's Python peers ({@code bench/peers}): the same workloads in Keras 3 and PyTorch,
 * each run in a child process of a virtual environment the benchmark makes with pip's configured
 * index ({@code bench/target/peers-venv}, made again when {@code requirements.txt} changes).
 * Each peer prints one {@link #PREFIX} line of JSON, read as a {@link PeerResult}.
 */
final class Peers {
  static final String PREFIX = "BENCH-PEER ";

  /** One peer of a workload: the script and its arguments, under the name it reports. */
  record Peer(String name, String script, List<String> arguments) {}

  /**
   * What a peer measured.
   *
   * @param examplesPerSecond training examples per second (W1–W3)
   * @param msPerStep milliseconds a training step (W1–W3)
   * @param seconds W4: from the process's start to its last line
   * @param startupSeconds from the process's start to the start of the timed training
   */
  record PeerResult(
      String workload, String peer, String framework, String device, Double examplesPerSecond, Double msPerStep, Double seconds,
      Double startupSeconds, double peakResidentMiB, double loadAverage) {
    static PeerResult parse(String json) {
      PeerResult result = new Gson().fromJson(json, PeerResult.class);
      if (result == null || result.workload() == null || result.peer() == null) {
        throw new IllegalArgumentException("not a peer's result: " + json);
      }
      if (result.examplesPerSecond() == null && result.seconds() == null) {
        throw new IllegalArgumentException("a peer's result without examplesPerSecond or seconds: " + json);
      }
      return result;
    }
  }

  private final Path scripts;
  private final Path python;

  private Peers(Path scripts, Path python) {
    this.scripts = scripts;
    this.python = python;
  }

  /** The peers of {@code workload}, in the order they run. */
  static List<Peer> of(Workload workload) {
    return switch (workload) {
      case W1, W2 -> List.of(
          new Peer("keras-fit", "keras_peers.py", List.of(workload.name(), "fit")),
          new Peer("keras-jit", "keras_peers.py", List.of(workload.name(), "jit")),
          new Peer("pytorch-eager", "torch_peers.py", List.of(workload.name())));
      case W3 -> List.of(
          new Peer("pytorch-reference", "torch_peers.py", List.of("W3")),
          new Peer("tf-function-jit", "keras_peers.py", List.of("W3", "jit")));
      case W4 -> List.of(new Peer("keras-fit", "keras_peers.py", List.of("W4", "fit")));
    };
  }

  /**
   * The peers, ready to run: the virtual environment made (or found complete) with the pinned
   * packages. Empty, after one message saying what is missing, when Python or a package cannot be
   * had: the Kiln side of the benchmark runs without them.
   */
  static Optional<Peers> prepare(Path out) {
    Path scripts = Path.of(System.getProperty("bench.peers", "peers")).toAbsolutePath().normalize();
    Path venv = Path.of(System.getProperty("bench.venv", "peers-venv")).toAbsolutePath().normalize();
    Path requirements = scripts.resolve("requirements.txt");
    Path python = venv.resolve("bin").resolve("python");
    Path stamp = venv.resolve("kiln-requirements.sha256");
    Path log = out.resolve("logs").resolve("peers-venv.log");
    try {
      if (!Files.isRegularFile(requirements)) {
        System.out.println("Peers: not run: " + requirements + " is missing (the peers' scripts live in bench/peers).");
        return Optional.empty();
      }
      String wanted = sha256(Files.readAllBytes(requirements));
      if (Files.isExecutable(python) && Files.exists(stamp) && Files.readString(stamp).trim().equals(wanted)) {
        return Optional.of(new Peers(scripts, python));
      }
      System.out.println("Peers: making the virtual environment " + venv + " (TensorFlow, Keras, PyTorch; a few minutes the first time)");
      Child.run(new ProcessBuilder("python3", "-m", "venv", "--clear", venv.toString()), "python3 -m venv --clear " + venv, "python3 -m venv", log);
      Path pipLog = out.resolve("logs").resolve("peers-pip.log");
      // No retries: an index this machine cannot reach fails at once and pip moves on.
      Child.run(
          new ProcessBuilder(python.toString(), "-m", "pip", "install", "--retries", "0", "-r", requirements.toString()),
          python + " -m pip install --retries 0 -r " + requirements, "pip install -r " + requirements, pipLog);
      Files.writeString(stamp, wanted + "\n");
      return Optional.of(new Peers(scripts, python));
    } catch (IllegalStateException | UncheckedIOException e) {
      System.out.println("Peers: not run: " + e.getMessage() + (e.getMessage().contains("python3") ? " (is python3 with its venv module installed?)" : ""));
      return Optional.empty();
    } catch (IOException e) {
      System.out.println("Peers: not run: " + e);
      return Optional.empty();
    }
  }

  /** Runs {@code peer} once in a fresh process, its output in {@code log}. */
  PeerResult run(Peer peer, Path log) {
    List<String> command = new ArrayList<>(List.of(python.toString(), scripts.resolve(peer.script()).toString()));
    command.addAll(peer.arguments());
    ProcessBuilder process = new ProcessBuilder(command).directory(scripts.toFile());
    // Set on these machines for an old OpenBLAS build; a user's Python has neither, and they slow
    // NumPy and PyTorch down.
    process.environment().remove("OPENBLAS_CORETYPE");
    process.environment().remove("OPENBLAS_L2_SIZE");
    Child.Outcome outcome = Child.run(process, String.join(" ", command), peer.name() + " " + peer.arguments(), log);
    return PeerResult.parse(outcome.after(PREFIX, log));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String describe(PeerResult r) {
    String speed =
        r.examplesPerSecond() != null
            ? String.format(Locale.ROOT, "%,.0f examples/s (%.2f ms a step)", r.examplesPerSecond(), r.msPerStep())
            : String.format(Locale.ROOT, "%.2f s end to end", r.seconds());
    return String.format(Locale.ROOT, "%s, start-up %.2f s, peak %.0f MiB, load %.2f; %s", speed, r.startupSeconds(), r.peakResidentMiB(),
        r.loadAverage(), r.framework());
  }
}
