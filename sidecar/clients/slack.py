"""Slack Web API with a bot token: post the escalation message, find it again, link to it.

Plain `requests` over the shared base rather than slack_sdk, whose urllib transport neither the
base's session policy (timeouts, 429) nor `responses` in tests can reach.

Slack answers most failures with HTTP 200 and ``{"ok": false, "error": "<code>"}``; `SlackClient`
translates those once, in `_call`, into the ApiError family (see `_ERRORS`). HTTP-level failures
(429 with Retry-After, 5xx, timeouts) go through the base like every other client's.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from sidecar.clients.base import DEFAULT_TIMEOUT, ApiSession, HttpClient
from sidecar.clients.errors import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRateLimited,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnavailable,
    OutboundUrlRefused,
    error_for_status,
    parse_retry_after,
)
from sidecar.clients.masking import redact
from sidecar.clients.plans import PlannedRequest
from sidecar.clients.url_policy import OutboundUrlError, check_outbound_url

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
HISTORY_PAGE_SIZE = 200  # conversations.history allows up to 999; Slack suggests no more than 200

# Slack's error codes (the "error" of an ok:false answer) by the ApiError they become; any other
# code is a plain ApiError carrying it.
_ERRORS: dict[str, type[ApiError]] = {
    **dict.fromkeys(
        ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"),
        ApiUnauthorized,
    ),
    **dict.fromkeys(("missing_scope", "not_allowed_token_type"), ApiForbidden),
    **dict.fromkeys(("channel_not_found", "user_not_found", "message_not_found"), ApiNotFound),
    "ratelimited": ApiRateLimited,
    **dict.fromkeys(("fatal", "internal_error", "service_unavailable", "request_timeout"), ApiUnavailable),
}


class SlackClient(HttpClient):
    """One Slack workspace, reached with a bot token (``xoxb-...``) sent as a Bearer header.

    Credentials: ``{"bot_token"}`` and optionally ``"api_url"`` (default ``https://slack.com/api``;
    set it for a proxy or a local fake).
    """

    service = "Slack"

    def __init__(
        self,
        bot_token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        session: ApiSession | None = None,
        allow_private: bool = False,
    ) -> None:
        token = str(bot_token or "").strip()
        if not token:
            raise ValueError("a Slack bot token is required")
        super().__init__(
            base_url,
            headers={"Authorization": f"Bearer {token}"},
            secrets=(token,),
            session=session,
            allow_private=allow_private,
        )

    def auth_test(self) -> dict[str, Any]:
        """Who the token is (auth.test): {"ok", "url", "team", "user", "team_id", "user_id", "bot_id"}."""
        return self._call(PlannedRequest("POST", "/auth.test"))  # no arguments: an empty POST

    def post_message(
        self,
        channel: str,
        *,
        text: str,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        unfurl_links: bool = False,
    ) -> dict[str, Any]:
        """Post a message (chat.postMessage) and return Slack's {"ok", "channel", "ts", "message"}."""
        plan = plan_post_message(
            channel, text=text, blocks=blocks, thread_ts=thread_ts, metadata=metadata,
            unfurl_links=unfurl_links,
        )
        answer = self._call(plan)
        if not answer.get("ts") or not answer.get("channel"):
            raise ApiError("Slack chat.postMessage answered without channel and ts; check api_url")
        return answer

    def get_permalink(self, channel: str, ts: str) -> str:
        """The permanent URL of one message (chat.getPermalink)."""
        params = {"channel": _required(channel, "channel"), "message_ts": _required(ts, "message ts")}
        answer = self._call(PlannedRequest("GET", "/chat.getPermalink", params=params))
        if not isinstance(answer.get("permalink"), str):
            raise ApiError("Slack chat.getPermalink answered without a permalink; check api_url")
        permalink: str = answer["permalink"]
        return permalink

    def open_conversation(self, user_id: str) -> str:
        """The id of the direct-message channel with one user, opened if needed (conversations.open)."""
        plan = PlannedRequest("POST", "/conversations.open", json={"users": _required(user_id, "user id")})
        channel = self._call(plan).get("channel")
        if not isinstance(channel, Mapping) or not channel.get("id"):
            raise ApiError("Slack conversations.open answered without a channel id; check api_url")
        return str(channel["id"])

    def usergroup_members(self, usergroup: str) -> list[str]:
        """The user ids of one user group (usergroups.users.list; the token needs usergroups:read)."""
        params = {"usergroup": _required(usergroup, "user group id")}
        users = self._call(PlannedRequest("GET", "/usergroups.users.list", params=params)).get("users")
        if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
            raise ApiError("Slack usergroups.users.list answered without a users list; check api_url")
        return users

    def find_message_with_metadata(
        self,
        channel: str,
        *,
        event_type: str,
        key: str,
        value: Any,
        oldest: float,
        max_pages: int = 5,
        thread_ts: str | None = None,
    ) -> dict[str, Any] | None:
        """The newest message since `oldest` whose metadata has this event_type and event_payload[key] == value.

        Reads conversations.history (newest first, 200 a page, at most `max_pages` pages), or with
        `thread_ts` the thread's replies (conversations.replies). None means no such message in what was
        read; if the window held more than that, a warning is logged, as the message may lie further
        back (narrow the window with a later `oldest`).
        """
        params: dict[str, Any] = {
            "channel": _required(channel, "channel"),
            "include_all_metadata": "true",
            "oldest": f"{float(oldest):.6f}",
            "limit": HISTORY_PAGE_SIZE,
        }
        method = "/conversations.history"
        if thread_ts:
            method = "/conversations.replies"
            params["ts"] = thread_ts
        for _ in range(max(1, int(max_pages))):
            answer = self._call(PlannedRequest("GET", method, params=params))
            messages = answer.get("messages")
            if not isinstance(messages, list):
                raise ApiError(f"Slack {method.lstrip('/')} answered without messages; check api_url")
            message: dict[str, Any]  # a Slack message object
            for message in messages:
                if _metadata_matches(message, event_type=event_type, key=key, value=value):
                    return message
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return None
            params = {**params, "cursor": cursor}
        log.warning("Slack: searched %d pages of %s history without reaching the oldest message asked for",
                    max_pages, params["channel"])
        return None

    def _call(self, plan: PlannedRequest) -> dict[str, Any]:
        """Send one Web API call and translate an ok:false answer into the ApiError family."""
        headers = {"Content-Type": JSON_CONTENT_TYPE} if plan.json is not None else None
        response = self.request(plan.method, plan.path, params=plan.params, json=plan.json, headers=headers)
        api_method = plan.path.lstrip("/")
        answer = self._json(response)
        if not isinstance(answer, Mapping) or "ok" not in answer:
            raise ApiError(f"Slack {api_method} did not answer with Slack JSON; check api_url")
        if answer["ok"] is True:
            return dict(answer)
        code = str(answer.get("error") or "unknown_error")
        message = f"Slack {api_method} failed: {code}"
        if answer.get("needed"):  # missing_scope says which scope the app lacks
            message += f" (needs scope {answer['needed']})"
        details = (answer.get("response_metadata") or {}).get("messages")
        if isinstance(details, list) and details:  # invalid_arguments, invalid_blocks explain here
            message += ": " + "; ".join(str(detail) for detail in details[:3])
        message = redact(message, self._secrets)[:500]  # masked before the cut: no piece of a secret is left
        error_class = _ERRORS.get(code, ApiError)
        if error_class is ApiRateLimited:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise ApiRateLimited(message, retry_after=retry_after, code=code)
        # The HTTP status was 200: `status` stays None and `code` carries Slack's error.
        raise error_class(message, None, code=code)


def post_to_response_url(response_url: str, message: Mapping[str, Any], *, allow_private: bool = False,
                         timeout: Any = DEFAULT_TIMEOUT) -> None:
    """POST a message to an interaction's `response_url` (no bot token: the URL is its own credential).

    Slack answers 200 (`ok`, or {"ok": true}); a used or expired URL, or a message it cannot show, is
    an error. The caller decides which hosts may be called (the URL comes from the request body). The
    URL's last segment is a secret, so no message here carries the URL. The outbound URL policy applies
    as to every other call (the host allow-list is the caller's; this is the address check).
    """
    try:
        check_outbound_url(response_url, allow_private=allow_private)
    except OutboundUrlError as exc:
        raise OutboundUrlRefused(f"Slack response_url not called: {exc}") from None
    try:
        # No redirects: a signed payload's URL is called once, where it says, and nowhere else.
        response = requests.post(response_url, json=dict(message), timeout=timeout, allow_redirects=False,
                                 headers={"Content-Type": JSON_CONTENT_TYPE})
    except requests.Timeout:
        raise ApiTimeout("Slack response_url timed out") from None
    except requests.RequestException as exc:
        raise ApiUnavailable(f"Slack response_url could not be reached ({type(exc).__name__})") from None
    code = _response_url_error(response)
    if response.status_code == 200 and code is None:
        return
    text = f"Slack response_url answered HTTP {response.status_code}" + (f": {code}" if code else "")
    raise error_for_status(response.status_code if response.status_code != 200 else None, text[:300], code=code)


def _response_url_error(response: requests.Response) -> str | None:
    """Slack's error code from a response_url answer ({"ok": false, "error": ...} or a plain-text code)."""
    try:
        body = response.json()
    except ValueError:
        body = response.text.strip()[:100]
        return None if body in ("", "ok") and response.ok else (body or None)
    if isinstance(body, Mapping) and body.get("ok") is False:
        return str(body.get("error") or "unknown_error")
    return None


def plan_post_message(
    channel: str,
    *,
    text: str,
    blocks: Sequence[Mapping[str, Any]] | None = None,
    thread_ts: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    unfurl_links: bool = False,
) -> PlannedRequest:
    """POST /chat.postMessage as JSON; `text` is the notification and screen-reader fallback for blocks."""
    body: dict[str, Any] = {"channel": _required(channel, "channel"), "text": _required(text, "text")}
    if blocks is not None:
        body["blocks"] = [dict(block) for block in blocks]
    if thread_ts is not None:
        body["thread_ts"] = _required(thread_ts, "thread_ts")
    if metadata is not None:
        body["metadata"] = _checked_metadata(metadata)
    body["unfurl_links"] = bool(unfurl_links)
    return PlannedRequest("POST", "/chat.postMessage", json=body)


def _checked_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    event_type = metadata.get("event_type") if isinstance(metadata, Mapping) else None
    payload = metadata.get("event_payload") if isinstance(metadata, Mapping) else None
    if not isinstance(event_type, str) or not event_type.strip() or not isinstance(payload, Mapping):
        raise ValueError('Slack message metadata is {"event_type": "<name>", "event_payload": {...}}')
    return {"event_type": event_type, "event_payload": dict(payload)}


def _metadata_matches(message: Any, *, event_type: str, key: str, value: Any) -> bool:
    metadata = message.get("metadata") if isinstance(message, Mapping) else None
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != event_type:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, Mapping) and key in payload and payload[key] == value


def _required(value: Any, what: str) -> str:
    text = "" if value is None else str(value)
    if not text.strip():
        raise ValueError(f"Slack {what} is required")
    return text
