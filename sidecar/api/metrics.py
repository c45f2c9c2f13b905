"""GET /metrics on the app's port (SIDECAR_METRICS=true), and the HTTP request counts every web process keeps.

Outside /v1 and its API-token authentication, and not in /openapi.json (it answers Prometheus text, not
JSON): docs/metrics.md documents it. With SIDECAR_METRICS_TOKEN set a scrape must send that token as a
bearer token; without SIDECAR_METRICS the route does not exist (404).
"""
from __future__ import annotations

import time

from flask import Flask, Response, current_app, g, request

from sidecar.api.context import runtime
from sidecar.config import Config
from sidecar.errors import Unauthenticated
from sidecar.metrics.database import DatabaseCollector
from sidecar.metrics.exposition import bearer_ok, render, scrape_registry
from sidecar.metrics.families import observe_request

EXTENSION = "sidecar_metrics"


def install_metrics(app: Flask, config: Config) -> None:
    """Count requests when metrics are on anywhere; serve GET /metrics when SIDECAR_METRICS is true."""
    if not config.metrics_on:
        return
    app.after_request(_count_request)
    if config.metrics_enabled:
        app.extensions[EXTENSION] = DatabaseCollector(app.extensions["sidecar"].database)
        app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])


def _count_request(response: Response) -> Response:
    # g.started is set by the first before_request hook (observability.install_request_ids), so the time
    # includes the guards and authentication; error answers pass through here too.
    started = g.get("started", time.perf_counter())
    observe_request(method=request.method, route=request.url_rule.rule if request.url_rule else None,
                    status=response.status_code, seconds=time.perf_counter() - started)
    return response


def metrics():
    """The Prometheus exposition of every process's counts and the database gauges."""
    if not bearer_ok(request.headers.get("Authorization"), runtime().config.metrics_token):
        raise Unauthenticated("send the metrics token (SIDECAR_METRICS_TOKEN) as Authorization: Bearer <token>",
                              code="metrics_token_required")
    body, content_type = render(scrape_registry(current_app.extensions[EXTENSION]), request.headers.get("Accept"))
    return Response(body, content_type=content_type)
