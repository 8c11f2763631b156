#!/usr/bin/env python3
"""Kiln's benchmark workloads in PyTorch (eager), written as a careful user would.

usage: torch_peers.py W1|W2|W3

W1 and W2 time one epoch of MNIST (469 steps of 128) and 200 steps after a warm-up; W3 is the
deep relaxed network built as the RAI reference builds it, timed over 100 full-batch Rprop steps.
Prints one `BENCH-PEER {json}` line."""
import math
import sys

import numpy as np
import torch
from torch import nn

import common

FRAMEWORK = f"pytorch {torch.__version__}"
torch.set_num_threads(2)
torch.manual_seed(42)


def glorot(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class ThetaLeaky(nn.Module):
    """max(x·tanθ, x), θ set by the training loop before each step."""

    def __init__(self):
        super().__init__()
        self.theta = common.QUARTER_PI

    def forward(self, x):
        return torch.maximum(x * math.tan(self.theta), x)


def mlp():
    return nn.Sequential(nn.Flatten(), glorot(nn.Linear(784, 512)), ThetaLeaky(), glorot(nn.Linear(512, 512)), ThetaLeaky(),
                         glorot(nn.Linear(512, 10)))


def cnn():
    return nn.Sequential(glorot(nn.Conv2d(1, 32, 5)), ThetaLeaky(), nn.MaxPool2d(2), glorot(nn.Conv2d(32, 64, 5)), ThetaLeaky(),
                         nn.MaxPool2d(2), nn.Flatten(), glorot(nn.Linear(1024, 1024)), ThetaLeaky(), glorot(nn.Linear(1024, 10)))


def mnist(workload):
    images, labels = common.mnist_train()
    images = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    labels = torch.from_numpy(labels)
    model, steps, ramp = (mlp(), common.MNIST_STEPS_PER_EPOCH, common.MNIST_STEPS_PER_EPOCH) if workload == "W1" \
        else (cnn(), 200, 10 * common.MNIST_STEPS_PER_EPOCH)
    leaky = [m for m in model.modules() if isinstance(m, ThetaLeaky)]
    # The fused kernel: PyTorch's default Adam on the CPU loops over the parameters op by op (9.5 ms
    # a W1 step here, against 1.3 with foreach=True and 0.5 fused).
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, fused=True)
    loss_fn = nn.CrossEntropyLoss()
    batch = common.MNIST_BATCH
    counter = [0]

    def epoch(x, y, seed):
        order = torch.from_numpy(np.random.RandomState(seed).permutation(len(x)))
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            theta = common.hold_then_linear(counter[0], 0, ramp)
            for m in leaky:
                m.theta = theta
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
            counter[0] += 1
        return loss.item()

    epoch(images[:20 * batch], labels[:20 * batch], 0)
    startup = common.process_seconds()
    watch = common.Stopwatch()
    epoch(images[: steps * batch], labels[: steps * batch], 1)
    seconds = watch.seconds()
    common.report(workload, "pytorch-eager", FRAMEWORK, examplesPerSecond=steps * batch / seconds,
                  msPerStep=1000 * seconds / steps, startupSeconds=startup)


class Relaxed(nn.Module):
    """A Linear wrapped as the RAI reference wraps every layer: in relaxed mode the next layer reads
    this layer's per-example targets instead of its output, and the layer adds the squared distance
    between its targets and what it computed to the hidden loss."""

    def __init__(self, linear, activation):
        super().__init__()
        self.linear, self.activation = linear, activation
        self.targets = None

    def init_targets(self, x):
        pre = self.linear(x)
        self.targets = nn.Parameter(pre.detach().clone())
        return self.activation(pre)

    def forward(self, x):
        pre = self.linear(x)
        hidden = torch.mean((self.targets - pre) ** 2)
        return self.activation(self.targets), hidden


def deep_relaxed():
    x, y = (torch.from_numpy(a) for a in common.two_moons(100, 0.1, 42))
    widths = [2] + [100] * 100 + [1]
    layers = nn.ModuleList(
        Relaxed(glorot(nn.Linear(widths[i], widths[i + 1])), torch.sigmoid if i < 100 else nn.Identity()) for i in range(101))
    with torch.no_grad():
        h = x
        for layer in layers:
            h = layer.init_targets(h)
    # As the reference: torch.optim.Rprop with its defaults.
    optimizer = torch.optim.Rprop(layers.parameters(), lr=0.1, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    bce = nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        h, hidden = x, 0.0
        for layer in layers:
            h, layer_loss = layer(h)
            hidden = hidden + layer_loss
        loss = bce(layers[-1].targets, y) + hidden
        loss.backward()
        optimizer.step()
        return loss

    common.time_full_batch_steps(step, lambda loss: loss.item(), "pytorch-reference", FRAMEWORK)


def main(argv):
    workload = argv[0] if argv else ""
    if workload in ("W1", "W2"):
        mnist(workload)
    elif workload == "W3":
        deep_relaxed()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
