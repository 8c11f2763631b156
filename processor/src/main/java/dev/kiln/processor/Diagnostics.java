package dev.kiln.processor;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.kiln.processor.model.Origin;
import java.util.Optional;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports errors and warnings at the declaration that caused them, and counts errors so that
 * nothing is generated for a network that has any.
 */
final class Diagnostics {
  private final Messager messager;
  private final Optional<Trees> trees;
  private int errorCount;

  Diagnostics(Messager messager, Optional<Trees> trees) {
    this.messager = messager;
    this.trees = trees;
  }

  /** Errors reported so far; compare before and after a step to see whether it found any. */
  int errorCount() {
    return errorCount;
  }

  /** An error on the annotation of {@code origin}. */
  void error(Origin origin, String message) {
    report(Diagnostic.Kind.ERROR, origin, Optional.empty(), message);
  }

  /** An error on one attribute of the annotation: on its value where written, else on the annotation. */
  void error(Origin origin, String attribute, String message) {
    report(Diagnostic.Kind.ERROR, origin, Optional.of(attribute), message);
  }

  /** An error on {@code element} itself, for a mistake no annotation stands for (a member with none). */
  void error(Element element, String message) {
    errorCount++;
    messager.printMessage(Diagnostic.Kind.ERROR, message, element);
  }

  void warning(Origin origin, String message) {
    report(Diagnostic.Kind.WARNING, origin, Optional.empty(), message);
  }

  private void report(Diagnostic.Kind kind, Origin origin, Optional<String> attribute, String message) {
    if (kind == Diagnostic.Kind.ERROR) {
      errorCount++;
    }
    if (origin.annotationTree().isPresent() && trees.isPresent()) {
      TreePath path = trees.get().getPath(origin.element());
      if (path != null) {
        AnnotationTree annotation = origin.annotationTree().get();
        Tree target = attribute.flatMap(name -> argumentTree(annotation, name)).orElse(annotation);
        trees.get().printMessage(kind, message, target, path.getCompilationUnit());
        return;
      }
    }
    Optional<AnnotationValue> value = attribute.flatMap(origin::explicitValue);
    if (value.isPresent()) {
      messager.printMessage(kind, message, origin.element(), origin.annotation(), value.get());
    } else {
      messager.printMessage(kind, message, origin.element(), origin.annotation());
    }
  }

  /** The expression written for {@code attribute} in {@code annotation}, as {@code name = ...} or as its single value. */
  private static Optional<Tree> argumentTree(AnnotationTree annotation, String attribute) {
    for (ExpressionTree argument : annotation.getArguments()) {
      if (argument instanceof AssignmentTree assignment
          && assignment.getVariable() instanceof IdentifierTree name
          && name.getName().contentEquals(attribute)) {
        return Optional.of(assignment.getExpression());
      }
      if (!(argument instanceof AssignmentTree) && attribute.equals("value")) {
        return Optional.of(argument);
      }
    }
    return Optional.empty();
  }
}
