package dev.kiln.processor.model;

import dev.kiln.dsl.Relaxed;
import java.util.List;
import java.util.Optional;

/**
 * Training with relaxed activation identities, as written in {@code @Relaxed} on the network type.
 *
 * @param layers the member names written in {@code layers}; empty when not written (then every
 *     {@code @Dense} layer and the output layer are relaxed)
 * @param hiddenLossWeightParameter names a parameter used as the hidden losses' weight instead of
 *     {@code hiddenLossWeight}
 * @param strengthParameter names the parameter α that blends targets and computed values (and
 *     weighs the hidden losses); empty for α = 1
 * @param resetStrengthParameter names the parameter ρ, how far a reset moves the targets towards
 *     the ordinary pass; empty for all the way, with their optimiser state restarted
 * @param origin the network type and its {@code @Relaxed}
 */
public record RelaxationModel(
    List<String> layers,
    Relaxed.Targets targets,
    Relaxed.HiddenLoss hiddenLoss,
    double hiddenLossWeight,
    Optional<String> hiddenLossWeightParameter,
    Optional<String> strengthParameter,
    Relaxed.Init init,
    int resetEvery,
    Optional<String> resetStrengthParameter,
    double targetLearningRateScale,
    Origin origin) {
  public RelaxationModel {
    layers = List.copyOf(layers);
  }

  /** Whether {@code layers} was written, even as an empty list. */
  public boolean layersWritten() {
    return origin.explicitValue("layers").isPresent();
  }
}
