"""The inverted-file index over the embedding matrix (sidecar.store.vector_index)."""
from __future__ import annotations

import numpy as np

from sidecar.store import vector_index
from sidecar.store.vector_index import EXACT_BELOW, build_index, candidate_rows, extend_index


def _clustered(count: int, clusters: int = 60, seed: int = 3) -> np.ndarray:
    """Unit vectors around `clusters` topics, as ticket embeddings are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, 32)).astype(np.float32)
    rows = centres[rng.integers(0, clusters, count)] + 0.35 * rng.standard_normal((count, 32)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_small_matrices_are_searched_exactly():
    assert build_index(_clustered(EXACT_BELOW - 1)) is None
    assert candidate_rows(None, np.ones(32, dtype=np.float32), 10) is None


def test_the_probed_cells_hold_nearly_all_true_neighbours():
    vectors = _clustered(EXACT_BELOW + 5_000)
    index = build_index(vectors)
    assert index is not None and len(index.centroids) >= 16
    assert sum(len(members) for members in index.members) == len(vectors)
    queries = _clustered(50, seed=4)
    found = []
    for query in queries:
        rows = candidate_rows(index, query, len(vectors))
        assert len(rows) < len(vectors) / 2  # far fewer rows read than an exact search
        exact = set(np.argsort(-(vectors @ query))[:10])
        found.append(len(exact & set(rows)) / 10)
    assert np.mean(found) >= 0.9


def test_extending_equals_assigning_from_scratch_with_the_same_centroids():
    vectors = _clustered(EXACT_BELOW + 2_000)
    index = build_index(vectors[:-500])
    extended = extend_index(index, vectors[-500:], dropped=300)
    remaining = vectors[300:]
    assert len(extended.cells) == len(remaining)
    expected = np.argmax(remaining @ index.centroids.T, axis=1)
    assert np.array_equal(extended.cells, expected)
    for cell, members in enumerate(extended.members):
        assert np.array_equal(members, np.flatnonzero(expected == cell))


def test_the_probe_share_sets_how_many_cells_are_read(monkeypatch):
    vectors = _clustered(EXACT_BELOW)
    index = build_index(vectors)
    monkeypatch.setattr(vector_index, "PROBE_SHARE", 1)
    assert len(candidate_rows(index, vectors[0], len(vectors))) == len(vectors)
