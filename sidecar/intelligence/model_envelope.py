"""How learned models are stored as bytes: a pickled, versioned envelope that is checked on load.

Only load bytes this service wrote itself: unpickling runs code.
"""
from __future__ import annotations

import pickle
from typing import Any, TypeVar

T = TypeVar("T")


def dump_model(model: Any, *, format: str, version: int, **extra: Any) -> bytes:
    """Serialise a model inside an envelope naming its format and version."""
    return pickle.dumps({"format": format, "format_version": version, **extra, "model": model},
                        protocol=pickle.HIGHEST_PROTOCOL)


def load_model(data: bytes, *, cls: type[T], format: str, version: int, label: str) -> T:
    """Load a model written by dump_model; raises ValueError naming what is wrong with the bytes."""
    try:
        payload = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError) as exc:
        raise ValueError(f"not a stored {label}: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != format:
        raise ValueError(f"not a stored {label}")
    if payload.get("format_version") != version:
        raise ValueError(f"unsupported {label} format version {payload.get('format_version')!r}")
    model = payload.get("model")
    if not isinstance(model, cls):
        raise ValueError(f"the stored bytes hold a {payload.get('kind', type(model).__name__)!r}, not a {label}")
    return model
