package dev.kiln.runtime.training;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.proto.RunOptions;

/**
 * One session run of a model graph's ops. The session runs either the graph the ops belong to or
 * its compiled copy ({@link dev.kiln.runtime.step.StepCompilation}), which has the same op names
 * but other op objects: for the copy, every feed, fetch and target goes by name.
 */
public final class ModelRunner {
  private final Session.Runner runner;
  private final boolean byName;

  ModelRunner(Session session, boolean byName) {
    this.runner = session.runner();
    this.byName = byName;
  }

  public ModelRunner feed(Operand<?> operand, Tensor value) {
    Output<?> output = operand.asOutput();
    if (byName) {
      runner.feed(output.op().name(), output.index(), value);
    } else {
      runner.feed(output, value);
    }
    return this;
  }

  public ModelRunner fetch(Operand<?> operand) {
    Output<?> output = operand.asOutput();
    if (byName) {
      runner.fetch(output.op().name(), output.index());
    } else {
      runner.fetch(output);
    }
    return this;
  }

  public ModelRunner addTarget(Op op) {
    if (byName) {
      runner.addTarget(op.op().name());
    } else {
      runner.addTarget(op);
    }
    return this;
  }

  public Result run() {
    return runner.run();
  }

  /** Runs with {@code options} and returns the run's metadata with the fetched values (step statistics, for a profile). */
  public Result runWithMetadata(RunOptions options) {
    return runner.setOptions(options).runAndFetchMetadata();
  }
}
