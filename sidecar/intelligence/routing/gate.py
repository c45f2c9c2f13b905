"""The learned router's gate: weights of its in-scope signals and the threshold below which it abstains.

The weights come from a logistic regression on out-of-fold tickets (learned_router's docstring, step 4):
in-scope tickets against out-of-scope ones, which are tickets of groups held out of a fold's model
("pseudo") and, when the history has any, tickets no team took (group None, "real"). In scope and out of
scope weigh the same in all; how the out-of-scope half splits between pseudo and real tickets is chosen
by cross-validation over the real ones when there are at least REAL_FOR_CHOICE of them (else half each):
the threshold keeps the in-scope tickets given up at max_lost whatever the weights, so the share that
catches the most held-out real out-of-scope tickets wins. Held-out teams are near misses from the same
product; real out-of-scope tickets show what this installation's off-topic tickets look like. On
banking77 with 100 null-group tickets (2026-12-06) the choice fell on real tickets alone: out-of-scope
recall 0.667 -> 0.720, in-scope accuracy 0.939 -> 0.938.
"""
from __future__ import annotations

import numpy as np

GATE_WEIGHT_FLOOR = 0.2  # see fit_logistic
# Candidate shares of the out-of-scope weight that pseudo tickets get beside real ones; the first wins ties.
PSEUDO_SHARES = (0.5, 0.25, 0.0)
REAL_FOR_CHOICE = 20  # real out-of-scope tickets needed to choose the share (two halves of at least 10)
IN_SCOPE, REAL, PSEUDO = 1, 0, 2  # kinds of calibration tickets (training._calibrate)


def sample_weights(kinds: np.ndarray, pseudo_share: float) -> np.ndarray:
    """Per ticket: in scope and out of scope weigh the same; pseudo tickets get pseudo_share of the latter."""
    has_real, has_pseudo = (kinds == REAL).any(), (kinds == PSEUDO).any()
    shares = ((IN_SCOPE, 1.0), (PSEUDO, pseudo_share if has_real else 1.0),
              (REAL, 1.0 - pseudo_share if has_pseudo else 1.0))
    weights = np.zeros(len(kinds))
    for kind, share in shares:
        members = kinds == kind
        if members.any():
            weights[members] = share / members.sum()
    return weights * (len(kinds) / weights.sum())


def fit(inputs: np.ndarray, kinds: np.ndarray, correct: np.ndarray, max_lost: float,
        pseudo_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, threshold) of the gate learned from calibration tickets' signals and kinds."""
    target = (kinds == IN_SCOPE).astype(int)
    mean, scale, weights = fit_logistic(inputs, target, sample_weights(kinds, pseudo_share))
    scores = ((inputs - mean) / scale) @ weights
    return mean, scale, weights, threshold_for(scores[target == 1], correct[target == 1], max_lost)


def choose_pseudo_share(inputs: np.ndarray, kinds: np.ndarray, correct: np.ndarray, max_lost: float) -> float:
    """The pseudo share whose gate, learned without half of the real out-of-scope tickets, abstains on the
    most of that half (2-fold, both ways); PSEUDO_SHARES[0] without enough real and pseudo tickets."""
    real = np.flatnonzero(kinds == REAL)
    if len(real) < REAL_FOR_CHOICE or not (kinds == PSEUDO).any():
        return PSEUDO_SHARES[0]
    # Its own generator: choosing must not change the draws training makes after calibration.
    halves = np.array_split(np.random.default_rng(len(real)).permutation(real), 2)
    caught = []
    for share in PSEUDO_SHARES:
        total = 0
        for held in halves:
            use = np.ones(len(kinds), dtype=bool)
            use[held] = False
            mean, scale, weights, threshold = fit(inputs[use], kinds[use], correct[use], max_lost, share)
            total += int((((inputs[held] - mean) / scale) @ weights < threshold).sum())
        caught.append(total)
    return PSEUDO_SHARES[int(np.argmax(caught))]


def fit_logistic(
    inputs: np.ndarray, target: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights) of a logistic regression from gate inputs to in-scope, weights kept >= 0."""
    mean = inputs[target == 1].mean(axis=0)
    scale = inputs[target == 1].std(axis=0) + 1e-6
    z = (inputs - mean) / scale
    if len(np.unique(target)) < 2:
        # Nothing out of scope to learn from: confidence and nearness count equally.
        return mean, scale, np.ones(inputs.shape[1]) / inputs.shape[1]
    from sklearn.linear_model import LogisticRegression

    keep = np.ones(inputs.shape[1], dtype=bool)
    coef = np.zeros(inputs.shape[1])
    while keep.any():
        model = LogisticRegression(C=1.0, max_iter=1000).fit(z[:, keep], target, sample_weight=weight)
        coef = np.zeros(inputs.shape[1])
        coef[keep] = model.coef_[0]
        if (coef[keep] >= 0).all():
            break
        keep &= coef > 0  # refit without the inputs that came out backwards (collinear with another)
    if not keep.any():
        coef = np.ones(inputs.shape[1]) / inputs.shape[1]
    # Held-out groups are near misses (same product, other team); tickets from far off show mostly in
    # similarity and vocabulary. Each signal keeps a floor of the strongest one's weight so that the
    # near misses cannot teach the gate to ignore them.
    coef = np.maximum(coef, GATE_WEIGHT_FLOOR * coef.max())
    return mean, scale, coef


def threshold_for(in_scope_gate: np.ndarray, correct: np.ndarray, max_lost: float) -> float:
    """The highest gate threshold that gives up at most max_lost of in-scope tickets routed correctly."""
    if len(in_scope_gate) == 0:
        return -np.inf
    allowed = int(round(max_lost * len(in_scope_gate)))
    good = np.sort(in_scope_gate[correct])
    if len(good) == 0:
        return -np.inf
    if allowed >= len(good):
        return float(good[-1])
    return float(good[allowed])
