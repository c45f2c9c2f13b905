"""The one way to build a vendor client: from an installation's `Connections` (sidecar/domain/connections.py).

Every path builds its clients here (escalation delivery and the jobs after it, proactive re-assessment,
ticket fetches, history imports, `sidecar installation check`), so each setting is read from one key
everywhere: the Salesforce API version from `salesforce.api_version`, Slack's API from `slack.api_url`...

`allow_private` is the operator's SIDECAR_ALLOW_PRIVATE_URLS: every client checks each request it sends
against the outbound URL policy (clients/url_policy.py) with it.

Help-desk `settings` are the installation's `settings["helpdesk"]` (all optional; other keys are
ignored, they belong to other parts of the product):

- both: ``bot_user_ids`` (user ids whose comments are ``bot``);
- zendesk: ``organization_fields`` ({"tier"|"arr"|"renewal_date": organisation field key}),
  ``bot_channels`` (via channels whose comments are ``bot``);
- salesforce: ``account_fields`` ({"tier"|"arr"|"renewal_date"|other: Account field API name}),
  ``case_fields`` (extra Case fields for ``custom_fields``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sidecar.clients.helpdesk import (
    HelpdeskClient,
    HelpdeskNotes,
    SalesforceNotes,
    ZendeskNotes,
)
from sidecar.clients.jira import JiraClient
from sidecar.clients.llm import ChatClient
from sidecar.clients.salesforce import SalesforceClient
from sidecar.clients.slack import SlackClient
from sidecar.clients.zendesk import ZendeskClient
from sidecar.domain.connections import Connections

HELPDESKS = ("zendesk", "salesforce")
_SALESFORCE_LOGIN = ("instance_url", "access_token", "username", "password", "security_token", "domain")
# The keys that hold each system's credentials and where they are sent: one of them set means the
# installation has started to connect the system (else it has no credentials for it at all).
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "zendesk": ("zendesk.url", "zendesk.subdomain", "zendesk.email", "zendesk.api_token"),
    "salesforce": tuple(f"salesforce.{key}" for key in _SALESFORCE_LOGIN),
    "jira": ("jira.url", "jira.email", "jira.api_token"),
    "slack": ("slack.bot_token",),
    "llm": ("llm.url", "llm.model"),
}


def has_credentials(system: str, connections: Connections) -> bool:
    """True when any of the system's credential keys is set (complete or not)."""
    return any(connections.get(key) for key in CREDENTIAL_KEYS[system])


def build_client(system: str, connections: Connections, *, allow_private: bool = False,
                 settings: Mapping[str, Any] | None = None) -> Any:
    """The client of one system (zendesk, salesforce, jira, slack, llm) from the installation's connections.

    ValueError names what is missing or malformed (setting names, never values).
    """
    builder = _BUILDERS.get(system)
    if builder is None:
        raise ValueError(f"no client for {system!r}")
    return builder(connections, allow_private, settings or {})


def helpdesk_client(source: str, connections: Connections, *, allow_private: bool = False,
                    settings: Mapping[str, Any] | None = None) -> HelpdeskClient:
    """The client of the installation's help desk (`source`: zendesk or salesforce), with its help-desk settings."""
    if source not in HELPDESKS:
        raise ValueError(f"unknown help desk source {source!r}; expected one of {', '.join(HELPDESKS)}")
    client: HelpdeskClient = build_client(source, connections, allow_private=allow_private, settings=settings)
    return client


def helpdesk_notes(source: str, connections: Connections) -> HelpdeskNotes:
    """How the help desk writes the sidecar's notes: planned without credentials (dry runs), named for the audit."""
    if source == "zendesk":
        return ZendeskNotes(jira_key_field_id=connections.get("zendesk.jira_key_field_id"))
    if source == "salesforce":
        return SalesforceNotes(version=connections["salesforce.api_version"],
                               jira_key_field=connections["salesforce.jira_key_field"])
    raise ValueError(f"unknown help desk source {source!r}; expected one of {', '.join(HELPDESKS)}")


def _require(connections: Connections, keys: tuple[str, ...], *, service: str) -> None:
    missing = [key for key in keys if not str(connections.get(key) or "").strip()]
    if missing:
        raise ValueError(f"{service} settings are incomplete: missing {', '.join(missing)}")


def _pick(settings: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: settings[key] for key in keys if settings.get(key) is not None}


def _jira(connections: Connections, allow_private: bool, _settings: Mapping[str, Any]) -> JiraClient:
    _require(connections, ("jira.url", "jira.email", "jira.api_token"), service="Jira")
    return JiraClient(connections["jira.url"], email=connections["jira.email"],
                      api_token=connections["jira.api_token"], allow_private=allow_private)


def _slack(connections: Connections, allow_private: bool, _settings: Mapping[str, Any]) -> SlackClient:
    _require(connections, ("slack.bot_token",), service="Slack")
    return SlackClient(connections["slack.bot_token"], base_url=connections["slack.api_url"],
                       allow_private=allow_private)


def _llm(connections: Connections, allow_private: bool, _settings: Mapping[str, Any]) -> ChatClient:
    _require(connections, ("llm.url", "llm.model"), service="LLM")
    return ChatClient(connections["llm.url"], api_key=connections.get("llm.api_key"), model=connections["llm.model"],
                      allow_private=allow_private)


def _zendesk(connections: Connections, allow_private: bool, settings: Mapping[str, Any]) -> ZendeskClient:
    url = connections.get("zendesk.url")
    subdomain = connections.get("zendesk.subdomain")
    if not subdomain and url:  # the account's own subdomain, from its URL
        subdomain = (urlsplit(url).hostname or "").split(".")[0]
    credentials = {"subdomain": subdomain or "", "email": connections.get("zendesk.email", ""),
                   "api_token": connections.get("zendesk.api_token", "")}
    if url:
        credentials["base_url"] = url
    return ZendeskClient(credentials, allow_private=allow_private,
                         **_pick(settings, "bot_user_ids", "bot_channels", "organization_fields"))


def _salesforce(connections: Connections, allow_private: bool, settings: Mapping[str, Any]) -> SalesforceClient:
    credentials = {key: connections[f"salesforce.{key}"] for key in _SALESFORCE_LOGIN
                   if connections.get(f"salesforce.{key}")}
    return SalesforceClient(credentials, version=connections["salesforce.api_version"], allow_private=allow_private,
                            **_pick(settings, "bot_user_ids", "account_fields", "case_fields"))


_BUILDERS: dict[str, Callable[[Connections, bool, Mapping[str, Any]], Any]] = {
    "zendesk": _zendesk, "salesforce": _salesforce, "jira": _jira, "slack": _slack, "llm": _llm,
}
