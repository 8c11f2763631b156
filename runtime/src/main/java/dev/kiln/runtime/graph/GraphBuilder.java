package dev.kiln.runtime.graph;

import dev.kiln.dsl.Schedule;
import dev.kiln.dsl.schedule.PhasedSchedule;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.TFloat32;

/**
 * What generated {@link NetworkGraph} code builds its forward pass with: TensorFlow's {@link Ops},
 * plus the runtime's way of making each kind of state, so that variables are resource variables,
 * read once, seeded, saved, optimised, bounded and logged the same way for every network.
 *
 * <p>Every {@code name} is the TensorFlow name of the state ({@code "hidden1/weights"},
 * {@code "theta"}, {@code "hidden1/theta"}) and its TensorBoard tag; names are unique in a graph.
 * Each method returns the one read of the state that the whole forward pass uses. When a relaxed
 * network's forward pass is built the second time, as its relaxed pass, each method returns the
 * state of that name the first build made, so both passes share every weight and parameter.
 */
public interface GraphBuilder {
  /** The graph's ops, for the forward pass itself. */
  Ops tf();

  /**
   * Ops whose names go under {@code name/}: the scope a layer's own ops and its state share, so
   * TensorBoard's graph view shows one group per layer. The same name gives the same scope.
   */
  Ops scope(String name);

  /** The placeholder for a batch of examples: {@code [batch, spec().inputShape()...]}. */
  Operand<TFloat32> input(String name);

  /**
   * A trainable weight tensor, Glorot-uniform initialised from the network seed: {@code [in, out]}
   * for a dense layer ({@code [kh, kw, in, out]} for a convolution).
   */
  Operand<TFloat32> weights(String name, Shape shape);

  /** A trainable bias vector of {@code units} values, initialised to zero. */
  Operand<TFloat32> bias(String name, long units);

  /** A parameter held at {@code value}; logged as a scalar so every run shows it. */
  Operand<TFloat32> fixed(String name, double value);

  /** A parameter computed in the graph from the step counter: nothing is fed per step. */
  Operand<TFloat32> annealed(String name, PhasedSchedule schedule);

  /** A parameter evaluated on the host before each step and fed. */
  Operand<TFloat32> hostScheduled(String name, Schedule schedule);

  /**
   * A trainable parameter: a scalar ({@code Shape.scalar()}) shared by every activation that uses
   * it, or one value per neuron ({@code Shape.of(units)}). It starts at {@code initial}, is clipped
   * into [{@code min}, {@code max}] after every step (infinite bounds: unbounded), and learns at
   * the optimiser's rate times {@code learningRateScale}. Scalars are logged as scalars, vectors as
   * histograms.
   */
  Operand<TFloat32> trainable(
      String name, Shape shape, double initial, double min, double max, double learningRateScale);

  /** Uses {@code learningRate} (a scalar, usually {@link #annealed}) as the optimiser's rate. */
  void learningRate(Operand<TFloat32> learningRate);

  /**
   * Adds {@code l1·Σ|w| + l2·Σw²} over {@code weights} to the training loss. The network's total
   * penalty is logged as the scalar {@code loss/regularization}; {@code loss} includes it.
   */
  void regularize(String name, Operand<TFloat32> weights, double l1, double l2);

  /**
   * Dropout of {@code x}: while training, each value is zeroed with probability {@code rate} and
   * the rest scaled by {@code 1/(1 - rate)}, seeded from the network seed and the step; when
   * evaluating or predicting, {@code x} itself.
   */
  Operand<TFloat32> dropout(String name, Operand<TFloat32> x, double rate);

  /**
   * Learned width by gates (the sparsifier): each unit on the last axis of {@code x} (a dense
   * layer's units, a convolution's channels) times its own trainable gate, the variable
   * {@code <layer>/gates} starting at {@code initial} and kept at zero or above; adds
   * {@code penalty·Σ|gates|} to the training loss (in {@code loss/regularization}), which pulls
   * the gates of units the loss can do without to zero. After every step a gate below
   * {@code deadBelow} becomes zero and its unit is dead for good: its gradient is zero from then
   * on, so the optimiser's moments of it only decay, and the clip holds it at zero. The layer's
   * live width (gates at {@code deadBelow} or above) is logged every epoch as {@code size/<layer>}
   * and printed on the epoch line; the gates are logged as a histogram.
   *
   * @param ops the layer's scope
   * @param penalty the penalty's weight, a scalar: a constant or a network parameter
   * @return {@code x} times the gates
   */
  Operand<TFloat32> gates(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initial, double deadBelow);

  /**
   * Learned width by a soft size (the flexible layer of the journal this comes from): unit
   * {@code i} (from 0) on the last axis of {@code x} times {@code σ(slope·(size − i))}, which is
   * {@code 1 − σ(slope·(i − size))} without the cancellation, with the trainable scalar
   * {@code <layer>/size} starting at {@code initialSize}, kept in [0, units] and learning at the
   * optimiser's rate times the width (it counts units); adds
   * {@code penalty·Σ_i σ(slope·(size − i))}, the layer's soft unit count, to the training loss. The
   * live width (units scaled by one half or more) is logged as {@code size/<layer>}.
   *
   * @param ops the layer's scope
   * @param penalty the penalty's weight, a scalar: a constant or a network parameter
   * @return {@code x} scaled unit by unit
   */
  Operand<TFloat32> softSize(Ops ops, String layer, Operand<TFloat32> x, Operand<TFloat32> penalty, double initialSize, double slope);

  /**
   * Relaxed activation identity, for a network whose {@link NetworkSpec#relaxation()} is present:
   * marks {@code value}, layer {@code layer}'s pre- or post-activation ({@code [batch, width]}),
   * as the place its per-example targets stand in for. Such a network's forward pass is built
   * twice (see {@link NetworkGraph#buildForward}). In the ordinary pass this returns
   * {@code value}. In the relaxed pass it returns the rows of the layer's targets (the variable
   * {@code relaxed/<layer>/targets}, one row per training example) for the batch's examples, and
   * adds the hidden loss between them and {@code value} to the training loss; the rest of the
   * pass continues from the targets. Each layer is relaxed once.
   */
  Operand<TFloat32> relax(String layer, Operand<TFloat32> value);

  /**
   * Uses {@code weight} (a scalar, usually {@link #annealed}) as the hidden losses' weight instead
   * of {@link RelaxationSpec#hiddenLossWeight()}; for a relaxed network only.
   */
  void hiddenLossWeight(Operand<TFloat32> weight);

  /**
   * Uses {@code strength} (a scalar α in [0, 1], usually annealed) as the relaxation's strength:
   * in the relaxed pass {@link #relax} returns {@code α·targets + (1 − α)·value}, and the hidden
   * losses count α times. α = 1 is relaxed training as without it; α = 0 trains as the plain
   * network (the targets then get no gradient). For a relaxed network only.
   */
  void relaxationStrength(Operand<TFloat32> strength);

  /**
   * Uses {@code strength} (a scalar ρ in [0, 1], usually annealed) as how far each reset of the
   * targets ({@link RelaxationSpec#resetEvery()}) moves them towards the ordinary pass: to
   * {@code (1 − ρ)·targets + ρ·value}, their optimiser state kept. Without it a reset sets them to
   * the ordinary pass's values and restarts their optimiser state. For a relaxed network that resets
   * its targets only.
   */
  void resetStrength(Operand<TFloat32> strength);

  /**
   * The θ-parametrised activation {@code max(x·tanθ, x)} of {@code x}, named {@code theta_leaky}
   * in the scope of {@code ops}; {@code theta} is a scalar or one value per unit. Built as
   * {@code x·tanθ + relu((1 − tanθ)·x)}, which has the same values for every θ and the same
   * gradients (at a tie, towards {@code x·tanθ}), and whose gradient is a multiplication and a
   * fused ReluGrad where Maximum's is a comparison, two selects and their reductions: a quarter
   * less time for a dense layer's activation and its gradient on the CPU.
   */
  default Operand<TFloat32> thetaLeaky(Ops ops, Operand<TFloat32> x, Operand<TFloat32> theta) {
    Operand<TFloat32> slope = ops.math.tan(theta);
    return ops.withName("theta_leaky").math.add(ops.math.mul(x, slope), ops.nn.relu(ops.math.mul(x, ops.math.sub(ops.constant(1f), slope))));
  }

  /**
   * Max pooling of {@code x} ({@code [batch, height, width, channels]}) over windows of
   * {@code window × window} moved by {@code stride}, padding {@code VALID} or {@code SAME}, named
   * {@code max_pool} in the scope of {@code ops}. Built as TensorFlow's {@code MaxPool}, whose window
   * is an attribute, rather than the {@code MaxPoolV2} of {@code ops.nn.maxPool}, whose window is a
   * tensor: oneDNN runs {@code MaxPool} and its gradient, and leaves {@code MaxPoolV2}'s gradient to
   * a kernel that took twice as long (a 5×5 convolution of 32 filters and a 2×2 pooling of a batch
   * of 128 MNIST images, forward and gradient: 3.9–5.2 against 8.7–10.0 ms).
   */
  default Operand<TFloat32> maxPool(Ops ops, Operand<TFloat32> x, int window, int stride, String padding) {
    Scope scope = ops.withName("max_pool").scope();
    Operation pooled =
        scope.opBuilder("MaxPool", "MaxPool")
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, window, window, 1})
            .setAttr("strides", new long[] {1, stride, stride, 1})
            .setAttr("padding", padding)
            .build();
    return pooled.output(0);
  }

  /**
   * Each example of {@code x} as a vector, {@code [batch, h·w·c]} in row-major order (channels
   * vary fastest), named {@code flatten} in the scope of {@code ops}. The width comes from
   * {@code x}'s static shape, so a network built at other widths ({@link WithWidths}) flattens
   * what it has.
   */
  default Operand<TFloat32> flatten(Ops ops, Operand<TFloat32> x) {
    long[] dims = x.shape().asArray();
    long width = 1;
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException("cannot flatten a value of shape " + x.shape() + ": every dimension but the batch must be known");
      }
      width *= dims[i];
    }
    return ops.withName("flatten").reshape(x, ops.constant(new long[] {-1, width}));
  }
}
