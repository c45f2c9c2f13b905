"""`sidecar installation check`: call each configured system once and say, in words, what works."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sidecar.clients.errors import ApiError, ApiForbidden, ApiUnauthorized
from sidecar.clients.factory import build_client
from sidecar.clients.url_policy import private_urls_allowed
from sidecar.domain.connections import Connections
from sidecar.domain.statuses import CheckStatus


@dataclass(frozen=True)
class CheckResult:
    """How one system answered: ok, failed, or not configured (dry-run), with a sentence for people."""

    system: str
    status: CheckStatus
    message: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"system": self.system, "status": self.status, "message": self.message}


def _jira(connections: Connections, allow_private: bool) -> str:
    me = build_client("jira", connections, allow_private=allow_private).myself()
    return (f"Jira works: signed in as {me.get('displayName') or me.get('emailAddress') or me.get('accountId')}; "
            f"new issues go to project {connections['jira.project']} as {connections['jira.issue_type']}")


def _slack(connections: Connections, allow_private: bool) -> str:
    me = build_client("slack", connections, allow_private=allow_private).auth_test()
    channel = connections.get("slack.default_channel")
    where = f"; default channel {channel}" if channel else "; no slack.default_channel set (team channels and DMs only)"
    return (f"Slack works: bot {me.get('user') or me.get('user_id')} "
            f"in workspace {me.get('team') or me.get('team_id')}{where}")


def _zendesk(connections: Connections, allow_private: bool) -> str:
    me = build_client("zendesk", connections, allow_private=allow_private).current_user()
    field = connections.get("zendesk.jira_key_field_id")
    where = f"; the Jira key goes to ticket field {field}" if field else \
        "; zendesk.jira_key_field_id is not set, so the Jira key is only in the note"
    return f"Zendesk works: signed in as {me.get('name') or me.get('email')} ({me.get('role')}){where}"


def _salesforce(connections: Connections, allow_private: bool) -> str:
    limits = build_client("salesforce", connections, allow_private=allow_private).identity()
    daily = limits.get("DailyApiRequests") or {}
    left = f"; {daily.get('Remaining')} of {daily.get('Max')} daily API requests left" if daily else ""
    return f"Salesforce works{left}"


CHECKS: dict[str, Callable[[Connections, bool], str]] = {
    "zendesk": _zendesk, "salesforce": _salesforce, "jira": _jira, "slack": _slack,
}


def check_connections(connections: Connections, *, source: str, allow_private: bool | None = None) -> list[CheckResult]:
    """One call per system the installation uses; failures are reported in words, never raised.

    `allow_private`: SIDECAR_ALLOW_PRIVATE_URLS; None reads it as `url_policy.private_urls_allowed` does.
    """
    allow_private = private_urls_allowed(allow_private)
    results = []
    for system, check in CHECKS.items():
        if system in ("zendesk", "salesforce") and system != source:
            continue
        if not connections.is_live(system):
            missing = ", ".join(connections.missing(system)) or "credentials"
            results.append(CheckResult(system, CheckStatus.NOT_CONFIGURED,
                                       f"{system.capitalize()} is not configured (set {missing}); "
                                       "its escalation steps run in dry-run"))
            continue
        try:
            results.append(CheckResult(system, CheckStatus.OK, check(connections, allow_private)))
        except (ApiUnauthorized, ApiForbidden) as exc:
            results.append(CheckResult(system, CheckStatus.FAILED,
                                       f"{system.capitalize()} refused the credentials: {exc.message}"))
        except ApiError as exc:
            results.append(CheckResult(system, CheckStatus.FAILED,
                                       f"{system.capitalize()} did not work: {exc.message}"))
        except ValueError as exc:  # a malformed setting, caught before any call
            results.append(CheckResult(system, CheckStatus.FAILED,
                                       f"{system.capitalize()} settings are incomplete: {exc}"))
    return results


def summary(results: list[CheckResult]) -> dict[str, Any]:
    """The JSON line the CLI prints last."""
    return {"ok": all(r.status != CheckStatus.FAILED for r in results),
            "systems": [r.as_dict() for r in results]}
