"""gunicorn hooks for metrics, for a gunicorn started on its own (the Procfile):
`gunicorn -c python:sidecar.metrics.gunicorn ... 'sidecar:create_app()'`.

`sidecar serve` does the same in code (sidecar/cli/serve.py). Without metrics on, the hooks do nothing.
"""
from __future__ import annotations

from typing import Any

from sidecar.config import Config
from sidecar.metrics.exposition import start_metrics_server
from sidecar.metrics.multiprocess import mark_dead, prepare_multiprocess_dir
from sidecar.store.db import Database


def on_starting(server: Any) -> None:
    """In the master, before any web process is forked: the multiprocess directory when metrics are on."""
    if Config.from_env().metrics_on:
        prepare_multiprocess_dir()


def when_ready(server: Any) -> None:
    """In the master, once listening: the metrics port (SIDECAR_METRICS_PORT), served from here only."""
    config = Config.from_env()
    if config.metrics_port is not None:
        start_metrics_server(config, database=Database(config.database_url))


def child_exit(server: Any, worker: Any) -> None:
    """In the master, when a web process has exited: mark it dead in the multiprocess files."""
    mark_dead(worker.pid)
