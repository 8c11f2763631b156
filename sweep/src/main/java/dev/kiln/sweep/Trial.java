package dev.kiln.sweep;

import java.io.Serializable;
import dev.kiln.runtime.summary.HParams;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One trial of a sweep: a training run of one group (a variant, a network, a setting of the
 * hyperparameters the report compares) with one seed, recorded with its hyperparameters
 * (TensorBoard's HParams dashboard and the trial's {@code result.json}).
 *
 * @param group what the report averages over seeds: trials of one group differ only in their seed
 * @param hparams strings, numbers (kept as doubles, as TensorBoard and JSON keep them) and
 *     booleans by name, in display order
 */
public record Trial(String group, long seed, Map<String, Object> hparams) implements Serializable {
  /** What a group name may hold: it names a directory. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+\\-]*");

  public Trial {
    Objects.requireNonNull(group, "group");
    if (!NAME.matcher(group).matches()) {
      throw new IllegalArgumentException(
          "group '" + group + "' cannot name a run directory: use letters, digits, '_', '.', '+' and '-', starting with a letter or digit");
    }
    // Checked and normalised exactly as the HParams record will hold them.
    hparams = new HParams.SessionStart(hparams, "", 0).hparams();
  }

  /** The trial's directory name under the log root: {@code <group>-seed<seed>}. */
  public String runName() {
    return group + "-seed" + seed;
  }
}
