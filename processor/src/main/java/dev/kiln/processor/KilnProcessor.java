package dev.kiln.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import com.sun.source.util.Trees;
import dev.kiln.processor.AnnotationReader.UnreadableAnnotationException;
import dev.kiln.processor.generate.NetworkGraphGenerator;
import dev.kiln.processor.generate.SourceGenerator;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.NetworkShapes;
import dev.kiln.processor.model.Origin;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * Kiln's annotation processor: for each {@code @Network} type, parses the declaration into a
 * model, validates it, infers its shapes and generates {@code <Name>Graph}. A network with errors
 * gets nothing generated; an exception inside the processor is reported as a Kiln bug on the
 * network instead of crashing javac.
 */
@AutoService(Processor.class)
public final class KilnProcessor extends AbstractProcessor {
  private final List<SourceGenerator> generators;
  /** Networks that refer to types not yet generated, by qualified name: retried next round. */
  private final Set<String> deferred = new LinkedHashSet<>();

  private Diagnostics diagnostics;
  private NetworkParser parser;
  private NetworkValidator validator;
  private ShapeInference shapeInference;

  public KilnProcessor() {
    this(List.of(new NetworkGraphGenerator()));
  }

  /** A processor writing the files of {@code generators} for each valid network. */
  KilnProcessor(List<SourceGenerator> generators) {
    this.generators = List.copyOf(generators);
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(NetworkParser.NETWORK);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public synchronized void init(ProcessingEnvironment environment) {
    super.init(environment);
    Optional<Trees> trees = trees(environment);
    diagnostics = new Diagnostics(environment.getMessager(), trees);
    AnnotationReader reader = new AnnotationReader(environment.getElementUtils());
    ScheduleParser schedules =
        new ScheduleParser(environment.getElementUtils(), environment.getTypeUtils(), reader, trees);
    parser = new NetworkParser(environment.getElementUtils(), reader, schedules, diagnostics);
    validator = new NetworkValidator(diagnostics, new ScheduleValidator(diagnostics, environment.getElementUtils()));
    shapeInference = new ShapeInference(diagnostics);
  }

  /** javac's tree API, which gives phases their source order; other compilers fall back to mirror order. */
  private static Optional<Trees> trees(ProcessingEnvironment environment) {
    try {
      return Optional.of(Trees.instance(environment));
    } catch (IllegalArgumentException notJavac) {
      return Optional.empty();
    }
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> networks = new ArrayList<>();
    for (String name : deferred) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        networks.add(type);
      }
    }
    deferred.clear();
    TypeElement networkAnnotation = processingEnv.getElementUtils().getTypeElement(NetworkParser.NETWORK);
    if (networkAnnotation != null) {
      for (Element element : round.getElementsAnnotatedWith(networkAnnotation)) {
        if (element instanceof TypeElement type) {
          networks.add(type);
        }
      }
    }
    for (TypeElement network : networks) {
      processNetwork(network, round.processingOver());
    }
    return false;
  }

  private void processNetwork(TypeElement type, boolean lastRound) {
    try {
      Optional<Origin> unresolved = unresolvedClassReference(type);
      if (unresolved.isPresent()) {
        if (lastRound) {
          diagnostics.error(unresolved.get(), "Kiln cannot generate code for " + type.getSimpleName() + ": "
              + unresolved.get().annotationName() + " on '" + unresolved.get().elementName()
              + "' names a class that javac cannot resolve here; fix the error it reports for that class");
        } else {
          // Another processor may generate the type in a later round.
          deferred.add(type.getQualifiedName().toString());
        }
        return;
      }
      int errorsBefore = diagnostics.errorCount();
      Optional<NetworkModel> network = parser.parse(type);
      if (network.isEmpty() || !validator.validate(network.get()) || diagnostics.errorCount() != errorsBefore) {
        return;
      }
      Optional<NetworkShapes> shapes = shapeInference.infer(network.get());
      if (shapes.isEmpty()) {
        return;
      }
      for (SourceGenerator generator : generators) {
        write(generator.generate(network.get(), shapes.get()), type);
      }
    } catch (UnreadableAnnotationException unreadable) {
      diagnostics.error(unreadable.origin(), unreadable.attribute(), unreadable.getMessage());
    } catch (RuntimeException | AssertionError bug) {
      StringWriter trace = new StringWriter();
      bug.printStackTrace(new PrintWriter(trace));
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Kiln bug: the processor failed on "
          + type.getQualifiedName() + " with " + bug + ". Please report it with this declaration.\n" + trace, type);
    }
  }

  private void write(JavaFile file, TypeElement network) {
    try {
      file.writeTo(processingEnv.getFiler());
    } catch (IOException e) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Kiln could not write "
          + file.packageName() + "." + file.typeSpec().name() + ": " + e.getMessage(), network);
    }
  }

  /**
   * An annotation on the type or its members naming a class that javac could not resolve (it
   * leaves a placeholder, not a type, and reports the missing class itself).
   */
  private static Optional<Origin> unresolvedClassReference(TypeElement type) {
    List<Element> elements = new ArrayList<>(type.getEnclosedElements());
    elements.add(type);
    for (Element element : elements) {
      for (AnnotationMirror annotation : element.getAnnotationMirrors()) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
            annotation.getElementValues().entrySet()) {
          boolean namesClass = entry.getKey().getReturnType() instanceof DeclaredType declared
              && ((TypeElement) declared.asElement()).getQualifiedName().contentEquals("java.lang.Class");
          Object value = entry.getValue().getValue();
          boolean resolved = value instanceof TypeMirror mirror && mirror.getKind() != TypeKind.ERROR;
          if (namesClass && !resolved) {
            return Optional.of(Origin.of(element, annotation));
          }
        }
      }
    }
    return Optional.empty();
  }
}
