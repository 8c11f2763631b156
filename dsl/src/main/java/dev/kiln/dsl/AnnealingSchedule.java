package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A declarative schedule: the phase annotations on the class ({@link Hold}, {@link Linear},
 * {@link Cosine}, {@link Exponential}, {@link Step}), in declaration order. After the last phase
 * the value stays where that phase ended. The schedule is computed in the graph from the step
 * counter.
 *
 * <pre>{@code
 * @AnnealingSchedule
 * @Hold(value = Math.PI / 4, epochs = 1)
 * @Linear(to = 0, epochs = 9)
 * final class ThetaSchedule {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AnnealingSchedule {
  /** Whether the value moves every step, or only at epoch boundaries (constant within an epoch). */
  Granularity per() default Granularity.STEP;
}
