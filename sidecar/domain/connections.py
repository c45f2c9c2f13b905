"""The connection settings of an installation: the registry of dotted keys and the `Connections` they form.

Every setting is one dotted key (`jira.url`, `slack.bot_token`, ...) from `KEYS`; a system is *live*
when one of its `REQUIRED` key sets is complete. `Connections` is the one shape every layer reads
them in: services load and change them (services/connections.py), the client factory builds every
vendor client from them (clients/factory.py), jobs ask them what is live.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


def check_base_url(url: str, *, what: str) -> str:
    """Validate an http(s) base URL and return it without a trailing slash."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http(s) URL with a host, e.g. https://example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{what} must not contain credentials, a query string or a fragment")
    return str(url).strip().rstrip("/")


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

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:
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
