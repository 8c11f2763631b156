package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface or abstract class as a network declaration. Its members, in declaration
 * order, are the network: one {@link Input}, then layers ({@link Dense}, ..., one {@link Output}),
 * and the parameters its activations name ({@link Fixed}, {@link Annealed}, {@link Trainable}).
 *
 * <p>The annotation processor generates {@code <Name>Graph}, the TensorFlow Java graph code for
 * the network, in the same package.
 *
 * <pre>{@code
 * @Network(loss = Loss.SIGMOID_CROSS_ENTROPY)
 * @Adam(learningRate = 1e-3)
 * interface Moons {
 *   @Input(shape = 2) Layer point();
 *   @Dense(units = 42) @ThetaLeaky("theta") Layer hidden();
 *   @Output(units = 1) Layer logit();
 *   @Annealed(ThetaSchedule.class) double theta();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Network {
  /** The training loss, computed from the output layer's logits. */
  Loss loss();

  /** Seed of every random initialiser of the network, so two builds start from the same weights. */
  long seed() default 42;
}
