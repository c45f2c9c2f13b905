"""Which sentence embedder similar-incident search uses (SIDECAR_SIMILAR_EMBEDDINGS), and how texts are cut for it.

- `auto` (the default): all-MiniLM-L6-v2, the transformer, when the `embeddings` extra is installed;
  otherwise none, and search is full-text plus TF-IDF re-ranking exactly as without embeddings.
- `off`: no embeddings.
- any other value: an embedding model as `sidecar.intelligence.routing.embeddings.make_embedder` takes
  it (`all-MiniLM-L6-v2:static`, or a sentence-transformers model directory). The static vectors are
  used unweighted (their idf weights would change with every import); on seamonkey they found fewer
  duplicates than full-text search alone, so `auto` never picks them.

The transformer reads the first 128 word pieces of what it is given: the subject and the start of the
description, which is where a report says what is wrong.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np

from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, bundled_model_installed, make_embedder

SETTING = "SIDECAR_SIMILAR_EMBEDDINGS"
EMBED_TEXT_CHARS = 2000  # the transformer reads ~128 word pieces (~500 characters); this bounds tokenising
# Query vectors kept per process, by a hash of the model and the text: a ticket is searched again each time
# it is re-assessed (sidebar opened, webhook, a new comment past the first 2,000 characters), and encoding its
# 128 word pieces costs tens of ms. 2,048 vectors are 3 MB and hold no text. A vector is derived from a
# customer's words, so none outlives QUERY_CACHE_SECONDS: every process has forgotten an erased ticket's
# within ten minutes (the erasing process at once, see services/erasure.py).
QUERY_CACHE_SIZE = 2048
QUERY_CACHE_SECONDS = 600.0


def similar_embedding_model(setting: str | None = None) -> str | None:
    """The embedding model search uses, from `setting` (default: SIDECAR_SIMILAR_EMBEDDINGS), or None for none."""
    value = (setting if setting is not None else os.environ.get(SETTING) or "auto").strip()
    if value.lower() == "off":
        return None
    if value.lower() == "auto":
        return BUNDLED_MINILM if bundled_model_installed() else None
    return value


def similar_embedder(setting: str | None = None) -> Any | None:
    """The embedder search and import use (one per model and process: it loads once), or None."""
    model = similar_embedding_model(setting)
    return _embedder(model) if model else None


@lru_cache(maxsize=4)
def _embedder(model: str) -> Any:
    return make_embedder(model)


_NOISE_LINE = re.compile(
    r"^\s*(?:#+\s*)?(?:user[ -]agent|build\s*id|browser|platform|os|version)\s*[:=].*$"
    r"|^\s*(?:#+\s*)?(?:steps\s+to\s+reproduce|steps\s+how\s+to\s+reproduce|actual\s+results?|expected\s+results?"
    r"|description|summary|additional\s+(?:info|information|context))\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|https?://\S+")


# Which text recipe made a stored vector: a new recipe re-embeds the history (vectors.tickets_to_embed picks up
# a ticket embedded under another key), so a query is never compared with vectors of another reading.
# t2 (2026-12-07): bug-form fields and link addresses left out (embedding_text).
TEXT_RECIPE = "t2"


def vector_key(embedder: Any) -> str:
    """The name stored vectors of `embedder` are kept under: its model and the text recipe."""
    return f"{embedder.name}+{TEXT_RECIPE}"


def embedding_text(text: str) -> str:
    """What of a ticket's search text is embedded (the same for stored tickets and queries): its words, not
    the bug-form fields ("User Agent: Mozilla/5.0 ...", "Steps to reproduce:") or link addresses that would
    spend the model's ~128 word pieces."""
    cleaned = _LINK.sub(lambda m: m.group(1) or "", _NOISE_LINE.sub("", (text or "")[:EMBED_TEXT_CHARS * 2]))
    return " ".join(cleaned.split())[:EMBED_TEXT_CHARS]


_queries: OrderedDict[bytes, tuple[np.ndarray, float]] = OrderedDict()  # key -> (vector, when it expires)
_queries_lock = threading.Lock()


def query_vector(embedder: Any, text: str) -> np.ndarray:
    """The embedding of a ticket's search text as a query, encoded once per process (cached by a hash)."""
    cut = embedding_text(text)
    key = hashlib.blake2b(f"{embedder.name}\0{cut}".encode(), digest_size=16).digest()
    now = time.monotonic()
    with _queries_lock:
        cached = _queries.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]  # not moved to the end: its expiry, not its use, decides when it goes
    vector = np.array(embedder.encode([cut])[0], dtype=np.float32)
    vector.setflags(write=False)  # shared between requests
    with _queries_lock:
        _queries.pop(key, None)
        _queries[key] = (vector, now + QUERY_CACHE_SECONDS)
        # Oldest first, so expired entries and the overflow leave from the front.
        while _queries and (len(_queries) > QUERY_CACHE_SIZE or next(iter(_queries.values()))[1] <= now):
            _queries.popitem(last=False)
    return vector


def forget_query_vectors() -> None:
    """Drop every cached query vector (erasure: nothing derived from an erased ticket stays in memory)."""
    with _queries_lock:
        _queries.clear()
