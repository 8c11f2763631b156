package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Activation: {@code x·sigmoid(β·x)}, β a network parameter (trainable β is the searched Swish). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Swish {
  /** Name of the network parameter ({@link Fixed}, {@link Annealed} or {@link Trainable}) that is β. */
  String value();
}
