package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Optimiser: resilient back-propagation (Rprop, Riedmiller &amp; Braun 1993), in the variant
 * PyTorch's {@code torch.optim.Rprop} implements (iRprop⁻). Every weight has its own step size,
 * which starts at {@link #learningRate()}. Each step, where the gradient keeps its sign the step
 * grows by {@link #growth()}, where it flips the step shrinks by {@link #shrink()} and that weight
 * rests for one step; steps stay within [{@link #minStep()}, {@link #maxStep()}]. The weight moves
 * by its step against the sign of its gradient: only the sign counts, never the size.
 *
 * <p>A full-batch method: with mini-batches the signs of different batches mix. At most one
 * optimiser annotation per network; without one, Adam with its defaults.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Rprop {
  double DEFAULT_LR = 0.01;

  /**
   * The initial step size of every weight. There is no {@code learningRateParameter}: Rprop adapts
   * its steps itself, and the rate only sets where they start.
   */
  double learningRate() default DEFAULT_LR;

  /** The factor on a step whose gradient kept its sign; above 1. */
  double growth() default 1.2;

  /** The factor on a step whose gradient changed sign; between 0 and 1. */
  double shrink() default 0.5;

  /** The smallest step size; positive. */
  double minStep() default 1e-6;

  /** The largest step size; at least {@link #minStep()}. */
  double maxStep() default 50;
}
