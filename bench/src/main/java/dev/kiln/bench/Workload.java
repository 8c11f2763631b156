package dev.kiln.bench;

/** The benchmark's workloads, as issue 4 defines them. */
public enum Workload {
  W1("MLP 784-512-512-10 on MNIST, θ annealed per step, batch 128, Adam 1e-3: one epoch (469 steps)"),
  W2("CNN 32@5x5, 64@5x5 (max-pooled), dense 1024 on MNIST, θ annealed per step, batch 128, Adam 1e-3: 200 steps, epoch (469 steps) extrapolated"),
  W3("deep RAI: 101 dense sigmoid layers, 100 two-moons examples, full batch, Rprop: 1,000 steps"),
  W4("the moons-annealing sample end to end (30 epochs, batch 32): process start to last log line");

  private final String description;

  Workload(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
