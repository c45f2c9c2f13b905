"""What every outbound client shares: the ApiError family, one HTTP session policy, a small JSON client.

The policy lives in `ApiSession`, a `requests.Session` that vendor SDKs (zenpy, simple-salesforce) can
be handed as their transport, so SDK-based and hand-written clients behave the same way:

- every request gets a timeout (the SDK's own, or the client's class-level default);
- requests go to the configured base URL (data residency, proxies, local fakes), even when an SDK
  insists on building `https://{subdomain}.zendesk.com/...` itself;
- transport failures become `ApiTimeout` / `ApiUnavailable`;
- HTTP 429: if the server asks for a short wait (Retry-After <= `rate_limit_wait`, default 2 s) the
  request is retried once after that wait; otherwise `ApiRateLimited(retry_after=...)` is raised at
  once. An agent waiting on the sidebar is better served by a fast, clear "retry in 30 s" than by a
  spinner, and the outbox worker uses `retry_after` to schedule its own retry.

Other HTTP statuses are translated by the caller (`HttpClient`, or a vendor client's single
exception-translation point) with `error_for_response` / `error_for_status`.

- every request, and every redirect it follows, is checked against the outbound URL policy
  (`url_policy`: https, no loopback/private address unless allowed, never link-local or cloud
  metadata) before it is sent, and the connected socket's peer address once more; a refusal is
  `OutboundUrlRefused`, which is not transient, and nothing is sent.

Secrets (tokens, passwords, Authorization headers) never go into messages or logs: messages are built
from the method, the URL *path* (never the query string) and the vendor's error text, and then passed
through `redact` with the client's own secrets as a second line of defence. `redact` masks every form
in which a secret left the sidecar (raw, base64 of it and of the Basic-auth string it was sent in,
URL-encoded, JSON- and XML-escaped), since vendors echo headers and bodies back in their errors.
"""
from __future__ import annotations

import base64
import copy
import html
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sidecar.clients.url_policy import (
    OutboundUrlError,
    check_address,
    check_outbound_url,
)
from sidecar.domain.connections import check_base_url

log = logging.getLogger(__name__)

Timeout = float | tuple[float, float]

DEFAULT_TIMEOUT: Timeout = (3.05, 10.0)  # (connect, read) seconds
DEFAULT_RATE_LIMIT_WAIT = 2.0  # longest Retry-After (seconds) worth waiting for inside one call
_DETAIL_LIMIT = 300


# --------------------------------------------------------------------------------------------------
# The error family


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


# --------------------------------------------------------------------------------------------------
# Small helpers


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


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every form of every secret value that appears in `text` with ***."""
    return _mask(text, _forms(secrets))


def redact_data(value: Any, secrets: Iterable[str]) -> Any:
    """`redact` applied to every string in decoded JSON (keys included), before it is cut to a detail."""
    forms = _forms(secrets)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return _mask(item, forms)
        if isinstance(item, Mapping):
            return {walk(k): walk(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [walk(element) for element in item]
        return item

    return walk(value)


def _forms(secrets: Iterable[str]) -> list[str]:
    # Longest first: a secret inside a longer form (the Basic-auth string) never leaves a piece behind.
    return sorted({form for secret in secrets for form in secret_forms(secret)}, key=len, reverse=True)


def _mask(text: str, forms: list[str]) -> str:
    for form in forms:
        if form in text:
            text = text.replace(form, "***")
    return text


def secret_forms(secret: str) -> set[str]:
    """How a secret the sidecar sent can come back in an echo: raw, base64 (standard and url-safe, with
    and without padding), URL-encoded, JSON-escaped and XML-escaped. Forms shorter than 4 characters are
    left out: they would blank out ordinary words of a message."""
    if not secret:
        return set()
    raw = secret.encode("utf-8")
    forms = {secret, html.escape(secret), html.escape(secret, quote=False)}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        forms |= {encoded.decode("ascii"), encoded.decode("ascii").rstrip("=")}
    for quoted in (quote(secret, safe=""), quote_plus(secret), quote(secret)):
        forms |= {quoted, _lower_percent_escapes(quoted)}
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        forms |= {escaped, escaped.replace("/", "\\/")}
    return {form for form in forms if len(form) >= 4}


def basic_auth_secret(user: str, password: str) -> str:
    """The "user:password" string a Basic Authorization header carries (base64-encoded), to redact as a whole."""
    return f"{user}:{password}"


def _lower_percent_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), text)


def url_path(url: str | None) -> str:
    """The path of a URL, without scheme, host or query string (which may carry ids or tokens)."""
    if not url:
        return "?"
    return urlsplit(url).path or "/"


def segment(value: Any) -> str:
    """Encode one value for use as a single URL path segment."""
    return quote(str(value), safe="")


def require_keys(credentials: Mapping[str, Any], required: Iterable[str], *, service: str) -> None:
    """Raise ValueError naming the required credential keys that are absent or blank (names only, never values)."""
    missing = [key for key in required if not str(credentials.get(key) or "").strip()]
    if missing:
        raise ValueError(f"{service} credentials are incomplete: missing {', '.join(missing)}")


# --------------------------------------------------------------------------------------------------
# Planned requests: what a dry run records and what a live call sends


@dataclass(frozen=True)
class PlannedRequest:
    """One outbound request exactly as it is (or, in a dry run, would have been) sent.

    `path` is relative to the system's base URL ("/rest/api/3/issue", "/chat.postMessage"); path
    segments taken from data are already encoded. Plans are built without credentials, so a dry run
    can record them, and the live methods send them unchanged.
    """

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.method != self.method.upper() or not self.method.isalpha():
            raise ValueError(f"HTTP method must be upper case, e.g. 'POST', got {self.method!r}")
        if not self.path.startswith("/") or "?" in self.path or "#" in self.path:
            raise ValueError("a planned path starts with '/' and carries no query string (use params)")

    def as_dict(self) -> dict[str, Any]:
        """The request as plain JSON-ready data: method, path, json, params (absent ones left out)."""
        out: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.json is not None:
            out["json"] = copy.deepcopy(self.json)
        if self.params is not None:
            out["params"] = dict(self.params)
        return out


# --------------------------------------------------------------------------------------------------
# The session policy


class ApiSession(requests.Session):
    """A requests session bound to one API: base URL, default timeout, transport errors, 429 policy."""

    def __init__(
        self,
        base_url: str | None,
        *,
        service: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        vendor_origins: Iterable[str] = (),
        secrets: Iterable[str] = (),
        allow_private: bool = False,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        # The outbound URL policy: checked before each request and redirect (send) and on each new
        # socket (the adapters), with the operator's SIDECAR_ALLOW_PRIVATE_URLS as the caller passed it.
        self.allow_private = bool(allow_private)
        for prefix in ("https://", "http://"):
            self.mount(prefix, _PolicyAdapter(allow_private=self.allow_private))
        self.service = service
        self.timeout = timeout
        self.rate_limit_wait = rate_limit_wait
        # Where an SDK (or a pagination link) thinks the API lives; such URLs are re-pointed at base_url.
        self.vendor_origins = tuple(origin.rstrip("/") for origin in vendor_origins if origin)
        self.secrets = tuple(s for s in secrets if s)
        self._environment_cache: dict[tuple[str, str], dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<ApiSession {self.service} {self.base_url or ''}>"

    def resolve(self, url: str) -> str:
        """Absolute URL for a path relative to base_url, or an SDK URL re-pointed at base_url."""
        if url.startswith("/"):
            if not self.base_url:
                raise ValueError(f"{self.service}: a relative path needs a base_url")
            return self.base_url + url
        for origin in self.vendor_origins if self.base_url else ():
            if _same_origin_prefix(url, origin):
                return self.base_url + url[len(origin):]
        return url

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send one request under the policy; see the module docstring."""
        url = self.resolve(url)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        response = self._send(method, url, *args, **kwargs)
        if response.status_code == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait <= self.rate_limit_wait:
                log.info("%s rate limited on %s %s; retrying once in %.1fs",
                         self.service, method.upper(), url_path(url), wait)
                time.sleep(wait)
                response = self._send(method, url, *args, **kwargs)
            if response.status_code == 429:
                raise error_for_response(response, service=self.service, secrets=self.secrets)
        return response

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send a prepared request (the first one or a redirect) only if the URL policy allows its host.

        The host is resolved again here, at every call, because its DNS may have changed since the
        URL was saved. A name that does not resolve is let through: the request will fail to resolve
        too (ApiUnavailable, retried later), or resolve, and then the adapter checks the socket.
        """
        try:
            check_outbound_url(request.url or "", allow_private=self.allow_private)
            return super().send(request, **kwargs)
        except OutboundUrlError as exc:  # from the check above, or from the socket check in the adapter
            host = urlsplit(request.url or "").hostname or "?"
            message = f"{self.service} {request.method} {url_path(request.url)} not sent to {host}: {exc}"
            log.warning("%s", message)
            raise OutboundUrlRefused(message) from None

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[override]
        """requests' own merge, with the environment's proxy answer remembered per scheme and host.

        requests re-reads every proxy variable (and no_proxy) on each request, about a millisecond;
        the environment does not change while the process runs.
        """
        if not self.trust_env or (proxies and proxies.get("no_proxy")):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        key = urlsplit(url)[:2]
        environment = self._environment_cache.get(key)
        if environment is None:
            environment = super().merge_environment_settings(url, {}, None, None, None)
            self._environment_cache[key] = environment
        merged_proxies = dict(environment["proxies"])
        merged_proxies.update(proxies or {})
        return {
            "proxies": merged_proxies,
            "stream": self.stream if stream is None else stream,
            "verify": environment["verify"] if verify is None or verify is True else verify,
            "cert": self.cert if cert is None else cert,
        }

    def _send(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            log.warning("%s %s %s failed: %s", self.service, method.upper(), url_path(url),
                        type(exc).__name__)
            raise error_for_transport(exc, service=self.service, method=method, url=url) from None
        log.debug("%s %s %s -> %s in %.2fs", self.service, method.upper(), url_path(url),
                  response.status_code, time.monotonic() - started)
        return response


class _PeerCheck:
    """Mixed into urllib3 connections: the connected socket's peer address must pass the URL policy.

    This closes the gap between the check in ApiSession.send and the connection urllib3 makes, in
    which a name can resolve to another address (DNS rebinding). It runs before TLS and before a byte
    of the request is written. Connections through a proxy are not made by these classes (requests
    uses a separate proxy manager), so an operator's proxy on a private address keeps working.
    """

    allow_private = False
    https = True

    def _new_conn(self):
        sock = super()._new_conn()  # type: ignore[misc]
        if getattr(self, "_tunnel_host", None) is None and getattr(self, "proxy", None) is None:
            try:
                peer = str(sock.getpeername()[0]).split("%", 1)[0]
                check_address(peer, allow_private=self.allow_private, https=self.https)
            except OutboundUrlError:
                sock.close()
                raise
        return sock


def _policy_pools(allow_private: bool) -> dict[str, type]:
    http_connection = type("PolicyHTTPConnection", (_PeerCheck, HTTPConnection),
                           {"allow_private": allow_private, "https": False})
    https_connection = type("PolicyHTTPSConnection", (_PeerCheck, HTTPSConnection),
                            {"allow_private": allow_private, "https": True})
    return {
        "http": type("PolicyHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}),
        "https": type("PolicyHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}),
    }


# Built once at import (two variants, never changed): the pool classes per allow_private.
_POLICY_POOLS = {flag: _policy_pools(flag) for flag in (False, True)}


class _PolicyAdapter(HTTPAdapter):
    """requests' adapter whose direct connections check their peer address (see _PeerCheck)."""

    __attrs__ = [*HTTPAdapter.__attrs__, "allow_private"]

    def __init__(self, *, allow_private: bool, **kwargs: Any) -> None:
        self.allow_private = allow_private  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The usual pool manager, making connections of the policy's classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POLICY_POOLS[self.allow_private]


def _same_origin_prefix(url: str, origin: str) -> bool:
    if not url.lower().startswith(origin.lower()):
        return False
    rest = url[len(origin):]
    return rest == "" or rest[0] in "/?#"


# --------------------------------------------------------------------------------------------------
# A small JSON-over-HTTP client for systems without an SDK we want (Jira, Slack, the optional LLM)


class HttpClient:
    """Base for one external JSON API: subclasses add typed methods that call get/post/put/delete."""

    service = "HTTP API"
    timeout: Timeout = DEFAULT_TIMEOUT
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT

    def __init__(
        self,
        base_url: str,
        *,
        auth: Any = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        session: ApiSession | None = None,
        allow_private: bool = False,
    ) -> None:
        self.base_url = check_base_url(base_url, what=f"{self.service} base URL")
        self._secrets = tuple(s for s in secrets if s)
        self.session = session or ApiSession(
            self.base_url,
            service=self.service,
            timeout=self.timeout,
            rate_limit_wait=self.rate_limit_wait,
            secrets=self._secrets,
            allow_private=allow_private,
        )
        self.session.headers.update({"Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)
        if auth is not None:
            self.session.auth = auth

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url}>"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send a request to a path under base_url (or a same-origin absolute URL) and check its status."""
        response = self.session.request(
            method,
            self._url(path),
            params=params,
            json=json,
            data=data,
            headers=dict(headers) if headers else None,
            timeout=self.timeout,
        )
        if not response.ok:
            raise error_for_response(response, service=self.service, secrets=self._secrets)
        return response

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path and return its decoded JSON body."""
        return self._json(self.request("GET", path, params=params))

    def post(self, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """POST a JSON body and return the decoded JSON answer (None when empty)."""
        return self._json(self.request("POST", path, json=json, params=params))

    def put(self, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """PUT a JSON body and return the decoded JSON answer (None when empty)."""
        return self._json(self.request("PUT", path, json=json, params=params))

    def patch(self, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """PATCH a JSON body and return the decoded JSON answer (None when empty)."""
        return self._json(self.request("PATCH", path, json=json, params=params))

    def delete(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE a path and return the decoded JSON answer (None when empty)."""
        return self._json(self.request("DELETE", path, params=params))

    def send(self, plan: PlannedRequest, *, headers: Mapping[str, str] | None = None) -> Any:
        """Send a planned request unchanged and return the decoded JSON answer (None when empty)."""
        return self._json(
            self.request(plan.method, plan.path, params=plan.params, json=plan.json, headers=headers)
        )

    def _url(self, path: str) -> str:
        if path.startswith("/"):
            return self.base_url + path
        # Absolute URLs come from the API itself (pagination links); never send our
        # credentials to a host the installation did not configure.
        if not _same_origin_prefix(path, _origin(self.base_url)):
            raise ApiError(f"{self.service}: refusing to call {url_path(path)} on another host")
        return path

    def _json(self, response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                f"{self.service} {response.request.method} {url_path(response.url)} "
                "returned a body that is not JSON",
                response.status_code,
            ) from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
