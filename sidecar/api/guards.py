"""Checks every request passes before any view runs, whatever its route and whether or not it is authenticated.

- No NUL byte in the path, a query parameter or a header. PostgreSQL text cannot hold one, so a NUL that
  reached a query (an installation id in a webhook path, `?ticket_id=a%00b`) was a 500 with a stack trace;
  no value the sidecar reads may hold one, so it is refused here once, as a 400 in the one error shape.
- A body sent without Content-Length (Transfer-Encoding: chunked) is held to MAX_CONTENT_LENGTH like one
  with it. Werkzeug reads such a stream only up to the limit and then stops without saying whether more
  was sent, so an oversized body was silently cut and failed later as malformed JSON or a bad signature.
"""
from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.wsgi import get_content_length

from sidecar.errors import ServiceError

NUL = "\x00"
_READ_SIZE = 64 * 1024


class NulInRequest(ServiceError):
    """A NUL byte where the sidecar reads a value (400)."""

    status = 400
    code = "nul_in_request"


def install_request_guards(app: Flask) -> None:
    """Refuse NUL bytes in every request (a before_request hook) and bound bodies of unknown length (WSGI)."""
    app.wsgi_app = BoundedBody(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """before_request: raise NulInRequest when the path, a query parameter or a header holds a NUL byte."""
    # App-wide hooks run before the blueprints' and before the view (authentication included), and also
    # when no route matched, so every answer to such a request is this 400 rather than a 401/404/500.
    found = nul_location()
    if found is not None:
        where, name = found
        label = {"path": "the path", "query": f"the query parameter {name!r}", "header": f"the header {name!r}"}[where]
        raise NulInRequest(f"{label} holds a NUL byte (%00), which no value the sidecar reads may hold",
                           details={"in": where, "name": name})


def nul_location() -> tuple[str, str | None] | None:
    """Where the current request holds a NUL byte: ("path", None), ("query", name), ("header", name), or None."""
    if NUL in request.path:  # view_args are cut from the path, so this covers every path variable
        return "path", None
    for key, value in request.args.items(multi=True):
        if NUL in key or NUL in value:
            return "query", key.replace(NUL, "\\x00")
    for key, value in request.headers.items():
        # HTTP allows no NUL in a header; some are read as values (Idempotency-Key, X-Request-Id, signatures).
        if NUL in key or NUL in value:
            return "header", key.replace(NUL, "\\x00")
    return None


class BoundedBody:
    """WSGI middleware: a body of unknown length is read to the limit + 1 byte, then given a Content-Length."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        """Buffer a terminated stream without Content-Length so werkzeug sees its true size (413 when over)."""
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        # `wsgi.input_terminated`: the server (gunicorn, werkzeug's own for chunked bodies) ends the stream
        # at the body's end, so reading it cannot hang. Without it werkzeug reads no body at all.
        # werkzeug takes the length as unknown without Content-Length or with Transfer-Encoding: chunked.
        if limit is not None and environ.get("wsgi.input_terminated") and get_content_length(environ) is None:
            body = read_at_most(environ["wsgi.input"], limit + 1)
            # From here on it is a plain body of known length: it is no longer a chunked stream.
            environ["wsgi.input"] = io.BytesIO(body)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            # One byte over is enough to know: werkzeug then raises RequestEntityTooLarge (413 body_too_large)
            # as for any Content-Length over the limit, and only where a body is read, as it does for those.
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def read_at_most(stream, size: int) -> bytes:
    """Up to `size` bytes of `stream`, fewer only at its end (a WSGI read may return less than asked)."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(_READ_SIZE, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
