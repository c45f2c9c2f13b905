"""The one error family of every outbound client, and how HTTP answers and transport failures become it.

Messages are built from the method, the URL *path* (never the query string) and the vendor's error
text, then masked with the client's own secrets (`masking.redact`) as a second line of defence.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from sidecar.clients.masking import redact, redact_data

_DETAIL_LIMIT = 300


class ApiError(Exception):
    """An external API call failed; `status` is the HTTP status when there was one."""

    transient = False  # worth retrying later without changing anything?

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.code = code  # the vendor's own error code, e.g. "RecordNotFound", "INVALID_SESSION_ID"


class ApiUnauthorized(ApiError):
    """The credentials were refused (HTTP 401, failed login, expired session)."""


class ApiForbidden(ApiError):
    """The credentials are valid but may not do this (HTTP 403)."""


class ApiNotFound(ApiError):
    """The record does not exist or is not visible to these credentials (HTTP 404)."""


class ApiRateLimited(ApiError):
    """The API asked us to slow down (HTTP 429); `retry_after` says for how many seconds, if known."""

    transient = True

    def __init__(
        self,
        message: str,
        status: int | None = 429,
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, status, retry_after=retry_after, code=code)


class ApiTimeout(ApiError):
    """The API did not answer within the client's timeout."""

    transient = True


class ApiUnavailable(ApiError):
    """The API is down or unreachable (HTTP 5xx, connection refused, DNS, TLS)."""

    transient = True


class OutboundUrlRefused(ApiError):
    """The outbound URL policy refused the request's host (see url_policy); nothing was sent.

    Not transient: the same URL is refused until an admin changes it (or the operator allows private
    addresses), so a job fails for good with this message instead of retrying.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, None, code="outbound_url_refused")


_STATUS_ERRORS: dict[int, type[ApiError]] = {
    401: ApiUnauthorized,
    403: ApiForbidden,
    404: ApiNotFound,
    429: ApiRateLimited,
}


def error_for_status(
    status: int | None,
    message: str,
    *,
    retry_after: float | None = None,
    code: str | None = None,
) -> ApiError:
    """Build the ApiError subclass that matches an HTTP status."""
    if status is not None and status >= 500:
        cls: type[ApiError] = ApiUnavailable
    else:
        cls = _STATUS_ERRORS.get(status or 0, ApiError)
    return cls(message, status, retry_after=retry_after, code=code)


def error_for_response(
    response: requests.Response, *, service: str, secrets: Iterable[str] = ()
) -> ApiError:
    """Translate a failed HTTP response into the ApiError family, with a safe, readable message."""
    code, detail = vendor_error(response, secrets=secrets)
    request = response.request
    where = f"{request.method} {url_path(request.url)}" if request is not None else url_path(response.url)
    message = f"{service} {where} failed: HTTP {response.status_code}"
    if response.reason:
        message += f" {response.reason}"
    if detail:
        message += f": {detail}"
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is not None and (response.status_code == 429 or response.status_code >= 500):
        message += f" (retry after {retry_after:g}s)"
    return error_for_status(
        response.status_code, redact(message, secrets), retry_after=retry_after, code=code
    )


def error_for_transport(
    exc: requests.RequestException, *, service: str, method: str, url: str
) -> ApiError:
    """Translate a requests transport exception (timeout, connection refused, ...) into the family."""
    # str(exc) is deliberately not used: it carries the full URL, query string included.
    where = f"{method.upper()} {url_path(url)}"
    if isinstance(exc, requests.Timeout):
        return ApiTimeout(f"{service} {where} timed out")
    if isinstance(exc, requests.ConnectionError):
        host = urlsplit(url).hostname or "?"
        return ApiUnavailable(f"{service} {where} failed: could not connect to {host}")
    return ApiError(f"{service} {where} failed: {type(exc).__name__}")


def vendor_error(response: requests.Response, *, secrets: Iterable[str] = ()) -> tuple[str | None, str]:
    """(error code, readable detail) from an error body, for the JSON shapes our vendors use.

    Secrets are masked before the detail is cut to length, so a cut never leaves part of one behind.
    """
    secrets = tuple(secrets)
    try:
        body = response.json()
    except ValueError:
        text = " ".join(redact(response.text or "", secrets).split())
        # An HTML error page says nothing useful beyond its status.
        return None, "" if text.startswith("<") else text[:_DETAIL_LIMIT]
    return error_code_and_detail(redact_data(body, secrets))


def error_code_and_detail(body: Any) -> tuple[str | None, str]:
    """(error code, readable detail) from a decoded error body (Zendesk, Salesforce, Jira, Slack shapes)."""
    if isinstance(body, list):  # Salesforce: [{"message": ..., "errorCode": ...}, ...]
        parts = [error_code_and_detail(item) for item in body[:3]]
        code = next((c for c, _ in parts if c), None)
        return code, "; ".join(d for _, d in parts if d)[:_DETAIL_LIMIT]
    if not isinstance(body, Mapping):
        return None, str(body)[:_DETAIL_LIMIT]
    code = body.get("errorCode") or body.get("code")
    error = body.get("error")
    if isinstance(error, Mapping):  # {"error": {"title": ..., "message": ...}}
        code = code or error.get("code") or error.get("title")
        detail = error.get("message") or error.get("title") or ""
    else:
        if isinstance(error, str) and code is None:
            code = error
        detail = (
            body.get("description")
            or body.get("message")
            or body.get("error_description")
            or "; ".join(str(m) for m in body.get("errorMessages") or ())  # Jira
            or (error if isinstance(error, str) else "")
        )
        for key in ("details", "errors"):  # Zendesk RecordInvalid details, Jira field errors
            if isinstance(body.get(key), Mapping) and body[key]:
                fields = ", ".join(sorted(str(name) for name in body[key]))
                detail = f"{detail} (fields: {fields})" if detail else f"fields: {fields}"
    if code and detail and str(code) not in str(detail):
        detail = f"{code}: {detail}"
    return (str(code) if code else None), str(detail or "")[:_DETAIL_LIMIT]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def url_path(url: str | None) -> str:
    """The path of a URL, without scheme, host or query string (which may carry ids or tokens)."""
    if not url:
        return "?"
    return urlsplit(url).path or "/"
