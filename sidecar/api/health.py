"""Liveness, readiness and the OpenAPI document: the only unauthenticated endpoints."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from sidecar.api.context import respond, runtime
from sidecar.api.errors import error_response
from sidecar.schemas import HealthSchema

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """The process is up."""
    return respond(HealthSchema(), {"status": "ok"})


@blueprint.get("/readyz")
def readyz():
    """The database is reachable; 503 otherwise so a load balancer stops sending traffic."""
    if runtime().database.is_reachable():
        return respond(HealthSchema(), {"status": "ready"})
    return error_response(503, "not_ready", "the database is not reachable")


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document generated from the marshmallow schemas."""
    return jsonify(current_app.extensions["sidecar_openapi"])
