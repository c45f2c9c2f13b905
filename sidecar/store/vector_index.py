"""An inverted-file index over an installation's embedding matrix: nearest neighbours without reading every row.

The vectors are grouped into cells by k-means (sqrt(n) cells, centroids fitted on a sample); a query
scores the centroids, then only the vectors of its PROBE_SHARE nearest cells (an eighth). At 50,000
vectors that reads ~6,000 rows instead of 50,000. It is approximate: a true neighbour in a cell not
probed is missed (bench/similar_search.py prints the share of the exact top 100 found). Below
EXACT_BELOW vectors search stays exact (a full product is cheap there), so small histories, and the
quality figures measured on them, are unchanged.

The index holds positions into the matrix (int32), not copies of vectors: a few hundred KB. New
vectors join their nearest cell; when the oldest leave the matrix their positions are dropped.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

EXACT_BELOW = 20_000  # vectors; below this every query reads the whole matrix
PROBE_SHARE = 8  # one cell in this many is probed
KMEANS_ITERATIONS = 8
SAMPLE_PER_CELL = 40  # vectors the centroids are fitted on, per cell
CHUNK = 8192  # rows assigned at once (bounds the temporary distance matrix)
SEED = 18


class CellIndex(NamedTuple):
    centroids: np.ndarray  # float32, one unit-length row per cell
    cells: np.ndarray  # int32: each matrix row's cell
    members: tuple[np.ndarray, ...]  # per cell, the matrix positions in it (int32, ascending)


def build_index(vectors: np.ndarray) -> CellIndex | None:
    """An index over `vectors` (unit-length rows), or None when there are too few for one to pay."""
    count = len(vectors)
    if count < EXACT_BELOW:
        return None
    cells = max(int(math.sqrt(count)), 16)
    rng = np.random.default_rng(SEED)
    sample = vectors[np.sort(rng.choice(count, size=min(count, cells * SAMPLE_PER_CELL), replace=False))]
    centroids = sample[rng.choice(len(sample), size=cells, replace=False)].copy()
    for _ in range(KMEANS_ITERATIONS):
        nearest = np.argmax(sample @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, nearest, sample)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        # A cell that lost every member keeps its centroid (spherical k-means: means are renormalised).
        centroids = np.where(norms > 0, sums / np.maximum(norms, 1e-12), centroids).astype(np.float32)
    assigned = _assign(centroids, vectors)
    return CellIndex(centroids, assigned, _members(assigned, cells))


def _assign(centroids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), CHUNK):
        out[start:start + CHUNK] = np.argmax(vectors[start:start + CHUNK] @ centroids.T, axis=1)
    return out


def _members(cells: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    order = np.argsort(cells, kind="stable").astype(np.int32)
    bounds = np.searchsorted(cells[order], np.arange(count + 1))
    return tuple(order[bounds[cell]:bounds[cell + 1]] for cell in range(count))


def extend_index(index: CellIndex, new_vectors: np.ndarray, dropped: int) -> CellIndex:
    """The index after `dropped` oldest rows left the matrix and `new_vectors` were appended to it."""
    cells = np.concatenate([index.cells[dropped:], _assign(index.centroids, new_vectors)])
    return CellIndex(index.centroids, cells, _members(cells, len(index.centroids)))


def candidate_rows(index: CellIndex | None, query: np.ndarray, count: int) -> np.ndarray | None:
    """Matrix positions worth scoring for `query` (the probed cells' members), or None for all `count` rows."""
    if index is None:
        return None
    probes = max(len(index.centroids) // PROBE_SHARE, 1)
    nearest = np.argpartition(-np.einsum("ij,j->i", index.centroids, query), probes - 1)[:probes]  # no BLAS threads
    rows = np.concatenate([index.members[cell] for cell in nearest])
    return rows[rows < count]
