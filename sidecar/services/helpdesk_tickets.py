"""Fetch a ticket from the installation's help desk, translating vendor failures into service errors."""
from __future__ import annotations

from typing import Any

from sidecar.clients.errors import ApiError, ApiForbidden, ApiNotFound, ApiRateLimited, ApiTimeout, ApiUnauthorized
from sidecar.clients.factory import has_credentials, helpdesk_client
from sidecar.clients.helpdesk import HelpdeskClient
from sidecar.clients.url_policy import private_urls_allowed
from sidecar.errors import Conflict, InvalidInput, NotFound, UpstreamError
from sidecar.intelligence.ticket import Ticket
from sidecar.services.connections import load_connections
from sidecar.services.installations import installation_settings
from sidecar.store.crypto import SecretBox
from sidecar.store.models import Installation


def helpdesk_client_of(
    installation: Installation, *, box: SecretBox, settings: dict[str, Any] | None = None,
    allow_private: bool | None = None,
) -> HelpdeskClient:
    """The installation's help-desk client from its stored credentials, or Conflict saying what is missing.

    `allow_private`: SIDECAR_ALLOW_PRIVATE_URLS; None reads it as `url_policy.private_urls_allowed` does.
    """
    connections = load_connections(installation, box=box)
    if not has_credentials(installation.source, connections):
        raise Conflict(
            f"no {installation.source} credentials are stored for installation {installation.id}; store them "
            "with PUT /v1/installation/credentials or `sidecar installation set-credentials`",
            code="credentials_missing",
        )
    if settings is None:
        settings = installation_settings(installation).helpdesk.to_mapping()
    try:
        return helpdesk_client(installation.source, connections, settings=settings,
                               allow_private=private_urls_allowed(allow_private))
    except ValueError as exc:  # incomplete credentials: the message names fields, never values
        raise Conflict(str(exc), code="credentials_incomplete") from None


def fetch_ticket(*, installation: Installation, ticket_id: str, box: SecretBox,
                 allow_private: bool | None = None) -> Ticket:
    """Fetch and normalise one ticket with the installation's stored credentials."""
    client = helpdesk_client_of(installation, box=box, allow_private=allow_private)
    vendor = installation.source.capitalize()
    try:
        return client.fetch_ticket(ticket_id)
    except ValueError as exc:  # e.g. a malformed Salesforce id, rejected before any call
        raise InvalidInput(str(exc), details={"ticket_ref.id": ticket_id}) from None
    except ApiNotFound:
        raise NotFound(f"{vendor} has no ticket {ticket_id!r} visible to these credentials") from None
    except (ApiUnauthorized, ApiForbidden):
        raise UpstreamError(
            f"{vendor} rejected this installation's credentials", code="upstream_unauthorized"
        ) from None
    except ApiRateLimited as exc:
        raise UpstreamError(
            f"{vendor} is rate limiting us; retry later",
            code="upstream_rate_limited",
            status=503,
            details={"retry_after": exc.retry_after},
        ) from None
    except ApiTimeout:
        raise UpstreamError(f"{vendor} did not answer in time", code="upstream_timeout", status=504) from None
    except ApiError as exc:
        raise UpstreamError(f"{vendor} failed: {exc}", code="upstream_error") from None
