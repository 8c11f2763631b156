package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.tools.JavaFileObject;

/** Declarations for the tests, in package {@code test} with the DSL imported, and their compilation. */
final class Sources {
  private Sources() {}

  /** A source file {@code test.<simpleName>} whose lines follow the package and DSL import. */
  static JavaFileObject source(String simpleName, String... lines) {
    List<String> all = new ArrayList<>(List.of("package test;", "", "import dev.kiln.dsl.*;", ""));
    all.addAll(Arrays.asList(lines));
    return JavaFileObjects.forSourceLines("test." + simpleName, all);
  }

  /**
   * The two-moons network with one θ-leaky hidden layer, θ declared by {@code thetaDeclaration}
   * (e.g. {@code "@Fixed(0) double theta();"}).
   */
  static JavaFileObject moons(String thetaDeclaration) {
    return source("Moons",
        "@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)",
        "interface Moons {",
        "  @Input(shape = 2) Layer point();",
        "  @Dense(units = 42) @ThetaLeaky(\"theta\") Layer hidden();",
        "  @Output(units = 1) Layer logit();",
        "  " + thetaDeclaration,
        "}");
  }

  /** Network {@code test.Moons} (sigmoid cross-entropy) with the given members, one a line. */
  static JavaFileObject network(String... members) {
    return networkAnnotated("", members);
  }

  /** Network {@code test.Moons} with extra type annotations on the line after {@code @Network}. */
  static JavaFileObject networkAnnotated(String typeAnnotations, String... members) {
    List<String> lines = new ArrayList<>(List.of("@Network(loss = Loss.SIGMOID_CROSS_ENTROPY)", typeAnnotations,
        "interface Moons {"));
    for (String member : members) {
      lines.add("  " + member);
    }
    lines.add("}");
    return source("Moons", lines.toArray(String[]::new));
  }

  /** π/4 for one epoch, then linearly to 0 over nine: the reference convexity-annealing schedule. */
  static JavaFileObject thetaSchedule() {
    return source("ThetaSchedule",
        "@AnnealingSchedule",
        "@Hold(value = Math.PI / 4, epochs = 1)",
        "@Linear(to = 0, epochs = 9)",
        "final class ThetaSchedule {}");
  }

  static Compilation compile(JavaFileObject... files) {
    return javac().withProcessors(new KilnProcessor()).compile(files);
  }

  /** Compiles {@code file} and checks it failed with {@code message} on the line containing {@code line}. */
  static Compilation assertError(JavaFileObject file, String message, String line) {
    Compilation compilation = compile(file);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(file).onLineContaining(line);
    return compilation;
  }

  /** The text of a generated source file of a successful compilation. */
  static String generated(Compilation compilation, String qualifiedName) {
    JavaFileObject file = compilation.generatedSourceFile(qualifiedName)
        .orElseThrow(() -> new AssertionError("no generated source " + qualifiedName + " in "
            + compilation.generatedSourceFiles()));
    try {
      return file.getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
