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

import os
from functools import lru_cache
from typing import Any

from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, bundled_model_installed, make_embedder

SETTING = "SIDECAR_SIMILAR_EMBEDDINGS"
EMBED_TEXT_CHARS = 2000  # the transformer reads ~128 word pieces (~500 characters); this bounds tokenising


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


def embedding_text(text: str) -> str:
    """What of a ticket's search text is embedded (the same for stored tickets and queries)."""
    return (text or "")[:EMBED_TEXT_CHARS]
