#!/usr/bin/env python3
"""Checks a Kiln training run with TensorBoard's own event loader.

Usage:
  check_tensorboard.py RUN_DIR [--scalar TAG ...] [--histogram TAG ...]

Loads RUN_DIR (a directory holding events.out.tfevents.* files) through
tensorboard.backend.event_processing.event_accumulator.EventAccumulator, prints every
scalar, histogram and tensor tag with its number of steps, and exits with 1 naming each
required tag that TensorBoard did not find (2 for a bad run directory or usage).

Kiln writes scalars as legacy simple_value and histograms as legacy HistogramProto.
TensorBoard versions that migrate those into tensor summaries list them under
"tensors" instead, so a required tag counts as present under either list.
"""

import argparse
import os
import sys

from tensorboard.backend.event_processing import event_accumulator

EVENT_FILE_MARKER = "tfevents"  # TensorBoard's own test for an event file name


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="List a run's TensorBoard tags and fail if required ones are missing."
    )
    parser.add_argument("run_dir", help="run directory holding events.out.tfevents.* files")
    parser.add_argument(
        "--scalar", action="append", default=[], metavar="TAG", help="a scalar tag that must be present"
    )
    parser.add_argument(
        "--histogram", action="append", default=[], metavar="TAG", help="a histogram tag that must be present"
    )
    return parser.parse_args(argv)


def event_files(directory):
    return sorted(
        name
        for name in os.listdir(directory)
        if EVENT_FILE_MARKER in name and os.path.isfile(os.path.join(directory, name))
    )


def runs_below(directory):
    """Subdirectories that hold event files: a hint when given a log root instead of a run."""
    found = []
    for root, _, files in os.walk(directory):
        if root != directory and any(EVENT_FILE_MARKER in name for name in files):
            found.append(os.path.relpath(root, directory))
    return sorted(found)


def check_run_dir(run_dir):
    """An error message for a run directory TensorBoard would silently read as empty, or None."""
    if not os.path.isdir(run_dir):
        return "run directory %s does not exist or is not a directory" % run_dir
    if event_files(run_dir):
        return None
    message = "no TensorBoard event files (events.out.tfevents.*) in %s" % run_dir
    runs = runs_below(run_dir)
    if runs:
        message += "; it looks like a log root: pass one of its runs: %s" % ", ".join(
            os.path.join(run_dir, run) for run in runs
        )
    return message


def load(run_dir):
    # 0 keeps every event rather than a reservoir sample, so step counts are exact.
    size_guidance = {
        event_accumulator.SCALARS: 0,
        event_accumulator.HISTOGRAMS: 0,
        event_accumulator.TENSORS: 0,
    }
    accumulator = event_accumulator.EventAccumulator(run_dir, size_guidance=size_guidance)
    accumulator.Reload()
    return accumulator


def step_counts(accumulator):
    """{kind: {tag: number of events}} for the kinds a Kiln run writes."""
    tags = accumulator.Tags()
    readers = {
        "scalars": accumulator.Scalars,
        "histograms": accumulator.Histograms,
        "tensors": accumulator.Tensors,
    }
    return {kind: {tag: len(read(tag)) for tag in tags.get(kind, [])} for kind, read in readers.items()}


def missing_tags(counts, required_scalars, required_histograms):
    missing = []
    for kind, required in (("scalar", required_scalars), ("histogram", required_histograms)):
        present = set(counts[kind + "s"]) | set(counts["tensors"])
        missing.extend((kind, tag) for tag in required if tag not in present)
    return missing


def main(argv):
    arguments = parse_arguments(argv)
    problem = check_run_dir(arguments.run_dir)
    if problem:
        print("check_tensorboard: " + problem, file=sys.stderr)
        return 2

    counts = step_counts(load(arguments.run_dir))
    print("TensorBoard run %s" % arguments.run_dir)
    for kind in ("scalars", "histograms", "tensors"):
        print("%s:" % kind)
        if not counts[kind]:
            print("  (none)")
        for tag, steps in sorted(counts[kind].items()):
            print("  %s  (%d steps)" % (tag, steps))

    missing = missing_tags(counts, arguments.scalar, arguments.histogram)
    for kind, tag in missing:
        print(
            "check_tensorboard: required %s tag '%s' is missing from %s" % (kind, tag, arguments.run_dir),
            file=sys.stderr,
        )
    if missing:
        return 1
    required = len(arguments.scalar) + len(arguments.histogram)
    print("check_tensorboard: all %d required tags present" % required)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
