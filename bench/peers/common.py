"""What every peer of Kiln's benchmark shares: the data, the θ schedules, and the one line of
figures the Java benchmark reads (`BENCH-PEER {json}`).

The data are the benchmark's: MNIST read from the IDX files Kiln's fetcher caches (no download
here), and two moons made the way Kiln's TwoMoons makes them (its exact points come from Java's
random numbers; the distribution, sizes and noise are the same)."""
import gzip
import json
import math
import os
import struct
import time
from pathlib import Path

import numpy as np

QUARTER_PI = math.pi / 4
MNIST_BATCH = 128
MNIST_STEPS_PER_EPOCH = 469


def process_seconds():
    """Seconds since this process started, as the kernel recorded its start."""
    ticks = os.sysconf(os.sysconf_names["SC_CLK_TCK"])
    with open("/proc/self/stat") as stat:
        started = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) - started


def peak_resident_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def report(workload, peer, framework, **figures):
    """Prints the line the benchmark parses; figures are examplesPerSecond, msPerStep, seconds, startupSeconds."""
    with open("/proc/loadavg") as load:
        load_average = float(load.read().split()[0])
    line = {"workload": workload, "peer": peer, "framework": framework, "device": "CPU",
            "peakResidentMiB": round(peak_resident_mib(), 1), "loadAverage": load_average}
    line.update({key: value for key, value in figures.items() if value is not None})
    print("BENCH-PEER " + json.dumps(line), flush=True)


def mnist_directory():
    return Path(os.environ.get("KILN_MNIST", Path.home() / ".kiln" / "datasets" / "mnist"))


def _idx(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        magic, = struct.unpack(">I", file.read(4))
        dims = struct.unpack(">" + "I" * (magic & 0xFF), file.read(4 * (magic & 0xFF)))
        return np.frombuffer(file.read(), dtype=np.uint8).reshape(dims)


def mnist_train():
    """The 60,000 training images as float32 in [0, 1], shape (n, 28, 28, 1), and their labels (int64)."""
    directory = mnist_directory()
    images, labels = directory / "train-images-idx3-ubyte", directory / "train-labels-idx1-ubyte"
    if not images.exists():
        raise SystemExit(f"MNIST is not in {directory}: run the benchmark's Kiln side (or any Kiln MNIST program) once, which caches it")
    return (_idx(images).astype(np.float32) / 255.0)[..., None], _idx(labels).astype(np.int64)


def two_moons(points, noise, seed):
    """Two interleaving half circles with Gaussian noise, as Kiln's TwoMoons (and scikit-learn's
    make_moons with a seed) make them: float32 (n, 2), labels (n, 1)."""
    rng = np.random.RandomState(seed)
    outer = points // 2
    inner = points - outer
    angle_outer = np.linspace(0, math.pi, outer)
    angle_inner = np.linspace(0, math.pi, inner)
    x = np.concatenate([np.stack([np.cos(angle_outer), np.sin(angle_outer)], 1),
                        np.stack([1 - np.cos(angle_inner), 1 - np.sin(angle_inner) - 0.5], 1)])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])[:, None]
    order = np.arange(points)
    rng.shuffle(order)
    x, y = x[order], y[order]
    x = x + rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), y.astype(np.float32)


def hold_then_linear(step, hold_steps, ramp_steps, start=QUARTER_PI, end=0.0):
    """θ at a step: `start` for `hold_steps`, then linearly to `end` over `ramp_steps`, then `end`."""
    into = min(max(step - hold_steps, 0), ramp_steps)
    return start + (end - start) * into / ramp_steps


def time_full_batch_steps(step, wait, peer, framework, examples=100, warm_up=2, steps=100):
    """Reports W3: `steps` full-batch training steps after `warm_up`, `wait(loss)` blocking until a
    step's loss is computed (frameworks run steps asynchronously)."""
    for _ in range(warm_up):
        wait(step())
    startup = process_seconds()
    watch = Stopwatch()
    for _ in range(steps):
        loss = step()
    wait(loss)
    seconds = watch.seconds()
    report("W3", peer, framework, msPerStep=1000 * seconds / steps, examplesPerSecond=examples * steps / seconds,
           startupSeconds=startup)


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start
