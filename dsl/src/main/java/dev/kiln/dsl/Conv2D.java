package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution layer over {@code [height, width, channels]} examples (NHWC),
 * {@code activation(conv(x, K) + b)} with {@code filters} output channels. Takes an activation
 * annotation like {@link Dense}; a per-neuron parameter on a convolution has one value per filter
 * (channel). {@link MaxPool} and {@link Dropout} beside it apply after the activation.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Conv2D {
  int filters();

  /** Kernel height and width (square). */
  int kernel();

  int stride() default 1;

  Padding padding() default Padding.VALID;
}
