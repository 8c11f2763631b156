#!/usr/bin/env python3
"""Kiln's benchmark workloads in Keras 3 on TensorFlow, written as a careful user would.

usage: keras_peers.py W1|W2|W4 fit|jit     W3 jit

  fit  Keras `fit`: the usual way.
  jit  a `tf.function(jit_compile=True)` training step in a loop: XLA compiles the whole step.

W1 and W2 time one epoch of MNIST (469 steps of 128) and 200 steps after a warm-up; W3 times 100
full-batch Rprop steps of the deep relaxed network; W4 is the moons sample's whole job (30 epochs
of 32, validation every epoch, a checkpoint after every epoch, TensorBoard logs), from process
start to its last line. Prints one `BENCH-PEER {json}` line."""
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import common  # noqa: E402

FRAMEWORK = f"keras {keras.__version__} / tensorflow {tf.__version__}"


class Clock:
    """Where a ThetaLeaky layer reads the step: the optimizer's step counter, once there is one
    (a plain object, so that Keras does not track the counter as the layer's own state)."""

    def __init__(self):
        self.iterations = None


class ThetaLeaky(keras.layers.Layer):
    """max(x·tanθ, x) with θ from a schedule of the optimizer's step counter, computed in the graph."""

    def __init__(self, hold_steps, ramp_steps, clock, **kwargs):
        super().__init__(**kwargs)
        self.hold_steps, self.ramp_steps = float(hold_steps), float(ramp_steps)
        self.clock = clock

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, x):
        step = tf.cast(self.clock.iterations, tf.float32) if self.clock.iterations is not None else 0.0
        into = tf.clip_by_value(step - self.hold_steps, 0.0, self.ramp_steps)
        theta = common.QUARTER_PI * (1.0 - into / self.ramp_steps)
        return tf.maximum(x * tf.tan(theta), x)


def dense(units, name):
    return keras.layers.Dense(units, kernel_initializer="glorot_uniform", bias_initializer="zeros", name=name)


def mlp(widths, outputs, hold_steps, ramp_steps, input_shape):
    clock = Clock()
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    for i, width in enumerate(widths):
        x = ThetaLeaky(hold_steps, ramp_steps, clock)(dense(width, f"hidden{i + 1}")(x))
    return keras.Model(inputs, dense(outputs, "logit")(x)), clock


def cnn(ramp_steps):
    clock = Clock()
    inputs = keras.Input(shape=(28, 28, 1))
    leaky = [ThetaLeaky(0, ramp_steps, clock) for _ in range(3)]
    x = keras.layers.Conv2D(32, 5, padding="valid", kernel_initializer="glorot_uniform")(inputs)
    x = keras.layers.MaxPooling2D(2)(leaky[0](x))
    x = keras.layers.Conv2D(64, 5, padding="valid", kernel_initializer="glorot_uniform")(x)
    x = keras.layers.MaxPooling2D(2)(leaky[1](x))
    x = leaky[2](dense(1024, "fc")(keras.layers.Flatten()(x)))
    return keras.Model(inputs, dense(10, "digit")(x)), clock


def compiled(model, clock, optimizer, loss):
    clock.iterations = optimizer.iterations
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def train_step(model, optimizer, loss_fn):
    """One training step, to be called inside a compiled tf.function."""
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss
    return step


def mnist(workload, mode):
    images, labels = common.mnist_train()
    if workload == "W1":
        model, clock = mlp([512, 512], 10, 0, common.MNIST_STEPS_PER_EPOCH, (28, 28, 1))
        steps = common.MNIST_STEPS_PER_EPOCH
    else:
        model, clock = cnn(10 * common.MNIST_STEPS_PER_EPOCH)
        steps = 200
    optimizer = keras.optimizers.Adam(1e-3, epsilon=1e-7)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    batch = common.MNIST_BATCH
    timed_x, timed_y = images[: steps * batch], labels[: steps * batch]
    # Warm-up data end in a partial batch when the timed ones do (W1's epoch: 468 of 128, one of
    # 96), so that every shape is traced and compiled before the clock starts.
    warm = 20 * batch + len(timed_x) % batch
    if mode == "fit":
        compiled(model, clock, optimizer, loss)
        model.fit(images[:warm], labels[:warm], batch_size=batch, epochs=1, verbose=0)
        startup = common.process_seconds()
        watch = common.Stopwatch()
        model.fit(timed_x, timed_y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
        seconds = watch.seconds()
    else:
        clock.iterations = optimizer.iterations
        step = tf.function(train_step(model, optimizer, loss), jit_compile=True)

        # Each epoch shuffles the arrays with NumPy and feeds slices: of the ways tried, the
        # fastest here (4.1-4.5 ms a step on W1, where a tf.data pipeline took 5.6-10.3 and a
        # gather inside the compiled step 6.2; 3.1 for the same batch over and over).
        def epoch(x, y, seed):
            order = np.random.RandomState(seed).permutation(len(x))
            x, y = x[order], y[order]
            for start in range(0, len(x), batch):
                last = step(x[start:start + batch], y[start:start + batch])
            return last

        epoch(images[:warm], labels[:warm], 0).numpy()
        startup = common.process_seconds()
        watch = common.Stopwatch()
        epoch(timed_x, timed_y, 1).numpy()
        seconds = watch.seconds()
    common.report(workload, f"keras-{mode}", FRAMEWORK, examplesPerSecond=steps * batch / seconds,
                  msPerStep=1000 * seconds / steps, startupSeconds=startup)


def deep_relaxed():
    """The deep relaxed network of W3 as a tf.function with XLA: 101 dense layers (100 sigmoid
    hidden layers of 100 and a 1-unit output), a target per example for every layer's
    pre-activation, initialised from a forward pass, binary cross-entropy on the output's targets
    plus the mean squared distance of every layer's targets, PyTorch's Rprop rule per variable."""
    x_np, y_np = common.two_moons(100, 0.1, 42)
    x, y = tf.constant(x_np), tf.constant(y_np)
    init = keras.initializers.GlorotUniform(seed=42)
    widths = [2] + [100] * 100 + [1]
    weights = [tf.Variable(init((widths[i], widths[i + 1]))) for i in range(101)]
    biases = [tf.Variable(tf.zeros(widths[i + 1])) for i in range(101)]
    h, targets = x, []
    for i in range(101):
        pre = h @ weights[i] + biases[i]
        targets.append(tf.Variable(pre))
        h = tf.sigmoid(pre)
    params = weights + biases + targets
    previous = [tf.Variable(tf.zeros_like(p)) for p in params]
    sizes = [tf.Variable(tf.fill(p.shape, 0.1)) for p in params]

    @tf.function(jit_compile=True)
    def step():
        with tf.GradientTape() as tape:
            h, hidden = x, 0.0
            for i in range(101):
                pre = h @ weights[i] + biases[i]
                hidden += tf.reduce_mean(tf.square(targets[i] - pre))
                h = tf.sigmoid(targets[i])
            output = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=targets[100]))
            loss = output + hidden
        for p, g, q, size in zip(params, tape.gradient(loss, params), previous, sizes):
            product = g * q
            size.assign(tf.clip_by_value(tf.where(product > 0, size * 1.2, tf.where(product < 0, size * 0.5, size)), 1e-6, 50.0))
            g = tf.where(product < 0, tf.zeros_like(g), g)
            p.assign_sub(tf.sign(g) * size)
            q.assign(g)
        return loss

    common.time_full_batch_steps(step, lambda loss: loss.numpy(), "tf-function-jit", FRAMEWORK)


def moons_job():
    """The moons sample's job with Keras `fit` and the same features."""
    x, y = common.two_moons(1000, 0.1, 1)
    order = np.random.RandomState(1).permutation(1000)
    train, test = order[:800], order[800:]
    validation = train[:80]
    train = train[80:]
    steps_per_epoch = -(-len(train) // 32)
    model, clock = mlp([42, 100, 100, 42], 1, 2 * steps_per_epoch, 18 * steps_per_epoch, (2,))
    keras.utils.set_random_seed(7)
    optimizer = keras.optimizers.Adam(3e-3, epsilon=1e-7)
    compiled(model, clock, optimizer, keras.losses.BinaryCrossentropy(from_logits=True))
    run = tempfile.mkdtemp(prefix="keras-moons-")
    callbacks = [
        keras.callbacks.ModelCheckpoint(os.path.join(run, "checkpoint-{epoch:02d}.weights.h5"), save_weights_only=True),
        keras.callbacks.TensorBoard(os.path.join(run, "logs"), update_freq=10),
    ]
    print(f"Training the moons MLP with Keras fit, run {run}", flush=True)
    startup = common.process_seconds()
    history = model.fit(x[train], y[train], batch_size=32, epochs=30, validation_data=(x[validation], y[validation]),
                        callbacks=callbacks, verbose=0, shuffle=True)
    loss, accuracy = model.evaluate(x[test], y[test], verbose=0)
    print(f"Done: 30 epochs; val_accuracy {history.history['val_accuracy'][-1]:.4f}; test accuracy {accuracy:.4f}", flush=True)
    common.report("W4", "keras-fit", FRAMEWORK, seconds=common.process_seconds(), startupSeconds=startup, testAccuracy=accuracy)


def main(argv):
    workload, mode = (argv + ["", ""])[:2]
    if workload in ("W1", "W2") and mode in ("fit", "jit"):
        mnist(workload, mode)
    elif workload == "W3" and mode == "jit":
        deep_relaxed()
    elif workload == "W4" and mode == "fit":
        moons_job()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
