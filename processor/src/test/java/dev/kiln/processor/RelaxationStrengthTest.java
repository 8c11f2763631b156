package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.kiln.processor.Sources.assertError;
import static dev.kiln.processor.Sources.compile;
import static dev.kiln.processor.Sources.generated;
import static dev.kiln.processor.Sources.source;
import static dev.kiln.processor.Sources.thetaSchedule;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** {@code @Relaxed(strengthParameter = ...)}: the relaxation's strength α as a network parameter. */
class RelaxationStrengthTest {
  private static JavaFileObject relaxed(String alpha) {
    return source("Deep",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Rprop(learningRate = 0.1)",
        "@Relaxed(strengthParameter = \"alpha\")",
        "interface Deep {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 8, repeat = 3) @Sigmoid Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  " + alpha,
        "}");
  }

  @Test
  void anAnnealedStrengthIsPassedToTheGraphBuilder() {
    Compilation compilation = compile(relaxed("@Annealed(ThetaSchedule.class) double alpha();"), thetaSchedule());
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.DeepGraph");
    assertThat(source).contains("Operand<TFloat32> alpha = graph.annealed(\"alpha\", ALPHA_SCHEDULE);");
    assertThat(source).contains("graph.relaxationStrength(alpha);");
  }

  @Test
  void aTrainableStrengthStartsRelaxedAndStaysBetweenPlainAndRelaxed() {
    Compilation compilation = compile(relaxed("@Trainable double alpha();"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(generated(compilation, "test.DeepGraph"))
        .contains("Operand<TFloat32> alpha = graph.trainable(\"alpha\", Shape.scalar(), 1.0, 0.0, 1.0, 1.0);");
  }

  @Test
  void anUndeclaredStrengthIsAnErrorOnRelaxed() {
    assertError(relaxed("@Fixed(0.5) double beta();"),
        "@Relaxed's strengthParameter names parameter 'alpha', which Deep does not declare (its parameters are beta): declare it, "
            + "e.g. @Annealed(...) double alpha(); or @Fixed(1) or @Trainable",
        "@Relaxed(strengthParameter");
  }
}
