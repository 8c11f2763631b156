/**
 * Checkpoint files: how a training run's state is laid out on disk, written atomically and
 * verified.
 *
 * <p>A run directory ({@code <log root>/<run name>/}) holds the run's TensorBoard event files and
 * its checkpoints:
 *
 * <pre>
 * runs/moons/
 *   events.out.tfevents.1700000000.host.4242.0.kiln   training's own event file (one per process)
 *   checkpoints/
 *     .lock                                            held by the process training the run
 *     step-000000000120/
 *       model.index, model.data-00000-of-00001         every variable (TensorFlow V2 checkpoint)
 *       state.properties                               the training state, key=value, sorted
 *       MANIFEST.sha256                                SHA-256 of the files above (sha256sum -c)
 *     step-000000000160/ ...
 *     step-000000000080.corrupt/                       one that failed verification, set aside
 * </pre>
 *
 * <p>{@code state.properties} ({@code format=kiln-training-state/1}): {@code step}; the position
 * ({@code position.epochs_done}, {@code position.batches_done} of the next epoch,
 * {@code position.steps_per_epoch} and the partial epoch's time, examples and skipped steps);
 * {@code run.first_step} and {@code run.elapsed_nanos}; the value of every scalar parameter at the
 * step ({@code parameter.<name>}, where each schedule stands); what identifies the run
 * ({@code network}, {@code config.batch_size}, {@code config.seed}, {@code config.shuffle},
 * {@code data.training_examples}, {@code data.training_crc32c}, {@code data.validation_*}); the
 * seed and the position are the whole host-side random state, since each epoch's order is a
 * permutation seeded by the seed and the epoch ({@code shuffle.next_epoch_seed} records the next
 * epoch's) and dropout is keyed by the step; the best checkpoint so far
 * ({@code best.metric}, {@code best.value}, {@code best.step}); the length of each of training's
 * own event files ({@code events.<i>.file}, {@code events.<i>.bytes}); the kind of checkpoint
 * ({@code start}, {@code interval}, {@code best}, {@code final}, {@code interrupted}); and every
 * completed epoch's results ({@code history.<epoch>.*}).
 *
 * <p>A checkpoint is written into {@code checkpoints/.partial-step-...}, completed with its
 * manifest, forced to disk and renamed into place, so it is either whole or absent; a checkpoint is
 * never overwritten. {@link dev.kiln.runtime.checkpoint.CheckpointStore} does the writing, listing,
 * verifying, setting aside and pruning; the runtime decides what goes in.
 */
package dev.kiln.runtime.checkpoint;
