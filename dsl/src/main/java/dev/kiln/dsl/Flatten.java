package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A layer that reshapes each example to a vector: {@code [h, w, c]} becomes {@code [h·w·c]}. A
 * {@link Dense} or {@link Output} layer needs a vector; put this between convolutions and them.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Flatten {}
