/**
 * How a training step is built: everything the runtime adds to a generated network's forward pass
 * to make one TensorFlow graph that trains it. Kiln's machinery, not API: it may change in any
 * release.
 *
 * <p>{@link dev.kiln.runtime.step.ModelGraph#build ModelGraph.build} is where to start reading. It
 * runs the network's {@code buildForward} against a {@link dev.kiln.runtime.step.NetworkBuilder}
 * (the {@code GraphBuilder} generated code calls: resource variables, {@link
 * dev.kiln.runtime.step.Parameter parameters} and their {@link dev.kiln.runtime.step.ScheduleOps
 * schedules as ops of the step counter}, weight penalties, dropout), then adds, in this order: the
 * loss and metrics ({@link dev.kiln.runtime.step.LossOps}), for a relaxed network the relaxed pass
 * and its per-example targets ({@link dev.kiln.runtime.step.Relaxation}, built through {@link
 * dev.kiln.runtime.step.RelaxedPassBuilder}), the gradients, the guard that keeps a non-finite step
 * from changing anything ({@link dev.kiln.runtime.step.NonFiniteGuard}), the optimiser's updates
 * ({@link dev.kiln.runtime.step.OptimizerOps}), the epoch's metric sums, and the save and restore
 * ops over every variable ({@link dev.kiln.runtime.step.CheckpointOps}). A step to be compiled by
 * XLA is built with a guard that selects instead of branching, and {@link
 * dev.kiln.runtime.step.StepCompilation} marks it as one cluster in a copy of the graph.
 *
 * <p>Nothing here runs a session or knows of the training loop ({@code dev.kiln.runtime.training})
 * or the user's API ({@code dev.kiln.runtime}); {@code LayeringTest} keeps it so.
 */
package dev.kiln.runtime.step;
