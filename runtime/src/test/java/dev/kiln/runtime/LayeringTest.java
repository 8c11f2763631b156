package dev.kiln.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The runtime's layers, top to bottom: the user's API ({@code dev.kiln.runtime}: {@link Model} and
 * the values it takes and returns), the training loop ({@code training}), the construction of a
 * step's graph ({@code step}), and the foundations ({@code graph}, the contract with generated
 * code; {@code checkpoint}, {@code summary}, {@code data}, {@code io}). No dependency runs back up.
 * The loop speaks the API's vocabulary (it takes a {@link TrainingConfig} and returns a
 * {@link TrainingResult}), but never reaches back into {@link Model}.
 */
class LayeringTest {
  private static final JavaClasses RUNTIME =
      new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.kiln.runtime");

  @Test
  void buildingAStepDependsOnNeitherTheLoopNorTheApi() {
    noClasses().that().resideInAPackage("dev.kiln.runtime.step..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.kiln.runtime", "dev.kiln.runtime.training..")
        .check(RUNTIME);
  }

  @Test
  void theLoopNeverReachesBackIntoModel() {
    noClasses().that().resideInAPackage("dev.kiln.runtime.training..")
        .should().dependOnClassesThat().areAssignableTo(Model.class)
        .check(RUNTIME);
  }

  @Test
  void theApiValuesDependOnNoMachinery() {
    noClasses().that().resideInAPackage("dev.kiln.runtime").and().doNotHaveSimpleName("Model")
        .should().dependOnClassesThat().resideInAnyPackage("dev.kiln.runtime.training..", "dev.kiln.runtime.step..")
        .check(RUNTIME);
  }

  @Test
  void theFoundationsDependOnNothingAboveThem() {
    noClasses().that().resideInAnyPackage(
            "dev.kiln.runtime.graph..", "dev.kiln.runtime.checkpoint..", "dev.kiln.runtime.summary..", "dev.kiln.runtime.data..",
            "dev.kiln.runtime.io..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.kiln.runtime", "dev.kiln.runtime.training..", "dev.kiln.runtime.step..")
        .check(RUNTIME);
  }
}
