"""What every outbound client shares: one HTTP session policy and a small JSON client.

Beside it: the ApiError family and its translations (`errors.py`), the masking of secrets
(`masking.py`) and the planned requests of dry runs (`plans.py`).

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
through `redact` (masking.py) with the client's own secrets as a second line of defence.
"""
from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sidecar.clients.errors import (
    ApiError,
    OutboundUrlRefused,
    error_for_response,
    error_for_transport,
    parse_retry_after,
    url_path,
)
from sidecar.clients.plans import PlannedRequest
from sidecar.clients.url_policy import (
    OutboundUrlError,
    check_address,
    check_outbound_url,
)
from sidecar.domain.connections import check_base_url

if TYPE_CHECKING:  # the stubs' name for what merge_environment_settings returns (no such name at run time)
    from requests.sessions import _Settings


log = logging.getLogger(__name__)

Timeout = float | tuple[float, float]

DEFAULT_TIMEOUT: Timeout = (3.05, 10.0)  # (connect, read) seconds
DEFAULT_RATE_LIMIT_WAIT = 2.0  # longest Retry-After (seconds) worth waiting for inside one call


# --------------------------------------------------------------------------------------------------
# Small helpers


def segment(value: Any) -> str:
    """Encode one value for use as a single URL path segment."""
    return quote(str(value), safe="")


def require_keys(credentials: Mapping[str, Any], required: Iterable[str], *, service: str) -> None:
    """Raise ValueError naming the required credential keys that are absent or blank (names only, never values)."""
    missing = [key for key in required if not str(credentials.get(key) or "").strip()]
    if missing:
        raise ValueError(f"{service} credentials are incomplete: missing {', '.join(missing)}")


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
        self._environment_cache: dict[tuple[Any, ...], _Settings] = {}

    def __repr__(self) -> str:
        return f"<ApiSession {self.service} {self.base_url or ''}>"

    def resolve(self, url: str) -> str:
        """Absolute URL for a path relative to base_url, or an SDK URL re-pointed at base_url."""
        if url.startswith("/"):
            if not self.base_url:
                raise ValueError(f"{self.service}: a relative path needs a base_url")
            return self.base_url + url
        if self.base_url:
            for origin in self.vendor_origins:
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

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
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

    def merge_environment_settings(
        self, url: str | bytes | None, proxies: Any, stream: bool | None, verify: Any, cert: Any
    ) -> _Settings:
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

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
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
