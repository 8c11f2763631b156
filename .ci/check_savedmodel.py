#!/usr/bin/env python3
"""Checks Kiln's SavedModel exports with TensorFlow Python's own loader.

Usage:
  check_savedmodel.py CASE_DIR [CASE_DIR ...]

Each CASE_DIR holds export/ (what Model.export wrote) and expected.json (written by the Java
test that exported it: the inputs, what Model.predict returned for them, the signature's input
and output names, the loss and the tolerance). For each case this loads export/ with
tf.saved_model.load, checks that its serving_default signature takes the named input as float32
with an unknown batch size and gives the named output (and, for a classifier, logits whose
sigmoid or softmax is that output), runs it on the inputs and compares with Model.predict.

Exits with 1 naming every case that failed and why, 2 for a missing case or bad usage.
"""

import json
import os
import sys

import numpy as np
import tensorflow as tf


def load_case(case_dir):
    """The case's expected.json and export directory, or raises SystemExit(2) naming what is missing."""
    expected_file = os.path.join(case_dir, "expected.json")
    export_dir = os.path.join(case_dir, "export")
    for path in (expected_file, os.path.join(export_dir, "saved_model.pb")):
        if not os.path.isfile(path):
            print("check_savedmodel: %s does not exist (did the Java tests run?)" % path, file=sys.stderr)
            raise SystemExit(2)
    with open(expected_file, encoding="utf-8") as f:
        return json.load(f), export_dir


def signature_problems(signature, expected):
    """What is wrong with the serving signature's inputs and outputs, as messages."""
    problems = []
    _, inputs = signature.structured_input_signature
    name = expected["input"]
    if set(inputs) != {name}:
        problems.append("serving_default takes %s, expected only '%s'" % (sorted(inputs), name))
    else:
        spec = inputs[name]
        wanted = [None] + expected["example_shape"]
        if spec.dtype != tf.float32 or spec.shape.as_list() != wanted:
            problems.append(
                "input '%s' is %s %s, expected float32 %s" % (name, spec.dtype.name, spec.shape.as_list(), wanted)
            )
    outputs = set(signature.structured_outputs)
    wanted_outputs = {expected["output"]} | ({"logits"} if expected["loss"] != "MEAN_SQUARED_ERROR" else set())
    if outputs != wanted_outputs:
        problems.append("serving_default gives %s, expected %s" % (sorted(outputs), sorted(wanted_outputs)))
    return problems


def activation(loss, logits):
    if loss == "SIGMOID_CROSS_ENTROPY":
        return tf.math.sigmoid(logits).numpy()
    if loss == "SOFTMAX_CROSS_ENTROPY":
        return tf.nn.softmax(logits).numpy()
    raise ValueError("no activation for loss %s" % loss)


def check(case_dir):
    """Problems with one case, as messages; empty if the export predicts as Model.predict did."""
    expected, export_dir = load_case(case_dir)
    try:
        return compare(expected, export_dir)
    except Exception as e:  # an export TensorFlow cannot load or run, e.g. one without its weights
        message = " ".join(str(e).split())
        return ["TensorFlow could not load or run %s: %s: %s" % (export_dir, type(e).__name__, message[:500])]


def compare(expected, export_dir):
    loaded = tf.saved_model.load(export_dir)
    if "serving_default" not in loaded.signatures:
        return ["no serving_default signature; it has %s" % sorted(loaded.signatures.keys())]
    signature = loaded.signatures["serving_default"]
    problems = signature_problems(signature, expected)
    if problems:
        return problems

    inputs = np.asarray(expected["inputs"], dtype=np.float32).reshape([-1] + expected["example_shape"])
    predicted = np.asarray(expected["predictions"], dtype=np.float32)
    served = signature(**{expected["input"]: tf.constant(inputs)})
    output = served[expected["output"]].numpy()
    tolerance = expected["tolerance"]
    if output.shape != predicted.shape:
        return ["'%s' has shape %s, Model.predict gave %s" % (expected["output"], output.shape, predicted.shape)]
    difference = float(np.max(np.abs(output - predicted)))
    print(
        "  %s: %d examples, '%s' at most %.2e from Model.predict (tolerance %.0e)"
        % (expected["network"], len(inputs), expected["output"], difference, tolerance)
    )
    if not difference <= tolerance:
        worst = int(np.argmax(np.max(np.abs(output - predicted).reshape(len(inputs), -1), axis=1)))
        problems.append(
            "'%s' differs from Model.predict by %.3g (tolerance %g); worst example %d: served %s, predicted %s"
            % (expected["output"], difference, tolerance, worst, output[worst].tolist(), predicted[worst].tolist())
        )
    if "logits" in served:
        through = activation(expected["loss"], served["logits"])
        mismatch = float(np.max(np.abs(through - output)))
        if not mismatch <= tolerance:
            problems.append("the activation of 'logits' differs from '%s' by %.3g" % (expected["output"], mismatch))
    return problems


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("TensorFlow %s loads Kiln's exports" % tf.__version__)
    failed = []
    for case_dir in argv:
        print("%s" % case_dir)
        for problem in check(case_dir):
            failed.append(case_dir)
            print("check_savedmodel: %s: %s" % (case_dir, problem), file=sys.stderr)
    if failed:
        print("check_savedmodel: %d of %d exports failed" % (len(set(failed)), len(argv)), file=sys.stderr)
        return 1
    print("check_savedmodel: all %d exports load and predict as Model.predict" % len(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
