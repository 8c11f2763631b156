package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The network's input: the shape of one example, without the batch dimension ({@code {2}} for a
 * point in the plane, {@code {28, 28, 1}} for an MNIST image). A dimension of {@code -1} is
 * unknown until run time.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Input {
  long[] shape();
}
