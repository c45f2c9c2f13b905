"""One JSON error shape for every failure: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from sidecar.errors import ServiceError
from sidecar.schemas import ErrorSchema

log = logging.getLogger("sidecar.api")
_ERROR = ErrorSchema()


def error_body(code: str, message: str, details=None) -> dict:
    """The one error shape, dumped through ErrorSchema: {"error": {"code", "message", "details"}}."""
    return _ERROR.dump({"error": {"code": code, "message": message, "details": details}})


def error_response(status: int, code: str, message: str, details=None):
    """A Flask response in the one error shape."""
    response = jsonify(error_body(code, message, details or {}))
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Map every exception to the JSON error shape; unexpected ones become a logged 500 with no internals."""

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        response = jsonify(_ERROR.dump(exc.to_dict()))
        response.status_code = exc.status
        retry_after = exc.details.get("retry_after") if isinstance(exc.details, dict) else None
        if retry_after:
            response.headers["Retry-After"] = str(int(retry_after))
        return response

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return error_response(422, "invalid_input", "the request has invalid fields", exc.messages)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(413, "body_too_large", f"the request body is larger than {limit} bytes")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 500, code, exc.description or exc.name)
        if exc.code == 405 and isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")
