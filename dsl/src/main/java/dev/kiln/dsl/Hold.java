package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import java.lang.annotation.Repeatable;

/**
 * Schedule phase: the value stays at {@code value}. Its length is {@code epochs} or {@code steps}, exactly one of them,
 * greater than zero.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@Repeatable(Hold.List.class)
public @interface Hold {
  double value();

  long epochs() default 0;

  long steps() default 0;

  /** Holds repeated {@code @Hold} phases; their order among other phases is their source order. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.TYPE)
  @interface List {
    Hold[] value();
  }
}
