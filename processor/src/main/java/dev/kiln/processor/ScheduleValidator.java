package dev.kiln.processor;

import dev.kiln.dsl.schedule.Phase;
import dev.kiln.processor.model.Origin;
import dev.kiln.processor.model.ParameterModel.AnnealedParameter;
import dev.kiln.processor.model.PhaseModel;
import dev.kiln.processor.model.ScheduleModel.HostScheduleModel;
import dev.kiln.processor.model.ScheduleModel.PhasedScheduleModel;
import dev.kiln.processor.model.ScheduleModel.UnrecognisedSchedule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Checks the schedule of an annealed parameter. A declarative schedule's errors are reported once,
 * on the schedule class, however many networks use it; a host schedule is checked where it is
 * used, since whether the generated code can create it depends on the network's package.
 */
final class ScheduleValidator {
  private final Diagnostics diagnostics;
  private final Elements elements;
  /** Whether each declarative schedule (by qualified name) is valid, kept across rounds. */
  private final Map<String, Boolean> phasedValidity = new HashMap<>();

  ScheduleValidator(Diagnostics diagnostics, Elements elements) {
    this.diagnostics = diagnostics;
    this.elements = elements;
  }

  /** Whether the parameter's schedule can be generated; its errors are reported. */
  boolean validate(AnnealedParameter parameter, String networkPackage) {
    if (parameter.schedule() instanceof PhasedScheduleModel phased) {
      String name = phased.type().getQualifiedName().toString();
      Boolean known = phasedValidity.get(name);
      if (known == null) {
        known = validatePhased(phased);
        phasedValidity.put(name, known);
      }
      return known;
    }
    if (parameter.schedule() instanceof HostScheduleModel host) {
      return validateHost(host.type(), parameter.origin(), networkPackage);
    }
    UnrecognisedSchedule unrecognised = (UnrecognisedSchedule) parameter.schedule();
    String type = unrecognised.type().toString();
    diagnostics.error(parameter.origin(), "value", unrecognised.hasPhaseAnnotations()
        ? type + " has phase annotations but is not marked as a schedule: add @AnnealingSchedule to it"
        : type + " is not a schedule: annotate it with @AnnealingSchedule and phases (@Hold, @Linear, @Cosine, "
            + "@Exponential, @Step), or implement dev.kiln.dsl.Schedule to compute the value in Java");
    return false;
  }

  private boolean validatePhased(PhasedScheduleModel schedule) {
    int errorsBefore = diagnostics.errorCount();
    String name = schedule.type().getSimpleName().toString();
    if (schedule.phases().isEmpty()) {
      diagnostics.error(schedule.origin(), "schedule " + name + " has no phases: add phase annotations beside "
          + "@AnnealingSchedule, in the order they run, e.g. @Hold(value = 1, epochs = 1) @Linear(to = 0, epochs = 9)");
    }
    List<PhaseModel> phases = schedule.phases();
    for (int index = 0; index < phases.size(); index++) {
      validatePhase(phases.get(index), index, name);
    }
    return diagnostics.errorCount() == errorsBefore;
  }

  private void validatePhase(PhaseModel phase, int index, String scheduleName) {
    Origin origin = phase.origin();
    String what = "phase " + (index + 1) + " of " + scheduleName + " (" + origin.annotationName() + ")";
    validateLength(phase, what);

    if (phase.kind() == Phase.Kind.HOLD) {
      requireFinite(origin, "value", phase.from(), what);
    } else if (index == 0 && Double.isNaN(phase.from())) {
      diagnostics.error(origin, what + " needs a start value: the first phase has no previous phase to continue "
          + "from; set from = ...");
    } else if (!phase.continued()) {
      requireFinite(origin, "from", phase.from(), what);
    }
    switch (phase.kind()) {
      case LINEAR, COSINE -> requireFinite(origin, "to", phase.to(), what);
      case EXPONENTIAL -> {
        if (requireFinite(origin, "to", phase.to(), what) && Double.isFinite(phase.from())
            && (phase.from() == 0 || phase.to() == 0 || Math.signum(phase.from()) != Math.signum(phase.to()))) {
          String start = phase.continued() ? phase.from() + " (where the previous phase ends)" : String.valueOf(phase.from());
          diagnostics.error(origin, what + " goes through zero, from " + start + " to " + phase.to()
              + ": an exponential phase multiplies by a constant factor, so its start and end are non-zero and of "
              + "one sign; use @Linear or @Cosine to reach or cross zero");
        }
      }
      case STEP -> {
        requireFinite(origin, "factor", phase.factor(), what);
        if (phase.every() <= 0) {
          diagnostics.error(origin, "every", what + " has every = " + phase.every()
              + ": the value is multiplied by factor every N " + unitName(phase) + ", N > 0");
        }
      }
      case HOLD -> { }
    }
  }

  private void validateLength(PhaseModel phase, String what) {
    Origin origin = phase.origin();
    if (phase.epochs() < 0 || phase.steps() < 0) {
      String attribute = phase.epochs() < 0 ? "epochs" : "steps";
      long length = phase.epochs() < 0 ? phase.epochs() : phase.steps();
      diagnostics.error(origin, attribute, what + " has a negative length, " + attribute + " = " + length
          + ": a phase lasts a positive number of epochs or steps");
    } else if (phase.epochs() == 0 && phase.steps() == 0) {
      diagnostics.error(origin, what + " has no length: set epochs = N or steps = N");
    } else if (phase.epochs() != 0 && phase.steps() != 0) {
      diagnostics.error(origin, "steps", what + " sets both epochs and steps: set one of them");
    }
  }

  private static String unitName(PhaseModel phase) {
    return phase.hasValidLength() ? phase.unit().name().toLowerCase() : "epochs or steps (the unit of the length)";
  }

  private boolean requireFinite(Origin origin, String attribute, double value, String what) {
    if (Double.isFinite(value)) {
      return true;
    }
    diagnostics.error(origin, attribute, what + " has " + attribute + " = " + value + ": it must be a finite number");
    return false;
  }

  /**
   * The generated class creates a host schedule with {@code new X()}, so X must be a concrete class
   * with a no-argument constructor that the network's package can call.
   */
  private boolean validateHost(TypeElement type, Origin annealed, String networkPackage) {
    String name = type.getQualifiedName().toString();
    if (type.getKind() != ElementKind.CLASS || type.getModifiers().contains(Modifier.ABSTRACT)) {
      diagnostics.error(annealed, "value", "host schedule " + name + " is "
          + (type.getKind() == ElementKind.CLASS ? "abstract" : "not a class")
          + ": the generated code creates it with new " + type.getSimpleName()
          + "(), so name a concrete class that implements Schedule");
      return false;
    }
    if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
      diagnostics.error(annealed, "value", "host schedule " + name + " is an inner class: the generated code "
          + "creates it with new " + type.getSimpleName() + "(), so make it static (or top-level)");
      return false;
    }
    boolean samePackage = elements.getPackageOf(type).getQualifiedName().contentEquals(networkPackage);
    if (!isAccessible(type, samePackage)) {
      diagnostics.error(annealed, "value", "host schedule " + name + " cannot be created from package "
          + networkPackage + ": make it (and any class it is nested in) public");
      return false;
    }
    boolean hasConstructor = ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
        .anyMatch(constructor -> constructor.getParameters().isEmpty() && isAccessible(constructor, samePackage));
    if (!hasConstructor) {
      diagnostics.error(annealed, "value", "host schedule " + name + " needs a public no-argument constructor: "
          + "the generated code creates it with new " + type.getSimpleName() + "()");
      return false;
    }
    return true;
  }

  /** Whether code in the network's package can name {@code element} (and every class enclosing it). */
  private static boolean isAccessible(Element element, boolean samePackage) {
    for (Element current = element; current instanceof TypeElement || current instanceof ExecutableElement;
        current = current.getEnclosingElement()) {
      if (current.getModifiers().contains(Modifier.PRIVATE)) {
        return false;
      }
      if (!current.getModifiers().contains(Modifier.PUBLIC) && !samePackage) {
        return false;
      }
    }
    return true;
  }
}
