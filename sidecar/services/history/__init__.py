"""History import: ticket history from a file, Zendesk, Salesforce or Jira into an installation's history.

Every import validates rows, upserts them idempotently (sidecar.store.history), stores where it
stopped after each page, and returns an `ImportSummary` (inserted, updated, unchanged, skipped...).
"""
from sidecar.services.history.from_file import import_history_file
from sidecar.services.history.from_jira import (
    import_jira_history,
    jira_client_for,
    jira_history_row,
)
from sidecar.services.history.from_salesforce import (
    import_salesforce_history,
    salesforce_client_for,
)
from sidecar.services.history.from_zendesk import (
    import_zendesk_history,
    zendesk_client_for,
)
from sidecar.services.history.pacing import Clock, RequestPacer, SystemClock
from sidecar.services.history.runner import ImportPage, ImportSummary

__all__ = [
    "Clock",
    "ImportPage",
    "ImportSummary",
    "RequestPacer",
    "SystemClock",
    "import_history_file",
    "import_jira_history",
    "import_salesforce_history",
    "import_zendesk_history",
    "jira_client_for",
    "jira_history_row",
    "salesforce_client_for",
    "zendesk_client_for",
]
