package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A network parameter learned with the weights.
 *
 * <p>Shared (the default): one scalar used by every activation that names it. Per neuron: one
 * value per unit of each layer that names it, a separate variable per layer.
 *
 * <p>{@code initial}, {@code min} and {@code max} default to the parameter's natural values: for
 * θ of {@link ThetaLeaky} start at π/4 and stay within [0, π/4] (between identity and ReLU); for β
 * of {@link Swish} start at 1, unbounded. The value is clipped into the bounds after every step.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Trainable {
  double initial() default Double.NaN;

  double min() default Double.NaN;

  double max() default Double.NaN;

  boolean perNeuron() default false;

  /** Multiplies the optimiser's learning rate for this parameter only. */
  double learningRateScale() default 1.0;
}
