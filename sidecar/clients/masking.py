"""Secrets masked in every form in which they left the sidecar, since vendors echo headers and bodies back.

`redact` masks each secret raw, base64 of it and of the Basic-auth string it was sent in, URL-encoded,
JSON- and XML-escaped.
"""
from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus


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
