"""Ticket text as hashed features (words, character n-grams) and TF-IDF cosines over them, in numpy.

Re-ranking reads a hundred candidate texts per query. Cutting them into words with a regex and
counting with dicts costs ~15 ms on a small server; here the texts are turned into one array of code
points and every word and n-gram is hashed with vectorised arithmetic, about ten times faster.
Features are 64-bit polynomial hashes: two different features share a hash with odds of about
n^2 / 2^64, far below anything that could move a ranking.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[^\W_]+")
_SEPARATOR = "\x00"  # between texts; never a word character
_BASE = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2^64
_BASE_INVERSE = np.uint64(pow(int(_BASE), -1, 2**64))
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)

# English function words: frequent everywhere, so they only add noise to a cosine. Kept short and
# domain-free on purpose; the pool's own idf handles each installation's common words.
STOP_WORDS = tuple(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
     "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did",
     "do", "does", "doing", "done", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
     "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
     "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
     "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
     "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
     "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
     "will", "with", "would", "you", "your", "yours"]
)


@lru_cache(maxsize=1)
def _word_characters() -> np.ndarray:
    # Letters and digits of the Basic Multilingual Plane, as Python's str.isalnum() sees them (the same
    # notion as the regex [^\W_]). Code points beyond it (emoji, rare scripts) separate words.
    return np.fromiter((chr(code).isalnum() for code in range(0x10000)), dtype=bool, count=0x10000)


def _code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The lower-cased texts as one code-point array with a separator before each, and each position's row."""
    joined = "".join(_SEPARATOR + text.replace(_SEPARATOR, " ") for text in texts).lower()
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    rows = np.cumsum(codes == 0) - 1  # lower() may change lengths, so rows come from the separators
    return codes, rows


def _is_word(codes: np.ndarray) -> np.ndarray:
    table = _word_characters()
    return np.where(codes < 0x10000, table[np.minimum(codes, 0xFFFF)], False)


def _segment_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash of codes[start:end] for each segment, all at once via one prefix sum."""
    powers, inverse_powers = _powers(len(codes))
    with np.errstate(over="ignore"):  # arithmetic modulo 2^64 is the point
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes.astype(np.uint64) * powers, dtype=np.uint64)))
        # sum(c_j * B^j over the segment) / B^start: the same value wherever the segment sits.
        hashes = (prefix[ends] - prefix[starts]) * inverse_powers[starts]
        return hashes ^ ((ends - starts).astype(np.uint64) * _LENGTH_MIX)


def _powers(count: int) -> tuple[np.ndarray, np.ndarray]:
    """B^0 .. B^(count-1) and the same powers of B's inverse, modulo 2^64."""
    size = 1 << max(count - 1, 1).bit_length()  # cached per power of two, sliced to fit
    powers, inverse_powers = _power_tables(size)
    return powers[:count], inverse_powers[:count]


@lru_cache(maxsize=8)
def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        tables = []
        for base in (_BASE, _BASE_INVERSE):
            steps = np.full(size, base, dtype=np.uint64)
            steps[0] = 1
            tables.append(np.cumprod(steps, dtype=np.uint64))
        return tables[0], tables[1]


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, hash) of every word of every text: lower-cased letter-and-digit runs, function words left out."""
    codes, rows = _code_points(texts)
    word = _is_word(codes)
    edges = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    hashes = _segment_hashes(codes, starts, ends)
    stop = _stop_word_hashes()  # sorted
    keep = stop[np.minimum(np.searchsorted(stop, hashes), len(stop) - 1)] != hashes
    return rows[starts[keep]], hashes[keep]


@lru_cache(maxsize=1)
def _stop_word_hashes() -> np.ndarray:
    codes, _ = _code_points(STOP_WORDS)
    word = _is_word(codes)
    edges = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    return np.sort(_segment_hashes(codes, np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def char_ngram_hashes(texts: Sequence[str], sizes: Sequence[int] = (3, 4, 5)) -> tuple[np.ndarray, np.ndarray]:
    """(row, hash) of every character n-gram of every text reduced to " lower-case words between single spaces ".

    N-grams make "crash", "crashes" and "crashed", or "2.53.7" and "2.53.7.1", partly the same; across
    a space they also see which words follow each other. Meant for short texts (subjects): the
    reduction to words is a regex, exact but not vectorised.
    """
    codes, rows = _code_points([" " + " ".join(_WORD.findall(text.lower())) + " " for text in texts])
    all_rows, all_hashes = [], []
    for size in sizes:
        starts = np.arange(max(len(codes) - size + 1, 0))
        ends = starts + size
        # An n-gram must lie inside one text: no separator at its start, same row at its end.
        inside = (codes[starts] != 0) & (rows[np.maximum(ends - 1, 0)] == rows[starts])
        starts, ends = starts[inside], ends[inside]
        all_rows.append(rows[starts])
        all_hashes.append(_segment_hashes(codes, starts, ends))
    return np.concatenate(all_rows), np.concatenate(all_hashes)


def tfidf_cosines(rows: np.ndarray, hashes: np.ndarray, count: int) -> np.ndarray:
    """Cosine between row 0's TF-IDF vector and each of rows 1..count-1's, from (row, feature hash) pairs.

    Sublinear tf (1 + log count). The idf is the pool's own over its n rows, log((2 + n) / (1 + df)):
    a feature every candidate shares hardly tells them apart, so it weighs next to nothing. The extra 1
    is an imaginary ticket that shares nothing, so even a pool of one candidate has weights above 0.
    """
    if count <= 1:
        return np.zeros(0)
    if len(hashes) == 0:
        return np.zeros(count - 1)
    # One stable sort by hash: rows arrive in order, so it leaves (hash, row) pairs sorted, and each
    # run of equal pairs is one cell of the term matrix.
    order = np.argsort(hashes, kind="stable")
    hashes, rows = hashes[order], rows[order]
    new_feature = np.concatenate(([True], hashes[1:] != hashes[:-1]))
    new_cell = new_feature | np.concatenate(([True], rows[1:] != rows[:-1]))
    cell_starts = np.flatnonzero(new_cell)
    tf = np.diff(np.append(cell_starts, len(hashes)))
    cell_rows = rows[cell_starts].astype(np.int64)
    cell_columns = (np.cumsum(new_feature) - 1)[cell_starts]
    features = int(new_feature.sum())
    document_frequency = np.bincount(cell_columns, minlength=features)
    idf = np.log((2.0 + count) / (1.0 + document_frequency))
    weights = (1.0 + np.log(tf)) * idf[cell_columns]
    norms = np.sqrt(np.bincount(cell_rows, weights=weights * weights, minlength=count))
    query = np.zeros(features)
    in_query = cell_rows == 0
    query[cell_columns[in_query]] = weights[in_query]
    dots = np.bincount(cell_rows, weights=weights * query[cell_columns], minlength=count)
    denominator = norms * norms[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = np.where(denominator > 0, dots / denominator, 0.0)
    return np.clip(cosines[1:], 0.0, 1.0)
