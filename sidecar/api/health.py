"""Liveness, readiness and the OpenAPI document: the only unauthenticated endpoints."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from sidecar.api.context import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz():
    """The database is reachable; 503 otherwise so a load balancer stops sending traffic."""
    if runtime().database.is_reachable():
        return jsonify({"status": "ready"})
    response = jsonify({"error": {"code": "not_ready", "message": "the database is not reachable", "details": {}}})
    response.status_code = 503
    return response


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document generated from the marshmallow schemas."""
    return jsonify(current_app.extensions["sidecar_openapi"])
