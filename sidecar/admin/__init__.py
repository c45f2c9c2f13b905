"""The admin console at /admin: server-rendered pages over the same services and schemas as the /v1 API.

One module per page adds its views to the blueprint of `console.py`, which holds what they share
(the session cookie, CSRF, security headers, rendering). Templates and static files live beside them.
"""
from __future__ import annotations

from sidecar.admin import (  # noqa: F401  (each page module adds its views to the blueprint)
    analytics_pages,
    auth_pages,
    connections_pages,
    directory_pages,
    log_pages,
    queue_pages,
    settings_pages,
)
from sidecar.admin.console import blueprint

__all__ = ["blueprint"]
