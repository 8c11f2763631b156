/**
 * Kiln's runtime: trains the graphs the annotation processor generates.
 *
 * <p>{@link dev.kiln.runtime.Model} is the entry point: {@code Model.build(new MoonsGraph())}
 * builds the network's graph and session once (on the CPU, or on a
 * {@link dev.kiln.runtime.Device} such as {@code Device.parse("gpu:0")}); then
 * {@link dev.kiln.runtime.Model#train train} (configured by a
 * {@link dev.kiln.runtime.TrainingConfig}), {@link dev.kiln.runtime.Model#evaluate evaluate},
 * {@link dev.kiln.runtime.Model#predict(dev.kiln.runtime.data.Dataset) predict},
 * {@link dev.kiln.runtime.Model#save save}, {@link dev.kiln.runtime.Model#load load} and
 * {@link dev.kiln.runtime.Model#export export} (a TensorFlow SavedModel of the forward pass, for serving).
 *
 * <p>How a graph is built: every weight and trainable parameter is a TensorFlow resource variable,
 * initialised under the init scope (Glorot-uniform weights from stateless random ops seeded by the
 * network seed and the variable's name; zero biases) and read once. Annealed parameters are graph
 * ops of an int64 step counter and a steps-per-epoch variable, so a training step feeds only its
 * batch (and host-scheduled parameters). One training op computes the loss, applies the
 * optimiser's fused kernel to every trainable variable (scaled per variable), clips bounded
 * parameters, adds to the epoch's metric sums and increments the step counter. Weight penalties
 * ({@code GraphBuilder.regularize}) are added to the loss; dropout is stateless (seeded by network
 * seed, name and step) and active only on training steps, which feed {@code training/phase}.
 * Checkpoints are TensorFlow V2 checkpoints of every variable, optimiser state included.
 *
 * <p>Evaluation ({@link dev.kiln.runtime.Evaluation}) gives loss, accuracy, and for classifiers
 * macro precision, recall and F1 over every class and the {@link dev.kiln.runtime.ConfusionMatrix},
 * from one forward pass. MNIST and Fashion-MNIST load with {@link dev.kiln.runtime.data.Mnist}.
 *
 * <p>TensorBoard: each run writes to {@code <log root>/<run name>/} (default
 * {@code runs/<network>-<yyyyMMdd-HHmmss>/}); the tags are listed on
 * {@link dev.kiln.runtime.Model#train(dev.kiln.runtime.data.Dataset, dev.kiln.runtime.TrainingConfig) train}.
 */
package dev.kiln.runtime;
