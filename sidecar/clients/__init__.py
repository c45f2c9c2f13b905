"""Outbound clients, one module per external system, over the shared base in `base.py`.

Domain code imports from here (or `sidecar.clients.helpdesk`), never a vendor SDK.
"""
from sidecar.clients.base import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRateLimited,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnavailable,
    HttpClient,
)
from sidecar.clients.helpdesk import HelpdeskClient, helpdesk_client_for
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
    "helpdesk_client_for",
]
