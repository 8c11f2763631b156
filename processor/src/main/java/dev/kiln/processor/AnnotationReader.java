package dev.kiln.processor;

import dev.kiln.processor.model.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/** Reads annotation values, defaults included, with the types the DSL declares them with. */
final class AnnotationReader {
  private final Elements elements;

  AnnotationReader(Elements elements) {
    this.elements = elements;
  }

  /** The annotation of type {@code qualifiedName} directly on {@code element}. */
  static Optional<AnnotationMirror> find(Element element, String qualifiedName) {
    return element.getAnnotationMirrors().stream()
        .filter(mirror -> qualifiedName(mirror).equals(qualifiedName))
        .map(mirror -> (AnnotationMirror) mirror)
        .findFirst();
  }

  static String qualifiedName(AnnotationMirror mirror) {
    return ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
  }

  double doubleValue(Origin origin, String attribute) {
    return value(origin, attribute, Double.class);
  }

  long longValue(Origin origin, String attribute) {
    return value(origin, attribute, Long.class);
  }

  int intValue(Origin origin, String attribute) {
    return value(origin, attribute, Integer.class);
  }

  boolean booleanValue(Origin origin, String attribute) {
    return value(origin, attribute, Boolean.class);
  }

  String stringValue(Origin origin, String attribute) {
    return value(origin, attribute, String.class);
  }

  /** The constant of enum type {@code type} that the attribute names. */
  <E extends Enum<E>> E enumValue(Origin origin, String attribute, Class<E> type) {
    VariableElement constant = value(origin, attribute, VariableElement.class);
    return Enum.valueOf(type, constant.getSimpleName().toString());
  }

  TypeMirror classValue(Origin origin, String attribute) {
    return value(origin, attribute, TypeMirror.class);
  }

  List<Long> longArrayValue(Origin origin, String attribute) {
    List<Long> values = new ArrayList<>();
    for (Object item : value(origin, attribute, List.class)) {
      values.add(unwrap(origin, attribute, ((AnnotationValue) item).getValue(), Long.class));
    }
    return values;
  }

  List<String> stringArrayValue(Origin origin, String attribute) {
    List<String> values = new ArrayList<>();
    for (Object item : value(origin, attribute, List.class)) {
      values.add(unwrap(origin, attribute, ((AnnotationValue) item).getValue(), String.class));
    }
    return values;
  }

  /** The annotations inside a container annotation's {@code value} array (javac's wrapper of repeats). */
  List<AnnotationMirror> annotationArrayValue(Origin origin, String attribute) {
    List<AnnotationMirror> values = new ArrayList<>();
    for (Object item : value(origin, attribute, List.class)) {
      values.add(unwrap(origin, attribute, ((AnnotationValue) item).getValue(), AnnotationMirror.class));
    }
    return values;
  }

  /** The names of the elements written explicitly in the annotation, not taken from their defaults. */
  static Set<String> writtenElements(Origin origin) {
    Set<String> written = new HashSet<>();
    origin.annotation().getElementValues().keySet().forEach(element -> written.add(element.getSimpleName().toString()));
    return written;
  }

  /** The default of {@code attribute} in annotation type {@code annotationType}, for an annotation not written. */
  double defaultDoubleValue(String annotationType, String attribute) {
    for (ExecutableElement method :
        ElementFilter.methodsIn(elements.getTypeElement(annotationType).getEnclosedElements())) {
      if (method.getSimpleName().contentEquals(attribute) && method.getDefaultValue() != null) {
        return (Double) method.getDefaultValue().getValue();
      }
    }
    throw new IllegalArgumentException(annotationType + " has no default for " + attribute);
  }

  private <T> T value(Origin origin, String attribute, Class<T> type) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        elements.getElementValuesWithDefaults(origin.annotation()).entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(attribute)) {
        return unwrap(origin, attribute, entry.getValue().getValue(), type);
      }
    }
    throw new UnreadableAnnotationException(origin, attribute, "it has no value");
  }

  private static <T> T unwrap(Origin origin, String attribute, Object value, Class<T> type) {
    if (!type.isInstance(value)) {
      // javac leaves a placeholder where a value did not compile; it reports that error itself.
      throw new UnreadableAnnotationException(origin, attribute, "its value " + value + " did not compile");
    }
    return type.cast(value);
  }

  /** An annotation value that is missing or of the wrong type, after an error javac reports itself. */
  static final class UnreadableAnnotationException extends RuntimeException {
    private final Origin origin;
    private final String attribute;

    UnreadableAnnotationException(Origin origin, String attribute, String reason) {
      super("Kiln could not read " + origin.annotationName() + "(" + attribute + ") on '"
          + origin.elementName() + "': " + reason);
      this.origin = origin;
      this.attribute = attribute;
    }

    Origin origin() {
      return origin;
    }

    String attribute() {
      return attribute;
    }
  }
}
