#!/usr/bin/env python3
"""Fits the Platt scaling of `tmm::align::CALIBRATION` on the sentence beads of the
damaged-catalogue benchmark and reports how LOW (confidence below 0.9) does, in sample and
with each language held out.

    ALIGNMENT_BEADS=1 ALIGNMENT_ONLY=gettext cargo bench --bench alignment 2> beads.txt
    python3 scripts/calibrate_confidence.py beads.txt      # needs numpy

Each `BEAD lang damaged kind cost posterior source-chars target-chars right` line is one bead
with two sides.
"""
import math
import sys

import numpy as np

LOW = 0.9


def read(path):
    langs, logits, right = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("BEAD "):
                continue
            fields = line.split()
            p = min(max(float(fields[5]), 1e-4), 1 - 1e-4)
            langs.append(fields[1])
            logits.append(math.log(p / (1 - p)))
            right.append(float(fields[8]))
    x = np.column_stack([np.ones(len(logits)), logits])
    return np.array(langs), x, np.array(right)


def fit(x, y):
    """Logistic regression by Newton's method (a whisper of L2 keeps it defined)."""
    w = np.zeros(x.shape[1])
    for _ in range(50):
        q = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (q - y) + 1e-3 * w
        hessian = (x.T * (q * (1 - q))) @ x + 1e-3 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def report(name, q, y):
    low = q < LOW
    wrong = y == 0
    loss = -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))
    print(f"{name}: log-loss {loss:.5f}, LOW {low.sum()} of {len(y)}, "
          f"holding {(low & wrong).sum()} of {wrong.sum()} wrong")


def main():
    langs, x, y = read(sys.argv[1])
    w = fit(x, y)
    print(f"CALIBRATION = ({w[0]:.3f}, {w[1]:.3f})")
    raw = 1 / (1 + np.exp(-x[:, 1]))
    report("posterior as it is", raw, y)
    report("calibrated, in sample", 1 / (1 + np.exp(-(x @ w))), y)
    held = np.zeros(len(y))
    for lang in sorted(set(langs)):
        m = langs == lang
        wl = fit(x[~m], y[~m])
        print(f"  without {lang}: ({wl[0]:.3f}, {wl[1]:.3f})")
        held[m] = 1 / (1 + np.exp(-(x[m] @ wl)))
    report("calibrated, each language held out", held, y)


if __name__ == "__main__":
    main()
