package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Weight penalties added to the loss: {@code l1·Σ|w| + l2·Σw²} over a layer's weights (not its
 * bias). On the network type it applies to every {@link Dense}, {@link Conv2D} and {@link Output}
 * layer; on a layer it replaces the network's setting for that layer. The penalty is logged to
 * TensorBoard as its own scalar.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD})
public @interface Regularization {
  double l1() default 0;

  double l2() default 0;
}
