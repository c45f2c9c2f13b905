"""Outbound clients, one module per external system, over the shared base in `base.py`.

Domain code imports from here (or `sidecar.clients.helpdesk`), never a vendor SDK; every client is built
from an installation's connections by `sidecar.clients.factory`.
"""
from sidecar.clients.base import HttpClient
from sidecar.clients.errors import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRateLimited,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnavailable,
)
from sidecar.clients.factory import build_client, helpdesk_client
from sidecar.clients.helpdesk import HelpdeskClient
from sidecar.clients.salesforce import SalesforceClient
from sidecar.clients.zendesk import ZendeskClient

__all__ = [
    "ApiError",
    "ApiForbidden",
    "ApiNotFound",
    "ApiRateLimited",
    "ApiTimeout",
    "ApiUnauthorized",
    "ApiUnavailable",
    "HelpdeskClient",
    "HttpClient",
    "SalesforceClient",
    "ZendeskClient",
    "build_client",
    "helpdesk_client",
]
