package dev.kiln.samples.convexity;

import dev.kiln.runtime.graph.NetworkGraph;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The networks a sweep can run, each a declared interface and the graph Kiln generates from it. */
public enum Variant {
  FIXED("fixed", "θ = 0 (ReLU)", ReluCnnGraph::new),
  ANNEALED_EPOCH("annealed-epoch", "θ linear π/4 → 0 over %s, per epoch", AnnealedPerEpochCnnGraph::new, ShortAnnealedPerEpochCnnGraph::new),
  ANNEALED_STEP("annealed-step", "θ linear π/4 → 0 over %s, per step", AnnealedPerStepCnnGraph::new, ShortAnnealedPerStepCnnGraph::new),
  TRAINABLE("trainable", "θ trainable, shared, from π/4, learning-rate scale 0.1", TrainableThetaCnnGraph::new),
  PER_CHANNEL("per-channel", "θ trainable per channel, from π/4, learning-rate scale 0.1", PerChannelThetaCnnGraph::new),
  LARGE_ANNEALED("large-annealed", "larger CNN; θ linear π/4 → 0 over %s, per step", LargeAnnealedCnnGraph::new, ShortLargeAnnealedCnnGraph::new);

  /** The four experiments on the reference CNN (the second both per epoch and per step). */
  public static final List<Variant> REFERENCE = List.of(FIXED, ANNEALED_EPOCH, ANNEALED_STEP, TRAINABLE, PER_CHANNEL);

  private final String id;
  /** With {@code %s} for the annealing period if θ is annealed. */
  private final String schedule;
  private final Supplier<NetworkGraph> network;
  private final Supplier<NetworkGraph> shortNetwork;

  /** A variant whose θ does not depend on the run's length. */
  Variant(String id, String schedule, Supplier<NetworkGraph> network) {
    this(id, schedule, network, network);
  }

  /** An annealed variant: the full protocol's declaration and the short version's, annealing over its own length. */
  Variant(String id, String schedule, Supplier<NetworkGraph> network, Supplier<NetworkGraph> shortNetwork) {
    this.id = id;
    this.schedule = schedule;
    this.network = network;
    this.shortNetwork = shortNetwork;
  }

  /** The name on the command line, in run directories and in the report. */
  public String id() {
    return id;
  }

  /** Whether θ follows a schedule whose length is the protocol's. */
  public boolean annealed() {
    return schedule.contains("%s");
  }

  /** How θ is set in {@code protocol}, for the HParams dashboard. */
  public String schedule(Protocol protocol) {
    int epochs = protocol.annealingEpochs();
    return annealed() ? String.format(Locale.ROOT, schedule, epochs == 1 ? "epoch 1" : epochs + " epochs") : schedule;
  }

  /** The declared network, with θ annealed over {@code protocol}'s period if it is annealed. */
  public NetworkGraph network(Protocol protocol) {
    return (protocol == Protocol.SHORT ? shortNetwork : network).get();
  }

  /** The variant named {@code id}; the error lists the names there are. */
  public static Variant of(String id) {
    return Arrays.stream(values())
        .filter(v -> v.id.equals(id.trim().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown variant '" + id + "'; the variants are " + ids(List.of(values()))));
  }

  static String ids(List<Variant> variants) {
    return variants.stream().map(Variant::id).collect(Collectors.joining(", "));
  }
}
