package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A hidden {@link Dense} or {@link Conv2D} layer whose width training learns: it starts at the
 * declared width and a penalty shrinks it to the units the loss needs (for a convolution, its
 * channels). {@code Model.prune} then turns the trained network into the smaller one it learned.
 *
 * <p>{@link Mode#GATES} (the sparsifier): each unit's output is multiplied by a trainable gate,
 * {@code <layer>/gates}, starting at {@link #initial}; {@code penalty·Σ|gates|} joins the loss and
 * pulls the gates of units the loss can do without to zero. A gate below {@link #deadBelow} after a
 * step is set to zero, and its unit stays dead.
 *
 * <p>{@link Mode#SOFT_SIZE} (the flexible layer): unit {@code i} (from 0) is multiplied by
 * {@code 1 − σ(slope·(i − size))}, with the trainable soft size {@code <layer>/size} starting at
 * {@link #initialSize}; the penalty is {@code penalty·Σ_i σ(slope·(size − i))}, the layer's soft
 * unit count, computed without the cancellation of {@code 1 − σ}.
 *
 * <p>Each layer's live width is logged every epoch as {@code size/<layer>} and printed on the
 * epoch line.
 *
 * <pre>{@code
 * @Dense(units = 500) @Relu @LearnedWidth(penalty = 1e-4) Layer hidden();
 * @Dense(units = 500) @Relu @LearnedWidth(penaltyParameter = "sparsity") Layer hidden();  // annealable
 * @Dense(units = 500) @Relu @LearnedWidth(mode = LearnedWidth.Mode.SOFT_SIZE, penalty = 1e-3, slope = 0.5) Layer hidden();
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface LearnedWidth {
  /** How the layer learns its width. */
  enum Mode {
    /** A trainable gate per unit with an L1 penalty (the sparsifier). */
    GATES,
    /** A trainable soft size with a penalty on the soft unit count (the flexible layer). */
    SOFT_SIZE
  }

  Mode mode() default Mode.GATES;

  /** The penalty's weight, a constant {@code >= 0}; 0 keeps every unit. Leave it 0 when {@link #penaltyParameter} names one. */
  double penalty() default 0;

  /** The name of a scalar network parameter ({@code @Fixed} or {@code @Annealed}) giving the penalty's weight, so it can be annealed. */
  String penaltyParameter() default "";

  /** {@link Mode#GATES}: where every gate starts; above {@link #deadBelow}. */
  double initial() default 1.0;

  /** {@link Mode#GATES}: a gate below this after a step is set to zero, for good; in (0, 1). */
  double deadBelow() default 0.01;

  /** {@link Mode#SOFT_SIZE}: how sharply the scale falls from 1 to 0 around the soft size; {@code > 0}. */
  double slope() default 1.0;

  /** {@link Mode#SOFT_SIZE}: where the soft size starts, in (0, units]; -1 (the default) means the declared width. */
  double initialSize() default -1;
}
