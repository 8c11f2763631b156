/**
 * How a built graph runs: the session around it ({@link dev.kiln.runtime.training.ModelSession}:
 * feeds, evaluation, prediction, save and restore) and the training loop ({@link
 * dev.kiln.runtime.training.Trainer}: batches prepared while a step runs, epochs, validation,
 * progress lines, TensorBoard events, checkpoints and resume, stop requests and signals, a relaxed
 * network's targets). Kiln's machinery, not API: it may change in any release.
 *
 * <p>It builds on {@code dev.kiln.runtime.step} and takes and returns the API's values
 * ({@code TrainingConfig}, {@code TrainingResult}, {@code Evaluation}, ...), but never depends on
 * {@code Model}, which sits on top; {@code LayeringTest} keeps it so.
 */
package dev.kiln.runtime.training;
