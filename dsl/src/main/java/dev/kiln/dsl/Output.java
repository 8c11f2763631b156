package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The output layer, {@code x·W + b}: the logits. The network's {@link Loss} decides how they
 * become predictions (sigmoid, softmax, or as they are), so it takes no activation. It is the last
 * layer.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Output {
  int units();
}
