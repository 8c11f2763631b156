package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.moons;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Mistakes in the class an {@code @Annealed} parameter names: errors on the schedule's phase
 * annotation (declarative schedules) or on the {@code @Annealed} that uses it (anything else).
 */
class ScheduleValidationTest {
  private static final JavaFileObject MOONS = moons("@Annealed(ThetaSchedule.class) double theta();");

  /** A declarative schedule {@code test.ThetaSchedule} with the given phase lines. */
  private static JavaFileObject schedule(String... phases) {
    String[] lines = new String[phases.length + 2];
    lines[0] = "@AnnealingSchedule";
    System.arraycopy(phases, 0, lines, 1, phases.length);
    lines[lines.length - 1] = "final class ThetaSchedule {}";
    return source("ThetaSchedule", lines);
  }

  private static void assertScheduleError(JavaFileObject schedule, String message, String line) {
    Compilation compilation = compile(MOONS, schedule);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(schedule).onLineContaining(line);
  }

  private static void assertUsageError(JavaFileObject scheduleClass, String message) {
    Compilation compilation = compile(MOONS, scheduleClass);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(MOONS).onLineContaining("@Annealed");
  }

  @Test
  void classThatIsNotASchedule() {
    assertUsageError(source("ThetaSchedule", "final class ThetaSchedule {}"),
        "test.ThetaSchedule is not a schedule: annotate it with @AnnealingSchedule and phases (@Hold, @Linear, "
            + "@Cosine, @Exponential, @Step), or implement dev.kiln.dsl.Schedule");
  }

  @Test
  void phasesWithoutAnnealingSchedule() {
    assertUsageError(source("ThetaSchedule", "@Hold(value = 0, epochs = 1)", "final class ThetaSchedule {}"),
        "test.ThetaSchedule has phase annotations but is not marked as a schedule: add @AnnealingSchedule to it");
  }

  @Test
  void hostScheduleWithoutANoArgumentConstructor() {
    assertUsageError(source("ThetaSchedule",
            "public final class ThetaSchedule implements Schedule {",
            "  private final double start;",
            "  public ThetaSchedule(double start) { this.start = start; }",
            "  @Override public double valueAt(long step, long stepsPerEpoch) { return start; }",
            "}"),
        "host schedule test.ThetaSchedule needs a public no-argument constructor: the generated code creates it "
            + "with new ThetaSchedule()");
  }

  @Test
  void hostScheduleWithAPrivateConstructor() {
    assertUsageError(source("ThetaSchedule",
            "public final class ThetaSchedule implements Schedule {",
            "  private ThetaSchedule() {}",
            "  @Override public double valueAt(long step, long stepsPerEpoch) { return 0; }",
            "}"),
        "host schedule test.ThetaSchedule needs a public no-argument constructor");
  }

  @Test
  void abstractHostSchedule() {
    assertUsageError(source("ThetaSchedule", "public abstract class ThetaSchedule implements Schedule {}"),
        "host schedule test.ThetaSchedule is abstract: the generated code creates it with new ThetaSchedule(), so "
            + "name a concrete class that implements Schedule");
  }

  @Test
  void hostScheduleThatIsAnInnerClass() {
    JavaFileObject network = moons("@Annealed(Holder.ThetaSchedule.class) double theta();");
    JavaFileObject holder = source("Holder",
        "public final class Holder {",
        "  public final class ThetaSchedule implements Schedule {",
        "    @Override public double valueAt(long step, long stepsPerEpoch) { return 0; }",
        "  }",
        "}");
    Compilation compilation = compile(network, holder);
    assertThat(compilation).hadErrorContaining("host schedule test.Holder.ThetaSchedule is an inner class: the "
        + "generated code creates it with new ThetaSchedule(), so make it static").inFile(network)
        .onLineContaining("@Annealed");
  }

  @Test
  void hostScheduleTheGeneratedClassCannotReach() {
    // The network, a subclass of Holder, sees its protected nested class; the generated MoonsGraph does not.
    JavaFileObject holder = JavaFileObjects.forSourceLines("lib.Holder",
        "package lib;",
        "public class Holder {",
        "  protected static final class ThetaSchedule implements dev.kiln.dsl.Schedule {",
        "    public ThetaSchedule() {}",
        "    @Override public double valueAt(long step, long stepsPerEpoch) { return 0; }",
        "  }",
        "}");
    JavaFileObject network = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "abstract class Moons extends lib.Holder {",
        "  @Input(shape = 2) @ThetaLeaky(\"theta\") abstract Layer point();",
        "  @Output(units = 1) abstract Layer logit();",
        "  @Annealed(ThetaSchedule.class) abstract double theta();",
        "}");
    Compilation compilation = compile(network, holder);
    assertThat(compilation).hadErrorContaining("host schedule lib.Holder.ThetaSchedule cannot be created from "
        + "package test: make it (and any class it is nested in) public").inFile(network).onLineContaining("@Annealed");
  }

  @Test
  void scheduleClassThatDoesNotExist() {
    JavaFileObject network = moons("@Annealed(Missing.class) double theta();");
    Compilation compilation = compile(network);
    assertThat(compilation).hadErrorContaining("cannot find symbol").inFile(network).onLineContaining("@Annealed");
    assertThat(compilation).hadErrorContaining("Kiln cannot generate code for Moons: @Annealed on 'theta' names a "
        + "class that javac cannot resolve here").inFile(network).onLineContaining("@Annealed");
  }

  @Test
  void scheduleWithoutPhases() {
    assertScheduleError(schedule(), "schedule ThetaSchedule has no phases: add phase annotations beside "
        + "@AnnealingSchedule, in the order they run", "@AnnealingSchedule");
  }

  @Test
  void phaseWithoutALength() {
    assertScheduleError(schedule("@Linear(from = 1, to = 0)"),
        "phase 1 of ThetaSchedule (@Linear) has no length: set epochs = N or steps = N", "@Linear");
  }

  @Test
  void phaseWithEpochsAndSteps() {
    assertScheduleError(schedule("@Hold(value = 1, epochs = 1, steps = 10)"),
        "phase 1 of ThetaSchedule (@Hold) sets both epochs and steps: set one of them", "@Hold");
  }

  @Test
  void phaseWithANegativeLength() {
    assertScheduleError(schedule("@Hold(value = 1, epochs = 1)", "@Cosine(to = 0, steps = -20)"),
        "phase 2 of ThetaSchedule (@Cosine) has a negative length, steps = -20: a phase lasts a positive number of "
            + "epochs or steps", "@Cosine");
  }

  @Test
  void firstPhaseWithoutAStart() {
    assertScheduleError(schedule("@Linear(to = 0, epochs = 9)"),
        "phase 1 of ThetaSchedule (@Linear) needs a start value: the first phase has no previous phase to continue "
            + "from; set from = ...", "@Linear");
  }

  @Test
  void exponentialPhaseToZero() {
    assertScheduleError(schedule("@Exponential(from = 1, to = 0, epochs = 3)"),
        "phase 1 of ThetaSchedule (@Exponential) goes through zero, from 1.0 to 0.0: an exponential phase multiplies "
            + "by a constant factor", "@Exponential");
  }

  @Test
  void exponentialPhaseContinuingFromZero() {
    assertScheduleError(schedule("@Hold(value = 0, epochs = 1)", "@Exponential(to = 0.5, epochs = 3)"),
        "phase 2 of ThetaSchedule (@Exponential) goes through zero, from 0.0 (where the previous phase ends) to 0.5",
        "@Exponential");
  }

  @Test
  void exponentialPhaseChangingSign() {
    assertScheduleError(schedule("@Exponential(from = -1, to = 1, epochs = 3)"),
        "phase 1 of ThetaSchedule (@Exponential) goes through zero, from -1.0 to 1.0", "@Exponential");
  }

  @Test
  void stepPhaseEveryNotPositive() {
    assertScheduleError(schedule("@Step(from = 1, factor = 0.5, every = 0, epochs = 10)"),
        "phase 1 of ThetaSchedule (@Step) has every = 0: the value is multiplied by factor every N epochs, N > 0",
        "@Step");
  }

  @Test
  void phaseValueNotFinite() {
    assertScheduleError(schedule("@Hold(value = 1, epochs = 1)", "@Linear(to = Double.POSITIVE_INFINITY, epochs = 1)"),
        "phase 2 of ThetaSchedule (@Linear) has to = Infinity: it must be a finite number", "@Linear");
  }

  @Test
  void errorInARepeatedPhaseIsReportedOnItsOwnLine() {
    // javac wraps the three @Linear phases in one @Linear.List; the error still points at the third.
    assertScheduleError(schedule(
            "@Linear(from = 1, to = 0.5, epochs = 2)",
            "@Hold(value = 0.5, epochs = 1)",
            "@Linear(to = 0.25, epochs = 2)",
            "@Linear(to = 0, epochs = 0)"),
        "phase 4 of ThetaSchedule (@Linear) has no length", "@Linear(to = 0, epochs = 0)");
  }

  @Test
  void aBadScheduleIsReportedOnceForEveryNetworkUsingIt() {
    JavaFileObject other = source("Other",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Other {",
        "  @Input(shape = 2) @ThetaLeaky(\"theta\") Layer point();",
        "  @Output(units = 1) Layer logit();",
        "  @Annealed(ThetaSchedule.class) double theta();",
        "}");
    Compilation compilation = compile(MOONS, other, schedule("@Linear(to = 0, epochs = 9)"));

    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
  }
}
