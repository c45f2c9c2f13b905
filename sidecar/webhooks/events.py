"""Verified webhook payloads, normalised into one `InboundEvent` shape whatever system sent them.

Each `parse_*` takes the decoded JSON of a request whose signature has already been checked
(`sidecar.webhooks.verification`). A payload of the documented shape becomes an event of a known
kind; a well-formed event we do not handle becomes kind `ignored` (the endpoint acknowledges it so
the sender does not retry); JSON that is not the documented shape raises `PayloadError` (a
`ValueError`) with a message saying what is wrong. Unknown extra keys are always allowed. `data` holds only JSON values
(strings, numbers, booleans, None, lists, dicts) so it can be stored or queued as it is.

Kinds and their `data`
----------------------
jira.issue_updated      issue_key, issue_id, status, status_category (new|indeterminate|done),
                        previous_status (None unless this update changed the status), resolution,
                        resolved, actor {account_id, display_name}, summary
jira.comment_created    issue_key, issue_id, comment_id, body_text, author {account_id, display_name},
jira.comment_updated    restricted (the comment has a visibility restriction)
slack.url_verification  challenge
slack.message           team_id, channel, ts, thread_ts, user, text, bot_id, subtype
slack.block_action      team_id, user {id, name}, channel, message_ts, thread_ts, action_id, value,
                        response_url, trigger_id
zendesk.ticket_event    event, ticket_id, status, subject, tags, comment {author, author_name, body,
                        public} | None, updated_at, requester {name, email}, organization
salesforce.case_event   event, event_id, ticket_id, case_number, status, subject, priority,
                        comment {author, body, public, created_by_id} | None, closed, requester {name, email}
ignored                 what the sender called the event (webhook_event / type / event_type / event)

Jira sends a comment twice when both `comment_created` and `jira:issue_updated` are subscribed
(the second as `issue_event_type_name: issue_commented`); both become `jira.comment_created` with the
same `comment_id`, so the caller dedupes on it.

Zendesk trigger payload (OURS; the Zendesk app's requirements.json sends it)
---------------------------------------------------------------------------
A trigger's `notification_webhook` action posts this JSON body. Placeholders render as text, so
every value is a quoted string; the parser turns them back into types ("true"/"false" into
booleans, the space-separated tags into a list, the status display name into its lower-case key):

    {
      "event": "comment_added",
      "ticket": {
        "id": "{{ticket.id}}",
        "status": "{{ticket.status}}",
        "subject": "{{ticket.title}}",
        "tags": "{{ticket.tags}}",
        "updated_at": "{{ticket.updated_at_with_timestamp}}",
        "requester": {"name": "{{ticket.requester.name}}", "email": "{{ticket.requester.email}}"},
        "organization": {"name": "{{ticket.organization.name}}"},
        "latest_comment": {
          "author_role": "end-user",
          "author_name": "{{ticket.latest_comment.author.name}}",
          "body": "{{ticket.latest_comment.value}}",
          "public": "{{ticket.latest_comment.is_public}}"
        }
      }
    }

`event` is a literal per trigger: "ticket_created", "comment_added" or "ticket_updated" (anything
else is ignored). `author_role` is a literal too, because no placeholder is known to give the
comment author's role: one trigger with the condition "Current user is (end user)" sends
"end-user", a second with "Current user is (agent)" sends "agent". "end-user" becomes author
"customer"; "agent" and "admin" (any case, "Administrator" too) become "agent". `latest_comment`
may be absent or all-empty (no comment: `comment` is None). Real JSON values are accepted as well
(an integer id, a tag list, a boolean `public`).

Salesforce Case event (OURS; the Salesforce package's Apex sends it)
--------------------------------------------------------------------
    {
      "event_id": "00aHn000004RtYvIAK",
      "event": "comment_added",
      "occurred_at": "2024-05-02T14:40:03.000Z",
      "case": {"Id": "500Hn00001XyZaBIAV", "CaseNumber": "00001026", "Subject": "...",
               "Status": "Escalated", "Priority": "High", "IsClosed": false,
               "Contact": {"Name": "Priya Raman", "Email": "priya@northwind.example"},
               "SuppliedName": null, "SuppliedEmail": null},
      "comment": {"CommentBody": "...", "IsPublished": true, "CreatedById": "005Hn00000AbCdEIAV",
                  "author": "customer"}
    }

`event` is "case_created", "case_updated" or "comment_added" (anything else is ignored).
`event_id` is unique per change and the same on a retry: the CaseComment Id for comment_added, and
"<Case Id>:<SystemModstamp in ms>" for the case events; it is what `delivery_id` dedupes on.
`occurred_at` is ISO 8601 (Apex `JSON.serialize` of a Datetime gives "2024-05-02T14:40:03.000Z").
`case.Id` is the 18-character Case Id (Apex serialises Ids in that form). `comment` is null for the
case events; for comment_added the Apex decides `author` ("customer" when the CaseComment's creator
is the Case's contact or a portal/site user, "agent" otherwise). The requester is the Case's Contact
(`Contact`, a relationship object as Salesforce serialises one; null without a contact), else the
`SuppliedName`/`SuppliedEmail` Web-to-Case and Email-to-Case capture; all optional (older packages
send none of them).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from sidecar.clients.jira import adf_to_text
from sidecar.clients.salesforce import CASE_KEY_PREFIX, salesforce_id
from sidecar.intelligence.ticket import parse_datetime

IGNORED = "ignored"
ZENDESK_EVENTS = ("ticket_created", "comment_added", "ticket_updated")
SALESFORCE_EVENTS = ("case_created", "case_updated", "comment_added")
STATUS_CATEGORIES = ("new", "indeterminate", "done")

_JIRA_COMMENT_EVENTS = {"comment_created": "jira.comment_created", "comment_updated": "jira.comment_updated"}
# An issue_updated delivery that is really about a comment, by Jira's finer event name.
_JIRA_COMMENT_TYPE_NAMES = {"issue_commented": "jira.comment_created", "issue_comment_edited": "jira.comment_updated"}
_ISSUE_ID_IN_URL = re.compile(r"/issue/(\d+)/comment/")
_ZENDESK_CUSTOMER_ROLES = frozenset({"end-user", "end_user", "end user", "enduser"})
_ZENDESK_AGENT_ROLES = frozenset({"agent", "admin", "administrator"})
_ZENDESK_STATUS_KEYS = {"on-hold": "hold", "on hold": "hold"}
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


class PayloadError(ValueError):
    """Verified JSON that is not the documented shape; the message says what is wrong (the endpoint answers 422)."""


@dataclass(frozen=True)
class InboundEvent:
    """One thing that happened in another system, in our words: which system, what kind, its facts, when."""

    system: str
    kind: str
    data: dict
    occurred_at: datetime | None


def parse_jira(payload: Any) -> InboundEvent:
    """A Jira Cloud webhook body as an issue update, a comment, or `ignored`."""
    body = _object(payload, "a Jira webhook body")
    webhook_event = _required_text(body, "webhookEvent", "a Jira webhook body")
    occurred_at = _from_millis(body.get("timestamp"), "the Jira webhook timestamp")
    if webhook_event == "jira:issue_updated":
        comment_kind = _JIRA_COMMENT_TYPE_NAMES.get(_text(body.get("issue_event_type_name")) or "")
        if comment_kind is None or not isinstance(body.get("comment"), Mapping):
            return InboundEvent("jira", "jira.issue_updated", _jira_issue_update(body), occurred_at)
    else:
        comment_kind = _JIRA_COMMENT_EVENTS.get(webhook_event)
        if comment_kind is None:
            return InboundEvent("jira", IGNORED, {"webhook_event": webhook_event}, occurred_at)
    return InboundEvent("jira", comment_kind, _jira_comment(body, webhook_event), occurred_at)


def parse_slack_event(payload: Any) -> InboundEvent:
    """A Slack Events API body as a URL verification, a message, or `ignored`."""
    body = _object(payload, "a Slack Events API body")
    kind = _required_text(body, "type", "a Slack Events API body")
    if kind == "url_verification":
        challenge = _required_text(body, "challenge", "a Slack url_verification body")
        return InboundEvent("slack", "slack.url_verification", {"challenge": challenge}, None)
    if kind != "event_callback":
        return InboundEvent("slack", IGNORED, {"type": kind, "event_type": None}, None)
    event = _object(body.get("event"), "the event of a Slack event_callback")
    event_type = _required_text(event, "type", "the event of a Slack event_callback")
    occurred_at = _from_seconds(body.get("event_time"), "the Slack event_time")
    if event_type != "message":
        return InboundEvent("slack", IGNORED, {"type": kind, "event_type": event_type}, occurred_at)
    what = "a Slack message event"
    data = {
        "team_id": _text(body.get("team_id")) or _text(event.get("team")),
        "channel": _required_text(event, "channel", what),
        "ts": _required_text(event, "ts", what),
        "thread_ts": _text(event.get("thread_ts")),
        "user": _text(event.get("user")),
        "text": _string(event.get("text")),
        "bot_id": _text(event.get("bot_id")),
        "subtype": _text(event.get("subtype")),
    }
    return InboundEvent("slack", "slack.message", data, occurred_at or _from_seconds(data["ts"], what + " ts"))


def parse_slack_interaction(form_or_payload: Any) -> InboundEvent:
    """A Slack interactivity request as a block action or `ignored`.

    Takes the decoded `payload` JSON, the form that holds it (`request.form`), or the raw form body.
    """
    body = _object(_interaction_payload(form_or_payload), "a Slack interaction payload")
    kind = _required_text(body, "type", "a Slack interaction payload")
    if kind != "block_actions":
        return InboundEvent("slack", IGNORED, {"type": kind}, None)
    what = "a Slack block_actions payload"
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise PayloadError(f"{what} needs a non-empty actions list")
    action = _object(actions[0], "the first action of " + what)
    user = _object(body.get("user"), "the user of " + what)
    team = _optional_object(body.get("team"), "the team of " + what)
    channel = _optional_object(body.get("channel"), "the channel of " + what)
    container = _optional_object(body.get("container"), "the container of " + what)
    message = _optional_object(body.get("message"), "the message of " + what)
    data = {
        "team_id": _text(team.get("id")) or _text(user.get("team_id")),
        "user": {"id": _required_text(user, "id", "the user of " + what),
                 "name": _text(user.get("name")) or _text(user.get("username"))},
        "channel": _text(channel.get("id")) or _text(container.get("channel_id")),
        "message_ts": _text(container.get("message_ts")) or _text(message.get("ts")),
        "thread_ts": _text(container.get("thread_ts")) or _text(message.get("thread_ts")),
        "action_id": _required_text(action, "action_id", "the first action of " + what),
        "value": _text(action.get("value")),
        "response_url": _text(body.get("response_url")),
        "trigger_id": _text(body.get("trigger_id")),
    }
    occurred_at = _from_seconds(action.get("action_ts"), what + " action_ts")
    return InboundEvent("slack", "slack.block_action", data, occurred_at)


def parse_zendesk(payload: Any) -> InboundEvent:
    """Our Zendesk trigger payload (see the module docstring) as a ticket event or `ignored`."""
    body = _object(payload, "a Zendesk webhook body")
    event = _required_text(body, "event", "a Zendesk webhook body")
    if event not in ZENDESK_EVENTS:
        return InboundEvent("zendesk", IGNORED, {"event": event}, None)
    what = "the ticket of a Zendesk webhook"
    ticket = _object(body.get("ticket"), what)
    ticket_id = _required_text(ticket, "id", what)
    if not ticket_id.isascii() or not ticket_id.isdigit():
        raise PayloadError(f"{what} needs a numeric id, got {ticket_id[:40]!r}")
    updated_at = _datetime(ticket.get("updated_at"), what + " updated_at")
    requester = _optional_object(ticket.get("requester"), what + " requester")
    organization = _optional_object(ticket.get("organization"), what + " organization")
    data = {
        "event": event,
        "ticket_id": ticket_id,
        "status": _zendesk_status(ticket.get("status")),
        "subject": _string(ticket.get("subject")),
        "tags": _zendesk_tags(ticket.get("tags")),
        "comment": _zendesk_comment(ticket.get("latest_comment")),
        "updated_at": updated_at.isoformat() if updated_at else None,
        "requester": {"name": _text(requester.get("name")), "email": _text(requester.get("email"))},
        "organization": _text(organization.get("name")),
    }
    return InboundEvent("zendesk", "zendesk.ticket_event", data, updated_at)


def parse_salesforce(payload: Any) -> InboundEvent:
    """Our Salesforce Case event (see the module docstring) as a case event or `ignored`."""
    body = _object(payload, "a Salesforce webhook body")
    event = _required_text(body, "event", "a Salesforce webhook body")
    occurred_at = _datetime(body.get("occurred_at"), "the Salesforce occurred_at")
    if event not in SALESFORCE_EVENTS:
        return InboundEvent("salesforce", IGNORED, {"event": event}, occurred_at)
    what = "the case of a Salesforce webhook"
    case = _object(body.get("case"), what)
    case_id = _required_text(case, "Id", what)
    if len(case_id) != 18:
        raise PayloadError(f"{what} needs the 18-character Case Id, got {len(case_id)} characters")
    try:
        case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
    except ValueError as error:
        raise PayloadError(f"{what}: {error}") from None
    comment = _salesforce_comment(body.get("comment"))
    if event == "comment_added" and comment is None:
        raise PayloadError("a Salesforce comment_added event needs a comment object")
    data = {
        "event": event,
        "event_id": _text(body.get("event_id")),
        "ticket_id": case_id,
        "case_number": _text(case.get("CaseNumber")),
        "status": _text(case.get("Status")),
        "subject": _string(case.get("Subject")),
        "priority": _text(case.get("Priority")),
        "comment": comment,
        "closed": _boolean(case.get("IsClosed"), what + " IsClosed", default=False),
        "requester": _salesforce_requester(case, what),
    }
    return InboundEvent("salesforce", "salesforce.case_event", data, occurred_at)


def _salesforce_requester(case: Mapping[str, Any], what: str) -> dict[str, str | None]:
    contact = _optional_object(case.get("Contact"), what + " Contact")
    return {"name": _text(contact.get("Name")) or _text(case.get("SuppliedName")),
            "email": _text(contact.get("Email")) or _text(case.get("SuppliedEmail"))}


def _jira_issue_update(body: Mapping[str, Any]) -> dict[str, Any]:
    what = "the issue of a Jira issue_updated webhook"
    issue = _object(body.get("issue"), what)
    fields = _object(issue.get("fields"), what + " fields")
    status = _optional_object(fields.get("status"), what + " status")
    category = _optional_object(status.get("statusCategory"), what + " statusCategory")
    resolution = _optional_object(fields.get("resolution"), what + " resolution")
    status_category = _text(category.get("key"))
    if status_category is not None and status_category not in STATUS_CATEGORIES:
        raise PayloadError(f"{what} has an unknown status category {status_category[:40]!r}")
    resolution_name = _text(resolution.get("name"))
    return {
        "issue_key": _required_text(issue, "key", what),
        "issue_id": _text(issue.get("id")),
        "status": _text(status.get("name")),
        "status_category": status_category,
        "previous_status": _previous_status(body.get("changelog")),
        "resolution": resolution_name,
        "resolved": status_category == "done" or resolution_name is not None,
        "actor": _jira_user(body.get("user")),
        "summary": _string(fields.get("summary")),
    }


def _previous_status(changelog: Any) -> str | None:
    items = changelog.get("items") if isinstance(changelog, Mapping) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, Mapping) and (item.get("fieldId") or item.get("field")) == "status":
            return _text(item.get("fromString"))
    return None


def _jira_comment(body: Mapping[str, Any], webhook_event: str) -> dict[str, Any]:
    what = f"the comment of a Jira {webhook_event} webhook"
    comment = _object(body.get("comment"), what)
    issue = _optional_object(body.get("issue"), f"the issue of a Jira {webhook_event} webhook")
    issue_key, issue_id = _text(issue.get("key")), _text(issue.get("id"))
    if issue_id is None:  # Jira has sent comment events without the issue; its id is in the comment URL
        match = _ISSUE_ID_IN_URL.search(_text(comment.get("self")) or "")
        issue_id = match.group(1) if match else None
    if issue_key is None and issue_id is None:
        raise PayloadError(f"a Jira {webhook_event} webhook names no issue (no issue object, no issue in comment.self)")
    return {
        "issue_key": issue_key,
        "issue_id": issue_id,
        "comment_id": _required_text(comment, "id", what),
        "body_text": adf_to_text(comment.get("body")),
        "author": _jira_user(comment.get("author")),
        "restricted": bool(comment.get("visibility")),
    }


def _jira_user(value: Any) -> dict[str, str | None]:
    user = value if isinstance(value, Mapping) else {}
    return {"account_id": _text(user.get("accountId")), "display_name": _text(user.get("displayName"))}


def _interaction_payload(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):  # the raw form body: payload=<url-encoded JSON>
            text = (parse_qs(text).get("payload") or [""])[0]
        return _json(text)
    if isinstance(value, Mapping) and "type" not in value and "payload" in value:
        field = value["payload"]  # request.form: a MultiDict, or a plain dict in tests
        return _json(field[0] if isinstance(field, list) and field else field)
    return value


def _json(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise PayloadError("a Slack interaction payload must be JSON (the form field `payload`)") from None


def _zendesk_status(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    key = text.lower()
    return _ZENDESK_STATUS_KEYS.get(key, key)


def _zendesk_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        tags = value.replace(",", " ").split()
    elif isinstance(value, list) and all(isinstance(tag, str) for tag in value):
        tags = [tag.strip() for tag in value if tag.strip()]
    else:
        raise PayloadError("the tags of a Zendesk ticket are a space-separated string or a list of strings")
    return list(dict.fromkeys(tags))


def _zendesk_comment(value: Any) -> dict[str, Any] | None:
    what = "the latest_comment of a Zendesk ticket"
    comment = _optional_object(value, what)
    body, role = _string(comment.get("body")), _text(comment.get("author_role"))
    if not body and role is None:
        return None  # the trigger fired without a comment: placeholders rendered empty
    if role is None:
        raise PayloadError(f"{what} needs an author_role (end-user, agent or admin)")
    key = role.lower()
    if key in _ZENDESK_CUSTOMER_ROLES:
        author = "customer"
    elif key in _ZENDESK_AGENT_ROLES:
        author = "agent"
    else:
        raise PayloadError(f"{what} author_role must be end-user, agent or admin, got {role[:40]!r}")
    return {
        "author": author,
        "author_name": _text(comment.get("author_name")),
        "body": body or "",
        "public": _boolean(comment.get("public"), what + " public", default=True),
    }


def _salesforce_comment(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    what = "the comment of a Salesforce webhook"
    comment = _object(value, what)
    author = _required_text(comment, "author", what)
    if author not in ("customer", "agent"):
        raise PayloadError(f"{what} author must be customer or agent, got {author[:40]!r}")
    return {
        "author": author,
        "body": _string(comment.get("CommentBody")) or "",
        "public": _boolean(comment.get("IsPublished"), what + " IsPublished", default=False),
        "created_by_id": _text(comment.get("CreatedById")),
    }


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"{what} must be a JSON object, got {_json_type(value)}")
    return value


def _optional_object(value: Any, what: str) -> Mapping[str, Any]:
    return {} if value is None else _object(value, what)


def _json_type(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}.get(
        type(value), type(value).__name__)


def _text(value: Any) -> str | None:
    """A scalar as stripped text; None, empty, and non-scalars give None."""
    if value is None or isinstance(value, (bool, Mapping, list)):
        return None
    text = str(value).strip()
    return text or None


def _string(value: Any) -> str | None:
    """Free text kept as written (no stripping); non-strings other than numbers give None."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _required_text(mapping: Mapping[str, Any], key: str, what: str) -> str:
    text = _text(mapping.get(key))
    if text is None:
        raise PayloadError(f"{what} needs {key!r} (a non-empty string)")
    return text


def _boolean(value: Any, what: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PayloadError(f"{what} must be true or false, got {str(value)[:40]!r}")


def _datetime(value: Any, what: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        raise PayloadError(f"{what} must be an ISO 8601 time, got {str(value)[:40]!r}") from None


def _from_millis(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000.0, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadError(f"{what} must be milliseconds since the epoch, got {str(value)[:40]!r}") from None


def _from_seconds(value: Any, what: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadError(f"{what} must be Unix seconds, got {str(value)[:40]!r}") from None
