"""Connections of an installation to Zendesk, Salesforce, Jira, Slack (and an optional LLM).

Every setting is one dotted key (`jira.url`, `slack.bot_token`, ...) from the registry below; unknown
keys are refused with their name, so a typo never silently does nothing. All values are stored
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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from sidecar.clients.base import check_base_url
from sidecar.clients.url_policy import check_outbound_url, private_urls_allowed
from sidecar.errors import InvalidInput
from sidecar.store.crypto import SecretBox
from sidecar.store.models import Installation

SLACK_API_URL = "https://slack.com/api"


def _url(value: str) -> str:
    return check_base_url(value, what="this URL")


def _text(value: str) -> str:
    value = value.strip()
    if len(value) > 2000:
        raise ValueError("must be at most 2000 characters")
    return value


def _jira_key_part(value: str) -> str:
    value = value.strip().upper()
    if not value.replace("_", "").isalnum() or not value[:1].isalpha():
        raise ValueError("must be a Jira project key such as ESC")
    return value


def _zendesk_field_id(value: str) -> str:
    if not value.strip().isdigit():
        raise ValueError("must be the numeric id of a Zendesk ticket field")
    return value.strip()


def _salesforce_field(value: str) -> str:
    value = value.strip()
    if not value.replace("_", "").isalnum():
        raise ValueError("must be a field API name such as Jira_Key__c")
    return value


def _slack_team_id(value: str) -> str:
    value = value.strip()
    if not (value[:1] in ("T", "E") and value[1:].isalnum() and len(value) <= 40):
        raise ValueError("must be a Slack workspace id such as T0123ABCD")
    return value


def _slack_usergroup_id(value: str) -> str:
    value = value.strip()
    if not (value[:1] == "S" and value[1:].isalnum() and value.isascii() and len(value) <= 40):
        raise ValueError("must be a Slack user group id such as S0123ABCD")
    return value


def _public_key_pem(value: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    value = value.strip()
    try:
        key = load_pem_public_key(value.encode())
    except ValueError:
        raise ValueError("must be a PEM public key (-----BEGIN PUBLIC KEY-----...)") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("must be an RSA public key: Zendesk signs app tokens with RS256")
    return value


def _positive_int(value: str) -> str:
    value = value.strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError("must be a positive whole number")
    return value


@dataclass(frozen=True)
class ConnectionKey:
    """One configurable setting: its name, whether it is a secret, how a value is checked."""

    name: str
    description: str
    secret: bool = False
    check: Callable[[str], str] = _text
    default: str | None = None
    outbound: bool = False  # a URL the sidecar sends requests (and credentials) to: the URL policy applies


KEYS: dict[str, ConnectionKey] = {key.name: key for key in (
    ConnectionKey("zendesk.url", "Zendesk base URL, e.g. https://acme.zendesk.com", check=_url, outbound=True),
    ConnectionKey("zendesk.subdomain", "Zendesk subdomain (derived from zendesk.url when unset)"),
    ConnectionKey("zendesk.email", "Zendesk agent email the API token belongs to"),
    ConnectionKey("zendesk.api_token", "Zendesk API token", secret=True),
    ConnectionKey("zendesk.jira_key_field_id", "id of the ticket field that holds the Jira key",
                  check=_zendesk_field_id),
    ConnectionKey("zendesk.escalation_tag", "tag added to escalated tickets", default="escalated_to_jira"),
    ConnectionKey("zendesk.webhook_secret", "signing secret of the Zendesk webhook", secret=True),
    ConnectionKey("zendesk.app_public_key", "the Zendesk app's public key (PEM, from GET /api/v2/apps/{app_id}/"
                  "public_key.pem): verifies the agent identity Zendesk signs when the sidebar loads with "
                  "signedUrls", check=_public_key_pem),
    ConnectionKey("zendesk.app_audience", "the app installation URL Zendesk puts in the signed token's aud "
                  "(https://SUBDOMAIN.zendesk.com/api/v2/apps/installations/ID.json); checked when set"),
    ConnectionKey("salesforce.instance_url", "Salesforce instance URL, e.g. https://acme.my.salesforce.com",
                  check=_url, outbound=True),
    ConnectionKey("salesforce.access_token", "OAuth access token (session id)", secret=True),
    ConnectionKey("salesforce.username", "API user (username-password OAuth flow)"),
    ConnectionKey("salesforce.password", "API user's password", secret=True),
    ConnectionKey("salesforce.security_token", "API user's security token", secret=True),
    ConnectionKey("salesforce.domain", "login domain: login, test, or a My Domain such as acme.my"),
    ConnectionKey("salesforce.api_version", "REST API version", default="62.0"),
    ConnectionKey("salesforce.jira_key_field", "Case field that holds the Jira key", check=_salesforce_field,
                  default="Jira_Key__c"),
    ConnectionKey("salesforce.webhook_secret", "HMAC key the Salesforce package signs Case events with",
                  secret=True),
    ConnectionKey("jira.url", "Jira base URL, e.g. https://acme.atlassian.net", check=_url, outbound=True),
    ConnectionKey("jira.email", "Atlassian account email the API token belongs to"),
    ConnectionKey("jira.api_token", "Atlassian API token", secret=True),
    ConnectionKey("jira.project", "project key new issues go to (a team's jira_project wins)",
                  check=_jira_key_part),
    ConnectionKey("jira.issue_type", "issue type of new issues", default="Bug"),
    ConnectionKey("jira.webhook_secret", "secret of the Jira admin webhook", secret=True),
    ConnectionKey("slack.api_url", "Slack Web API base URL", check=_url, default=SLACK_API_URL, outbound=True),
    ConnectionKey("slack.bot_token", "Slack bot token (xoxb-...)", secret=True),
    ConnectionKey("slack.default_channel", "channel id for escalations without an expert or team channel"),
    ConnectionKey("slack.signing_secret", "Slack app signing secret", secret=True),
    ConnectionKey("slack.team_id", "Slack workspace id (T...), to find the installation for Slack events",
                  check=_slack_team_id),
    ConnectionKey("slack.allowed_usergroup", "Slack user group (S...) whose members may press Acknowledge and "
                  "Reassign besides the experts (needs the usergroups:read scope)", check=_slack_usergroup_id),
    ConnectionKey("llm.url", "OpenAI-compatible chat endpoint base URL", check=_url, outbound=True),
    ConnectionKey("llm.api_key", "API key of the LLM endpoint", secret=True),
    ConnectionKey("llm.model", "model name for summaries"),
    ConnectionKey("jobs.max_attempts", "delivery attempts before a job is parked as dead", check=_positive_int),
)}

SYSTEMS = ("zendesk", "salesforce", "jira", "slack", "llm")
# What each system needs before the sidecar writes to it for real.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "zendesk": (("zendesk.email", "zendesk.api_token"), ),
    "salesforce": (("salesforce.instance_url", "salesforce.access_token"),
                   ("salesforce.username", "salesforce.password")),
    "jira": (("jira.url", "jira.email", "jira.api_token", "jira.project"),),
    "slack": (("slack.bot_token",),),
    "llm": (("llm.url", "llm.model"),),
}
# The flat keys of credentials stored before connections existed (PUT /v1/installation/credentials).
_LEGACY = {"base_url": "url", "instance_url": "instance_url"}


class Connections(Mapping[str, str]):
    """The decrypted settings of one installation, defaults filled in, with what is live."""

    def __init__(self, values: Mapping[str, str], *, cleared: Iterable[str] | None = None):
        self._values = {k: v for k, v in values.items() if v not in (None, "")}
        # Set by `configure`: the secrets it removed because their system's URL changed (else None).
        self.cleared: tuple[str, ...] | None = tuple(cleared) if cleared is not None else None

    def __getitem__(self, key: str) -> str:
        if key in self._values:
            return self._values[key]
        default = KEYS[key].default if key in KEYS else None
        if default is None:
            raise KeyError(key)
        return default

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        """The value, the key's default, or `default`."""
        try:
            return self[key]
        except KeyError:
            return default

    def stored(self) -> dict[str, str]:
        """What is stored (no defaults), for re-encryption."""
        return dict(self._values)

    def is_live(self, system: str) -> bool:
        """True when one of the system's required key sets is complete (zendesk also needs a host)."""
        if system == "zendesk" and not (self.get("zendesk.url") or self.get("zendesk.subdomain")):
            return False
        return any(all(self.get(key) for key in keys) for keys in REQUIRED[system])

    def missing(self, system: str) -> list[str]:
        """The keys still needed for the system's first (preferred) way of connecting."""
        needed = list(REQUIRED[system][0])
        if system == "zendesk":
            needed.insert(0, "zendesk.url")
        return [key for key in needed if not self.get(key)]

    def section(self, system: str) -> dict[str, str]:
        """The system's settings without the prefix, defaults included: {"url": ..., "api_token": ...}."""
        prefix = system + "."
        keys = {key for key in KEYS if key.startswith(prefix)} | {k for k in self._values if k.startswith(prefix)}
        return {key[len(prefix):]: self[key] for key in sorted(keys) if self.get(key) is not None}

    def helpdesk_credentials(self, source: str) -> dict[str, str]:
        """The credentials mapping the Zendesk / Salesforce client expects."""
        section = self.section(source)
        if source == "zendesk":
            url = section.get("url")
            subdomain = section.get("subdomain")
            if not subdomain and url:
                subdomain = (urlsplit(url).hostname or "").split(".")[0]
            credentials = {"subdomain": subdomain or "", "email": section.get("email", ""),
                           "api_token": section.get("api_token", "")}
            if url:
                credentials["base_url"] = url
            return credentials
        keys = ("instance_url", "access_token", "username", "password", "security_token", "domain")
        return {key: section[key] for key in keys if section.get(key)}


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
