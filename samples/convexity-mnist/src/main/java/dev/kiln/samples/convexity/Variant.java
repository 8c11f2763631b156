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
  ANNEALED_EPOCH("annealed-epoch", "θ linear π/4 → 0 over 10 epochs, per epoch", AnnealedPerEpochCnnGraph::new),
  ANNEALED_STEP("annealed-step", "θ linear π/4 → 0 over 10 epochs, per step", AnnealedPerStepCnnGraph::new),
  TRAINABLE("trainable", "θ trainable, shared, from π/4, learning-rate scale 0.1", TrainableThetaCnnGraph::new),
  PER_CHANNEL("per-channel", "θ trainable per channel, from π/4, learning-rate scale 0.1", PerChannelThetaCnnGraph::new),
  LARGE_ANNEALED("large-annealed", "larger CNN; θ linear π/4 → 0 over 10 epochs, per step", LargeAnnealedCnnGraph::new);

  /** The four experiments on the reference CNN (the second both per epoch and per step). */
  public static final List<Variant> REFERENCE = List.of(FIXED, ANNEALED_EPOCH, ANNEALED_STEP, TRAINABLE, PER_CHANNEL);

  private final String id;
  private final String schedule;
  private final Supplier<NetworkGraph> network;

  Variant(String id, String schedule, Supplier<NetworkGraph> network) {
    this.id = id;
    this.schedule = schedule;
    this.network = network;
  }

  /** The name on the command line, in run directories and in the report. */
  public String id() {
    return id;
  }

  /** How θ is set, for the HParams dashboard. */
  public String schedule() {
    return schedule;
  }

  public NetworkGraph network() {
    return network.get();
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
