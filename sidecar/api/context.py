"""Per-app and per-request plumbing shared by the blueprints: database session, secrets, body parsing."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, jsonify, request
from marshmallow import Schema
from sqlalchemy.orm import Session

from sidecar.config import Config
from sidecar.errors import ServiceError
from sidecar.schemas import strip_nul
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database


@dataclass
class Runtime:
    """What the app holds for its lifetime: configuration, database handle, secret box."""

    config: Config
    database: Database
    box: SecretBox


def runtime() -> Runtime:
    """The current app's Runtime."""
    return current_app.extensions["sidecar"]


def request_session() -> Session:
    """The request's database session (one per request, closed at teardown)."""
    if "db_session" not in g:
        g.db_session = runtime().database.sessions()
    return g.db_session


def close_request_session(_exc=None) -> None:
    """Teardown: roll back anything uncommitted and close the session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def json_body(schema: Schema) -> dict[str, Any]:
    """Parse the raw body as a JSON object and load it through `schema` (errors become 400/422)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ServiceError("the request body is empty; send a JSON object", code="empty_body")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ServiceError("the request body is not UTF-8 text", code="malformed_json") from None
    except json.JSONDecodeError as exc:
        raise ServiceError(
            f"the request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            code="malformed_json",
        ) from None
    except RecursionError:
        raise ServiceError("the request body is JSON nested too deeply to read", code="malformed_json") from None
    if not isinstance(data, dict):
        raise ServiceError("the request body must be a JSON object", code="malformed_json")
    if b"\\u0000" in raw:  # JSON can only carry NUL escaped; skip the walk for the usual body
        data = strip_nul(data)
    return schema.load(data)


def respond(schema: Schema, data: Any, status: int = 200):
    """Dump `data` through `schema` into a JSON response."""
    response = jsonify(schema.dump(data))
    response.status_code = status
    return response
