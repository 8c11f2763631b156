package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Trains the network with relaxed activation identities (RAI): each relaxed layer gets a trainable
 * target per training example, and during training the next layer reads the targets instead of
 * the layer's output. Hidden losses pull each layer's targets towards the values the layer
 * computes from the previous targets:
 *
 * <pre>
 * loss = output loss + hiddenLossWeight · Σ_t L_h(Z_t, f_t(Z_{t-1}))
 * </pre>
 *
 * so the gradient reaches every layer directly instead of through all the layers after it. The
 * weights and the targets train together. Prediction, evaluation and the accuracy reported while
 * training use the ordinary forward pass with the same weights; the targets only exist for the
 * training examples (one row each, by position in the training data set), and are saved with the
 * weights.
 *
 * <pre>{@code
 * @Network(loss = Loss.SIGMOID_CROSS_ENTROPY)
 * @Rprop(learningRate = 0.1)
 * @Relaxed
 * interface DeepMoons {
 *   @Input(shape = 2) Layer point();
 *   @Dense(units = 100, repeat = 100) @Sigmoid Layer hidden();
 *   @Output(units = 1) Layer logit();
 * }
 * }</pre>
 *
 * <p>Mini-batches work too: each step reads and updates only the rows of its batch's examples.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Relaxed {
  /**
   * The layers that get targets, by member name (a repeated layer's name relaxes every
   * repetition); only {@link Dense} and {@link Output} layers can be relaxed. Not given: every
   * {@code @Dense} layer and the {@code @Output} layer, as the reference implementation does.
   */
  String[] layers() default {};

  /** What a target stands for: the layer's pre-activation (the default) or its activation. */
  Targets targets() default Targets.PRE_ACTIVATION;

  /** How far a target is from the value it stands for. */
  HiddenLoss hiddenLoss() default HiddenLoss.MEAN_SQUARED_ERROR;

  /** The weight of the hidden losses in the training loss, constant for the run; positive. */
  double hiddenLossWeight() default 1.0;

  /**
   * Names a network parameter ({@link Annealed} or {@link Fixed}) to use as the hidden losses'
   * weight instead of {@link #hiddenLossWeight()}, to anneal it like any other parameter.
   */
  String hiddenLossWeightParameter() default "";

  /**
   * Names a network parameter α ({@link Fixed}, {@link Annealed} or {@link Trainable}, in [0, 1])
   * for the relaxation's strength: in the relaxed pass each relaxed layer's successor reads
   * {@code α·Z_t + (1 − α)·f_t(...)} (the targets blended with what the layer computes) and the
   * hidden losses count α times; so α = 1 is relaxed training as without it, α = 0 the plain
   * network, and annealing α from 1 to 0 starts relaxed and ends as the ordinary network. Empty,
   * the default: α = 1.
   */
  String strengthParameter() default "";

  /** How the targets start, when training first sees its data. */
  Init init() default Init.FORWARD;

  /**
   * Every this many epochs, the targets are set again from a forward pass of the current network
   * (and their optimiser state restarts); 0, the default, never.
   */
  int resetEvery() default 0;

  /**
   * Names a network parameter ρ ({@link Fixed} or {@link Annealed}, in [0, 1]) for how far each
   * reset moves the targets: every {@link #resetEvery()} epochs they become
   * {@code (1 − ρ)·Z_t + ρ·z_t}, with {@code z_t} what the ordinary forward pass computes, and keep
   * their optimiser state. Annealing ρ from 0 up ties the targets ever closer to the ordinary pass;
   * ρ = 0 leaves them alone. Empty, the default: each reset sets the targets to the ordinary pass's
   * values and restarts their optimiser state. Needs {@link #resetEvery()} &gt; 0.
   */
  String resetStrengthParameter() default "";

  /**
   * The targets' learning rate as a multiple of the optimiser's (for {@link Rprop}, of its initial
   * step); positive. Full-batch training updates every target on every step, so 1, the default,
   * suits it. In mini-batches a target row is updated only on the steps whose batch holds its
   * example, once an epoch, while the weights are updated every step: a target then needs a
   * larger rate (in the order of the number of steps an epoch) to move as far as the weights do.
   */
  double targetLearningRateScale() default 1.0;

  /** What a target of a layer {@code activation(x·W + b)} stands for. */
  enum Targets {
    /** {@code x·W + b}, before the activation: the next layer reads {@code activation(Z)}. */
    PRE_ACTIVATION,
    /** {@code activation(x·W + b)}: the next layer reads {@code Z} itself. */
    POST_ACTIVATION
  }

  /** The loss between a layer's targets and the values they stand for, a mean over examples and units. */
  enum HiddenLoss {
    /** {@code mean((Z - z)²)}. */
    MEAN_SQUARED_ERROR,
    /** {@code mean(|Z - z|)}. */
    MEAN_ABSOLUTE_ERROR
  }

  /** The targets' starting values. */
  enum Init {
    /** The values they stand for, from a forward pass of the initial network over the training data. */
    FORWARD,
    /** Zeros. */
    ZEROS,
    /** Standard normal values, seeded by the network seed. */
    RANDOM
  }
}
