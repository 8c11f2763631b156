package dev.kiln.bench;

import com.google.gson.Gson;
import dev.kiln.runtime.data.Dataset;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kiln and the hand-written network in one JVM, both warmed up, timed in alternating blocks of
 * the same steps: on a machine whose load changes (other builds, other runs), the two sides of
 * every round see the same conditions, so the ratio of a round is trustworthy even when the
 * absolute figures move. A third side is Kiln with step logging off (only step 0 logs), which
 * prices Kiln's TensorBoard logging at its default interval. The sides take turns in a rotating
 * order. Prints {@link TrialResult#PREFIX} and the rounds as JSON.
 *
 * <pre>
 * usage: Alternation W1|W2|W3 ROUNDS [--xla] [--intra N] [--inter N]
 * </pre>
 */
public final class Alternation {
  /** Kiln with step logging off: only step 0 of each training call logs. */
  static final int NO_STEP_LOGGING = Integer.MAX_VALUE;

  static final List<String> SIDES = List.of("kiln", "hand", "kiln-quiet");

  /** One round: each side's seconds for the same block of steps. */
  record Round(double kilnSeconds, double handSeconds, double kilnQuietSeconds) {}

  record AlternationResult(Workload workload, String tuning, long blockSteps, long blockExamples, long stepsPerEpoch, List<Round> rounds, double loadAverage) {}

  private Alternation() {}

  /** The steps each side trains per round, and how: a whole epoch for W1, 50 steps of W2, 100 full-batch steps of W3. */
  private record Block(Dataset data, int epochs) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: Alternation W1|W2|W3 ROUNDS [--xla] [--intra N] [--inter N]");
    }
    Workload workload = Workload.valueOf(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Tuning tuning = Tuning.parse(List.of(args).subList(2, args.length));
    Trial.Plan plan = Trial.plan(workload);
    Block block = switch (workload) {
      case W1 -> new Block(plan.timed(), 1);
      case W2 -> new Block(plan.data().range(0, 50 * plan.batchSize()), 1);
      case W3 -> new Block(plan.data(), 100);
      case W4 -> throw new IllegalArgumentException("W4 runs end to end, not in blocks");
    };
    // Kiln prints a line per epoch; W3 has an epoch per step. The figures are what matters here.
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    Path logRoot = Files.createTempDirectory("kiln-bench-alternation");
    List<Round> measured = new ArrayList<>();
    try (KilnSubject kiln = new KilnSubject(Trial.kilnNetwork(workload).get(), Trial.device(tuning), logRoot, 10, quiet);
        HandSubject hand = new HandSubject(Trial.handNetwork(workload), Sessions.config(tuning))) {
      Trial.warmUp(kiln, plan);
      Trial.warmUp(hand, plan);
      // Round 0 is not kept: the block's first pass meets what warm-up did not (a last batch of
      // another size, the first call on the whole data set).
      for (int round = 0; round <= rounds; round++) {
        double[] seconds = new double[SIDES.size()];
        for (int turn = 0; turn < SIDES.size(); turn++) {
          int side = (round + turn) % SIDES.size();
          long start = System.nanoTime();
          switch (SIDES.get(side)) {
            case "kiln" -> kiln.train(block.data(), plan.batchSize(), block.epochs());
            case "hand" -> hand.train(block.data(), plan.batchSize(), block.epochs());
            default -> kiln.train(block.data(), plan.batchSize(), block.epochs(), NO_STEP_LOGGING);
          }
          seconds[side] = (System.nanoTime() - start) / 1e9;
        }
        if (round > 0) {
          measured.add(new Round(seconds[0], seconds[1], seconds[2]));
        }
      }
    } finally {
      Trial.deleteRecursively(logRoot);
    }
    long steps = (long) block.epochs() * ((block.data().size() + plan.batchSize() - 1) / plan.batchSize());
    System.out.println(TrialResult.PREFIX + new Gson().toJson(
        new AlternationResult(workload, tuning.label(), steps, (long) block.epochs() * block.data().size(), plan.stepsPerEpoch(), measured, ProcessStats.loadAverage())));
  }
}
