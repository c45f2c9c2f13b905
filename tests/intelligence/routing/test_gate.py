"""The router's gate: sample weights by kind of calibration ticket, and the CV choice of the pseudo share."""
from __future__ import annotations

import numpy as np
import pytest

from sidecar.intelligence.routing import gate
from sidecar.intelligence.routing.gate import IN_SCOPE, PSEUDO, PSEUDO_SHARES, REAL


def _kinds(in_scope: int, real: int, pseudo: int) -> np.ndarray:
    return np.array([IN_SCOPE] * in_scope + [REAL] * real + [PSEUDO] * pseudo)


@pytest.mark.parametrize("share", [0.0, 0.25, 0.5])
def test_in_and_out_of_scope_weigh_the_same_and_pseudo_tickets_get_their_share(share):
    kinds = _kinds(300, 40, 60)
    weights = gate.sample_weights(kinds, share)
    out = weights[kinds != IN_SCOPE].sum()
    assert weights[kinds == IN_SCOPE].sum() == pytest.approx(out)
    assert weights[kinds == PSEUDO].sum() == pytest.approx(share * out)
    assert weights.sum() == pytest.approx(len(kinds))


def test_without_real_tickets_pseudo_ones_carry_all_the_out_of_scope_weight():
    kinds = _kinds(300, 0, 60)
    weights = gate.sample_weights(kinds, 0.0)
    assert weights[kinds == PSEUDO].sum() == pytest.approx(weights[kinds == IN_SCOPE].sum())


def _signals(rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
    """Two signals: the first separates in scope from pseudo tickets, the second from real ones only."""
    first = rng.normal(0, 1, len(kinds)) - 2.0 * (kinds == PSEUDO)
    second = rng.normal(0, 1, len(kinds)) - 4.0 * (kinds == REAL)
    return np.column_stack([first, second])


def test_the_share_is_chosen_by_how_many_held_out_real_tickets_the_gate_catches():
    rng = np.random.default_rng(0)
    kinds = _kinds(1000, 60, 300)
    inputs = _signals(rng, kinds)
    correct = kinds == IN_SCOPE
    assert gate.choose_pseudo_share(inputs, kinds, correct, 0.015) == 0.0


def test_too_few_real_tickets_keep_the_default_share():
    rng = np.random.default_rng(0)
    kinds = _kinds(1000, gate.REAL_FOR_CHOICE - 1, 300)
    inputs = _signals(rng, kinds)
    assert gate.choose_pseudo_share(inputs, kinds, kinds == IN_SCOPE, 0.015) == PSEUDO_SHARES[0]
    no_pseudo = _kinds(1000, 60, 0)
    assert gate.choose_pseudo_share(_signals(rng, no_pseudo), no_pseudo, no_pseudo == IN_SCOPE,
                                    0.015) == PSEUDO_SHARES[0]


def test_fit_gives_up_at_most_max_lost_of_the_in_scope_tickets_routed_right():
    rng = np.random.default_rng(1)
    kinds = _kinds(1000, 60, 300)
    inputs = _signals(rng, kinds)
    mean, scale, weights, threshold = gate.fit(inputs, kinds, kinds == IN_SCOPE, 0.02, 0.5)
    scores = ((inputs - mean) / scale) @ weights
    assert (weights >= 0).all()
    assert np.mean(scores[kinds == IN_SCOPE] < threshold) <= 0.02
