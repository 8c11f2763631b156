package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected hidden layer, {@code activation(x·W + b)}. The activation is one activation
 * annotation beside this one ({@link Relu}, {@link ThetaLeaky}, ...); without one it is the
 * identity.
 *
 * <p>{@code repeat = n} declares n identical layers in a row, named {@code <name>1} to
 * {@code <name>n}: a 100-layer network is one line.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Dense {
  int units();

  int repeat() default 1;
}
