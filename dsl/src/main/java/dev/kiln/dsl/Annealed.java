package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A network parameter whose value follows a schedule: a class annotated with
 * {@link AnnealingSchedule} (computed in the graph from the step counter, nothing fed per step),
 * or a class implementing {@link Schedule} with a public no-argument constructor (evaluated on the
 * host and fed each step).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Annealed {
  Class<?> value();
}
