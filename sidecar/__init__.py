"""The escalation sidecar: a Flask service that assesses, routes and escalates support tickets."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from sidecar.config import Config

try:
    __version__ = version("escalation-sidecar")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask app (`sidecar.app.create_app`); `sidecar:create_app()` is what gunicorn is given."""
    # why: the web layer takes ~2 s to import; `import sidecar` (every CLI command, every worker) stays light
    from sidecar.app import create_app as build_app

    return build_app(config)
