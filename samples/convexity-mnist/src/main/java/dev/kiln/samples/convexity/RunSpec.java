package dev.kiln.samples.convexity;

import dev.kiln.runtime.summary.HParams;
import java.util.Map;
import java.util.Objects;

/**
 * One run of a sweep: a variant with a seed, and the hyperparameters it is recorded with
 * (TensorBoard's HParams dashboard and the run's {@code result.json}).
 *
 * @param hparams strings, numbers (kept as doubles, as TensorBoard and JSON keep them) and
 *     booleans by name, in display order
 */
public record RunSpec(String variant, long seed, Map<String, Object> hparams) {
  public RunSpec {
    Objects.requireNonNull(variant, "variant");
    // Checked and normalised exactly as the HParams record will hold them.
    hparams = new HParams.SessionStart(hparams, "", 0).hparams();
  }

  /** The run's directory name under the log root: {@code <variant>-seed<seed>}. */
  public String runName() {
    return variant + "-seed" + seed;
  }
}
