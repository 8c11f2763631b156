package dev.kiln.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a relaxed network's relaxed pass does on its training data (see
 * {@link Model#evaluateRelaxed}): every value a mean over the examples. These are the losses
 * training minimised, through the targets; how the network itself predicts is what
 * {@link Model#evaluate} reports, from the ordinary forward pass.
 *
 * @param loss the training loss: output loss + weight · hidden loss, plus weight penalties
 * @param outputLoss the output loss of the logits computed through the targets
 * @param hiddenLoss the sum of the hidden losses, unweighted
 * @param hiddenLosses each relaxed layer's hidden loss, in layer order
 * @param accuracy the accuracy of the logits computed through the targets (NaN for a regression loss)
 * @param disagreement the fraction of predictions on which the relaxed and the ordinary pass
 *     differ (NaN for a regression loss)
 * @param count the number of examples
 */
public record RelaxedEvaluation(
    double loss, double outputLoss, double hiddenLoss, Map<String, Double> hiddenLosses, double accuracy, double disagreement,
    int count) {
  public RelaxedEvaluation {
    hiddenLosses = Collections.unmodifiableMap(new LinkedHashMap<>(hiddenLosses));
  }

  @Override
  public String toString() {
    return String.format(
        "loss %.6g (output %.6g, hidden %.6g), accuracy through the targets %.4f, disagreement %.4f on %d examples",
        loss, outputLoss, hiddenLoss, accuracy, disagreement, count);
  }
}
