package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Dropout after a hidden layer's activation (and pooling): during training each value is zeroed
 * with probability {@code value} and the rest scaled by {@code 1/(1 - value)}; evaluation and
 * prediction use the layer as it is.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Dropout {
  /** The fraction of values dropped, in [0, 1). */
  double value();
}
