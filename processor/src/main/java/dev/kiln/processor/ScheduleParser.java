package dev.kiln.processor;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.kiln.dsl.Granularity;
import dev.kiln.dsl.schedule.Phase;
import dev.kiln.processor.model.Origin;
import dev.kiln.processor.model.PhaseModel;
import dev.kiln.processor.model.ScheduleModel;
import dev.kiln.processor.model.ScheduleModel.HostScheduleModel;
import dev.kiln.processor.model.ScheduleModel.PhasedScheduleModel;
import dev.kiln.processor.model.ScheduleModel.UnrecognisedSchedule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/** Reads the class named by {@code @Annealed} into a {@link ScheduleModel}. */
final class ScheduleParser {
  static final String ANNEALING_SCHEDULE = "dev.kiln.dsl.AnnealingSchedule";
  static final String SCHEDULE = "dev.kiln.dsl.Schedule";

  private static final Map<String, Phase.Kind> PHASES = Map.of(
      "dev.kiln.dsl.Hold", Phase.Kind.HOLD,
      "dev.kiln.dsl.Linear", Phase.Kind.LINEAR,
      "dev.kiln.dsl.Cosine", Phase.Kind.COSINE,
      "dev.kiln.dsl.Exponential", Phase.Kind.EXPONENTIAL,
      "dev.kiln.dsl.Step", Phase.Kind.STEP);

  /** The containers javac wraps repeated phases in, by the phase type they contain. */
  private static final Map<String, String> CONTAINERS = Map.of(
      "dev.kiln.dsl.Hold.List", "dev.kiln.dsl.Hold",
      "dev.kiln.dsl.Linear.List", "dev.kiln.dsl.Linear",
      "dev.kiln.dsl.Cosine.List", "dev.kiln.dsl.Cosine",
      "dev.kiln.dsl.Exponential.List", "dev.kiln.dsl.Exponential",
      "dev.kiln.dsl.Step.List", "dev.kiln.dsl.Step");

  private final Elements elements;
  private final Types types;
  private final AnnotationReader reader;
  private final Optional<Trees> trees;

  ScheduleParser(Elements elements, Types types, AnnotationReader reader, Optional<Trees> trees) {
    this.elements = elements;
    this.types = types;
    this.reader = reader;
    this.trees = trees;
  }

  ScheduleModel parse(TypeMirror scheduleType) {
    if (!(scheduleType instanceof DeclaredType declared)) {
      return new UnrecognisedSchedule(scheduleType, false);
    }
    TypeElement type = (TypeElement) declared.asElement();
    Optional<AnnotationMirror> annealingSchedule = AnnotationReader.find(type, ANNEALING_SCHEDULE);
    if (annealingSchedule.isPresent()) {
      return phased(type, Origin.of(type, annealingSchedule.get()));
    }
    TypeElement scheduleInterface = elements.getTypeElement(SCHEDULE);
    if (scheduleInterface != null
        && types.isAssignable(types.erasure(type.asType()), types.erasure(scheduleInterface.asType()))) {
      return new HostScheduleModel(type);
    }
    return new UnrecognisedSchedule(scheduleType, !phasesInMirrorOrder(type).isEmpty());
  }

  private PhasedScheduleModel phased(TypeElement type, Origin origin) {
    Granularity granularity = reader.enumValue(origin, "per", Granularity.class);
    List<PhaseModel> phases = new ArrayList<>();
    double previousEnd = Double.NaN;
    for (WrittenPhase written : phasesInSourceOrder(type)) {
      PhaseModel phase = phase(new Origin(type, written.mirror(), written.tree()), phases.isEmpty(), previousEnd);
      phases.add(phase);
      previousEnd = phase.end();
    }
    return new PhasedScheduleModel(type, granularity, phases, origin);
  }

  private PhaseModel phase(Origin origin, boolean first, double previousEnd) {
    Phase.Kind kind = PHASES.get(AnnotationReader.qualifiedName(origin.annotation()));
    long epochs = reader.longValue(origin, "epochs");
    long steps = reader.longValue(origin, "steps");
    if (kind == Phase.Kind.HOLD) {
      double value = reader.doubleValue(origin, "value");
      return new PhaseModel(kind, value, false, value, Double.NaN, 0, epochs, steps, origin);
    }
    double writtenFrom = reader.doubleValue(origin, "from");
    boolean continued = Double.isNaN(writtenFrom) && !first;
    double from = continued ? previousEnd : writtenFrom;
    if (kind == Phase.Kind.STEP) {
      double factor = reader.doubleValue(origin, "factor");
      long every = reader.longValue(origin, "every");
      return new PhaseModel(kind, from, continued, Double.NaN, factor, every, epochs, steps, origin);
    }
    double to = reader.doubleValue(origin, "to");
    return new PhaseModel(kind, from, continued, to, Double.NaN, 0, epochs, steps, origin);
  }

  /** A phase annotation, with its source tree when it was found. */
  private record WrittenPhase(AnnotationMirror mirror, Optional<AnnotationTree> tree) {}

  /**
   * The phases in the order they are written. javac gathers repeated annotations of one type into
   * a container, which loses their order relative to other phase types, so the true order comes
   * from the class's source tree; without one (a class file, or a compiler without the Trees API)
   * it is the mirrors' order with containers expanded in place.
   */
  private List<WrittenPhase> phasesInSourceOrder(TypeElement type) {
    List<WrittenPhase> byMirrors = phasesInMirrorOrder(type);
    return trees.flatMap(t -> matchToSourceTrees(t, type, byMirrors)).orElse(byMirrors);
  }

  private List<WrittenPhase> phasesInMirrorOrder(TypeElement type) {
    List<WrittenPhase> phases = new ArrayList<>();
    for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
      String name = AnnotationReader.qualifiedName(mirror);
      if (PHASES.containsKey(name)) {
        phases.add(new WrittenPhase(mirror, Optional.empty()));
      } else if (CONTAINERS.containsKey(name)) {
        for (AnnotationMirror contained : reader.annotationArrayValue(Origin.of(type, mirror), "value")) {
          phases.add(new WrittenPhase(contained, Optional.empty()));
        }
      }
    }
    return phases;
  }

  /**
   * Pairs each phase annotation tree, in source order, with the next unused mirror of its type
   * (mirrors of one type are in source order among themselves). Empty if the trees and mirrors do
   * not pair up one to one.
   */
  private static Optional<List<WrittenPhase>> matchToSourceTrees(
      Trees trees, TypeElement type, List<WrittenPhase> byMirrors) {
    TreePath classPath = trees.getPath(type);
    if (classPath == null || !(classPath.getLeaf() instanceof ClassTree classTree)) {
      return Optional.empty();
    }
    Map<String, Deque<AnnotationMirror>> unusedByType = new HashMap<>();
    for (WrittenPhase phase : byMirrors) {
      unusedByType
          .computeIfAbsent(AnnotationReader.qualifiedName(phase.mirror()), name -> new ArrayDeque<>())
          .add(phase.mirror());
    }
    TreePath modifiersPath = new TreePath(classPath, classTree.getModifiers());
    List<WrittenPhase> ordered = new ArrayList<>();
    for (AnnotationTree annotation : classTree.getModifiers().getAnnotations()) {
      Optional<String> name = annotationTypeName(trees, new TreePath(modifiersPath, annotation));
      if (name.isEmpty()) {
        return Optional.empty();
      }
      List<AnnotationTree> phaseTrees;
      String phaseType;
      if (PHASES.containsKey(name.get())) {
        phaseTrees = List.of(annotation);
        phaseType = name.get();
      } else if (CONTAINERS.containsKey(name.get())) {
        Optional<List<AnnotationTree>> contained = containedTrees(annotation);
        if (contained.isEmpty()) {
          return Optional.empty();
        }
        phaseTrees = contained.get();
        phaseType = CONTAINERS.get(name.get());
      } else {
        continue;
      }
      Deque<AnnotationMirror> unused = unusedByType.getOrDefault(phaseType, new ArrayDeque<>());
      for (AnnotationTree phaseTree : phaseTrees) {
        if (unused.isEmpty()) {
          return Optional.empty();
        }
        ordered.add(new WrittenPhase(unused.removeFirst(), Optional.of(phaseTree)));
      }
    }
    boolean allUsed = unusedByType.values().stream().allMatch(Deque::isEmpty);
    return allUsed ? Optional.of(ordered) : Optional.empty();
  }

  private static Optional<String> annotationTypeName(Trees trees, TreePath annotationPath) {
    AnnotationTree annotation = (AnnotationTree) annotationPath.getLeaf();
    Element type = trees.getElement(new TreePath(annotationPath, annotation.getAnnotationType()));
    return type instanceof TypeElement typeElement
        ? Optional.of(typeElement.getQualifiedName().toString())
        : Optional.empty();
  }

  /** The annotations written inside an explicit container: {@code @Hold.List({@Hold(...), ...})}. */
  private static Optional<List<AnnotationTree>> containedTrees(AnnotationTree container) {
    if (container.getArguments().size() != 1) {
      return Optional.empty();
    }
    ExpressionTree value = container.getArguments().get(0);
    if (value instanceof AssignmentTree assignment) {
      value = assignment.getExpression();
    }
    List<? extends ExpressionTree> items =
        value instanceof NewArrayTree array ? array.getInitializers() : List.of(value);
    List<AnnotationTree> annotations = new ArrayList<>();
    for (ExpressionTree item : items) {
      if (!(item instanceof AnnotationTree annotation)) {
        return Optional.empty();
      }
      annotations.add(annotation);
    }
    return Optional.of(annotations);
  }
}
