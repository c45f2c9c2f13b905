"""Connections of an installation to Zendesk, Salesforce, Jira, Slack (and an optional LLM): loading and changing them.

Every setting is one dotted key (`jira.url`, `slack.bot_token`, ...) from the registry in
sidecar/domain/connections.py (re-exported here); unknown keys are refused with their name, so a typo
never silently does nothing. All values are stored
together, encrypted, in `Installation.credentials_encrypted`; secrets are write-only (views say only
that they are set). A system is *live* when its required keys are set; otherwise the escalation steps
that would write to it run in dry-run and record the exact requests they would have sent.

The URLs the sidecar sends requests to (`jira.url`, `zendesk.url`, `salesforce.instance_url`,
`slack.api_url`, `llm.url`) are checked against the outbound URL policy when they are saved
(clients/url_policy.py). Changing where a system's requests go without giving its secret again in
the same change removes the stored secret, so a credential is never sent to a host it was not
entered for; the returned Connections name what was removed (`cleared`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from sidecar.clients.url_policy import check_outbound_url, private_urls_allowed
from sidecar.domain.connections import (
    KEYS,
    REQUIRED,
    SLACK_API_URL,
    SYSTEMS,
    ConnectionKey,
    Connections,
)
from sidecar.errors import InvalidInput
from sidecar.services.audit import record_admin_change
from sidecar.store.crypto import SecretBox
from sidecar.store.models import Installation

# The registry and the Connections type live in the domain, below every layer; importers of this module keep
# finding them here.
__all__ = ["KEYS", "REQUIRED", "SLACK_API_URL", "SYSTEMS", "ConnectionKey", "Connections", "configure",
           "connections_view", "legacy_credentials_as_keys", "load_connections", "parse_assignments"]
# The flat keys of credentials stored before connections existed (PUT /v1/installation/credentials).
_LEGACY = {"base_url": "url", "instance_url": "instance_url"}


def load_connections(installation: Installation, *, box: SecretBox) -> Connections:
    """The installation's decrypted connections (empty when nothing is configured)."""
    if not installation.credentials_encrypted:
        return Connections({})
    stored = box.decrypt_json(installation.credentials_encrypted)
    return Connections(_upgrade_legacy(stored, installation.source))


def legacy_credentials_as_keys(stored: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Credentials in the older shape (flat help-desk keys, a nested {"jira": {...}}) as dotted keys."""
    values: dict[str, Any] = {}
    for key, value in stored.items():
        if isinstance(value, Mapping) and key in SYSTEMS:
            for inner, inner_value in value.items():
                values[f"{key}.{_LEGACY.get(inner, inner)}"] = inner_value
        elif "." not in key:
            values[f"{source}.{_LEGACY.get(key, key)}"] = value
        else:
            values[key] = value
    return values


def _upgrade_legacy(stored: Mapping[str, Any], source: str) -> dict[str, str]:
    return {key: value if isinstance(value, str) else str(value)
            for key, value in legacy_credentials_as_keys(stored, source).items() if value is not None}


def configure(
    session: Session,
    installation: Installation,
    *,
    changes: Mapping[str, Any],
    box: SecretBox,
    allow_private: bool | None = None,
) -> Connections:
    """Set (or, with an empty value or None, remove) connection keys; unknown keys and bad values are refused.

    Outbound URLs must pass the URL policy (`allow_private`: SIDECAR_ALLOW_PRIVATE_URLS; None reads it as
    `url_policy.private_urls_allowed` does). A changed destination clears the secrets sent there unless
    the change gives them again; the result's `cleared` names them.
    """
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidInput("give at least one KEY=VALUE to set")
    errors: dict[str, str] = {}
    values = load_connections(installation, box=box).stored()
    before = dict(values)
    allowed: bool | None = None
    for key, value in changes.items():
        spec = KEYS.get(key)
        if spec is None:
            errors[key] = "unknown setting; known: " + ", ".join(sorted(KEYS))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            values.pop(key, None)
            continue
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            errors[key] = "must be a string"
            continue
        try:
            values[key] = spec.check(str(value))
            if spec.outbound:
                allowed = private_urls_allowed(allow_private) if allowed is None else allowed
                check_outbound_url(values[key], allow_private=allowed)
        except ValueError as exc:  # OutboundUrlError included: the reason names the address and the rule
            errors[key] = str(exc)
    if errors:
        raise InvalidInput("some settings were refused", details=errors)
    given = {key for key, value in changes.items() if value is not None and str(value).strip()}
    cleared = _clear_moved_secrets(before, values, given=given)
    installation.credentials_encrypted = box.encrypt_json(values) if values else None
    installation.slack_team_id = values.get("slack.team_id")  # kept in the clear: Slack events name only this
    # The names of the settings only: a value may be a secret.
    record_admin_change(session, installation_id=installation.id, action="connections.update",
                        target=", ".join(sorted({key.split(".")[0] for key in changes}))[:200],
                        detail="set or removed: " + ", ".join(sorted(changes)) +
                               (f"; cleared because their URL moved: {', '.join(cleared)}" if cleared else ""))
    session.flush()
    return Connections(values, cleared=cleared)


def _zendesk_destination(values: Mapping[str, str]) -> str | None:
    # The client's base_url: zendesk.url, else the account's own host from the subdomain.
    if values.get("zendesk.url"):
        return values["zendesk.url"]
    subdomain = values.get("zendesk.subdomain")
    return f"https://{subdomain}.zendesk.com" if subdomain else None


def _setting(key: str, default: str | None = None) -> Callable[[Mapping[str, str]], str | None]:
    return lambda values: values.get(key) or KEYS[key].default or default


# Where each system's outbound secrets are sent, and which secrets those are. Inbound secrets (webhook
# and signing secrets check what others send to us) go nowhere and are kept.
DESTINATIONS: tuple[tuple[Callable[[Mapping[str, str]], str | None], tuple[str, ...]], ...] = (
    (_zendesk_destination, ("zendesk.api_token",)),
    (_setting("salesforce.instance_url"), ("salesforce.access_token",)),
    (_setting("salesforce.domain", "login"), ("salesforce.password", "salesforce.security_token")),
    (_setting("jira.url"), ("jira.api_token",)),
    (_setting("slack.api_url"), ("slack.bot_token",)),
    (_setting("llm.url"), ("llm.api_key",)),
)


def _clear_moved_secrets(before: Mapping[str, str], after: dict[str, str], *, given: set[str]) -> list[str]:
    """Remove (from `after`) the secrets whose destination changed and that were not given again; name them.

    A destination that was never set had no secret sent anywhere yet (a token entered before its URL),
    so setting it clears nothing; removing or changing a set one does, and setting it to the same
    place again does not.
    """
    cleared: list[str] = []
    for destination, secrets in DESTINATIONS:
        old, new = destination(before), destination(after)
        if old is None or _same_place(old, new):
            continue
        for secret in secrets:
            if secret not in given and after.get(secret):
                del after[secret]
                cleared.append(secret)
    return cleared


def _same_place(old: str, new: str | None) -> bool:
    if new is None:
        return False
    if "://" not in old or "://" not in new:
        return old.strip().lower() == new.strip().lower()
    a, b = urlsplit(old.strip()), urlsplit(new.strip())
    try:
        ports = (a.port or (443 if a.scheme.lower() == "https" else 80),
                 b.port or (443 if b.scheme.lower() == "https" else 80))
    except ValueError:
        return False
    return (a.scheme.lower(), a.hostname, ports[0], a.path.rstrip("/")) == \
        (b.scheme.lower(), b.hostname, ports[1], b.path.rstrip("/"))


def connections_view(connections: Connections) -> dict[str, Any]:
    """Per system: live or not, what is missing, and each setting (secrets only as set / not set)."""
    view: dict[str, Any] = {}
    for system in SYSTEMS:
        settings: dict[str, Any] = {}
        for key, spec in KEYS.items():
            if not key.startswith(system + "."):
                continue
            name = key.split(".", 1)[1]
            if spec.secret:
                settings[name] = {"set": bool(connections.get(key))}
            else:
                settings[name] = connections.get(key)
        view[system] = {"live": connections.is_live(system), "missing": connections.missing(system),
                        "settings": settings}
    if connections.cleared is not None:  # the answer to a change: secrets removed because a URL moved
        view["cleared"] = list(connections.cleared)
    return view


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """KEY=VALUE strings (CLI --set) as a dict; ValueError names a malformed one (never its value)."""
    changes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected KEY=VALUE, got {key.strip() or pair[:20]!r}")
        changes[key.strip()] = value
    return changes
