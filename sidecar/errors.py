"""Errors the service raises on purpose; the API maps each to one JSON shape and HTTP status."""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base class: a machine-readable code, a human message, optional details and an HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, Any]:
        """The body every error response carries: {"error": {code, message, details}}."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(ServiceError):
    """The request is well-formed JSON but a field is wrong (422)."""

    status = 422
    code = "invalid_input"


class Unauthenticated(ServiceError):
    """No credentials, or credentials that prove nothing (401)."""

    status = 401
    code = "unauthenticated"


class NotFound(ServiceError):
    """The thing asked for does not exist for this installation (404)."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request cannot be done in the current state (409)."""

    status = 409
    code = "conflict"


class UpstreamError(ServiceError):
    """A help desk or other vendor failed or refused us (502/503/504)."""

    status = 502
    code = "upstream_error"


class Forbidden(ServiceError):
    """The credential is valid but its scope does not allow this operation (403)."""

    status = 403
    code = "forbidden"
