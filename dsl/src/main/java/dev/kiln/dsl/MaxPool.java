package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Max-pooling after a {@link Conv2D} layer's activation: windows of {@code size × size}, moved by
 * {@code stride} (default: {@code size}, non-overlapping).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface MaxPool {
  int value();

  /** 0 (the default) means the window size. */
  int stride() default 0;

  Padding padding() default Padding.VALID;
}
