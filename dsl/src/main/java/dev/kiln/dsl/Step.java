package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import java.lang.annotation.Repeatable;

/**
 * Schedule phase: starts at {@code from} and is multiplied by {@code factor} every {@code every} epochs or steps (the same unit as the length). Its length is {@code epochs} or {@code steps}, exactly one of them,
 * greater than zero.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@Repeatable(Step.List.class)
public @interface Step {
  /** Start value; NaN (the default) continues from where the previous phase ended. */
  double from() default Double.NaN;

  double factor();

  long every();

  long epochs() default 0;

  long steps() default 0;

  /** Holds repeated {@code @Step} phases; their order among other phases is their source order. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.TYPE)
  @interface List {
    Step[] value();
  }
}
