"""The help desk as the domain sees it: one narrow protocol, and the wiring that picks the vendor."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from sidecar.clients.salesforce import SalesforceClient
from sidecar.clients.zendesk import ZendeskClient
from sidecar.intelligence.ticket import SOURCES, Ticket


@runtime_checkable
class HelpdeskClient(Protocol):
    """Whatever can fetch one ticket by its id in the help desk and return our `Ticket`."""

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Fetch one ticket, normalised; raises an ApiError on failure."""
        ...


def helpdesk_client_for(
    source: str,
    credentials: Mapping[str, Any] | None,
    *,
    settings: Mapping[str, Any] | None = None,
    allow_private: bool = False,
) -> HelpdeskClient:
    """Build the client for an installation's help desk from its credentials and settings.

    `allow_private` is the operator's SIDECAR_ALLOW_PRIVATE_URLS (see clients/url_policy.py).

    Settings read (all optional; other keys are ignored, they belong to other parts of the product):

    - both: ``bot_user_ids`` (list of user ids whose comments are ``bot``);
    - zendesk: ``organization_fields`` ({"tier"|"arr"|"renewal_date": organisation field key}),
      ``bot_channels`` (via channels whose comments are ``bot``);
    - salesforce: ``account_fields`` ({"tier"|"arr"|"renewal_date"|other: Account field API name}),
      ``case_fields`` (extra Case fields for ``custom_fields``), ``api_version`` (default "62.0").
    """
    settings = settings or {}
    credentials = credentials or {}
    if source == "zendesk":
        options: dict[str, Any] = _pick(settings, "bot_user_ids", "bot_channels", "organization_fields")
        return ZendeskClient(credentials, allow_private=allow_private, **options)
    if source == "salesforce":
        options = _pick(settings, "bot_user_ids", "account_fields", "case_fields")
        if settings.get("api_version"):
            options["version"] = settings["api_version"]
        return SalesforceClient(credentials, allow_private=allow_private, **options)
    raise ValueError(f"unknown help desk source {source!r}; expected one of {', '.join(SOURCES)}")


def _pick(settings: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: settings[key] for key in keys if settings.get(key) is not None}
