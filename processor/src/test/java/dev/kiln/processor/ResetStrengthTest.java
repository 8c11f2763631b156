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

/** {@code @Relaxed(resetStrengthParameter = ...)}: how far each reset moves the targets, as a network parameter. */
class ResetStrengthTest {
  private static JavaFileObject relaxed(String relaxed, String rho) {
    return source("Deep",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "@Rprop(learningRate = 0.1)",
        relaxed,
        "interface Deep {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 8, repeat = 3) @Sigmoid Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  " + rho,
        "}");
  }

  @Test
  void anAnnealedResetStrengthIsPassedToTheGraphBuilder() {
    Compilation compilation =
        compile(relaxed("@Relaxed(resetEvery = 10, resetStrengthParameter = \"rho\")", "@Annealed(ThetaSchedule.class) double rho();"), thetaSchedule());
    assertThat(compilation).succeededWithoutWarnings();
    String source = generated(compilation, "test.DeepGraph");
    assertThat(source).contains("Operand<TFloat32> rho = graph.annealed(\"rho\", RHO_SCHEDULE);");
    assertThat(source).contains("graph.resetStrength(rho);");
  }

  @Test
  void aResetStrengthWithoutResetsIsAnError() {
    assertError(relaxed("@Relaxed(resetStrengthParameter = \"rho\")", "@Fixed(0.5) double rho();"),
        "@Relaxed names resetStrengthParameter 'rho', how far each reset moves the targets, but never resets them: set "
            + "resetEvery to a number of epochs, or remove resetStrengthParameter",
        "@Relaxed(resetStrengthParameter");
  }

  @Test
  void aTrainableResetStrengthIsAnError() {
    assertError(relaxed("@Relaxed(resetEvery = 10, resetStrengthParameter = \"rho\")", "@Trainable double rho();"),
        "the reset strength cannot be @Trainable: no loss depends on 'rho', which only says how far a reset moves the "
            + "targets; make it @Annealed or @Fixed",
        "@Relaxed(resetEvery");
  }

  @Test
  void anUndeclaredResetStrengthIsAnErrorOnRelaxed() {
    assertError(relaxed("@Relaxed(resetEvery = 10, resetStrengthParameter = \"rho\")", "@Fixed(0.5) double beta();"),
        "@Relaxed's resetStrengthParameter names parameter 'rho', which Deep does not declare (its parameters are beta): "
            + "declare it, e.g. @Annealed(...) double rho(); or @Fixed(0.5)",
        "@Relaxed(resetEvery");
  }

  @Test
  void aFixedStrengthOutsideZeroToOneIsAnErrorOnTheParameter() {
    assertError(relaxed("@Relaxed(resetEvery = 10, resetStrengthParameter = \"rho\")", "@Fixed(2) double rho();"),
        "fixed parameter 'rho' is the reset strength ρ (@Relaxed's resetStrengthParameter) and has value = 2.0: it is a "
            + "fraction between 0 and 1",
        "@Fixed(2)");
    assertError(relaxed("@Relaxed(strengthParameter = \"alpha\")", "@Fixed(-0.5) double alpha();"),
        "fixed parameter 'alpha' is the relaxation strength α (@Relaxed's strengthParameter) and has value = -0.5: it is a "
            + "fraction between 0 and 1",
        "@Fixed(-0.5)");
  }

  @Test
  void oneParameterCannotBeBothStrengths() {
    assertError(relaxed("@Relaxed(strengthParameter = \"s\", resetEvery = 10, resetStrengthParameter = \"s\")", "@Fixed(0.5) double s();"),
        "parameter 's' is used as the relaxation strength α (by @Relaxed's strengthParameter) and as the reset strength ρ "
            + "(by @Relaxed's resetStrengthParameter): a parameter has one meaning; declare a separate parameter for each",
        "double s()");
  }
}
