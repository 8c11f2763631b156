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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tensorflow.TensorFlow;

/**
 * The benchmark: every workload on Kiln and on the same network written by hand in TensorFlow
 * Java, each run in a fresh JVM ({@link Trial}, {@link EndToEnd}), {@code runs} times, Kiln and
 * hand-written runs interleaved so that a change in the machine's load hits both; prints the
 * medians and their ratio as a table and writes {@code results.md}, {@code results.json} and every
 * child's log under the output directory.
 *
 * <pre>
 * usage: Bench [-w W1,W2,W3,W4] [-r RUNS] [-t default,xla,intra1/inter1,...] [--soak STEPS] [--out DIR]
 *   -w      workloads (default: all)
 *   -r      runs per workload, side and tuning; the median is reported (default 3, at least 3)
 *   -t      session tunings for W1-W3: default, xla, intraN/interM, xla+intraN/interM (default: default)
 *   --soak  also train W1 for STEPS steps, sampling resident memory and live native objects per epoch
 *   --out   where results and logs go (default: target/bench)
 * </pre>
 */
public final class Bench {
  private static final String USAGE =
      "usage: Bench [-w W1,W2,W3,W4] [-r RUNS] [-t default,xla,intra1/inter1,...] [--soak STEPS] [--out DIR]";
  /** Kiln with step logging switched off (only step 0 logs): what the default interval costs. */
  private static final int NO_STEP_LOGGING = Integer.MAX_VALUE;

  private Bench() {}

  /** The medians over the runs of one workload, side and tuning. */
  record Summary(
      String side, int runs, Double examplesPerSecond, Double epochSeconds, boolean epochExtrapolated, double measuredSeconds,
      double startupSeconds, double peakResidentMiB, double loadMin, double loadMax) {
    static Summary of(String side, List<TrialResult> trials) {
      return new Summary(
          side, trials.size(), medianOrNull(trials, TrialResult::examplesPerSecond), medianOrNull(trials, TrialResult::epochSeconds),
          trials.get(0).epochExtrapolated(), median(trials, TrialResult::measuredSeconds), median(trials, TrialResult::startupSeconds),
          median(trials, TrialResult::peakResidentMiB), trials.stream().mapToDouble(TrialResult::loadAverage).min().orElseThrow(),
          trials.stream().mapToDouble(TrialResult::loadAverage).max().orElseThrow());
    }
  }

  /**
   * One row of the table.
   *
   * @param ratio Kiln's speed over the hand-written one's: examples per second (W1-W3) or the
   *     inverse of the end-to-end time (W4)
   * @param loggingCost the fraction of Kiln's step time that step logging at the default interval
   *     costs (W1 only; null elsewhere)
   */
  record Row(Workload workload, String tuning, Summary kiln, Summary hand, double ratio, Summary kilnWithoutStepLogging, Double loggingCost) {}

  record Report(
      String date, String machine, int processors, String command, String java, String tensorflow, double loadBefore, double loadAfter,
      List<Row> rows, List<String> pending, List<Soak.SoakResult> soaks, List<TrialResult> trials) {}

  public static void main(String[] args) throws IOException {
    List<Workload> workloads = List.of(Workload.values());
    int runs = 3;
    List<Tuning> tunings = List.of(Tuning.DEFAULT);
    long soakSteps = 0;
    Path out = Path.of("target", "bench");
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + option + "; " + USAGE);
      }
      String value = args[++i];
      switch (option) {
        case "-w" -> workloads = Arrays.stream(value.split(",")).map(w -> Workload.valueOf(w.trim().toUpperCase(Locale.ROOT))).toList();
        case "-r" -> runs = Integer.parseInt(value);
        case "-t" -> tunings = Arrays.stream(value.split(",")).map(Bench::tuning).toList();
        case "--soak" -> soakSteps = Long.parseLong(value);
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + option + "; " + USAGE);
      }
    }
    if (runs < 3) {
      throw new IllegalArgumentException("-r " + runs + ": the median needs at least 3 runs");
    }
    Files.createDirectories(out);
    String command = "mvn -B -Pbench -DskipTests verify" + (args.length == 0 ? "" : " -Dbench.args=\"" + String.join(" ", dropOut(args)) + "\"");
    double loadBefore = ProcessStats.loadAverage();
    System.out.printf(Locale.ROOT, "Kiln benchmark: %s; %d runs each; load %.2f%n", machine(), runs, loadBefore);

    List<Row> rows = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    List<TrialResult> trials = new ArrayList<>();
    for (Workload workload : workloads) {
      System.out.printf("%s: %s%n", workload, workload.description());
      if (workload == Workload.W3) {
        pending.add("W3: Kiln's annotation processor does not generate relaxed (@Relaxed) networks yet, so there is no Kiln side to measure");
        System.out.println("  pending: " + pending.get(pending.size() - 1));
        continue;
      }
      for (Tuning tuning : workload == Workload.W4 ? List.of(Tuning.DEFAULT) : tunings) {
        Map<String, List<TrialResult>> bySide = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
          for (String side : sides(workload)) {
            TrialResult result = workload == Workload.W4 ? endToEnd(side, run, out) : trial(workload, side, tuning, run, out);
            System.out.printf(Locale.ROOT, "  run %d %-10s %-8s %s%n", run, side, tuning.label(), brief(result));
            bySide.computeIfAbsent(side, s -> new ArrayList<>()).add(result);
            trials.add(result);
          }
        }
        rows.add(row(workload, tuning, bySide));
      }
    }
    List<Soak.SoakResult> soaks = new ArrayList<>();
    if (soakSteps > 0) {
      for (String side : List.of("kiln", "hand")) {
        Path log = out.resolve("logs").resolve("soak-" + side + ".log");
        Child.Outcome outcome = Child.run(Soak.class.getName(), List.of(side, Long.toString(soakSteps)), log);
        Soak.SoakResult soak = new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), Soak.SoakResult.class);
        System.out.printf(Locale.ROOT, "  soak %s: %s%n", side, soakSummary(soak));
        soaks.add(soak);
      }
    }
    Report report =
        new Report(
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), machine(), Runtime.getRuntime().availableProcessors(), command,
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), TensorFlow.version(), loadBefore,
            ProcessStats.loadAverage(), rows, pending, soaks, trials);
    String table = ReportFormat.markdown(report);
    System.out.println();
    System.out.println(table);
    Files.writeString(out.resolve("results.md"), table);
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    Files.writeString(out.resolve("results.json"), gson.toJson(report));
    System.out.println("Written: " + out.resolve("results.md") + ", " + out.resolve("results.json") + "; child logs in " + out.resolve("logs"));
  }

  /** Kiln, the hand-written loop, and for W1 Kiln without step logging, to price the logging. */
  private static List<String> sides(Workload workload) {
    return workload == Workload.W1 ? List.of("kiln", "hand", "kiln-quiet") : List.of("kiln", "hand");
  }

  private static TrialResult trial(Workload workload, String side, Tuning tuning, int run, Path out) {
    List<String> arguments = new ArrayList<>(List.of(workload.name(), side.equals("kiln-quiet") ? "kiln" : side));
    arguments.addAll(tuning.arguments());
    if (side.equals("kiln-quiet")) {
      arguments.addAll(List.of("--log-every", Integer.toString(NO_STEP_LOGGING)));
    }
    Path log = out.resolve("logs").resolve(workload + "-" + side + "-" + tuning.label().replaceAll("[^A-Za-z0-9]+", "_") + "-" + run + ".log");
    Child.Outcome outcome = Child.run(Trial.class.getName(), arguments, log);
    TrialResult result = new Gson().fromJson(outcome.after(TrialResult.PREFIX, log), TrialResult.class);
    return side.equals("kiln-quiet") ? withSide(result, side) : result;
  }

  /** W4: the program's own main in a child; from process start to its last line, and to its line announcing training. */
  private static TrialResult endToEnd(String side, int run, Path out) {
    Path logDir = out.resolve("w4-runs").resolve(side + "-" + run);
    Path log = out.resolve("logs").resolve("W4-" + side + "-" + run + ".log");
    List<String> arguments = side.equals("kiln") ? List.of(side, "--logdir", logDir.toString()) : List.of(side);
    Child.Outcome outcome = Child.run(EndToEnd.class.getName(), arguments, log);
    long peak = Long.parseLong(outcome.after(EndToEnd.MEMORY_PREFIX, log).trim());
    List<Child.Line> program = outcome.lines().stream().filter(line -> !line.text().startsWith(EndToEnd.MEMORY_PREFIX)).toList();
    double last = program.get(program.size() - 1).seconds();
    double training =
        program.stream().filter(line -> line.text().startsWith("Training")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no 'Training' line in " + log)).seconds();
    return new TrialResult(Workload.W4, side, Tuning.DEFAULT.label(), 0, last, null, null, false, training, peak / (1024.0 * 1024.0), ProcessStats.loadAverage());
  }

  private static Row row(Workload workload, Tuning tuning, Map<String, List<TrialResult>> bySide) {
    Summary kiln = Summary.of("kiln", bySide.get("kiln"));
    Summary hand = Summary.of("hand", bySide.get("hand"));
    double ratio = workload == Workload.W4 ? hand.measuredSeconds() / kiln.measuredSeconds() : kiln.examplesPerSecond() / hand.examplesPerSecond();
    Summary quiet = bySide.containsKey("kiln-quiet") ? Summary.of("kiln-quiet", bySide.get("kiln-quiet")) : null;
    Double loggingCost = quiet == null ? null : 1 - kiln.examplesPerSecond() / quiet.examplesPerSecond();
    return new Row(workload, tuning.label(), kiln, hand, ratio, quiet, loggingCost);
  }

  static Tuning tuning(String text) {
    String rest = text.trim().toLowerCase(Locale.ROOT);
    boolean xla = rest.startsWith("xla");
    rest = rest.replaceFirst("^xla\\+?", "");
    if (rest.isEmpty() || rest.equals("default")) {
      return new Tuning(xla, 0, 0);
    }
    java.util.regex.Matcher threads = java.util.regex.Pattern.compile("intra(\\d+)/inter(\\d+)").matcher(rest);
    if (!threads.matches()) {
      throw new IllegalArgumentException("unknown tuning '" + text + "': expected default, xla, intraN/interM or xla+intraN/interM");
    }
    return new Tuning(xla, Integer.parseInt(threads.group(1)), Integer.parseInt(threads.group(2)));
  }

  private static TrialResult withSide(TrialResult r, String side) {
    return new TrialResult(
        r.workload(), side, r.tuning(), r.measuredSteps(), r.measuredSeconds(), r.examplesPerSecond(), r.epochSeconds(), r.epochExtrapolated(),
        r.startupSeconds(), r.peakResidentMiB(), r.loadAverage());
  }

  private static String brief(TrialResult r) {
    String speed = r.examplesPerSecond() != null ? String.format(Locale.ROOT, "%,.0f examples/s", r.examplesPerSecond()) : String.format(Locale.ROOT, "%.2f s end to end", r.measuredSeconds());
    return String.format(Locale.ROOT, "%s, start-up %.2f s, peak %.0f MiB, load %.2f", speed, r.startupSeconds(), r.peakResidentMiB(), r.loadAverage());
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

  private static String[] dropOut(String[] args) {
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
    return Objects.requireNonNull(medianOrNull(trials, metric));
  }

  private static Double medianOrNull(List<TrialResult> trials, Function<TrialResult, Double> metric) {
    List<Double> values = trials.stream().map(metric).filter(Objects::nonNull).sorted().collect(Collectors.toList());
    if (values.isEmpty()) {
      return null;
    }
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }
}
