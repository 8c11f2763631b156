package dev.kiln.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.TensorFlow;

/**
 * The benchmark: every workload on Kiln and on the same network written by hand in TensorFlow
 * Java, each measurement in fresh JVMs, and writes {@code results.md}, {@code results.json} and
 * every child's log under the output directory.
 *
 * <p>For W1 to W3, two kinds of child JVM: {@link Trial}s, one side each (Kiln and hand-written
 * runs interleaved), give start-up time and peak memory, which need a process of their own; and
 * {@link Alternation}s, which time both sides (and Kiln without step logging) in alternating
 * blocks of the same steps in one JVM, give examples per second, seconds per epoch, the ratio and
 * the logging cost, which a machine whose load moves would blur across processes. W4 runs the
 * moons sample's main and its hand-written counterpart end to end ({@link EndToEnd}).
 *
 * <pre>
 * usage: Bench [-w W1,W2,W3,W4] [-r RUNS] [--rounds N] [-t default,xla,intra1/inter1,...] [--soak STEPS] [--peers] [--jvm "ARGS"] [--out DIR]
 *   -w        workloads (default: all)
 *   -r        JVMs per workload, side and tuning, for trials and alternations (default 3, at least 3)
 *   --rounds  alternating rounds per alternation JVM (default 5)
 *   -t        session tunings for W1-W3: default, or xla, grappler and intraN/interM joined by + (default: default)
 *   --soak    also train W1 for STEPS steps, sampling resident memory and live native objects per epoch
 *   --peers   also run the Python peers (Keras, PyTorch; see {@link Peers}) of each workload in every run
 *   --jvm     extra options for every child JVM, e.g. "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"
 *   --out     where results and logs go (default: target/bench)
 * </pre>
 */
public final class Bench {
  private static final String USAGE =
      "usage: Bench [-w W1,W2,W3,W4] [-r RUNS] [--rounds N] [-t default,xla,intra1/inter1,...] [--soak STEPS] [--peers] [--jvm \"ARGS\"] [--out DIR]";

  private Bench() {}

  /** The medians over the trials (separate JVMs) of one workload, side and tuning. */
  record Summary(String side, int runs, double startupSeconds, double peakResidentMiB, Double examplesPerSecond, double measuredSeconds, double loadMin, double loadMax) {
    static Summary of(String side, List<TrialResult> trials) {
      return new Summary(
          side, trials.size(), median(trials, TrialResult::startupSeconds), median(trials, TrialResult::peakResidentMiB),
          trials.stream().allMatch(t -> t.examplesPerSecond() != null) ? median(trials, TrialResult::examplesPerSecond) : null,
          median(trials, TrialResult::measuredSeconds), trials.stream().mapToDouble(TrialResult::loadAverage).min().orElseThrow(),
          trials.stream().mapToDouble(TrialResult::loadAverage).max().orElseThrow());
    }
  }

  /**
   * The medians over every alternating round (of every alternation JVM) of one workload and tuning.
   *
   * @param ratio Kiln's speed over the hand-written one's, the median of the rounds' ratios
   * @param ratioQuartiles the first and third quartiles of the rounds' ratios: how much one round's
   *     ratio moves on this machine
   * @param loggingCost the fraction of Kiln's time that step logging at the default interval
   *     costs, the median of the rounds' {@code 1 - quiet / logging}
   */
  record Comparison(
      int rounds, double kilnExamplesPerSecond, double handExamplesPerSecond, double kilnEpochSeconds, double handEpochSeconds,
      boolean epochExtrapolated, double ratio, Quartiles ratioQuartiles, double loggingCost, double loadMin, double loadMax) {
    static Comparison of(List<Alternation.AlternationResult> alternations) {
      List<Alternation.Round> rounds = alternations.stream().flatMap(a -> a.rounds().stream()).toList();
      Alternation.AlternationResult first = alternations.get(0);
      double examples = first.blockExamples();
      double epochsPerBlock = (double) first.blockSteps() / first.stepsPerEpoch();
      double kiln = medianOf(rounds, Alternation.Round::kilnSeconds);
      double hand = medianOf(rounds, Alternation.Round::handSeconds);
      ToDoubleFunction<Alternation.Round> ratio = r -> r.handSeconds() / r.kilnSeconds();
      return new Comparison(
          rounds.size(), examples / kiln, examples / hand, kiln / epochsPerBlock, hand / epochsPerBlock, first.blockSteps() % first.stepsPerEpoch() != 0,
          medianOf(rounds, ratio), quartilesOf(rounds, ratio),
          medianOf(rounds, r -> 1 - r.kilnQuietSeconds() / r.kilnSeconds()),
          alternations.stream().mapToDouble(Alternation.AlternationResult::loadAverage).min().orElseThrow(),
          alternations.stream().mapToDouble(Alternation.AlternationResult::loadAverage).max().orElseThrow());
    }
  }

  /**
   * One row of the table.
   *
   * @param comparison the alternations' figures (W1-W3); null for W4
   * @param ratio Kiln's speed over the hand-written one's: from the alternations (W1-W3) or the
   *     inverse of the end-to-end times' medians (W4)
   */
  record Row(Workload workload, String tuning, Summary kiln, Summary hand, Comparison comparison, double ratio, List<PeerSummary> peers) {
    /** The fastest peer (the one Kiln's ratio is lowest against), if any ran. */
    Optional<PeerSummary> bestPeer() {
      return peers.stream().min(Comparator.comparingDouble(PeerSummary::ratio));
    }
  }

  /**
   * One Python peer of a workload over the runs: medians, and Kiln's speed over the peer's (for W4,
   * the peer's time over Kiln's), the median of the runs' ratios with their quartiles, each run's
   * Kiln figure from the same run (W1–W3: its alternation; W4: its end-to-end trial).
   */
  record PeerSummary(
      String peer, String framework, int runs, Double examplesPerSecond, Double msPerStep, Double seconds, double startupSeconds,
      double peakResidentMiB, double ratio, Quartiles ratioQuartiles, double loadMin, double loadMax) {
    static PeerSummary of(List<Peers.PeerResult> results, List<Double> kilnByRun, boolean endToEnd) {
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        Peers.PeerResult result = results.get(i);
        ratios.add(endToEnd ? result.seconds() / kilnByRun.get(i) : kilnByRun.get(i) / result.examplesPerSecond());
      }
      Peers.PeerResult first = results.get(0);
      return new PeerSummary(
          first.peer(), first.framework(), results.size(),
          endToEnd ? null : medianOf(results, Peers.PeerResult::examplesPerSecond),
          endToEnd ? null : medianOf(results, Peers.PeerResult::msPerStep),
          endToEnd ? medianOf(results, Peers.PeerResult::seconds) : null,
          medianOf(results, Peers.PeerResult::startupSeconds), medianOf(results, Peers.PeerResult::peakResidentMiB),
          medianOf(ratios, Double::doubleValue), quartilesOf(ratios, Double::doubleValue),
          results.stream().mapToDouble(Peers.PeerResult::loadAverage).min().orElseThrow(),
          results.stream().mapToDouble(Peers.PeerResult::loadAverage).max().orElseThrow());
    }
  }

  /** The median of the calibration runs, and every run. */
  record CeilingSummary(Calibration.Ceiling median, List<Calibration.Ceiling> runs) {}

  record Report(
      String date, String machine, int processors, String command, String java, String tensorflow, double loadBefore, double loadAfter,
      CeilingSummary ceiling, List<Row> rows, List<Soak.SoakResult> soaks, List<TrialResult> trials,
      List<Alternation.AlternationResult> alternations, List<Peers.PeerResult> peers) {}

  /** How a run of the benchmark is set up. */
  private record Options(
      List<Workload> workloads, int runs, int rounds, List<Tuning> tunings, long soakSteps, List<String> jvm, Path out, boolean peers) {}

  public static void main(String[] args) throws IOException {
    Options options = options(args);
    Files.createDirectories(options.out());
    String command = "mvn -B -Pbench -DskipTests verify" + (args.length == 0 ? "" : " -Dbench.args=\"" + String.join(" ", withoutOut(args)) + "\"");
    double loadBefore = ProcessStats.loadAverage();
    System.out.printf(Locale.ROOT, "Kiln benchmark: %s; %d runs each; load %.2f%n", machine(), options.runs(), loadBefore);

    Optional<Peers> peers = options.peers() ? Peers.prepare(options.out()) : Optional.empty();
    CeilingSummary ceiling = ceiling(options);
    System.out.printf(Locale.ROOT, "Ceiling: TensorFlow does W1's matrix products alone at %,.0f examples/s (%.0f GFLOPS)%n",
        ceiling.median().examplesPerSecond(), ceiling.median().gflops());
    List<Row> rows = new ArrayList<>();
    List<TrialResult> trials = new ArrayList<>();
    List<Alternation.AlternationResult> alternations = new ArrayList<>();
    List<Peers.PeerResult> peerResults = new ArrayList<>();
    for (Workload workload : options.workloads()) {
      System.out.printf("%s: %s%n", workload, workload.description());
      List<Tuning> tunings = tunings(workload, options);
      for (Tuning tuning : tunings) {
        // The peers have no tunings: they run beside Kiln's first.
        List<Peers.Peer> workloadPeers = peers.isPresent() && tuning.equals(tunings.get(0)) ? Peers.of(workload) : List.of();
        Map<String, List<Peers.PeerResult>> byPeer = new LinkedHashMap<>();
        Map<String, List<TrialResult>> bySide = new LinkedHashMap<>();
        List<Alternation.AlternationResult> alternated = new ArrayList<>();
        for (int run = 1; run <= options.runs(); run++) {
          for (String side : List.of("kiln", "hand")) {
            TrialResult result = workload == Workload.W4 ? endToEnd(side, run, options) : trial(workload, side, tuning, run, options);
            System.out.printf(Locale.ROOT, "  run %d %-5s %-8s %s%n", run, side, tuning.label(), brief(result));
            bySide.computeIfAbsent(side, s -> new ArrayList<>()).add(result);
            trials.add(result);
          }
          if (workload != Workload.W4) {
            Alternation.AlternationResult result = alternation(workload, tuning, run, options);
            System.out.printf(Locale.ROOT, "  run %d alternation %-8s %s%n", run, tuning.label(), brief(result));
            alternated.add(result);
            alternations.add(result);
          }
          for (Peers.Peer peer : workloadPeers) {
            Path log = options.out().resolve("logs").resolve(workload + "-peer-" + peer.name() + "-" + run + ".log");
            Peers.PeerResult result = peers.orElseThrow().run(peer, log);
            System.out.printf(Locale.ROOT, "  run %d peer %-17s %s%n", run, peer.name(), Peers.describe(result));
            byPeer.computeIfAbsent(peer.name(), name -> new ArrayList<>()).add(result);
            peerResults.add(result);
          }
        }
        rows.add(row(workload, tuning, bySide, alternated, byPeer));
      }
    }
    List<Soak.SoakResult> soaks = new ArrayList<>();
    if (options.soakSteps() > 0) {
      for (String side : List.of("kiln", "hand")) {
        Path log = options.out().resolve("logs").resolve("soak-" + side + ".log");
        Child.Outcome outcome = Child.run(Soak.class.getName(), options.jvm(), List.of(side, Long.toString(options.soakSteps())), log);
        Soak.SoakResult soak = new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), Soak.SoakResult.class);
        System.out.printf(Locale.ROOT, "  soak %s: %s%n", side, soakSummary(soak));
        soaks.add(soak);
      }
    }
    Report report =
        new Report(
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), machine(), Runtime.getRuntime().availableProcessors(), command,
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), TensorFlow.version(), loadBefore,
            ProcessStats.loadAverage(), ceiling, rows, soaks, trials, alternations, peerResults);
    String table = ReportFormat.markdown(report);
    System.out.println();
    System.out.println(table);
    Files.writeString(options.out().resolve("results.md"), table);
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    Files.writeString(options.out().resolve("results.json"), gson.toJson(report));
    System.out.println("Written: " + options.out().resolve("results.md") + ", " + options.out().resolve("results.json") + "; child logs in "
        + options.out().resolve("logs"));
  }

  private static Options options(String[] args) {
    List<Workload> workloads = List.of(Workload.values());
    int runs = 3;
    int rounds = 5;
    List<Tuning> tunings = List.of(Tuning.DEFAULT);
    long soakSteps = 0;
    List<String> jvm = List.of();
    Path out = Path.of("target", "bench");
    boolean peers = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--peers")) {
        peers = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + option + "; " + USAGE);
      }
      String value = args[++i];
      switch (option) {
        case "-w" -> workloads = Arrays.stream(value.split(",")).map(w -> Workload.valueOf(w.trim().toUpperCase(Locale.ROOT))).toList();
        case "-r" -> runs = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "-t" -> tunings = Arrays.stream(value.split(",")).map(Bench::tuning).toList();
        case "--soak" -> soakSteps = Long.parseLong(value);
        case "--jvm" -> jvm = Arrays.stream(value.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList();
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + option + "; " + USAGE);
      }
    }
    if (runs < 3) {
      throw new IllegalArgumentException("-r " + runs + ": the median needs at least 3 runs");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds " + rounds + ": an alternation needs at least one round");
    }
    return new Options(workloads, runs, rounds, tunings, soakSteps, jvm, out, peers);
  }

  /** {@link Calibration} in fresh JVMs; the run with the median speed stands for them. */
  private static CeilingSummary ceiling(Options options) {
    List<Calibration.Ceiling> all = new ArrayList<>();
    for (int run = 1; run <= options.runs(); run++) {
      Path log = options.out().resolve("logs").resolve("calibration-" + run + ".log");
      Child.Outcome outcome = Child.run(Calibration.class.getName(), options.jvm(), List.of(), log);
      all.add(new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), Calibration.Ceiling.class));
    }
    List<Calibration.Ceiling> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingDouble(Calibration.Ceiling::examplesPerSecond));
    return new CeilingSummary(sorted.get(sorted.size() / 2), all);
  }

  private static TrialResult trial(Workload workload, String side, Tuning tuning, int run, Options options) {
    List<String> arguments = new ArrayList<>(List.of(workload.name(), side));
    arguments.addAll(tuning.arguments());
    Path log = options.out().resolve("logs").resolve(workload + "-" + side + "-" + fileLabel(tuning) + "-" + run + ".log");
    Child.Outcome outcome = Child.run(Trial.class.getName(), options.jvm(), arguments, log);
    return new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), TrialResult.class);
  }

  private static Alternation.AlternationResult alternation(Workload workload, Tuning tuning, int run, Options options) {
    List<String> arguments = new ArrayList<>(List.of(workload.name(), Integer.toString(options.rounds())));
    arguments.addAll(tuning.arguments());
    Path log = options.out().resolve("logs").resolve(workload + "-alternation-" + fileLabel(tuning) + "-" + run + ".log");
    Child.Outcome outcome = Child.run(Alternation.class.getName(), options.jvm(), arguments, log);
    return new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), Alternation.AlternationResult.class);
  }

  /** W4: the program's own main in a child; from process start to its last line, and to its line announcing training. */
  private static TrialResult endToEnd(String side, int run, Options options) {
    Path runs = options.out().resolve("w4-runs").resolve(side + "-" + run);
    Path log = options.out().resolve("logs").resolve("W4-" + side + "-" + run + ".log");
    List<String> arguments = side.equals("kiln") ? List.of(side, "--logdir", runs.toString()) : List.of(side);
    Child.Outcome outcome = Child.run(EndToEnd.class.getName(), options.jvm(), arguments, log);
    long peak = Long.parseLong(outcome.after(EndToEnd.MEMORY_PREFIX, log).trim());
    List<Child.Line> program = outcome.lines().stream().filter(line -> !line.text().startsWith(EndToEnd.MEMORY_PREFIX)).toList();
    double last = program.get(program.size() - 1).seconds();
    double training =
        program.stream().filter(line -> line.text().startsWith("Training")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no 'Training' line in " + log)).seconds();
    return new TrialResult(Workload.W4, side, Tuning.DEFAULT.label(), 0, last, null, null, false, training, peak / (1024.0 * 1024.0), ProcessStats.loadAverage());
  }

  private static Row row(
      Workload workload, Tuning tuning, Map<String, List<TrialResult>> bySide, List<Alternation.AlternationResult> alternated,
      Map<String, List<Peers.PeerResult>> byPeer) {
    Summary kiln = Summary.of("kiln", bySide.get("kiln"));
    Summary hand = Summary.of("hand", bySide.get("hand"));
    boolean endToEnd = workload == Workload.W4;
    List<Double> kilnByRun =
        endToEnd
            ? bySide.get("kiln").stream().map(TrialResult::measuredSeconds).toList()
            : alternated.stream().map(a -> Comparison.of(List.of(a)).kilnExamplesPerSecond()).toList();
    List<PeerSummary> peers = byPeer.values().stream().map(results -> PeerSummary.of(results, kilnByRun, endToEnd)).toList();
    if (endToEnd) {
      return new Row(workload, tuning.label(), kiln, hand, null, hand.measuredSeconds() / kiln.measuredSeconds(), peers);
    }
    Comparison comparison = Comparison.of(alternated);
    return new Row(workload, tuning.label(), kiln, hand, comparison, comparison.ratio(), peers);
  }

  /** The tunings {@code workload} runs with: W4 runs the sample as it is. */
  private static List<Tuning> tunings(Workload workload, Options options) {
    return workload == Workload.W4 ? List.of(Tuning.DEFAULT) : options.tunings();
  }

  private static final Pattern THREADS = Pattern.compile("intra(\\d+)/inter(\\d+)");

  /** Reads a tuning as {@link Tuning#label()} writes it: {@code default}, or parts joined by {@code +}. */
  static Tuning tuning(String text) {
    boolean xla = false;
    boolean grappler = false;
    int intra = 0;
    int inter = 0;
    for (String part : text.trim().toLowerCase(Locale.ROOT).split("\\+")) {
      Matcher threads = THREADS.matcher(part);
      if (part.equals("xla")) {
        xla = true;
      } else if (part.equals("grappler")) {
        grappler = true;
      } else if (threads.matches()) {
        intra = Integer.parseInt(threads.group(1));
        inter = Integer.parseInt(threads.group(2));
      } else if (!part.equals("default")) {
        throw new IllegalArgumentException(
            "unknown tuning '" + text + "': expected default, or xla, grappler and intraN/interM joined by +, e.g. xla+intra1/inter2");
      }
    }
    return new Tuning(xla, grappler, intra, inter);
  }

  private static String fileLabel(Tuning tuning) {
    return tuning.label().replaceAll("[^A-Za-z0-9]+", "_");
  }

  private static String brief(TrialResult r) {
    String speed =
        r.examplesPerSecond() != null
            ? String.format(Locale.ROOT, "%,.0f examples/s", r.examplesPerSecond())
            : String.format(Locale.ROOT, "%.2f s end to end", r.measuredSeconds());
    return String.format(Locale.ROOT, "%s, start-up %.2f s, peak %.0f MiB, load %.2f", speed, r.startupSeconds(), r.peakResidentMiB(), r.loadAverage());
  }

  private static String brief(Alternation.AlternationResult a) {
    Comparison c = Comparison.of(List.of(a));
    return String.format(Locale.ROOT, "Kiln %,.0f, hand %,.0f examples/s (Kiln/hand %.3f), step logging %.1f%%, load %.2f",
        c.kilnExamplesPerSecond(), c.handExamplesPerSecond(), c.ratio(), 100 * c.loggingCost(), a.loadAverage());
  }

  static String soakSummary(Soak.SoakResult soak) {
    List<Soak.Sample> samples = soak.samples();
    // From the end of the first tenth of the run, when buffers and caches have their working size.
    Soak.Sample early = samples.get(Math.max(1, samples.size() / 10));
    Soak.Sample last = samples.get(samples.size() - 1);
    return String.format(Locale.ROOT, "%d steps: resident %.0f MiB after %d steps, %.0f MiB at the end (%+.1f%%); live native objects %d -> %d",
        soak.steps(), early.residentMiB(), early.steps(), last.residentMiB(), 100 * (last.residentMiB() / early.residentMiB() - 1),
        early.nativeObjects(), last.nativeObjects());
  }

  private static String[] withoutOut(String[] args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        i++;
      } else {
        kept.add(args[i]);
      }
    }
    return kept.toArray(String[]::new);
  }

  static String machine() {
    String model = "unknown CPU";
    try {
      model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/cpuinfo: " + e.getMessage(), e);
    }
    return model + ", " + Runtime.getRuntime().availableProcessors() + " cores";
  }

  private static double median(List<TrialResult> trials, Function<TrialResult, Double> metric) {
    return medianOf(trials.stream().map(metric).map(Objects::requireNonNull).toList(), Double::doubleValue);
  }

  static <T> double medianOf(List<T> items, ToDoubleFunction<T> metric) {
    return median(items.stream().mapToDouble(metric).sorted().toArray());
  }

  /** The first and third quartiles of some figures. */
  record Quartiles(double first, double third) {}

  /** The medians of the lower and the upper half (Tukey's hinges; with an odd count, both halves hold the median). */
  static <T> Quartiles quartilesOf(List<T> items, ToDoubleFunction<T> metric) {
    double[] values = items.stream().mapToDouble(metric).sorted().toArray();
    int half = (values.length + 1) / 2;
    return new Quartiles(median(Arrays.copyOfRange(values, 0, half)), median(Arrays.copyOfRange(values, values.length - half, values.length)));
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
