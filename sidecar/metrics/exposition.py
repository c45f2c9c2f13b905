"""Serving the metrics: the registry a scrape reads, the text it answers, the bearer check, the metrics port.

Each scrape gets a fresh registry: in multiprocess mode a `MultiProcessCollector` over every process's
files, else this process's families; plus the database gauges (`database.py`) when this process serves
them. The answer is negotiated from the Accept header (Prometheus text, or OpenMetrics when asked).
"""
from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from sidecar.config import Config
from sidecar.metrics.database import DatabaseCollector
from sidecar.metrics.families import FAMILIES
from sidecar.metrics.multiprocess import multiprocess_dir
from sidecar.store.db import Database

log = logging.getLogger(__name__)
UNAUTHORIZED_BODY = (b'{"error": {"code": "metrics_token_required", "message": "send the metrics token '
                     b'(SIDECAR_METRICS_TOKEN) as Authorization: Bearer <token>", "details": {}}}')


def scrape_registry(database_gauges: DatabaseCollector | None) -> CollectorRegistry:
    """A fresh registry over every process's counts (multiprocess mode) or this one's, and the database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path is not None:
        MultiProcessCollector(registry, path=path)
    else:
        for family in FAMILIES:
            registry.register(family)
    if database_gauges is not None:
        registry.register(database_gauges)
    return registry


def render(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The exposition text the scraper asked for (Accept header) and its content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


def bearer_ok(authorization: str | None, token: str | None) -> bool:
    """True when no token is configured, or the Authorization header carries it as a bearer token."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_wsgi_app(token: str | None, database_gauges: DatabaseCollector | None) -> Callable:
    """The WSGI app of the metrics port: every path answers the metrics, behind the token when one is set."""

    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not bearer_ok(environ.get("HTTP_AUTHORIZATION"), token):
            start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                                ("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [UNAUTHORIZED_BODY]
        body, content_type = render(scrape_registry(database_gauges), environ.get("HTTP_ACCEPT"))
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's parameter name
        """Scrapes every few seconds would flood stderr; they are not logged."""


def start_metrics_server(config: Config, *, database: Database | None) -> WSGIServer:
    """Serve the metrics on SIDECAR_METRICS_PORT (all interfaces) in a daemon thread; `database`: with its gauges."""
    if config.metrics_port is None:
        raise ValueError("SIDECAR_METRICS_PORT is not set")
    gauges = DatabaseCollector(database) if database is not None else None
    server = make_server("", config.metrics_port, metrics_wsgi_app(config.metrics_token, gauges),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="sidecar-metrics", daemon=True).start()
    log.info("metrics served on port %d", config.metrics_port)
    return server
