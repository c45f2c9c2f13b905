"""The Flask app: configuration, database, secret box, logging, guards and blueprints in one place."""
from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from sidecar import __version__
from sidecar.api import (
    analytics,
    assessments,
    directory,
    escalations,
    health,
    inbound,
    installation,
    preview,
    privacy,
    routes,
    webhooks,
    zendesk_app,
)
from sidecar.api.context import Runtime, close_request_session
from sidecar.api.errors import register_error_handlers
from sidecar.api.guards import install_request_guards
from sidecar.api.metrics import install_metrics
from sidecar.api.openapi import build_openapi
from sidecar.config import Config
from sidecar.observability import configure_logging, install_request_ids
from sidecar.services.router_models import start_router_warm_up
from sidecar.store.crypto import SecretBox, load_or_create_key_file
from sidecar.store.db import Database


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask app: configuration, database, secrets, logging, blueprints, error handlers."""
    config = config or Config.from_env()
    configure_logging(config.log_level, config.log_format)
    keys = config.encryption_keys or (load_or_create_key_file(config.encryption_key_file),)

    app = Flask("sidecar")  # the package's name, as when this lived in sidecar/__init__.py: same root path
    app.config.update(MAX_CONTENT_LENGTH=config.max_body_bytes, TESTING=config.testing, JSON_SORT_KEYS=False)
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own provider, the one in use
        app.json.sort_keys = False
    app.extensions["sidecar"] = Runtime(config=config, database=Database(config.database_url), box=SecretBox(keys))

    install_request_ids(app)
    install_request_guards(app)  # after the request id, so that its refusals carry one too
    app.teardown_request(close_request_session)
    register_error_handlers(app)
    for module in (health, assessments, installation, privacy, directory, routes, escalations, webhooks, inbound,
                   analytics, zendesk_app):
        app.register_blueprint(module.blueprint)
    app.extensions["sidecar_openapi"] = build_openapi(__version__, app)  # after the blueprints: reads their scopes
    if not config.testing:
        start_router_warm_up(app.extensions["sidecar"].database)
    install_metrics(app, config)  # after build_openapi: /metrics is documented in docs/metrics.md, not there
    if config.preview_token:  # only `sidecar demo` sets it: see sidecar/api/preview.py
        app.register_blueprint(preview.blueprint)
    return app
