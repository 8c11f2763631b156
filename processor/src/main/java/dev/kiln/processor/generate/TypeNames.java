package dev.kiln.processor.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;

/** The types generated code refers to, and how it writes numbers. */
final class TypeNames {
  private TypeNames() {}

  static final String RUNTIME_GRAPH = "dev.kiln.runtime.graph";
  static final ClassName NETWORK_GRAPH = ClassName.get(RUNTIME_GRAPH, "NetworkGraph");
  static final ClassName NETWORK_SPEC = ClassName.get(RUNTIME_GRAPH, "NetworkSpec");
  static final ClassName OPTIMIZER_SPEC = ClassName.get(RUNTIME_GRAPH, "OptimizerSpec");
  static final ClassName GRAPH_BUILDER = ClassName.get(RUNTIME_GRAPH, "GraphBuilder");
  static final ClassName RELAXATION_SPEC = ClassName.get(RUNTIME_GRAPH, "RelaxationSpec");

  static final ClassName OPERAND = ClassName.get("org.tensorflow", "Operand");
  static final ClassName TFLOAT32 = ClassName.get("org.tensorflow.types", "TFloat32");
  static final TypeName FLOAT_OPERAND = ParameterizedTypeName.get(OPERAND, TFLOAT32);
  static final ClassName OPS = ClassName.get("org.tensorflow.op", "Ops");
  static final ClassName SHAPE = ClassName.get("org.tensorflow.ndarray", "Shape");

  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

  /** A double as Java source: {@code 0.001}, {@code 1.0E-7}, {@code Double.POSITIVE_INFINITY}. */
  static CodeBlock literal(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("NaN has no place in generated code: the model was not validated");
    }
    if (Double.isInfinite(value)) {
      return CodeBlock.of("$T.$L", Double.class, value > 0 ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY");
    }
    return CodeBlock.of("$L", Double.toString(value));
  }

  /** A whole number as Java source: {@code 784}, with an {@code L} only where an int cannot hold it. */
  static CodeBlock longLiteral(long value) {
    boolean fitsInt = value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    return CodeBlock.of(fitsInt ? "$L" : "$LL", value);
  }

  /** A float constant as Java source, {@code 0.5f}. */
  static CodeBlock floatLiteral(float value) {
    return CodeBlock.of("$Lf", Float.toString(value));
  }
}
