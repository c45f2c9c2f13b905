"""Local fakes of the vendors the sidecar talks to: `FakeVendors` (tests/fakes/vendors.py).

The import is lazy so that `python -m tests.fakes.vendors` does not import the module twice.
"""
from __future__ import annotations

from typing import Any

__all__ = ["FakeVendors"]


def __getattr__(name: str) -> Any:
    if name == "FakeVendors":
        from tests.fakes.vendors import FakeVendors

        return FakeVendors
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
