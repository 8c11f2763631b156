package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.moons;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import java.io.File;
import java.lang.reflect.Proxy;
import java.util.Set;
import javax.annotation.processing.Completion;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declarative schedules become {@code PhasedSchedule} constants with their phases in source order
 * and every start value explicit.
 */
class ScheduleParsingTest {
  private static final JavaFileObject MOONS = moons("@Annealed(ThetaSchedule.class) double theta();");

  private static String scheduleConstant(Compilation compilation) {
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.MoonsGraph");
    int start = source.indexOf("THETA_SCHEDULE = ");
    return source.substring(start, source.indexOf(";", start) + 1);
  }

  @Test
  void repeatedPhasesKeepTheirSourceOrderAmongOtherPhases() {
    // javac gathers the @Hold and the @Linear phases into one container each; the order comes from the source.
    String schedule = scheduleConstant(compile(MOONS, source("ThetaSchedule",
        "@AnnealingSchedule",
        "@Hold(value = Math.PI / 4, epochs = 1)",
        "@Linear(to = 0.4, epochs = 4)",
        "@Hold(value = 0.4, steps = 100)",
        "@Linear(to = 0, epochs = 5)",
        "final class ThetaSchedule {}")));

    assertThat(schedule).isEqualTo("THETA_SCHEDULE = PhasedSchedule.of(\n"
        + "      Granularity.STEP,\n"
        + "      Phase.hold(0.7853981633974483, Length.epochs(1)),\n"
        + "      Phase.linear(0.7853981633974483, 0.4, Length.epochs(4)),\n"
        + "      Phase.hold(0.4, Length.steps(100)),\n"
        + "      Phase.linear(0.4, 0.0, Length.epochs(5)));");
  }

  @Test
  void explicitContainerPhasesStayInPlace() {
    String schedule = scheduleConstant(compile(MOONS, source("ThetaSchedule",
        "@AnnealingSchedule",
        "@Hold(value = 1, epochs = 1)",
        "@Linear.List({@Linear(to = 0.5, epochs = 2), @Linear(to = 0.25, epochs = 3)})",
        "@Cosine(to = 0, epochs = 4)",
        "final class ThetaSchedule {}")));

    assertThat(schedule).contains("Phase.hold(1.0, Length.epochs(1)),\n"
        + "      Phase.linear(1.0, 0.5, Length.epochs(2)),\n"
        + "      Phase.linear(0.5, 0.25, Length.epochs(3)),\n"
        + "      Phase.cosine(0.25, 0.0, Length.epochs(4)));");
  }

  @Test
  void startsContinueFromWherePreviousPhasesEnd() {
    String schedule = scheduleConstant(compile(MOONS, source("ThetaSchedule",
        "@AnnealingSchedule",
        "@Step(from = 1, factor = 0.5, every = 2, epochs = 5)",
        "@Exponential(to = 0.1, steps = 300)",
        "@Linear(from = 0.7, to = 0.2, epochs = 1)",
        "@Cosine(to = 0, epochs = 2)",
        "final class ThetaSchedule {}")));

    // 5 epochs halving every 2 end at 1 * 0.5^2 = 0.25; a written start jumps.
    assertThat(schedule).contains("Phase.step(1.0, 0.5, Length.epochs(2), Length.epochs(5)),\n"
        + "      Phase.exponential(0.25, 0.1, Length.steps(300)),\n"
        + "      Phase.linear(0.7, 0.2, Length.epochs(1)),\n"
        + "      Phase.cosine(0.2, 0.0, Length.epochs(2)));");
  }

  @Test
  void scheduleNestedInTheNetwork() {
    JavaFileObject network = source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  @Annealed(ThetaSchedule.class) double theta();",
        "",
        "  @AnnealingSchedule",
        "  @Linear(from = 0.5, to = 0, epochs = 3)",
        "  @Hold(value = 0, epochs = 1)",
        "  @Linear(to = 0.1, epochs = 3)",
        "  final class ThetaSchedule {}",
        "}");
    Compilation compilation = compile(network);

    assertThat(scheduleConstant(compilation)).contains("Phase.linear(0.5, 0.0, Length.epochs(3)),\n"
        + "      Phase.hold(0.0, Length.epochs(1)),\n"
        + "      Phase.linear(0.0, 0.1, Length.epochs(3)));");
    assertThat(generated(compilation, "test.MoonsGraph")).contains("{@code test.Moons.ThetaSchedule}");
  }

  @Test
  void scheduleFromAClassFileIsReadFromItsAnnotations(@TempDir Path classes) throws IOException {
    Compilation library = javac().compile(source("ThetaSchedule",
        "@AnnealingSchedule(per = Granularity.EPOCH)",
        "@Hold(value = 0.7, epochs = 2)",
        "@Linear(to = 0.1, epochs = 3)",
        "@Linear(to = 0, epochs = 3)",
        "public final class ThetaSchedule {}"));
    assertThat(library).succeeded();
    writeClassFiles(library, classes);

    Compilation compilation = javac()
        .withProcessors(new KilnProcessor())
        .withClasspath(classPathWith(classes))
        .compile(MOONS);

    assertThat(scheduleConstant(compilation)).isEqualTo("THETA_SCHEDULE = PhasedSchedule.of(\n"
        + "      Granularity.EPOCH,\n"
        + "      Phase.hold(0.7, Length.epochs(2)),\n"
        + "      Phase.linear(0.7, 0.1, Length.epochs(3)),\n"
        + "      Phase.linear(0.1, 0.0, Length.epochs(3)));");
  }

  @Test
  void withoutTheTreesApiRepeatedPhasesFollowTheMirrors() {
    // Build tools that wrap javac's processing environment hide the source trees: the processor then
    // reads the mirrors, where javac put each repeated phase type's container at its first phase.
    Compilation compilation = javac().withProcessors(new WithoutTrees(new KilnProcessor())).compile(MOONS,
        source("ThetaSchedule",
            "@AnnealingSchedule",
            "@Hold(value = 1, epochs = 1)",
            "@Linear(to = 0.5, epochs = 2)",
            "@Hold(value = 0.5, epochs = 1)",
            "final class ThetaSchedule {}"));

    assertThat(scheduleConstant(compilation)).contains("Phase.hold(1.0, Length.epochs(1)),\n"
        + "      Phase.hold(0.5, Length.epochs(1)),\n"
        + "      Phase.linear(0.5, 0.5, Length.epochs(2)));");
  }

  private static void writeClassFiles(Compilation compilation, Path directory) throws IOException {
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        String path = file.toUri().getPath();
        Path target = directory.resolve(path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length()));
        Files.createDirectories(target.getParent());
        try (InputStream bytes = file.openInputStream()) {
          Files.write(target, bytes.readAllBytes());
        }
      }
    }
  }

  /** A processor given a processing environment that is not javac's own, as some build tools do. */
  private static final class WithoutTrees implements Processor {
    private final Processor delegate;

    WithoutTrees(Processor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void init(ProcessingEnvironment environment) {
      delegate.init((ProcessingEnvironment) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {ProcessingEnvironment.class}, (proxy, method, arguments) -> method.invoke(environment, arguments)));
    }

    @Override
    public Set<String> getSupportedOptions() {
      return delegate.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return delegate.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return delegate.getSupportedSourceVersion();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      return delegate.process(annotations, round);
    }

    @Override
    public Iterable<? extends Completion> getCompletions(
        Element element, AnnotationMirror annotation, ExecutableElement member, String userText) {
      return delegate.getCompletions(element, annotation, member, userText);
    }
  }

  /** The test class path (the DSL and runtime) plus {@code directory}. */
  private static List<File> classPathWith(Path directory) {
    List<File> classPath = new ArrayList<>();
    classPath.add(directory.toFile());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(new File(entry));
    }
    return classPath;
  }
}
