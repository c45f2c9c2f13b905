"""Planned requests: what a dry run records and what a live call sends unchanged."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlannedRequest:
    """One outbound request exactly as it is (or, in a dry run, would have been) sent.

    `path` is relative to the system's base URL ("/rest/api/3/issue", "/chat.postMessage"); path
    segments taken from data are already encoded. Plans are built without credentials, so a dry run
    can record them, and the live methods send them unchanged.
    """

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.method != self.method.upper() or not self.method.isalpha():
            raise ValueError(f"HTTP method must be upper case, e.g. 'POST', got {self.method!r}")
        if not self.path.startswith("/") or "?" in self.path or "#" in self.path:
            raise ValueError("a planned path starts with '/' and carries no query string (use params)")

    def as_dict(self) -> dict[str, Any]:
        """The request as plain JSON-ready data: method, path, json, params (absent ones left out)."""
        out: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.json is not None:
            out["json"] = copy.deepcopy(self.json)
        if self.params is not None:
            out["params"] = dict(self.params)
        return out
