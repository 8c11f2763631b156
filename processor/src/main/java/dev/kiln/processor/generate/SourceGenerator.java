package dev.kiln.processor.generate;

import com.palantir.javapoet.JavaFile;
import dev.kiln.processor.model.NetworkModel;
import dev.kiln.processor.model.NetworkShapes;

/** Writes one kind of source file for a validated network. */
public interface SourceGenerator {
  /** The file for {@code network}, whose widths are {@code shapes}; the type is registered as its originating element. */
  JavaFile generate(NetworkModel network, NetworkShapes shapes);
}
