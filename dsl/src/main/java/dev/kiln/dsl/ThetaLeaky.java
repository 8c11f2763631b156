package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Activation: {@code max(x·tan θ, x)}, θ a network parameter. θ = π/4 is the identity (the network is linear and its loss convex), θ = 0 is ReLU: annealing θ from π/4 to 0 is convexity annealing. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface ThetaLeaky {
  /** Name of the network parameter ({@link Fixed}, {@link Annealed} or {@link Trainable}) that is θ. */
  String value();
}
