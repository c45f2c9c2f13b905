"""Who may press the escalation message's Acknowledge and Reassign buttons, and how a stranger is told no.

Anyone in a channel can press a button on a message there, and a Slack Connect or guest user is in many
channels. A press changes the escalation, the ticket and Jira, so it is honoured only for a Slack user the
installation knows:

- the Slack id (`Expert.slack_user_id`) of one of its active experts, or
- a member of the Slack user group set as `slack.allowed_usergroup` (Slack's `usergroups.users.list`,
  which needs the bot token's `usergroups:read` scope; the member list is kept for `MEMBERS_TTL_SECONDS`).

Where each check runs (the decision): Slack gives the interaction request 3 seconds, and the endpoint
answers as soon as the press is queued. The expert check is one indexed query, so it runs at receipt
(`screen_at_receipt`): a stranger's press on an installation without a user group is queued as
`slack.block_action_refused` and never as an action. The user-group check is a call to Slack, which the
3 seconds cannot wait on, so it runs in the job (`authorize`), before anything is changed; the job also
repeats the expert check, so what acts never depends on a flag set elsewhere. When Slack cannot be asked
(unreachable, rate limited, the scope missing), the press is refused, never allowed.

A refusal changes nothing (no acknowledgement, no reassignment, no ticket note, no Jira write, no timeline
event); it leaves an audit entry (`outcome` "refused") and an ephemeral message to the presser. Slack shows
nothing from the body of a block_actions acknowledgement, so the message goes to the interaction's
`response_url` (`{"response_type": "ephemeral", "replace_original": false, "text": ...}`), posted by the
worker. That URL comes from the request body, so it is called only on Slack's hooks host or on the origin
of the installation's own `slack.api_url` (a proxy or a local fake), never with a token.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select

from sidecar.clients.errors import ApiError
from sidecar.domain.connections import Connections
from sidecar.rendering.escalation import ACKNOWLEDGE_ACTION, REASSIGN_ACTION
from sidecar.store.models import Expert

GUARDED_ACTIONS = frozenset({ACKNOWLEDGE_ACTION, REASSIGN_ACTION})  # the link buttons change nothing
REFUSED_KIND = "slack.block_action_refused"
USERGROUP_KEY = "slack.allowed_usergroup"
MEMBERS_TTL_SECONDS = 300.0  # a member added to the group waits at most this long; Slack is asked at most this often
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com"})  # where Slack's response_urls point

UNKNOWN_USER = "unknown_user"
LOOKUP_FAILED = "usergroup_lookup_failed"
_VERBS = {ACKNOWLEDGE_ACTION: "acknowledge", REASSIGN_ACTION: "reassign"}

_KNOWN_EXPERT = (select(Expert.id)
                 .where(Expert.installation_id == bindparam("installation_id"),
                        Expert.slack_user_id == bindparam("user_id"), Expert.active.is_(True))
                 .limit(1))


def is_guarded(data: dict[str, Any]) -> bool:
    """True for a press of a button that changes something (Acknowledge, Reassign)."""
    return data.get("action_id") in GUARDED_ACTIONS


def is_known_expert(connection: Any, installation_id: str, user_id: str | None) -> bool:
    """True when the Slack user is an active expert of the installation (a Core connection or an ORM session)."""
    if not user_id:
        return False
    found = connection.execute(_KNOWN_EXPERT, {"installation_id": installation_id, "user_id": user_id}).first()
    return found is not None


def screen_at_receipt(database: Any, installation_id: str, connections: Connections, event: Any) -> Any:
    """The event to queue: a stranger's press becomes `slack.block_action_refused` unless a user group may allow it."""
    if event.kind != "slack.block_action" or not is_guarded(event.data):
        return event
    with database.engine.connect() as connection:
        if is_known_expert(connection, installation_id, (event.data.get("user") or {}).get("id")):
            return event
    if connections.get(USERGROUP_KEY):
        return event  # membership needs a call to Slack: the job decides
    return replace(event, kind=REFUSED_KIND, data={**event.data, "refusal": UNKNOWN_USER})


class MemberCache:
    """User-group member lists, each kept `ttl` seconds (per process; failures are never kept)."""

    def __init__(self, ttl: float = MEMBERS_TTL_SECONDS, *, clock: Callable[[], float] = time.monotonic,
                 size: int = 1024) -> None:
        self.ttl, self.clock, self.size = ttl, clock, size
        self._entries: OrderedDict[Any, tuple[float, frozenset[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def members(self, key: Any, fetch: Callable[[], Iterable[str]]) -> frozenset[str]:
        """The cached members under `key`, or `fetch()`ed now (its exception propagates and nothing is kept)."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        members = frozenset(fetch())  # outside the lock: a slow Slack must not hold up other installations
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl, members)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return members

    def clear(self) -> None:
        """Forget every list (tests; a changed group is a new key anyway)."""
        with self._lock:
            self._entries.clear()


MEMBERS = MemberCache()


def authorize(database: Any, installation_id: str, connections: Connections, user_id: str | None,
              slack_client: Callable[[], Any], *, cache: MemberCache = MEMBERS) -> str | None:
    """None when the user may press the buttons; otherwise why not (`UNKNOWN_USER` or `LOOKUP_FAILED`)."""
    with database.engine.connect() as connection:  # closed before Slack is asked
        if is_known_expert(connection, installation_id, user_id):
            return None
    usergroup = connections.get(USERGROUP_KEY)
    if not usergroup or not user_id:
        return UNKNOWN_USER
    key = (installation_id, connections.get("slack.api_url"), usergroup)
    try:
        members = cache.members(key, lambda: slack_client().usergroup_members(usergroup))
    except (ApiError, KeyError, ValueError):
        # Slack unreachable, the scope missing, no bot token: not knowing is not a yes.
        return LOOKUP_FAILED
    return None if user_id in members else UNKNOWN_USER


def refusal_message(data: dict[str, Any], reason: str) -> dict[str, Any]:
    """The ephemeral answer for the presser (only they see it; the original message stays)."""
    verb = _VERBS.get(str(data.get("action_id")), "use")
    if reason == LOOKUP_FAILED:
        text = (f"You can't {verb} this escalation right now: Slack could not tell whether you are in the user "
                "group allowed to use these buttons. Nothing was changed; try again in a few minutes.")
    else:
        text = (f"You can't {verb} this escalation: only the experts this escalation tool knows (or members of "
                "its allowed Slack user group) can use these buttons. Nothing was changed.")
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def response_url_allowed(url: str | None, connections: Connections) -> bool:
    """True when a response_url may be called: https on Slack's hooks host, or the origin of `slack.api_url`."""
    if not url:
        return False
    parts = urlsplit(url)
    if parts.username or parts.password or not parts.hostname:
        return False
    if parts.scheme == "https" and parts.hostname.lower() in SLACK_HOOK_HOSTS and parts.port in (None, 443):
        return True
    api = urlsplit(str(connections.get("slack.api_url") or ""))
    # A proxy or a local fake in front of Slack: the installation's admin chose that origin for Slack.
    return bool(api.hostname) and (parts.scheme, parts.netloc.lower()) == (api.scheme, api.netloc.lower())
