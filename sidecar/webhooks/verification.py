"""Signature checks for inbound webhooks, made over the raw body before anything is parsed.

Every check raises `WebhookRejected` (HTTP 401 by default) and returns None when the request is
genuine. Header names are matched case-insensitively whatever Mapping the caller passes. Messages
name the header and the problem, never the secret, the signature or the body.

Schemes
-------
Zendesk (vendor, https://developer.zendesk.com/documentation/webhooks/verifying/)
    X-Zendesk-Webhook-Signature-Timestamp: ISO 8601, e.g. "2024-01-30T12:00:00Z"
    X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(secret, timestamp + raw_body))
    The secret is the webhook's signing secret, used as UTF-8 text (not base64-decoded).

Slack (vendor, v0)
    X-Slack-Request-Timestamp: Unix seconds
    X-Slack-Signature: "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + raw_body))

Jira Cloud admin webhooks with a secret (vendor, WebSub style)
    X-Hub-Signature: "sha256=" + hex(HMAC-SHA256(secret, raw_body))
    There is no timestamp header. After verifying, call `check_jira_freshness(payload)`: it reads
    the payload's `timestamp` (ms), which is when Jira raised the event and stays the same on
    Jira's retries, so pick a tolerance that covers the retry window and rely on dedupe
    (`delivery_id`, X-Atlassian-Webhook-Identifier, and `signed_content_id`, the body's digest)
    against replays inside it.

Salesforce (OURS, sent by the Salesforce package)
    X-Sidecar-Timestamp: Unix seconds, e.g. "1714660803"
    X-Sidecar-Signature: base64(HMAC-SHA256(secret, timestamp + raw_body))
    The secret is shared text, used as UTF-8 bytes. In Apex (the body string is the exact bytes sent):

        String ts = String.valueOf(Datetime.now().getTime() / 1000);
        Blob mac = Crypto.generateMac('hmacSHA256', Blob.valueOf(ts + body), Blob.valueOf(secret));
        req.setHeader('X-Sidecar-Timestamp', ts);
        req.setHeader('X-Sidecar-Signature', EncodingUtil.base64Encode(mac));
        req.setBody(body);

    It is the Zendesk construction with a Unix-seconds timestamp, so the same code checks both.
    A Named Credential header formula can HMAC `$Credential.<ExternalCredential>.Body`, but its
    functions (BLOB, HMAC, BASE64ENCODE, ...) offer no way to put a timestamp in front of that body
    Blob, so the package computes this signature in Apex.

`sign_zendesk`, `sign_slack`, `sign_jira` and `sign_salesforce` build the headers a sender would
send. They exist for the tests, the bench, and anyone checking their own setup ("does my Apex
produce the same signature as this?"); the service itself never signs inbound requests.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.datastructures import Headers

# A request's headers (werkzeug's, from Flask) or a plain mapping of them (tests, replays).
HeaderSource = Mapping[str, str] | Headers

ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
ZENDESK_INVOCATION_ID = "X-Zendesk-Webhook-Invocation-Id"
ZENDESK_WEBHOOK_ID = "X-Zendesk-Webhook-Id"
SLACK_SIGNATURE = "X-Slack-Signature"
SLACK_TIMESTAMP = "X-Slack-Request-Timestamp"
SLACK_RETRY_NUM = "X-Slack-Retry-Num"
JIRA_SIGNATURE = "X-Hub-Signature"
JIRA_DELIVERY_ID = "X-Atlassian-Webhook-Identifier"
SALESFORCE_SIGNATURE = "X-Sidecar-Signature"
SALESFORCE_TIMESTAMP = "X-Sidecar-Timestamp"

DEFAULT_TOLERANCE = 300.0  # seconds either side of our clock
SYSTEMS = ("zendesk", "slack", "jira", "salesforce")
_SHA256_BYTES = 32


class WebhookRejected(Exception):
    """An inbound webhook we will not act on: a machine-readable code, a safe message, an HTTP status."""

    def __init__(self, message: str, *, code: str = "bad_signature", status: int = 401):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def verify_zendesk(
    raw: bytes,
    headers: HeaderSource,
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Check a Zendesk webhook: base64 HMAC-SHA256 of timestamp + body, timestamp within tolerance."""
    _require_secret(secret, "Zendesk")
    _verify_timestamped("zendesk", raw, headers, secret, signature_header=ZENDESK_SIGNATURE,
                        timestamp_header=ZENDESK_TIMESTAMP, parse_time=_iso_seconds, now=now, tolerance=tolerance)


def verify_slack(
    raw: bytes,
    headers: HeaderSource,
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Check a Slack request (Events API, interactivity): v0 hex HMAC-SHA256, timestamp within tolerance."""
    _require_secret(secret, "Slack")
    signature = _required_header(headers, SLACK_SIGNATURE)
    timestamp = _required_header(headers, SLACK_TIMESTAMP)
    sent_at = _unix_seconds(timestamp, SLACK_TIMESTAMP)
    version, _, digest = signature.partition("=")
    if version != "v0" or not _is_hex_digest(digest):
        raise WebhookRejected(f"{SLACK_SIGNATURE} is not of the form v0=<64 hex digits>")
    expected = _mac(secret, signed_message("slack", raw, timestamp)).hex()
    if not hmac.compare_digest(digest.lower().encode(), expected.encode()):
        raise WebhookRejected(f"{SLACK_SIGNATURE} does not match the body and the signing secret")
    _check_fresh(sent_at, now=now, tolerance=tolerance, what=SLACK_TIMESTAMP)


def verify_jira(raw: bytes, headers: HeaderSource, secret: str) -> None:
    """Check a Jira admin webhook: X-Hub-Signature "sha256=<hex HMAC-SHA256 of the body>"."""
    _require_secret(secret, "Jira")
    signature = _required_header(headers, JIRA_SIGNATURE)
    method, _, digest = signature.partition("=")
    if method.strip().lower() != "sha256" or not _is_hex_digest(digest):
        raise WebhookRejected(f"{JIRA_SIGNATURE} is not of the form sha256=<64 hex digits>")
    expected = _mac(secret, signed_message("jira", raw)).hex()
    if not hmac.compare_digest(digest.lower().encode(), expected.encode()):
        raise WebhookRejected(f"{JIRA_SIGNATURE} does not match the body and the webhook secret")


def check_jira_freshness(payload: Any, *, now: float | None = None, tolerance: float = DEFAULT_TOLERANCE) -> None:
    """Reject a verified Jira payload whose `timestamp` (ms since the epoch) is outside the tolerance."""
    raw_ms = payload.get("timestamp") if isinstance(payload, Mapping) else None
    if isinstance(raw_ms, bool) or not isinstance(raw_ms, (int, float, str)):
        raise WebhookRejected("the Jira payload has no timestamp to check its age", code="stale_timestamp")
    try:
        sent_at = float(raw_ms) / 1000.0
    except ValueError:
        raise WebhookRejected("the Jira payload timestamp is not milliseconds since the epoch",
                              code="stale_timestamp") from None
    _check_fresh(sent_at, now=now, tolerance=tolerance, what="the Jira payload timestamp")


def verify_salesforce(
    raw: bytes,
    headers: HeaderSource,
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Check our Salesforce scheme: base64 HMAC-SHA256 of Unix-seconds timestamp + body, within tolerance."""
    _require_secret(secret, "Salesforce")
    _verify_timestamped("salesforce", raw, headers, secret, signature_header=SALESFORCE_SIGNATURE,
                        timestamp_header=SALESFORCE_TIMESTAMP, parse_time=_unix_seconds, now=now, tolerance=tolerance)


def _verify_timestamped(system: str, raw: bytes, headers: HeaderSource, secret: str, *, signature_header: str,
                        timestamp_header: str, parse_time, now: float | None, tolerance: float) -> None:
    """The scheme Zendesk and our Salesforce package share: base64 HMAC-SHA256 of timestamp + body, then freshness."""
    signature = _required_header(headers, signature_header)
    timestamp = _required_header(headers, timestamp_header)
    sent_at = parse_time(timestamp, timestamp_header)
    _compare_base64(signature, _mac(secret, signed_message(system, raw, timestamp)), signature_header)
    _check_fresh(sent_at, now=now, tolerance=tolerance, what=timestamp_header)


def delivery_id(system: str, raw: bytes, headers: HeaderSource, payload: Any | None = None) -> str:
    """A stable id for one delivery, the same on the sender's retries, prefixed with the system ("jira:...")."""
    if system not in SYSTEMS:
        raise ValueError(f"delivery ids are made for {', '.join(SYSTEMS)}, not {system!r}")
    body = payload if isinstance(payload, Mapping) else {}
    if system == "zendesk":
        found = _header(headers, ZENDESK_INVOCATION_ID)
    elif system == "jira":
        found = _header(headers, JIRA_DELIVERY_ID) or _jira_event_key(body)
    elif system == "slack":
        found = _text(body.get("event_id")) or _slack_interaction_key(body)
    else:
        found = _text(body.get("event_id"))
    return f"{system}:{found}" if found else f"{system}:sha256:{hashlib.sha256(raw).hexdigest()}"


def signed_content_id(system: str, raw: bytes, headers: HeaderSource) -> str:
    """An id for exactly what the signature covers ("signed:<sha256 hex>"); call it after the request is verified.

    The delivery-id headers are not signed, so a captured request replayed under a new id passes the
    signature check again; this id does not change with them. It hashes the MAC input itself (signed
    timestamp + body, Slack's "v0:ts:body", the Jira body) rather than the signature, whose text has
    more than one accepted spelling (upper- or lower-case hex).
    """
    if system not in SYSTEMS:
        raise ValueError(f"signed content ids are made for {', '.join(SYSTEMS)}, not {system!r}")
    timestamp = _header(headers, _TIMESTAMP_HEADERS[system]) if system in _TIMESTAMP_HEADERS else None
    return f"signed:{hashlib.sha256(signed_message(system, raw, timestamp or '')).hexdigest()}"


_TIMESTAMP_HEADERS = {"zendesk": ZENDESK_TIMESTAMP, "salesforce": SALESFORCE_TIMESTAMP, "slack": SLACK_TIMESTAMP}


def signed_message(system: str, raw: bytes, timestamp: str = "") -> bytes:
    """Exactly what a system's signature covers: the one place verifying, signing and replay dedupe agree on."""
    if system == "slack":
        return b"v0:" + timestamp.encode() + b":" + raw
    if system == "jira":  # Jira signs the body alone
        return raw
    return timestamp.encode() + raw  # Zendesk and our Salesforce package


def sign_zendesk(raw: bytes, secret: str, timestamp: str | float | datetime) -> dict[str, str]:
    """Headers Zendesk would send for this body (for tests, the bench and checking a setup)."""
    stamp = _iso_text(timestamp)
    signature = base64.b64encode(_mac(secret, signed_message("zendesk", raw, stamp))).decode()
    return {ZENDESK_SIGNATURE: signature, ZENDESK_TIMESTAMP: stamp}


def sign_slack(raw: bytes, secret: str, timestamp: str | float) -> dict[str, str]:
    """Headers Slack would send for this body (for tests, the bench and checking a setup)."""
    stamp = _unix_text(timestamp)
    digest = _mac(secret, signed_message("slack", raw, stamp)).hex()
    return {SLACK_SIGNATURE: f"v0={digest}", SLACK_TIMESTAMP: stamp}


def sign_jira(raw: bytes, secret: str) -> dict[str, str]:
    """Headers a Jira admin webhook with a secret would send (for tests, the bench and checking a setup)."""
    return {JIRA_SIGNATURE: f"sha256={_mac(secret, signed_message('jira', raw)).hex()}"}


def sign_salesforce(raw: bytes, secret: str, timestamp: str | float) -> dict[str, str]:
    """Headers the Salesforce package sends for this body (for tests, the bench and checking the Apex)."""
    stamp = _unix_text(timestamp)
    signature = base64.b64encode(_mac(secret, signed_message("salesforce", raw, stamp))).decode()
    return {SALESFORCE_SIGNATURE: signature, SALESFORCE_TIMESTAMP: stamp}


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def _require_secret(secret: str, system: str) -> None:
    # An empty key makes an HMAC anyone can compute: refuse rather than "verify".
    if not secret:
        raise WebhookRejected(f"no {system} signing secret is configured for this installation", code="no_secret")


def _header(headers: HeaderSource, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == wanted), None)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _required_header(headers: HeaderSource, name: str) -> str:
    value = _header(headers, name)
    if value is None:
        raise WebhookRejected(f"the {name} header is missing", code="missing_signature")
    return value


def _compare_base64(signature: str, expected: bytes, name: str) -> None:
    try:
        given = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRejected(f"{name} is not base64") from None
    if len(given) != _SHA256_BYTES:
        raise WebhookRejected(f"{name} is not a base64 HMAC-SHA256 digest")
    if not hmac.compare_digest(given, expected):
        raise WebhookRejected(f"{name} does not match the body and the signing secret")


def _is_hex_digest(text: str) -> bool:
    return len(text) == 2 * _SHA256_BYTES and all(c in "0123456789abcdefABCDEF" for c in text)


def _iso_seconds(value: str, name: str) -> float:
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise WebhookRejected(f"{name} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _unix_seconds(value: str, name: str) -> float:
    if not value.isascii() or not value.isdigit():
        raise WebhookRejected(f"{name} is not Unix seconds")
    return float(value)


def _check_fresh(sent_at: float, *, now: float | None, tolerance: float, what: str) -> None:
    skew = (time.time() if now is None else now) - sent_at
    if abs(skew) > tolerance:
        direction = "old" if skew > 0 else "in the future"
        raise WebhookRejected(
            f"{what} is {abs(skew):.0f} s {direction}; at most {tolerance:.0f} s is accepted",
            code="stale_timestamp",
        )


def _iso_text(timestamp: str | float | datetime) -> str:
    if isinstance(timestamp, str):
        return timestamp
    moment = timestamp if isinstance(timestamp, datetime) else datetime.fromtimestamp(timestamp, UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix_text(timestamp: str | float) -> str:
    return timestamp if isinstance(timestamp, str) else str(int(timestamp))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def _jira_event_key(payload: Mapping[str, Any]) -> str | None:
    # Without the header, a retry still carries the same body: its event time, name and entities.
    stamp, event = _text(payload.get("timestamp")), _text(payload.get("webhookEvent"))
    if not (stamp and event):
        return None
    issue = payload["issue"] if isinstance(payload.get("issue"), Mapping) else {}
    comment = payload["comment"] if isinstance(payload.get("comment"), Mapping) else {}
    return ":".join([stamp, event, _text(issue.get("id")) or "-", _text(comment.get("id")) or "-"])


def _slack_interaction_key(payload: Mapping[str, Any]) -> str | None:
    actions = payload.get("actions")
    if not (isinstance(actions, list) and actions and isinstance(actions[0], Mapping)):
        return None
    action = actions[0]
    user = payload["user"] if isinstance(payload.get("user"), Mapping) else {}
    container = payload["container"] if isinstance(payload.get("container"), Mapping) else {}
    message = payload["message"] if isinstance(payload.get("message"), Mapping) else {}
    parts = [
        _text(action.get("action_ts")) or "",
        _text(user.get("id")) or "",
        _text(action.get("action_id")) or "",
        _text(container.get("message_ts")) or _text(message.get("ts")) or "",
    ]
    return "interaction:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
