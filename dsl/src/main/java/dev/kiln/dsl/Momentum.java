package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Optimiser: gradient descent with (optionally Nesterov) momentum. At most one optimiser annotation per network; without one, Adam with its defaults. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Momentum {
  double DEFAULT_LR = 0.01;

  /** The learning rate, constant for the run. */
  double learningRate() default DEFAULT_LR;

  /**
   * Names a network parameter ({@link Annealed} or {@link Fixed}) to use as the learning rate
   * instead of {@link #learningRate()}, to anneal it like any other parameter.
   */
  String learningRateParameter() default "";

  double momentum() default 0.9;

  boolean nesterov() default false;
}
