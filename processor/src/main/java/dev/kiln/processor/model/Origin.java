package dev.kiln.processor.model;

import com.sun.source.tree.AnnotationTree;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;

/**
 * Where one part of a network was declared: the element and the annotation on it, so that an error
 * points at the exact place in the user's source.
 *
 * @param annotationTree the annotation's source tree, when the mirror alone cannot locate it: javac
 *     wraps repeated annotations in a synthesised container, and a message on a mirror inside one
 *     lands on the class rather than on the annotation
 */
public record Origin(Element element, AnnotationMirror annotation, Optional<AnnotationTree> annotationTree) {
  public Origin {
    Objects.requireNonNull(element, "element");
    Objects.requireNonNull(annotation, "annotation");
    Objects.requireNonNull(annotationTree, "annotationTree");
  }

  public static Origin of(Element element, AnnotationMirror annotation) {
    return new Origin(element, annotation, Optional.empty());
  }

  /** The value written for {@code attribute}; empty when the annotation type's default applies. */
  public Optional<AnnotationValue> explicitValue(String attribute) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        annotation.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(attribute)) {
        return Optional.of(entry.getValue());
      }
    }
    return Optional.empty();
  }

  /** The annotation as written in messages: {@code @Dense}. */
  public String annotationName() {
    return "@" + annotation.getAnnotationType().asElement().getSimpleName();
  }

  /** The declaring member's or type's simple name. */
  public String elementName() {
    return element.getSimpleName().toString();
  }
}
