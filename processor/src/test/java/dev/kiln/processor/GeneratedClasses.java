package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.runtime.graph.NetworkGraph;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/** Loads the classes of a compilation (the declarations and what Kiln generated) to run them. */
final class GeneratedClasses extends ClassLoader {
  private static final String CLASS_OUTPUT = "/CLASS_OUTPUT/";
  private final Map<String, byte[]> classes = new HashMap<>();

  private GeneratedClasses(Compilation compilation) {
    super(GeneratedClasses.class.getClassLoader());
    for (JavaFileObject file : compilation.generatedFiles()) {
      String path = file.toUri().getPath();
      if (file.getKind() == JavaFileObject.Kind.CLASS && path.contains(CLASS_OUTPUT)) {
        String name = path.substring(path.indexOf(CLASS_OUTPUT) + CLASS_OUTPUT.length(), path.length() - ".class".length());
        try (InputStream bytes = file.openInputStream()) {
          classes.put(name.replace('/', '.'), bytes.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** A new instance of the generated graph class {@code qualifiedName} of a successful compilation. */
  static NetworkGraph instantiate(Compilation compilation, String qualifiedName) {
    assertThat(compilation).succeeded();
    try {
      Class<?> graphClass = new GeneratedClasses(compilation).loadClass(qualifiedName);
      assertThat(NetworkGraph.class.isAssignableFrom(graphClass)).isTrue();
      return (NetworkGraph) graphClass.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot instantiate " + qualifiedName, e);
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] bytes = classes.get(name);
    if (bytes == null) {
      throw new ClassNotFoundException(name);
    }
    return defineClass(name, bytes, 0, bytes.length);
  }
}
