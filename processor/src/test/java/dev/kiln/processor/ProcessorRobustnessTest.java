package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static dev.kiln.processor.Sources.moons;
import static dev.kiln.processor.Sources.source;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.generate.NetworkGraphGenerator;
import dev.kiln.processor.generate.SourceGenerator;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** The processor reports, never crashes, and generates nothing for a network with errors. */
class ProcessorRobustnessTest {

  @Test
  void anExceptionInsideTheProcessorIsReportedAsAKilnBugOnTheNetwork() {
    SourceGenerator failing = (network, shapes) -> {
      throw new IllegalStateException("generator failed on purpose");
    };
    JavaFileObject network = moons("@Fixed(0) double theta();");

    Compilation compilation = javac().withProcessors(new KilnProcessor(List.of(failing))).compile(network);

    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("Kiln bug: the processor failed on test.Moons with "
        + "java.lang.IllegalStateException: generator failed on purpose. Please report it with this declaration.")
        .inFile(network).onLineContaining("interface Moons");
  }

  @Test
  void nothingIsGeneratedForANetworkWithErrorsAndOtherNetworksAreUnaffected() {
    List<String> generatedFor = new ArrayList<>();
    SourceGenerator recording = (network, shapes) -> {
      generatedFor.add(network.name());
      return new NetworkGraphGenerator().generate(network, shapes);
    };
    JavaFileObject broken = moons("@Fixed(0) double thetaa();");
    JavaFileObject valid = source("Valid",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Valid {",
        "  @Input(shape = 2) Layer point();",
        "  @Output(units = 1) Layer logit();",
        "}");

    Compilation compilation = javac().withProcessors(new KilnProcessor(List.of(recording))).compile(broken, valid);

    assertThat(compilation).hadErrorContaining("names parameter 'theta', which Moons does not declare");
    assertThat(generatedFor).containsExactly("Valid");
  }
}
