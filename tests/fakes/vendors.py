"""One local HTTP server that plays Jira Cloud, Slack, Zendesk and Salesforce at once.

For black-box tests (a worker subprocess that gets SIGKILLed must reach it, so `responses` cannot
be used), the benchmark and the README's manual acceptance. Standard library only: a
`ThreadingHTTPServer`, all state in memory behind one lock, answers at once unless a fault asks
for a delay. Answers follow the vendors' documented shapes (Jira Cloud REST v3, Slack Web API,
Zendesk Support API v2, Salesforce REST); deviations are listed in `DEVIATIONS` below.

Base URLs (one port):

    http://127.0.0.1:<port>/jira         Jira Cloud paths below it: /jira/rest/api/3/issue
    http://127.0.0.1:<port>/slack/api    Slack Web API methods below it: /slack/api/chat.postMessage
    http://127.0.0.1:<port>/slack/hooks  interaction response_urls (`fake.slack_response_url()`), as on hooks.slack.com
    http://127.0.0.1:<port>/zendesk      Zendesk paths below it: /zendesk/api/v2/tickets/1.json
    http://127.0.0.1:<port>/salesforce   Salesforce paths below it: /salesforce/services/data/v62.0/...
    http://127.0.0.1:<port>/_fake        control API (not vendor-shaped): requests, state, faults, reset

Python:

    with FakeVendors(tickets="sidecar/demo/tickets.json") as fake:
        fake.jira_url, fake.slack_url, fake.zendesk_url, fake.salesforce_url
        fake.fail("jira", method="POST", path=r"/issue$", status=429, retry_after=1, times=2)
        fake.slack_usergroup("S0ONCALL", ["U0ALICE"]); url = fake.slack_response_url(user="U0ALICE")
        fake.requests("jira"); fake.state(); fake.reset()

Command line (prints the base URLs as one JSON line, then serves until SIGTERM/SIGINT):

    python -m tests.fakes.vendors --port 8765 --tickets sidecar/demo/tickets.json

Control API:

    GET    /_fake                    the base URLs
    GET    /_fake/requests?system=   every vendor request recorded (Authorization left out)
    GET    /_fake/state              issues, comments, links, properties, messages, tickets...
    GET    /_fake/faults             the faults still armed
    POST   /_fake/faults             {"system", "method", "path" (regex), "status", "times",
                                      "retry_after", "delay", "body"} (or a list of them)
    DELETE /_fake/faults             disarm every fault
    POST   /_fake/reset              back to the seeded state; requests and faults cleared
"""
from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import html
import itertools
import json
import re
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

SYSTEMS = ("jira", "slack", "zendesk", "salesforce")
PREFIXES = {"jira": "/jira", "slack": "/slack/api", "zendesk": "/zendesk", "salesforce": "/salesforce"}
CONTROL_PREFIX = "/_fake"
MAX_RECORDED_REQUESTS = 100_000

# Where the fake knowingly differs from the real services (kept here so the report and the code agree).
DEVIATIONS = (
    ("Jira JQL: only labels, key/issue, project, status, statusCategory (=, !=, in, not in) and "
     "text/summary/description/comment (~, !~) joined by AND, plus ORDER BY created|updated|key; "
     "OR, functions and other fields answer 400. text ~ matches when every word starts a word "
     "of the summary, description, environment or comments (no stemming). Default order: created "
     "DESC."),
    ("Jira ADF is checked structurally only (doc/version 1/content list, typed nodes, non-empty "
     "text nodes); an invalid node answers errors.<field> = 'INVALID_INPUT'."),
    ("Jira issue types are fixed: Task 10001, Bug 10002, Story 10003, Epic 10004, Incident 10005, "
     "Sub-task 10006; statuses To Do / In Progress / Done with transitions 11 / 21 / 31."),
    ("Slack errors are HTTP 200 {'ok': false} as Slack does (not 401); any well-formed C/G/D id "
     "exists; a channel name maps to a stable id 'C' + 10 hex digits; a user id U.../W... maps to "
     "the DM channel 'D' + user id."),
    ("Slack user groups exist only when a test makes them (`slack_usergroup`); usergroups.users.list "
     "ignores include_disabled and team_id, and answers no_such_subteam for any other id."),
    ("Slack response_urls are minted by `slack_response_url()` (Slack mints them per interaction); a POST "
     "answers 200 {'ok': true} and is recorded under state['slack']['responses'] (replace_original and "
     "delete_original are recorded, not applied). Unknown or 30-minute-old URLs answer 404 expired_url, a "
     "sixth use 404 used_url, a body without text or blocks 400 no_text: the codes are Slack's, the HTTP "
     "statuses the fake's."),
    "Zendesk tags are stored as given (no lower-casing or splitting).",
    "Salesforce answers only SOQL on CaseComment by ParentId; Case records are not served.",
    "Default fault bodies imitate each vendor's error shape; their wording is the fake's.",
)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def _utcnow() -> datetime:
    return datetime.now(UTC)


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _zendesk_time(moment: datetime | None = None) -> str:
    return (moment or _utcnow()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _millis_time(moment: datetime | None = None) -> str:
    """Jira's and Salesforce's timestamp format: 2024-05-02T10:12:03.000+0000."""
    moment = (moment or _utcnow()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _encode_cursor(payload: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(token: str) -> dict[str, Any] | None:
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _flag(value: Any) -> bool:
    """Slack-style boolean argument: true, "true", "1", 1."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def _adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format value (for JQL text search)."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return " ".join(_adf_text(child) for child in node)
    if not isinstance(node, Mapping):
        return ""
    if node.get("type") == "text":
        return str(node.get("text") or "")
    return " ".join(_adf_text(child) for child in node.get("content") or ())


def _adf_problem(value: Any) -> str | None:
    """Why `value` is not an ADF document Jira v3 accepts, or None."""
    if not isinstance(value, Mapping) or value.get("type") != "doc" or value.get("version") != 1:
        return _ADF_ERROR
    if not isinstance(value.get("content"), list):
        return _ADF_ERROR
    return None if _adf_nodes_ok(value["content"]) else "INVALID_INPUT"


def _adf_nodes_ok(nodes: Any) -> bool:
    if not isinstance(nodes, list):
        return False
    for node in nodes:
        if not isinstance(node, Mapping) or not isinstance(node.get("type"), str) or not node["type"]:
            return False
        if node["type"] == "doc":
            return False
        if node["type"] == "text" and (not isinstance(node.get("text"), str) or not node["text"]):
            return False
        marks = node.get("marks")
        if marks is not None and (
            not isinstance(marks, list) or not all(isinstance(m, Mapping) and m.get("type") for m in marks)
        ):
            return False
        if "content" in node and not _adf_nodes_ok(node["content"]):
            return False
    return True


def _salesforce_checksum(id15: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start:start + 5]) if "A" <= char <= "Z")
        out += alphabet[bits]
    return out


def _salesforce_id(prefix: str, number: int) -> str:
    """An 18-character Id with a valid checksum: <3-char key prefix>FK<10 digits><checksum>."""
    id15 = f"{prefix}FK{number:010d}"
    return id15 + _salesforce_checksum(id15)


_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


class _Reply:
    """One HTTP answer: a status, a body (JSON-encoded unless bytes/str/None) and headers."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int = 200, body: Any = None, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def encode(self) -> tuple[bytes, str | None]:
        if self.body is None:
            return b"", None
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body, separators=(",", ":"), default=str).encode(), "application/json; charset=utf-8"


class _Fail(Exception):
    """Raised inside a vendor handler to answer with `reply` at once."""

    def __init__(self, reply: _Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


_UNSET = object()


class _Request:
    """One incoming request, split into the vendor system and the path below its prefix."""

    def __init__(self, method: str, target: str, headers: Iterable[tuple[str, str]], raw: bytes) -> None:
        parts = urlsplit(target)
        self.method = method.upper()
        self.full_path = parts.path or "/"
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers: dict[str, str] = {}
        for name, value in headers:
            self.headers[name] = value
        self._lower = {name.lower(): value for name, value in self.headers.items()}
        self.raw = raw
        self.system, self.path = _split_system(self.full_path)
        self._json: Any = _UNSET

    def header(self, name: str) -> str | None:
        return self._lower.get(name.lower())

    def arg(self, name: str, default: Any = None) -> Any:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name) or ())

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON (None when empty); ValueError when it is not JSON."""
        if self._json is _UNSET:
            try:
                self._json = (True, json.loads(self.raw.decode("utf-8")) if self.raw.strip() else None)
            except (ValueError, UnicodeDecodeError) as exc:
                self._json = (False, exc)
        ok, value = self._json
        if not ok:
            raise ValueError(str(value))
        return value

    def form(self) -> dict[str, str]:
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}

    def recorded_body(self) -> Any:
        if not self.raw:
            return None
        if self.content_type == "application/x-www-form-urlencoded":
            return self.form()
        try:
            return self.json()
        except ValueError:
            return self.raw.decode("utf-8", "replace")[:10_000]

    def auth_scheme(self) -> str | None:
        value = self.header("Authorization")
        return value.split(" ", 1)[0] if value else None


SLACK_HOOKS_PREFIX = "/slack/hooks"  # response_urls: system "slack", path "/hooks/actions/<team>/<id>/<secret>"


def _split_system(path: str) -> tuple[str | None, str]:
    if path.startswith(SLACK_HOOKS_PREFIX + "/"):
        return "slack", path[len("/slack"):]
    for system, prefix in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return system, path[len(prefix):] or "/"
    return None, path


def _basic_credentials(request: _Request) -> tuple[str, str] | None:
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, separator, password = decoded.partition(":")
    return (user, password) if separator else None


def _bearer_token(request: _Request) -> str | None:
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def _routes(table: Iterable[tuple[str, str, str]]) -> list[tuple[str, re.Pattern[str], str]]:
    return [(method, re.compile(pattern), name) for method, pattern, name in table]


def _dispatch(vendor: Any, request: _Request) -> _Reply:
    """Authenticate, then route `request.path` to the vendor's handler method."""
    try:
        vendor.authenticate(request)
        allowed = []
        for method, pattern, name in vendor.ROUTES:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            params = {key: unquote(value) for key, value in match.groupdict().items()}
            return getattr(vendor, name)(request, **params)
        if allowed:
            return vendor.method_not_allowed(request, allowed)
        return vendor.not_found(request)
    except _Fail as failure:
        return failure.reply


# ---------------------------------------------------------------------------------------------
# Jira Cloud REST v3
# ---------------------------------------------------------------------------------------------

_ADF_ERROR = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
_JIRA_NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
_JIRA_NO_ISSUE = "Issue does not exist or you do not have permission to see it."
_JIRA_BAD_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."
_JIRA_ACCOUNT_ID = "712020:f4k3-0000-4000-8000-000000000001"
_JIRA_ISSUE_TYPES = {
    "10001": "Task", "10002": "Bug", "10003": "Story", "10004": "Epic", "10005": "Incident", "10006": "Sub-task",
}
_JIRA_PRIORITIES = {"1": "Highest", "2": "High", "3": "Medium", "4": "Low", "5": "Lowest"}
# transition id -> (status id, status name, category key, category id, category name, colour)
_JIRA_STATUSES = {
    "11": ("10000", "To Do", "new", 2, "To Do", "blue-gray"),
    "21": ("3", "In Progress", "indeterminate", 4, "In Progress", "yellow"),
    "31": ("10001", "Done", "done", 3, "Done", "green"),
}
_JIRA_OTHER_FIELDS = frozenset({
    "assignee", "reporter", "components", "duedate", "environment", "parent", "fixVersions", "versions",
})
_JIRA_ADF_FIELDS = frozenset({"description", "environment"})
_JIRA_PROPERTY_LIMIT = 32_768


def _jira_fail(status: int, messages: Iterable[str] = (), errors: Mapping[str, str] | None = None) -> _Fail:
    return _Fail(_Reply(status, {"errorMessages": list(messages), "errors": dict(errors or {})}))


def _field_selection(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out


def _select_fields(fields: Mapping[str, Any], selection: list[str]) -> dict[str, Any]:
    include_all = False
    names: list[str] = []
    excluded: set[str] = set()
    for item in selection:
        if item in ("*all", "*navigable"):
            include_all = True
        elif item.startswith("-"):
            excluded.add(item[1:])
        else:
            names.append(item)
    if include_all or (not names and excluded):
        return {key: value for key, value in fields.items() if key not in excluded}
    return {name: fields[name] for name in names if name in fields and name not in excluded}


class _Jira:
    system = "jira"
    ROUTES = _routes([
        ("GET", r"/rest/api/3/myself", "myself"),
        ("POST", r"/rest/api/3/issue", "create_issue"),
        ("GET", r"/rest/api/3/search/jql", "search"),
        ("POST", r"/rest/api/3/search/jql", "search"),
        ("GET", r"/rest/api/3/search", "removed_search"),
        ("POST", r"/rest/api/3/search", "removed_search"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)", "get_issue"),
        ("PUT", r"/rest/api/3/issue/(?P<key>[^/]+)", "edit_issue"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/comment", "list_comments"),
        ("POST", r"/rest/api/3/issue/(?P<key>[^/]+)/comment", "add_comment"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/remotelink", "list_remote_links"),
        ("POST", r"/rest/api/3/issue/(?P<key>[^/]+)/remotelink", "upsert_remote_link"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/properties", "property_keys"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/properties/(?P<prop>[^/]+)", "get_property"),
        ("PUT", r"/rest/api/3/issue/(?P<key>[^/]+)/properties/(?P<prop>[^/]+)", "set_property"),
        ("DELETE", r"/rest/api/3/issue/(?P<key>[^/]+)/properties/(?P<prop>[^/]+)", "delete_property"),
        ("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/transitions", "list_transitions"),
        ("POST", r"/rest/api/3/issue/(?P<key>[^/]+)/transitions", "do_transition"),
    ])

    def __init__(self, fake: FakeVendors, projects: Iterable[str]) -> None:
        self.fake = fake
        self.projects: dict[str, dict[str, str]] = {}
        for index, key in enumerate(dict.fromkeys(str(p).strip().upper() for p in projects if str(p).strip())):
            self.projects[key] = {"id": str(10000 + index), "key": key, "name": f"{key} project"}
        self.reset()

    @property
    def base(self) -> str:
        return self.fake.jira_url

    def reset(self) -> None:
        self.issues: dict[str, dict[str, Any]] = {}  # key -> {"id", "key", "fields"}
        self.ids: dict[str, str] = {}  # issue id -> key
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.remote_links: dict[str, list[dict[str, Any]]] = {}
        self.properties: dict[str, dict[str, Any]] = {}
        self.counters = dict.fromkeys(self.projects, 0)
        self.next_issue_id = 10000
        self.next_comment_id = 10000
        self.next_link_id = 10000

    def snapshot(self) -> dict[str, Any]:
        return {
            "issues": {key: self._render(issue, ["*all"]) for key, issue in self.issues.items()},
            "comments": self.comments,
            "remote_links": self.remote_links,
            "properties": self.properties,
        }

    # -- plumbing -------------------------------------------------------------------------

    def authenticate(self, request: _Request) -> None:
        credentials = _basic_credentials(request)
        expected = self.fake._expected_basic("jira")
        if credentials is None or not all(credentials) or (expected is not None and credentials != expected):
            raise _jira_fail(401, [_JIRA_NOT_AUTHENTICATED])

    def not_found(self, request: _Request) -> _Reply:
        return _Reply(404, {"errorMessages": [f"No resource at {request.path} in the fake Jira."], "errors": {}})

    def method_not_allowed(self, request: _Request, allowed: list[str]) -> _Reply:
        return _Reply(405, {"errorMessages": [f"Method {request.method} is not allowed here."], "errors": {}},
                      {"Allow": ", ".join(allowed)})

    def _body(self, request: _Request) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise _jira_fail(415, ["Unsupported Media Type: send Content-Type: application/json."])
        try:
            body = request.json()
        except ValueError:
            raise _jira_fail(400, [_JIRA_BAD_PAYLOAD]) from None
        if not isinstance(body, dict):
            raise _jira_fail(400, [_JIRA_BAD_PAYLOAD])
        return body

    def _user(self) -> dict[str, Any]:
        email = (self.fake._expected_basic("jira") or ("sidecar@example.com",))[0]
        return {
            "self": f"{self.base}/rest/api/3/user?accountId={_JIRA_ACCOUNT_ID}",
            "accountId": _JIRA_ACCOUNT_ID,
            "emailAddress": email,
            "avatarUrls": {},
            "displayName": "Escalation Sidecar",
            "active": True,
            "timeZone": "Etc/UTC",
            "accountType": "atlassian",
        }

    def _status(self, transition_id: str) -> dict[str, Any]:
        status_id, name, category_key, category_id, category_name, colour = _JIRA_STATUSES[transition_id]
        return {
            "self": f"{self.base}/rest/api/3/status/{status_id}",
            "description": "",
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": name,
            "id": status_id,
            "statusCategory": {
                "self": f"{self.base}/rest/api/3/statuscategory/{category_id}",
                "id": category_id,
                "key": category_key,
                "colorName": colour,
                "name": category_name,
            },
        }

    def _issue(self, key_or_id: str) -> dict[str, Any]:
        key = self.ids.get(key_or_id) or key_or_id.upper()
        issue = self.issues.get(key)
        if issue is None:
            raise _jira_fail(404, [_JIRA_NO_ISSUE])
        return issue

    def _render(self, issue: Mapping[str, Any], selection: list[str] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": issue["id"]}
        if selection is None:  # enhanced search without `fields`: issue ids only
            return out
        fields = dict(issue["fields"])
        comments = self.comments.get(issue["key"], [])
        fields["comment"] = {
            "comments": comments,
            "self": f"{self.base}/rest/api/3/issue/{issue['id']}/comment",
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
        }
        out = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue["id"],
            "self": f"{self.base}/rest/api/3/issue/{issue['id']}",
            "key": issue["key"],
            "fields": _select_fields(fields, selection),
        }
        return copy.deepcopy(out)

    # -- validation -----------------------------------------------------------------------

    def _project(self, value: Any, errors: dict[str, str]) -> dict[str, str] | None:
        if isinstance(value, Mapping):
            for project in self.projects.values():
                if str(value.get("key") or "").upper() == project["key"] or str(value.get("id") or "") == project["id"]:
                    return project
        errors["project"] = "Specify a valid project ID or key"
        return None

    def _issuetype(self, value: Any, errors: dict[str, str]) -> dict[str, Any] | None:
        if not isinstance(value, Mapping) or not (value.get("name") or value.get("id")):
            errors["issuetype"] = "Specify an issue type"
            return None
        for type_id, name in _JIRA_ISSUE_TYPES.items():
            if str(value.get("id") or "") == type_id or str(value.get("name") or "").casefold() == name.casefold():
                return {
                    "self": f"{self.base}/rest/api/3/issuetype/{type_id}",
                    "id": type_id,
                    "description": "",
                    "iconUrl": f"{self.base}/images/icons/issuetypes/{name.lower()}.svg",
                    "name": name,
                    "subtask": name == "Sub-task",
                    "hierarchyLevel": -1 if name == "Sub-task" else (1 if name == "Epic" else 0),
                }
        errors["issuetype"] = "Specify a valid issue type"
        return None

    def _priority(self, value: Any, errors: dict[str, str]) -> dict[str, Any] | None:
        if isinstance(value, Mapping):
            for priority_id, name in _JIRA_PRIORITIES.items():
                if (str(value.get("id") or "") == priority_id
                        or str(value.get("name") or "").casefold() == name.casefold()):
                    return {"self": f"{self.base}/rest/api/3/priority/{priority_id}", "iconUrl": "", "name": name,
                            "id": priority_id}
        errors["priority"] = "Specify a valid priority"
        return None

    def _labels(self, value: Any, errors: dict[str, str]) -> list[str] | None:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(label, str) for label in value):
            errors["labels"] = "Operation value must be an array of strings"
            return None
        for label in value:
            problem = self._label_problem(label)
            if problem:
                errors["labels"] = problem
                return None
        return list(dict.fromkeys(value))

    @staticmethod
    def _label_problem(label: str) -> str | None:
        if not label or re.search(r"\s", label):
            return f"The label '{label}' contains spaces which is invalid."
        if len(label) > 255:
            return f"The label '{label[:20]}...' exceeds the 255 characters limit."
        return None

    def _fields(self, fields: Mapping[str, Any], errors: dict[str, str], *, creating: bool) -> dict[str, Any]:
        """Validated values of settable fields (project and issuetype are checked by the caller)."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ("project", "issuetype"):
                continue
            if name == "summary":
                if not isinstance(value, str) or not value.strip():
                    errors["summary"] = "You must specify a summary of the issue."
                elif len(value) > 255:
                    errors["summary"] = "Summary must be less than 255 characters."
                elif "\n" in value or "\r" in value:
                    errors["summary"] = "Summary can't contain newline characters."
                else:
                    out["summary"] = value
            elif name in _JIRA_ADF_FIELDS:
                problem = None if value is None else _adf_problem(value)
                if problem:
                    errors[name] = problem
                else:
                    out[name] = value
            elif name == "labels":
                labels = self._labels(value, errors)
                if labels is not None:
                    out["labels"] = labels
            elif name == "priority":
                priority = self._priority(value, errors)
                if priority is not None:
                    out["priority"] = priority
            elif name.startswith("customfield_") or name in _JIRA_OTHER_FIELDS:
                out[name] = value
            else:
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
        if creating and "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        return out

    # -- endpoints ------------------------------------------------------------------------

    def myself(self, request: _Request) -> _Reply:
        user = self._user()
        user["emailAddress"] = (_basic_credentials(request) or ("",))[0]
        user.update({"locale": "en_US", "groups": {"size": 0, "items": []},
                     "applicationRoles": {"size": 1, "items": []}, "expand": "groups,applicationRoles"})
        return _Reply(200, user)

    def create_issue(self, request: _Request) -> _Reply:
        body = self._body(request)
        fields = body.get("fields")
        if fields is None:
            fields = {}
        if not isinstance(fields, dict):
            raise _jira_fail(400, [_JIRA_BAD_PAYLOAD])
        errors: dict[str, str] = {}
        project = self._project(fields.get("project"), errors)
        issuetype = self._issuetype(fields.get("issuetype"), errors)
        values = self._fields(fields, errors, creating=True)
        if errors or project is None or issuetype is None:
            raise _jira_fail(400, [], errors)
        update = body.get("update") or {}
        if not isinstance(update, dict):
            raise _jira_fail(400, [_JIRA_BAD_PAYLOAD])
        self._apply_update({"key": "", "fields": {"labels": values.get("labels", [])}}, update, dry_run=True)
        self.counters[project["key"]] = self.counters.get(project["key"], 0) + 1
        key = f"{project['key']}-{self.counters[project['key']]}"
        issue_id = str(self.next_issue_id)
        self.next_issue_id += 1
        now = _millis_time()
        stored: dict[str, Any] = {
            "summary": values.pop("summary"),
            "description": values.pop("description", None),
            "labels": values.pop("labels", []),
            "issuetype": issuetype,
            "project": {"self": f"{self.base}/rest/api/3/project/{project['id']}", **project,
                        "projectTypeKey": "software", "simplified": False},
            "status": self._status("11"),
            "priority": values.pop("priority", None) or self._priority({"id": "3"}, {}),
            "created": now,
            "updated": now,
            "statuscategorychangedate": now,
            "reporter": self._user(),
            "creator": self._user(),
            "assignee": None,
            "resolution": None,
            "resolutiondate": None,
            "components": [],
            **values,
        }
        self.issues[key] = {"id": issue_id, "key": key, "fields": stored}
        self.ids[issue_id] = key
        # IssueUpdateDetails.properties: entity properties set with the issue ([{"key", "value"}]).
        for entry in body.get("properties") or ():
            if isinstance(entry, dict) and entry.get("key"):
                self.properties.setdefault(key, {})[str(entry["key"])] = entry.get("value")
        if update:
            self._apply_update(self.issues[key], update)
        return _Reply(201, {"id": issue_id, "key": key, "self": f"{self.base}/rest/api/3/issue/{issue_id}"})

    def get_issue(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        selection = _field_selection(request.args("fields")) or ["*all"]
        return _Reply(200, self._render(issue, selection))

    def edit_issue(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        body = self._body(request)
        fields = body.get("fields") or {}
        update = body.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise _jira_fail(400, [_JIRA_BAD_PAYLOAD])
        errors: dict[str, str] = {}
        for name in ("project", "status"):
            if name in fields:
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
        issuetype = self._issuetype(fields["issuetype"], errors) if "issuetype" in fields else None
        values = self._fields({k: v for k, v in fields.items() if k not in ("project", "status")}, errors,
                              creating=False)
        if errors:
            raise _jira_fail(400, [], errors)
        self._apply_update(issue, update, dry_run=True)
        issue["fields"].update(values)
        if issuetype is not None:
            issue["fields"]["issuetype"] = issuetype
        self._apply_update(issue, update)
        issue["fields"]["updated"] = _millis_time()
        return _Reply(204)

    def _apply_update(self, issue: dict[str, Any], update: Mapping[str, Any], *, dry_run: bool = False) -> None:
        """Apply Jira's `update` operations ({field: [{"add"|"remove"|"set": value}]})."""
        errors: dict[str, str] = {}
        fields = issue["fields"]
        labels = list(fields.get("labels") or [])
        changes: dict[str, Any] = {}
        comments: list[Any] = []
        for name, operations in update.items():
            if not isinstance(operations, list) or not all(
                    isinstance(op, Mapping) and len(op) == 1 for op in operations):
                errors[name] = "Operations must be a list of single-verb objects."
                continue
            for operation in operations:
                verb, value = next(iter(operation.items()))
                if name == "labels":
                    if verb == "set":
                        checked = self._labels(value, errors)
                        labels = checked if checked is not None else labels
                    elif verb in ("add", "remove") and isinstance(value, str):
                        problem = self._label_problem(value) if verb == "add" else None
                        if problem:
                            errors["labels"] = problem
                        elif verb == "add" and value not in labels:
                            labels.append(value)
                        elif verb == "remove" and value in labels:
                            labels.remove(value)
                    else:
                        errors["labels"] = f"Unsupported operation '{verb}' for field 'labels'."
                elif name == "comment" and verb == "add":
                    body = value.get("body") if isinstance(value, Mapping) else None
                    problem = _adf_problem(body)
                    if problem:
                        errors["comment"] = problem
                    else:
                        comments.append(body)
                elif verb == "set":
                    changes.update(self._fields({name: value}, errors, creating=False))
                else:
                    errors[name] = f"Unsupported operation '{verb}' for field '{name}'."
        if errors:
            raise _jira_fail(400, [], errors)
        if dry_run:
            return
        fields["labels"] = labels
        fields.update(changes)
        for body in comments:
            self._new_comment(issue, body)

    def _new_comment(self, issue: dict[str, Any], body: Any, visibility: Any = None) -> dict[str, Any]:
        comment_id = str(self.next_comment_id)
        self.next_comment_id += 1
        now = _millis_time()
        comment = {
            "self": f"{self.base}/rest/api/3/issue/{issue['id']}/comment/{comment_id}",
            "id": comment_id,
            "author": self._user(),
            "body": body,
            "updateAuthor": self._user(),
            "created": now,
            "updated": now,
            "jsdPublic": True,
        }
        if visibility:
            comment["visibility"] = visibility
        self.comments.setdefault(issue["key"], []).append(comment)
        issue["fields"]["updated"] = now
        return comment

    def add_comment(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        body = self._body(request)
        content = body.get("body")
        if content in (None, ""):
            raise _jira_fail(400, [], {"comment": "Comment body can not be empty!"})
        problem = _adf_problem(content)
        if problem:
            raise _jira_fail(400, [], {"comment": problem})
        return _Reply(201, copy.deepcopy(self._new_comment(issue, content, body.get("visibility"))))

    def list_comments(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        comments = list(self.comments.get(issue["key"], []))
        try:
            start = max(0, int(request.arg("startAt", 0)))
            limit = max(0, int(request.arg("maxResults", 5000)))
        except ValueError:
            raise _jira_fail(400, ["startAt and maxResults must be whole numbers."]) from None
        if request.arg("orderBy") in ("-created", "-updated"):
            comments.reverse()
        return _Reply(200, {"startAt": start, "maxResults": limit, "total": len(comments),
                            "comments": copy.deepcopy(comments[start:start + limit])})

    def list_remote_links(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        links = self.remote_links.get(issue["key"], [])
        global_id = request.arg("globalId")
        if global_id is not None:
            for link in links:
                if link.get("globalId") == global_id:
                    return _Reply(200, copy.deepcopy(link))
            raise _jira_fail(404, ["No remote link with the given globalId was found."])
        return _Reply(200, copy.deepcopy(links))

    def upsert_remote_link(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        body = self._body(request)
        remote = body.get("object")
        errors = {}
        if not isinstance(remote, Mapping) or not str(remote.get("url") or "").strip():
            errors["url"] = "'url' is required."
        if not isinstance(remote, Mapping) or not str(remote.get("title") or "").strip():
            errors["title"] = "'title' is required."
        global_id = body.get("globalId")
        if global_id is not None and (not isinstance(global_id, str) or len(global_id) > 255):
            errors["globalId"] = "The global ID must be a string of at most 255 characters."
        if errors:
            raise _jira_fail(400, [], errors)
        links = self.remote_links.setdefault(issue["key"], [])
        fields = {
            "globalId": global_id,
            "application": body.get("application") or {},
            "relationship": body.get("relationship"),
            "object": dict(remote),
        }
        if global_id:
            for link in links:
                if link.get("globalId") == global_id:
                    link.update(fields)  # fields missing from the request become null, as Jira does
                    return _Reply(200, {"id": link["id"], "self": link["self"]})
        link_id = self.next_link_id
        self.next_link_id += 1
        link = {"id": link_id, "self": f"{self.base}/rest/api/3/issue/{issue['key']}/remotelink/{link_id}", **fields}
        links.append(link)
        return _Reply(201, {"id": link_id, "self": link["self"]})

    def property_keys(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        keys = [{"self": f"{self.base}/rest/api/3/issue/{issue['id']}/properties/{quote(name, safe='')}", "key": name}
                for name in self.properties.get(issue["key"], {})]
        return _Reply(200, {"keys": keys})

    def get_property(self, request: _Request, key: str, prop: str) -> _Reply:
        issue = self._issue(key)
        values = self.properties.get(issue["key"], {})
        if prop not in values:
            raise _jira_fail(404, [f"The property with key '{prop}' does not exist."])
        return _Reply(200, {"key": prop, "value": copy.deepcopy(values[prop])})

    def set_property(self, request: _Request, key: str, prop: str) -> _Reply:
        issue = self._issue(key)
        if len(prop) > 255:
            raise _jira_fail(400, ["The property key cannot be longer than 255 characters."])
        if not request.raw.strip():
            raise _jira_fail(400, ["The property value must be a valid JSON value."])
        try:
            value = request.json()
        except ValueError:
            raise _jira_fail(400, ["The property value must be a valid JSON value."]) from None
        if len(request.raw) > _JIRA_PROPERTY_LIMIT:
            raise _jira_fail(400, [f"The property value cannot be longer than {_JIRA_PROPERTY_LIMIT} bytes."])
        values = self.properties.setdefault(issue["key"], {})
        created = prop not in values
        values[prop] = value
        return _Reply(201 if created else 200)

    def delete_property(self, request: _Request, key: str, prop: str) -> _Reply:
        issue = self._issue(key)
        values = self.properties.get(issue["key"], {})
        if prop not in values:
            raise _jira_fail(404, [f"The property with key '{prop}' does not exist."])
        del values[prop]
        return _Reply(204)

    def list_transitions(self, request: _Request, key: str) -> _Reply:
        self._issue(key)
        transitions = [
            {"id": transition_id, "name": status[1], "to": self._status(transition_id), "hasScreen": False,
             "isGlobal": True, "isInitial": False, "isAvailable": True, "isConditional": False, "isLooped": False}
            for transition_id, status in _JIRA_STATUSES.items()
        ]
        return _Reply(200, {"expand": "transitions", "transitions": transitions})

    def do_transition(self, request: _Request, key: str) -> _Reply:
        issue = self._issue(key)
        body = self._body(request)
        transition = body.get("transition")
        transition_id = str(transition.get("id") or "") if isinstance(transition, Mapping) else ""
        if transition_id not in _JIRA_STATUSES:
            raise _jira_fail(400, [f"Transition id '{transition_id}' is not valid for this issue."])
        now = _millis_time()
        fields = issue["fields"]
        fields["status"] = self._status(transition_id)
        fields["statuscategorychangedate"] = now
        done = transition_id == "31"
        fields["resolution"] = {"self": f"{self.base}/rest/api/3/resolution/10000", "id": "10000",
                                "description": "Work has been completed on this issue.",
                                "name": "Done"} if done else None
        fields["resolutiondate"] = now if done else None
        fields["updated"] = now
        return _Reply(204)

    def removed_search(self, request: _Request) -> _Reply:
        return _Reply(410, {"errorMessages": [
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."], "errors": {}})

    def search(self, request: _Request) -> _Reply:
        if request.method == "POST":
            body = self._body(request)
            jql, token = body.get("jql"), body.get("nextPageToken")
            raw_fields = body.get("fields")
            selection = _field_selection(raw_fields) if raw_fields else None
            max_results = body.get("maxResults")
        else:
            jql, token = request.arg("jql"), request.arg("nextPageToken")
            selection = _field_selection(request.args("fields")) or None
            max_results = request.arg("maxResults")
        if not isinstance(jql, str) or not jql.strip():
            raise _jira_fail(400, [
                "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."])
        predicate, order = _JqlParser(self, jql).parse()
        matched = [issue for issue in self.issues.values() if predicate(issue)]
        field_name, descending = order
        matched.sort(key=lambda issue: self._sort_key(issue, field_name), reverse=descending)
        ids_only = selection is None or all(name in ("id", "key") for name in selection)
        cap = 5000 if ids_only else 100
        try:
            limit = 50 if max_results in (None, "") else int(max_results)
        except (TypeError, ValueError):
            raise _jira_fail(400, ["maxResults must be a whole number."]) from None
        limit = min(max(limit, 1), cap)
        fingerprint = hashlib.sha1(jql.encode()).hexdigest()[:12]
        offset = 0
        if token:
            decoded = _decode_cursor(str(token))
            if not decoded or decoded.get("q") != fingerprint or not isinstance(decoded.get("o"), int):
                raise _jira_fail(400, ["The nextPageToken is invalid or does not belong to this query."])
            offset = decoded["o"]
        page = matched[offset:offset + limit]
        answer: dict[str, Any] = {"issues": [self._render(issue, selection) for issue in page]}
        if offset + limit < len(matched):
            answer["nextPageToken"] = _encode_cursor({"o": offset + limit, "q": fingerprint})
            answer["isLast"] = False
        else:
            answer["isLast"] = True
        return _Reply(200, answer)

    @staticmethod
    def _sort_key(issue: Mapping[str, Any], field_name: str) -> tuple[Any, ...]:
        project, _, number = issue["key"].partition("-")
        by_key = (project, int(number or 0))
        if field_name == "key":
            return by_key
        return (issue["fields"].get(field_name) or "", int(issue["id"]))

    def issue_text(self, issue: Mapping[str, Any], which: str) -> str:
        fields = issue["fields"]
        parts: list[str] = []
        if which in ("text", "summary"):
            parts.append(str(fields.get("summary") or ""))
        if which in ("text", "description"):
            parts.append(_adf_text(fields.get("description")))
        if which == "text":
            parts.append(_adf_text(fields.get("environment")))
        if which in ("text", "comment"):
            parts.extend(_adf_text(comment.get("body")) for comment in self.comments.get(issue["key"], []))
        return " ".join(parts).lower()


_JQL_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"""|(?P<op>!=|!~|>=|<=|=|~|>|<|\(|\)|,)"""
    r"""|(?P<word>[^\s"'=!~<>(),]+))"""
)
_JQL_STATUS_CATEGORIES = {"done": "done", "to do": "new", "new": "new", "in progress": "indeterminate",
                          "indeterminate": "indeterminate", "3": "done", "2": "new", "4": "indeterminate"}


class _JqlParser:
    """The JQL subset the sidecar sends (see DEVIATIONS); anything else answers 400 like Jira."""

    def __init__(self, jira: _Jira, jql: str) -> None:
        self.jira = jira
        self.jql = jql
        self.tokens = self._tokenize(jql)
        self.position = 0

    def fail(self, message: str) -> _Fail:
        return _jira_fail(400, [message])

    def _tokenize(self, jql: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        position = 0
        while jql[position:].strip():
            match = _JQL_TOKEN.match(jql, position)
            if match is None:
                raise self.fail(f"Error in the JQL Query: The character '{jql[position:].strip()[:1]}' "
                                f"is a reserved JQL character. (line 1, character {position + 1})")
            kind = match.lastgroup or "word"
            text = match.group(kind)
            if kind == "string":
                text = re.sub(r"\\(.)", r"\1", text[1:-1])
            tokens.append((kind, text))
            position = match.end()
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self, what: str) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise self.fail(f"Error in the JQL Query: Expecting {what} but reached the end of the query.")
        self.position += 1
        return token

    def _is_word(self, token: tuple[str, str] | None, *words: str) -> bool:
        return token is not None and token[0] == "word" and token[1].upper() in words

    def parse(self) -> tuple[Callable[[Mapping[str, Any]], bool], tuple[str, bool]]:
        clauses = [self._clause()]
        order: tuple[str, bool] = ("created", True)
        while self._peek() is not None:
            token = self._next("AND")
            if self._is_word(token, "AND"):
                clauses.append(self._clause())
            elif self._is_word(token, "ORDER"):
                order = self._order_by()
            elif self._is_word(token, "OR"):
                raise self.fail("Error in the JQL Query: the fake Jira supports only clauses joined by AND.")
            else:
                raise self.fail(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{token[1]}'.")
        return (lambda issue: all(clause(issue) for clause in clauses)), order

    def _order_by(self) -> tuple[str, bool]:
        if not self._is_word(self._next("'BY'"), "BY"):
            raise self.fail("Error in the JQL Query: Expecting 'BY' after 'ORDER'.")
        field_name = self._next("a field name")[1]
        if field_name.lower() not in ("created", "updated", "key"):
            raise self.fail(f"Not able to sort using field '{field_name}'.")
        descending = field_name.lower() != "key"  # Jira's default direction: DESC for dates
        token = self._peek()
        if self._is_word(token, "ASC", "DESC"):
            self.position += 1
            descending = token[1].upper() == "DESC"  # type: ignore[index]
        if self._peek() is not None:
            raise self.fail(f"Error in the JQL Query: Expecting end of query but got '{self._peek()[1]}'.")  # type: ignore[index]
        return field_name.lower(), descending

    def _clause(self) -> Callable[[Mapping[str, Any]], bool]:
        kind, field_name = self._next("a field name")
        if kind == "op":
            raise self.fail(f"Error in the JQL Query: Expecting a field name but got '{field_name}'.")
        token = self._next("an operator")
        if token[0] == "op" and token[1] in ("=", "!=", "~", "!~"):
            operator = token[1]
        elif self._is_word(token, "IN"):
            operator = "in"
        elif self._is_word(token, "NOT") and self._is_word(self._peek(), "IN"):
            self.position += 1
            operator = "not in"
        elif self._is_word(token, "IS"):
            raise self.fail(f"The operator 'is' is not supported by the fake Jira (field '{field_name}').")
        else:
            raise self.fail(f"Error in the JQL Query: Expecting operator but got '{token[1]}'.")
        values = self._values() if operator in ("in", "not in") else [self._value()]
        return self._predicate(field_name, operator, values)

    def _value(self) -> str:
        kind, text = self._next("a value")
        if kind == "op":
            raise self.fail(f"Error in the JQL Query: Expecting a value but got '{text}'.")
        return text

    def _values(self) -> list[str]:
        if self._next("'('") != ("op", "("):
            raise self.fail("Error in the JQL Query: Expecting '(' after 'in'.")
        values = [self._value()]
        while True:
            token = self._next("')'")
            if token == ("op", ")"):
                return values
            if token != ("op", ","):
                raise self.fail(f"Error in the JQL Query: Expecting ',' or ')' but got '{token[1]}'.")
            values.append(self._value())

    def _predicate(self, field_name: str, operator: str, values: list[str]) -> Callable[[Mapping[str, Any]], bool]:
        name = field_name.lower()
        jira = self.jira
        list_operators = ("=", "!=", "in", "not in")
        negate = operator in ("!=", "not in", "!~")

        def unsupported() -> _Fail:
            return self.fail(f"The operator '{operator}' is not supported by the '{field_name}' field.")

        if name == "labels":
            if operator not in list_operators:
                raise unsupported()
            wanted = {value.casefold() for value in values}

            def has_label(issue: Mapping[str, Any]) -> bool:
                return any(label.casefold() in wanted for label in issue["fields"].get("labels") or ())
            return (lambda issue: not has_label(issue)) if negate else has_label
        if name in ("key", "issue", "issuekey", "id"):
            if operator not in list_operators:
                raise unsupported()
            keys = set()
            for value in values:
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-\d+|\d+", value):
                    raise self.fail(f"The issue key '{value}' for field '{field_name}' is invalid.")
                key = jira.ids.get(value) or value.upper()
                if key not in jira.issues:
                    raise self.fail(f"An issue with key '{value}' does not exist for field '{field_name}'.")
                keys.add(key)
            return lambda issue: (issue["key"] in keys) != negate
        if name == "project":
            if operator not in list_operators:
                raise unsupported()
            keys = set()
            for value in values:
                found = [p["key"] for p in jira.projects.values()
                         if value.upper() == p["key"] or value == p["id"] or value.casefold() == p["name"].casefold()]
                if not found:
                    raise self.fail(f"The value '{value}' does not exist for the field 'project'.")
                keys.update(found)
            return lambda issue: (issue["fields"]["project"]["key"] in keys) != negate
        if name in ("statuscategory", "status"):
            if operator not in list_operators:
                raise unsupported()
            wanted = set()
            for value in values:
                folded = value.casefold()
                if name == "statuscategory":
                    if folded not in _JQL_STATUS_CATEGORIES:
                        raise self.fail(f"The value '{value}' does not exist for the field 'statusCategory'.")
                    wanted.add(_JQL_STATUS_CATEGORIES[folded])
                else:
                    names = {s[1].casefold(): s[1] for s in _JIRA_STATUSES.values()} | {
                        s[0]: s[1] for s in _JIRA_STATUSES.values()}
                    if folded not in names:
                        raise self.fail(f"The value '{value}' does not exist for the field 'status'.")
                    wanted.add(names[folded])
            if name == "statuscategory":
                return lambda issue: (issue["fields"]["status"]["statusCategory"]["key"] in wanted) != negate
            return lambda issue: (issue["fields"]["status"]["name"] in wanted) != negate
        if name in ("text", "summary", "description", "comment"):
            if operator not in ("~", "!~"):
                raise unsupported()
            terms = re.findall(r"\w+", values[0].lower())
            if not terms:
                raise self.fail(f"The field '{field_name}' does not support searching for an empty string.")
            patterns = [re.compile(r"\b" + re.escape(term)) for term in terms]

            def matches(issue: Mapping[str, Any]) -> bool:
                text = jira.issue_text(issue, name)
                return all(pattern.search(text) for pattern in patterns)
            return (lambda issue: not matches(issue)) if negate else matches
        raise self.fail(f"Field '{field_name}' does not exist or you do not have permission to view it.")


# ---------------------------------------------------------------------------------------------
# Slack Web API
# ---------------------------------------------------------------------------------------------

_SLACK_TEAM_ID = "T0FAKE0001"
_SLACK_TEAM_NAME = "Fake Workspace"
_SLACK_DOMAIN = "fake-workspace"
_SLACK_BOT_USER = "U0FAKEBOT1"
_SLACK_BOT_ID = "B0FAKEBOT1"
_SLACK_APP_ID = "A0FAKEAPP1"
_SLACK_CONVERSATION_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,79}$")
_SLACK_TS = re.compile(r"^\d{1,12}(?:\.\d{1,6})?$")
_SLACK_RESPONSE_URL_USES = 5  # Slack: a response_url works up to five times within 30 minutes
_SLACK_RESPONSE_URL_SECONDS = 30 * 60


class _SlackError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Slack:
    system = "slack"

    def __init__(self, fake: FakeVendors) -> None:
        self.fake = fake
        self.methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.post_message,
            "chat.update": self.update_message,
            "chat.getPermalink": self.get_permalink,
            "conversations.open": self.open_conversation,
            "conversations.history": self.history,
            "conversations.replies": self.replies,
            "usergroups.users.list": self.usergroup_users,
        }
        self.reset()

    def reset(self) -> None:
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self.posted: list[tuple[str, dict[str, Any]]] = []  # (channel, message) in posting order
        self.last_micros = 0
        self.usergroups: dict[str, list[str]] = {}  # user group id -> member user ids
        self.hooks: dict[str, dict[str, Any]] = {}  # response_url path -> who, where, when minted, uses
        self.responses: list[dict[str, Any]] = []  # what was posted to response_urls, in order

    def snapshot(self) -> dict[str, Any]:
        return {
            "channels": self.channels,
            "messages": [{"channel": channel, **message} for channel, message in self.posted],
            "usergroups": self.usergroups,
            "responses": self.responses,
        }

    def handle(self, request: _Request) -> _Reply:
        if request.path.startswith("/hooks/"):
            return self.respond(request)  # a response_url needs no token: the URL is the credential
        name = request.path.strip("/")
        handler = self.methods.get(name)
        if handler is None:
            return _Reply(404, {"ok": False, "error": "unknown_method", "req_method": name})
        try:
            args = self._arguments(request)
            token = _bearer_token(request) or (str(args.get("token")) if args.get("token") else None)
            if not token:
                raise _SlackError("not_authed")
            expected = self.fake._expected_bearer("slack")
            if expected is not None and token != expected:
                raise _SlackError("invalid_auth")
            return _Reply(200, {"ok": True, **handler(args)})
        except _SlackError as error:
            return _Reply(200, {"ok": False, "error": error.code})

    @staticmethod
    def _arguments(request: _Request) -> dict[str, Any]:
        """Query parameters, then a form or JSON body, merged like Slack does."""
        args: dict[str, Any] = {key: values[-1] for key, values in request.query.items()}
        if request.method not in ("GET", "POST"):
            raise _SlackError("invalid_post_type")
        if request.method == "POST" and request.raw.strip():
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = request.json()
                except ValueError:
                    raise _SlackError("invalid_json") from None
                if not isinstance(body, dict):
                    raise _SlackError("invalid_json")
                body.pop("token", None)  # a JSON body cannot carry the token: it goes in the header
                args.update(body)
            elif content_type in ("application/x-www-form-urlencoded", "text/plain", ""):
                args.update(request.form())
            else:
                raise _SlackError("invalid_post_type")
        return args

    @staticmethod
    def _json_argument(value: Any, error: str) -> Any:
        """Blocks/attachments/metadata: JSON bodies carry objects, forms carry JSON strings."""
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise _SlackError(error) from None
        return value

    def _next_ts(self) -> str:
        micros = max(int(time.time() * 1_000_000), self.last_micros + 1)
        self.last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _conversation(self, value: Any, *, allow_names: bool) -> str:
        """The conversation id for a channel argument (id, #name or a user id), recorded in state."""
        text = str(value or "").strip()
        if _SLACK_CONVERSATION_ID.match(text):
            self.channels.setdefault(text, {"id": text, "is_im": text.startswith("D")})
            return text
        if allow_names and _SLACK_USER_ID.match(text):
            return self._dm(text)
        name = text.removeprefix("#").lower()
        if allow_names and _SLACK_CHANNEL_NAME.match(name):
            channel_id = "C" + hashlib.sha1(name.encode()).hexdigest()[:10].upper()
            self.channels.setdefault(channel_id, {"id": channel_id, "name": name, "is_im": False})
            return channel_id
        raise _SlackError("channel_not_found")

    def _dm(self, user: str) -> str:
        channel_id = f"D{user}"
        self.channels.setdefault(channel_id, {"id": channel_id, "is_im": True, "user": user})
        return channel_id

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.messages.get(channel, ()):
            if message["ts"] == ts:
                return message
        return None

    @staticmethod
    def _visible(message: Mapping[str, Any], include_metadata: bool) -> dict[str, Any]:
        out = copy.deepcopy(dict(message))
        if not include_metadata:
            out.pop("metadata", None)
        return out

    def _content(self, args: Mapping[str, Any], *, require: bool) -> dict[str, Any]:
        text = args.get("text")
        blocks = self._json_argument(args.get("blocks"), "invalid_blocks")
        attachments = self._json_argument(args.get("attachments"), "invalid_attachments")
        metadata = self._json_argument(args.get("metadata"), "invalid_metadata_format")
        if blocks is not None and (
            not isinstance(blocks, list) or len(blocks) > 50
            or not all(isinstance(block, Mapping) and isinstance(block.get("type"), str) for block in blocks)
        ):
            raise _SlackError("invalid_blocks")
        if attachments is not None and not isinstance(attachments, list):
            raise _SlackError("invalid_attachments")
        if require and not text and not blocks and not attachments:
            raise _SlackError("no_text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text is not None and len(text) > 40_000:
            raise _SlackError("msg_too_long")
        if metadata is not None and (
            not isinstance(metadata, Mapping) or not isinstance(metadata.get("event_type"), str)
            or not metadata["event_type"] or not isinstance(metadata.get("event_payload"), Mapping)
        ):
            raise _SlackError("invalid_metadata_format")
        content: dict[str, Any] = {}
        if text is not None:
            content["text"] = text
        if blocks:
            content["blocks"] = blocks
        if attachments:
            content["attachments"] = attachments
        if metadata is not None:
            content["metadata"] = {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}
        return content

    def mint_response_url(self, base: str, *, user: str, channel: str) -> str:
        secret = hashlib.sha1(f"{time.time_ns()}:{len(self.hooks)}".encode()).hexdigest()[:24]
        path = f"/hooks/actions/{_SLACK_TEAM_ID}/{len(self.hooks) + 1:013d}/{secret}"
        self.hooks[path] = {"user": user, "channel": channel, "minted": time.time(), "uses": 0}
        return base + "/slack" + path

    def respond(self, request: _Request) -> _Reply:
        """A POST to a response_url: {"text" or "blocks", "response_type", "replace_original", ...}."""
        hook = self.hooks.get(request.path)
        if request.method != "POST":
            return _Reply(405, {"ok": False, "error": "invalid_method"})
        if hook is None or time.time() - hook["minted"] > _SLACK_RESPONSE_URL_SECONDS:
            return _Reply(404, {"ok": False, "error": "expired_url"})
        if hook["uses"] >= _SLACK_RESPONSE_URL_USES:
            return _Reply(404, {"ok": False, "error": "used_url"})
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _Reply(400, {"ok": False, "error": "invalid_payload"})
        if not body.get("text") and not body.get("blocks") and not _flag(body.get("delete_original", False)):
            return _Reply(400, {"ok": False, "error": "no_text"})
        if body.get("response_type") not in (None, "ephemeral", "in_channel"):
            return _Reply(400, {"ok": False, "error": "invalid_payload"})
        hook["uses"] += 1
        self.responses.append({"user": hook["user"], "channel": hook["channel"],
                               "response_type": body.get("response_type"),
                               "replace_original": body.get("replace_original"),
                               "delete_original": body.get("delete_original"),
                               "text": body.get("text"), "blocks": body.get("blocks")})
        return _Reply(200, {"ok": True})

    # -- methods --------------------------------------------------------------------------

    def auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"https://{_SLACK_DOMAIN}.slack.com/", "team": _SLACK_TEAM_NAME, "user": "escalation-bot",
                "team_id": _SLACK_TEAM_ID, "user_id": _SLACK_BOT_USER, "bot_id": _SLACK_BOT_ID,
                "is_enterprise_install": False}

    def post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            raise _SlackError("channel_not_found")
        channel = self._conversation(args["channel"], allow_names=True)
        content = self._content(args, require=True)
        thread_ts = args.get("thread_ts")
        if thread_ts not in (None, ""):
            thread_ts = str(thread_ts)
            if not _SLACK_TS.match(thread_ts):
                raise _SlackError("invalid_thread_ts")
        else:
            thread_ts = None
        ts = self._next_ts()
        message: dict[str, Any] = {
            "user": _SLACK_BOT_USER,
            "type": "message",
            "ts": ts,
            "bot_id": _SLACK_BOT_ID,
            "app_id": _SLACK_APP_ID,
            "text": content.get("text", ""),
            "team": _SLACK_TEAM_ID,
            "bot_profile": {"id": _SLACK_BOT_ID, "app_id": _SLACK_APP_ID, "name": "Escalation Sidecar",
                            "deleted": False, "team_id": _SLACK_TEAM_ID},
            **{key: value for key, value in content.items() if key != "text"},
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
            if _flag(args.get("reply_broadcast", False)):
                message["subtype"] = "thread_broadcast"
            parent = self._find(channel, thread_ts)
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["reply_users_count"] = 1
                parent["reply_users"] = [_SLACK_BOT_USER]
                parent["latest_reply"] = ts
        self.messages.setdefault(channel, []).append(message)
        self.posted.append((channel, message))
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"), allow_names=False)
        message = self._find(channel, str(args.get("ts") or ""))
        if message is None:
            raise _SlackError("message_not_found")
        if message.get("user") != _SLACK_BOT_USER:
            raise _SlackError("cant_update_message")
        content = self._content(args, require=False)
        message.update(content)
        message["edited"] = {"user": _SLACK_BOT_USER, "ts": self._next_ts()}
        return {"channel": channel, "ts": message["ts"], "text": message.get("text", ""),
                "message": self._visible(message, include_metadata=True)}

    def get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"), allow_names=False)
        ts = str(args.get("message_ts") or "")
        message = self._find(channel, ts)
        if message is None:
            raise _SlackError("message_not_found")
        permalink = f"https://{_SLACK_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != ts:
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"channel": channel, "permalink": permalink}

    def open_conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._conversation(args["channel"], allow_names=False)
            return {"channel": {"id": channel}}
        users = args.get("users")
        if isinstance(users, list):
            users = ",".join(str(user) for user in users)
        names = [user.strip() for user in str(users or "").split(",") if user.strip()]
        if not names:
            raise _SlackError("users_list_not_supplied")
        if len(names) > 8:
            raise _SlackError("too_many_users")
        if not all(_SLACK_USER_ID.match(user) for user in names):
            raise _SlackError("user_not_found")
        if len(names) == 1:
            existed = f"D{names[0]}" in self.channels
            channel_id = self._dm(names[0])
        else:
            channel_id = "G" + hashlib.sha1(",".join(sorted(names)).encode()).hexdigest()[:10].upper()
            existed = channel_id in self.channels
            self.channels.setdefault(channel_id, {"id": channel_id, "is_mpim": True, "members": names})
        answer: dict[str, Any] = {"channel": {"id": channel_id}}
        if existed:
            answer.update({"no_op": True, "already_open": True})
        if _flag(args.get("return_im", False)):
            answer["channel"].update({"created": int(time.time()), "is_im": len(names) == 1,
                                      "is_org_shared": False, "user": names[0], "is_open": True,
                                      "last_read": "0000000000.000000", "latest": None, "unread_count": 0,
                                      "unread_count_display": 0, "priority": 0})
        return answer

    @staticmethod
    def _limit(args: Mapping[str, Any]) -> int:
        try:
            limit = int(args.get("limit") or 100)
        except (TypeError, ValueError):
            raise _SlackError("invalid_limit") from None
        return min(max(limit, 1), 999)

    @staticmethod
    def _bound(args: Mapping[str, Any], name: str) -> float | None:
        value = args.get(name)
        if value in (None, ""):
            return None
        if not _SLACK_TS.match(str(value)):
            raise _SlackError(f"invalid_ts_{name}")
        return float(value)

    @staticmethod
    def _page(messages: list[dict[str, Any]], args: Mapping[str, Any], limit: int,
              *, newest_first: bool) -> tuple[list[dict[str, Any]], str]:
        """One page and the next cursor; the cursor names the ts the next page starts at, so
        messages posted between two calls do not shift the pages."""
        start = 0
        cursor = args.get("cursor")
        if cursor:
            decoded = _decode_cursor(str(cursor))
            if not decoded or not isinstance(decoded.get("next_ts"), str):
                raise _SlackError("invalid_cursor")
            after = float(decoded["next_ts"])
            start = next((index for index, message in enumerate(messages)
                          if (float(message["ts"]) <= after if newest_first else float(message["ts"]) >= after)),
                         len(messages))
        page = messages[start:start + limit]
        more = start + limit < len(messages)
        return page, _encode_cursor({"next_ts": messages[start + limit]["ts"]}) if more else ""

    def history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"), allow_names=False)
        oldest, latest = self._bound(args, "oldest"), self._bound(args, "latest")
        inclusive = _flag(args.get("inclusive", False))
        include_metadata = _flag(args.get("include_all_metadata", False))
        limit = self._limit(args)
        selected = []
        for message in reversed(self.messages.get(channel, [])):  # newest first
            is_reply = message.get("thread_ts") not in (None, message["ts"])
            if is_reply and message.get("subtype") != "thread_broadcast":
                continue
            ts = float(message["ts"])
            if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
                continue
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                continue
            selected.append(message)
        page, next_cursor = self._page(selected, args, limit, newest_first=True)
        answer: dict[str, Any] = {
            "messages": [self._visible(message, include_metadata) for message in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }
        if args.get("latest") not in (None, ""):
            answer["latest"] = str(args["latest"])
        if args.get("oldest") not in (None, ""):
            answer["oldest"] = str(args["oldest"])
        return answer

    def usergroup_users(self, args: dict[str, Any]) -> dict[str, Any]:
        usergroup = str(args.get("usergroup") or "").strip()
        if not usergroup:
            raise _SlackError("invalid_arguments")
        if usergroup not in self.usergroups:
            raise _SlackError("no_such_subteam")
        return {"users": list(self.usergroups[usergroup])}

    def replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"), allow_names=False)
        ts = str(args.get("ts") or "")
        parent = self._find(channel, ts)
        if parent is None:
            raise _SlackError("thread_not_found")
        include_metadata = _flag(args.get("include_all_metadata", False))
        thread = [parent] + [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts and m is not parent]
        page, next_cursor = self._page(thread, args, self._limit(args), newest_first=False)
        return {"messages": [self._visible(message, include_metadata) for message in page],
                "has_more": bool(next_cursor), "response_metadata": {"next_cursor": next_cursor}}


# ---------------------------------------------------------------------------------------------
# Zendesk Support API v2
# ---------------------------------------------------------------------------------------------

_ZENDESK_BOT_CHANNEL = "answer_bot_for_web_widget"
_ZENDESK_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
_ZENDESK_PRIORITIES = ("low", "normal", "high", "urgent")
_ZENDESK_API_USER_ID = 9001
_ZENDESK_NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


def _zendesk_invalid(field_name: str, description: str) -> _Fail:
    return _Fail(_Reply(422, {"error": "RecordInvalid", "description": "Record validation errors",
                              "details": {field_name: [{"description": description, "error": "InvalidValue"}]}}))


def _html_body(text: str) -> str:
    paragraphs = "".join(f'<p dir="auto">{html.escape(line)}</p>' for line in text.split("\n") if line.strip())
    return f'<div class="zd-comment" dir="auto">{paragraphs}</div>'


def _plain_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup)).strip()


class _Zendesk:
    system = "zendesk"
    ROUTES = _routes([
        ("GET", r"/api/v2/users/me(?:\.json)?", "me"),
        ("GET", r"/api/v2/users/show_many(?:\.json)?", "users_show_many"),
        ("GET", r"/api/v2/users/(?P<user_id>\d+)(?:\.json)?", "show_user"),
        ("GET", r"/api/v2/organizations/(?P<org_id>\d+)(?:\.json)?", "show_organization"),
        ("GET", r"/api/v2/groups(?:\.json)?", "list_groups"),
        ("GET", r"/api/v2/tickets/(?P<ticket_id>\d+)(?:\.json)?", "show_ticket"),
        ("PUT", r"/api/v2/tickets/(?P<ticket_id>\d+)(?:\.json)?", "update_ticket"),
        ("GET", r"/api/v2/tickets/(?P<ticket_id>\d+)/comments(?:\.json)?", "list_comments"),
        ("GET", r"/api/v2/tickets/(?P<ticket_id>\d+)/metrics(?:\.json)?", "show_metrics"),
        ("GET", r"/api/v2/tickets/(?P<ticket_id>\d+)/tags(?:\.json)?", "list_tags"),
        ("PUT", r"/api/v2/tickets/(?P<ticket_id>\d+)/tags(?:\.json)?", "add_tags"),
        ("POST", r"/api/v2/tickets/(?P<ticket_id>\d+)/tags(?:\.json)?", "set_tags"),
        ("DELETE", r"/api/v2/tickets/(?P<ticket_id>\d+)/tags(?:\.json)?", "remove_tags"),
    ])

    def __init__(self, fake: FakeVendors, seed: list[Mapping[str, Any]]) -> None:
        self.fake = fake
        self.seed = seed
        self.reset()

    @property
    def base(self) -> str:
        return self.fake.zendesk_url

    def reset(self) -> None:
        self.users: dict[int, dict[str, Any]] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.metrics: dict[int, dict[str, Any]] = {}
        self.audits: dict[int, list[dict[str, Any]]] = {}
        self.source_ids: dict[str, int] = {}  # a seeded ticket's own id -> its numeric Zendesk id
        self._ids = itertools.count(100001)
        email = (self.fake._expected_basic("zendesk") or ("sidecar@example.com/token",))[0].removesuffix("/token")
        self._add_user(_ZENDESK_API_USER_ID, "Escalation Sidecar", email, "admin")
        self.bot_id = self._add_user(next(self._ids), "Answer Bot", None, "agent")["id"]
        self.default_agent_id: int | None = None
        for raw in self.seed:
            self._seed_ticket(raw)

    def snapshot(self) -> dict[str, Any]:
        tickets = {}
        for ticket_id, ticket in self.tickets.items():
            tickets[str(ticket_id)] = {
                "id": ticket_id,
                "subject": ticket["subject"],
                "status": ticket["status"],
                "priority": ticket["priority"],
                "tags": ticket["tags"],
                "custom_fields": {str(field["id"]): field["value"] for field in ticket["custom_fields"]},
                "comments": self.comments.get(ticket_id, []),
                "audits": self.audits.get(ticket_id, []),
                "ticket": ticket,
            }
        return {"tickets": tickets, "users": {str(k): v for k, v in self.users.items()},
                "organizations": {str(k): v for k, v in self.organizations.items()},
                "source_ids": self.source_ids}

    # -- seeding --------------------------------------------------------------------------

    def _add_user(self, user_id: int, name: str | None, email: str | None, role: str,
                  organization_id: int | None = None) -> dict[str, Any]:
        now = _zendesk_time()
        user = {
            "id": user_id, "url": f"{self.base}/api/v2/users/{user_id}.json", "name": name or email or "Unknown",
            "email": email, "created_at": now, "updated_at": now, "time_zone": "UTC", "iana_time_zone": "Etc/UTC",
            "phone": None, "photo": None, "locale_id": 1, "locale": "en-US", "organization_id": organization_id,
            "role": role, "verified": True, "external_id": None, "tags": [], "alias": "", "active": True,
            "shared": False, "suspended": False, "user_fields": {}, "role_type": None if role == "end-user" else 0,
        }
        self.users[user_id] = user
        return user

    def _person(self, name: str | None, email: str | None, role: str, organization_id: int | None = None) -> int:
        for user in self.users.values():
            if user["role"] == role and ((email and user["email"] == email)
                                         or (not email and name and user["name"] == name)):
                return user["id"]
        return self._add_user(next(self._ids), name, email, role, organization_id)["id"]

    def _organization(self, data: Mapping[str, Any]) -> int:
        name = data.get("name") or "Unnamed organisation"
        for organization in self.organizations.values():
            if organization["name"] == name:
                return organization["id"]
        org_id = next(self._ids)
        now = _zendesk_time()
        fields = {key: value for key, value in data.items() if key != "name"}
        self.organizations[org_id] = {
            "url": f"{self.base}/api/v2/organizations/{org_id}.json", "id": org_id, "name": name,
            "shared_tickets": False, "shared_comments": False, "external_id": None, "created_at": now,
            "updated_at": now, "domain_names": [], "details": "", "notes": "", "group_id": None,
            "tags": list(data.get("tags") or []),
            "organization_fields": {k: v for k, v in fields.items() if k != "tags"},
        }
        return org_id

    def _group(self, name: str) -> int:
        for group in self.groups.values():
            if group["name"] == name:
                return group["id"]
        group_id = next(self._ids)
        now = _zendesk_time()
        self.groups[group_id] = {"url": f"{self.base}/api/v2/groups/{group_id}.json", "id": group_id, "name": name,
                                 "description": "", "default": False, "deleted": False, "is_public": True,
                                 "created_at": now, "updated_at": now}
        return group_id

    def _agent(self) -> int:
        if self.default_agent_id is None:
            self.default_agent_id = self._person("Support Agent", "agent@example.com", "agent")
        return self.default_agent_id

    def _seed_ticket(self, raw: Mapping[str, Any]) -> None:
        source_id = str(raw.get("id") or "").strip()
        ticket_id = int(source_id) if source_id.isdigit() and int(source_id) > 0 else max(
            [*self.tickets, 0]) + 1
        self.source_ids[source_id or str(ticket_id)] = ticket_id
        created = _zendesk_time(_parse_time(raw.get("created_at")))
        updated = _zendesk_time(_parse_time(raw.get("updated_at")) or _parse_time(raw.get("created_at")))
        org_id = self._organization(raw["organization"]) if isinstance(raw.get("organization"), Mapping) else None
        requester = raw.get("requester")
        if isinstance(requester, str):
            requester = {"email": requester} if "@" in requester else {"name": requester}
        requester = requester if isinstance(requester, Mapping) else {"name": "Customer"}
        requester_id = self._person(requester.get("name"), requester.get("email"), "end-user", org_id)
        assignee_id = self._person(str(raw["assignee"]), None, "agent") if raw.get("assignee") else None
        group_id = self._group(str(raw["group"])) if raw.get("group") else None
        custom = raw.get("custom_fields") or {}
        if isinstance(custom, Mapping):
            custom_fields = [{"id": int(k) if str(k).isdigit() else k, "value": v} for k, v in custom.items()]
        else:
            custom_fields = [dict(field) for field in custom if isinstance(field, Mapping)]
        description = str(raw.get("description") or "")
        ticket = {
            "url": f"{self.base}/api/v2/tickets/{ticket_id}.json", "id": ticket_id,
            "external_id": None if source_id == str(ticket_id) else source_id or None,
            "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": created, "updated_at": updated, "generated_timestamp": 0, "type": None,
            "subject": raw.get("subject") or "", "raw_subject": raw.get("subject") or "",
            "description": description, "priority": raw.get("priority"), "status": raw.get("status") or "open",
            "recipient": None, "requester_id": requester_id, "submitter_id": requester_id,
            "assignee_id": assignee_id, "organization_id": org_id, "group_id": group_id,
            "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None,
            "problem_id": None, "has_incidents": False, "is_public": True, "due_at": None,
            "tags": list(raw.get("tags") or []), "custom_fields": custom_fields,
            "satisfaction_rating": None, "sharing_agreement_ids": [], "custom_status_id": None,
            "fields": copy.deepcopy(custom_fields), "followup_ids": [], "brand_id": 1,
            "allow_channelback": False, "allow_attachments": True, "from_messaging_channel": False,
        }
        self.tickets[ticket_id] = ticket
        self.comments[ticket_id] = []
        self.audits[ticket_id] = []
        seeded = [dict(comment) for comment in raw.get("comments") or () if isinstance(comment, Mapping)]
        if description and (not seeded or str(seeded[0].get("body") or "").strip() != description.strip()):
            seeded.insert(0, {"author": "customer", "body": description, "public": True,
                              "created_at": raw.get("created_at")})
        replies = 0
        for comment in seeded:
            role = comment.get("author") or "customer"
            channel = "web"
            if role == "bot":
                author_id, channel = self.bot_id, _ZENDESK_BOT_CHANNEL
            elif role == "agent":
                author_id = assignee_id or self._agent()
                replies += 1 if comment.get("public", True) else 0
            else:
                author_id = requester_id
            moment = _parse_time(comment.get("created_at")) or _parse_time(raw.get("created_at"))
            self._new_comment(ticket_id, str(comment.get("body") or ""), bool(comment.get("public", True)),
                              author_id, channel, _zendesk_time(moment))
        solved = ticket["status"] in ("solved", "closed")
        self.metrics[ticket_id] = {
            "url": f"{self.base}/api/v2/ticket_metrics/{ticket_id}.json", "id": ticket_id, "ticket_id": ticket_id,
            "created_at": created, "updated_at": updated, "group_stations": 1, "assignee_stations": 1,
            "reopens": int(raw.get("reopens") or 0), "replies": replies, "assignee_updated_at": None,
            "requester_updated_at": updated, "status_updated_at": updated, "initially_assigned_at": None,
            "assigned_at": None, "solved_at": updated if solved else None, "latest_comment_added_at": updated,
            "reply_time_in_minutes": {"calendar": None, "business": None},
            "first_resolution_time_in_minutes": {"calendar": None, "business": None},
            "full_resolution_time_in_minutes": {"calendar": None, "business": None},
            "agent_wait_time_in_minutes": {"calendar": None, "business": None},
            "requester_wait_time_in_minutes": {"calendar": None, "business": None},
            "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
        }

    def _new_comment(self, ticket_id: int, body: str, public: bool, author_id: int, channel: str,
                     created_at: str | None = None, html_body: str | None = None,
                     audit_id: int | None = None) -> dict[str, Any]:
        comment = {
            "id": next(self._ids), "type": "Comment", "author_id": author_id,
            "body": body, "html_body": html_body or _html_body(body), "plain_body": body,
            "public": public, "attachments": [], "audit_id": audit_id or next(self._ids),
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": created_at or _zendesk_time(),
            "metadata": {"system": {}, "custom": {}},
        }
        self.comments[ticket_id].append(comment)
        return comment

    # -- plumbing -------------------------------------------------------------------------

    def authenticate(self, request: _Request) -> None:
        credentials = _basic_credentials(request)
        expected = self.fake._expected_basic("zendesk")
        valid = (credentials is not None and credentials[0].endswith("/token") and len(credentials[0]) > 6
                 and credentials[1])
        if not valid or (expected is not None and credentials != expected):
            raise _Fail(_Reply(401, {"error": "Couldn't authenticate you"},
                               {"WWW-Authenticate": 'Basic realm="Web Password"'}))

    def not_found(self, request: _Request) -> _Reply:
        return _Reply(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def method_not_allowed(self, request: _Request, allowed: list[str]) -> _Reply:
        return _Reply(405, {"error": "MethodNotAllowed", "description": f"{request.method} is not allowed here"},
                      {"Allow": ", ".join(allowed)})

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        ticket = self.tickets.get(int(ticket_id))
        if ticket is None:
            raise _Fail(_Reply(404, dict(_ZENDESK_NOT_FOUND)))
        return ticket

    def _body(self, request: _Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise _Fail(_Reply(400, {"error": "Unprocessable Entity",
                                     "description": "The body is not valid JSON"})) from None
        if not isinstance(body, dict):
            raise _Fail(_Reply(400, {"error": "Unprocessable Entity", "description": "The body must be a JSON object"}))
        return body

    def _paginated(self, request: _Request, name: str, items: list[Any]) -> dict[str, Any]:
        """Cursor pagination when page[size] is given (as zenpy does), offset pagination otherwise."""
        link = f"{self.base}{request.path}"
        size = request.arg("page[size]")
        if size is not None:
            if not str(size).isdigit() or not 1 <= int(size) <= 100:
                raise _Fail(_Reply(400, {"error": "InvalidPaginationParameter",
                                         "description": "page[size] must be a number between 1 and 100"}))
            size = int(size)
            start = 0
            cursor = request.arg("page[after]") or request.arg("page[before]")
            if cursor:
                decoded = _decode_cursor(str(cursor))
                if not decoded or not isinstance(decoded.get("o"), int):
                    raise _Fail(_Reply(400, {"error": "InvalidPaginationParameter",
                                             "description": "page[after] / page[before] is not a valid cursor"}))
                start = decoded["o"]
            chunk = items[start:start + size]
            has_more = start + size < len(items)
            after = _encode_cursor({"o": start + len(chunk)})
            before = _encode_cursor({"o": max(start - size, 0)})
            return {
                name: copy.deepcopy(chunk),
                "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": before},
                "links": {
                    "prev": f"{link}?{urlencode({'page[before]': before, 'page[size]': size})}" if start else None,
                    "next": f"{link}?{urlencode({'page[after]': after, 'page[size]': size})}" if has_more else None,
                },
            }
        try:
            per_page = min(max(int(request.arg("per_page", 100)), 1), 100)
            page = max(int(request.arg("page", 1)), 1)
        except ValueError:
            raise _Fail(_Reply(400, {"error": "InvalidPaginationParameter",
                                     "description": "page and per_page must be numbers"})) from None
        start = (page - 1) * per_page
        chunk = items[start:start + per_page]
        extra = {key: values[-1] for key, values in request.query.items() if key not in ("page", "per_page")}

        def page_link(number: int) -> str:
            return f"{link}?{urlencode({**extra, 'page': number, 'per_page': per_page})}"
        return {
            name: copy.deepcopy(chunk),
            "next_page": page_link(page + 1) if start + per_page < len(items) else None,
            "previous_page": page_link(page - 1) if page > 1 else None,
            "count": len(items),
        }

    # -- endpoints ------------------------------------------------------------------------

    def me(self, request: _Request) -> _Reply:
        user = copy.deepcopy(self.users[_ZENDESK_API_USER_ID])
        user["email"] = (_basic_credentials(request) or ("",))[0].removesuffix("/token")
        return _Reply(200, {"user": user})

    def show_user(self, request: _Request, user_id: str) -> _Reply:
        user = self.users.get(int(user_id))
        if user is None:
            raise _Fail(_Reply(404, dict(_ZENDESK_NOT_FOUND)))
        return _Reply(200, {"user": copy.deepcopy(user)})

    def users_show_many(self, request: _Request) -> _Reply:
        raw = ",".join(request.args("ids"))
        try:
            ids = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise _Fail(_Reply(400, {"error": "InvalidValue",
                                     "description": "ids must be a comma-separated list of numbers"})) from None
        if len(ids) > 100:
            raise _Fail(_Reply(400, {"error": "InvalidValue", "description": "at most 100 ids per request"}))
        users = [self.users[user_id] for user_id in dict.fromkeys(ids) if user_id in self.users]
        return _Reply(200, self._paginated(request, "users", users))

    def show_organization(self, request: _Request, org_id: str) -> _Reply:
        organization = self.organizations.get(int(org_id))
        if organization is None:
            raise _Fail(_Reply(404, dict(_ZENDESK_NOT_FOUND)))
        return _Reply(200, {"organization": copy.deepcopy(organization)})

    def list_groups(self, request: _Request) -> _Reply:
        return _Reply(200, self._paginated(request, "groups", list(self.groups.values())))

    def show_ticket(self, request: _Request, ticket_id: str) -> _Reply:
        return _Reply(200, {"ticket": copy.deepcopy(self._ticket(ticket_id))})

    def list_comments(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        comments = list(self.comments[ticket["id"]])
        if request.arg("sort_order") == "desc":
            comments.reverse()
        return _Reply(200, self._paginated(request, "comments", comments))

    def show_metrics(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        return _Reply(200, {"ticket_metric": copy.deepcopy(self.metrics[ticket["id"]])})

    def update_ticket(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        body = self._body(request)
        update = body.get("ticket")
        if not isinstance(update, dict):
            raise _Fail(_Reply(400, {"error": "ParameterMissing", "description": "Parameter ticket is required"}))
        if ticket["status"] == "closed":
            raise _zendesk_invalid("status", "Status: closed prevents ticket update")
        if update.get("safe_update") and update.get("updated_stamp") != ticket["updated_at"]:
            raise _Fail(_Reply(409, {"error": "UpdateConflict", "description": (
                "Safe Update prevented the update due to outdated ticket data. "
                "Please fetch the latest ticket data and try again.")}))
        comment = update.get("comment")
        if comment is not None:
            if not isinstance(comment, Mapping):
                raise _zendesk_invalid("comment", "Comment: must be an object with a body")
            text = comment.get("body")
            markup = comment.get("html_body")
            if not (isinstance(text, str) and text.strip()) and not (isinstance(markup, str) and markup.strip()):
                raise _zendesk_invalid("comment", "Comment: cannot be blank")
        if "status" in update and update["status"] not in _ZENDESK_STATUSES:
            raise _zendesk_invalid("status", f"Status: {update['status']!r} is not a valid status")
        if "priority" in update and update["priority"] not in (None, *_ZENDESK_PRIORITIES):
            raise _zendesk_invalid("priority", f"Priority: {update['priority']!r} is not a valid priority")
        custom = update.get("custom_fields")
        if custom is not None and (not isinstance(custom, list) or not all(
                isinstance(field, Mapping) and "id" in field for field in custom)):
            raise _zendesk_invalid("custom_fields", "Custom fields: must be a list of {id, value}")
        for name in ("tags", "additional_tags", "remove_tags"):
            if name in update and not (isinstance(update[name], list)
                                       and all(isinstance(t, str) for t in update[name])):
                raise _zendesk_invalid(name, f"{name}: must be a list of strings")

        audit_id = next(self._ids)
        now = _zendesk_time()
        events: list[dict[str, Any]] = []

        def change(field_name: str, value: Any, previous: Any) -> None:
            events.append({"id": next(self._ids), "type": "Change", "value": value, "field_name": field_name,
                           "previous_value": previous})

        if comment is not None:
            text = comment.get("body")
            markup = comment.get("html_body")
            if not (isinstance(text, str) and text.strip()):
                text = _plain_text(str(markup))
            author_id = int(comment.get("author_id") or _ZENDESK_API_USER_ID)
            created = self._new_comment(ticket["id"], text, bool(comment.get("public", True)), author_id, "api",
                                        now, html_body=markup if isinstance(markup, str) and markup.strip() else None,
                                        audit_id=audit_id)
            events.append({key: created[key] for key in
                           ("id", "type", "author_id", "body", "html_body", "plain_body", "public", "attachments",
                            "audit_id")})
        for name in ("status", "priority", "subject", "type", "assignee_id", "group_id"):
            if name in update and update[name] != ticket.get(name):
                change(name, update[name], ticket.get(name))
                ticket[name] = update[name]
                if name == "subject":
                    ticket["raw_subject"] = update[name]
        tags = list(ticket["tags"])
        if "tags" in update:
            tags = list(dict.fromkeys(update["tags"]))
        tags += [tag for tag in update.get("additional_tags") or () if tag not in tags]
        tags = [tag for tag in tags if tag not in (update.get("remove_tags") or ())]
        if tags != ticket["tags"]:
            change("tags", tags, ticket["tags"])
            ticket["tags"] = tags
        for field in custom or ():
            current = next((f for f in ticket["custom_fields"] if str(f["id"]) == str(field["id"])), None)
            previous = current["value"] if current else None
            if current is None:
                current = {"id": field["id"], "value": None}
                ticket["custom_fields"].append(current)
            if previous != field.get("value"):
                change(str(field["id"]), field.get("value"), previous)
            current["value"] = field.get("value")
        ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
        ticket["updated_at"] = now
        audit = {
            "id": audit_id, "ticket_id": ticket["id"], "created_at": now, "author_id": _ZENDESK_API_USER_ID,
            "metadata": {"system": {"client": request.header("User-Agent") or "", "ip_address": "127.0.0.1"},
                         "custom": {}},
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            "events": events,
        }
        self.audits[ticket["id"]].append(audit)
        return _Reply(200, {"ticket": copy.deepcopy(ticket), "audit": copy.deepcopy(audit)})

    def _tag_list(self, request: _Request) -> list[str]:
        body = self._body(request)
        tags = body.get("tags")
        if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
            raise _zendesk_invalid("tags", "tags: must be a list of strings")
        return tags

    def _set_tags(self, ticket: dict[str, Any], tags: list[str]) -> _Reply:
        tags = list(dict.fromkeys(tags))
        if tags != ticket["tags"]:
            now = _zendesk_time()
            audit_id = next(self._ids)
            self.audits[ticket["id"]].append({
                "id": audit_id, "ticket_id": ticket["id"], "created_at": now, "author_id": _ZENDESK_API_USER_ID,
                "metadata": {"system": {}, "custom": {}},
                "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
                "events": [{"id": next(self._ids), "type": "Change", "value": tags, "field_name": "tags",
                            "previous_value": ticket["tags"]}],
            })
            ticket["tags"] = tags
            ticket["updated_at"] = now
        return _Reply(200, {"tags": list(ticket["tags"])})

    def list_tags(self, request: _Request, ticket_id: str) -> _Reply:
        return _Reply(200, {"tags": list(self._ticket(ticket_id)["tags"])})

    def add_tags(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        return self._set_tags(ticket, ticket["tags"] + self._tag_list(request))

    def set_tags(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        return self._set_tags(ticket, self._tag_list(request))

    def remove_tags(self, request: _Request, ticket_id: str) -> _Reply:
        ticket = self._ticket(ticket_id)
        removed = set(self._tag_list(request))
        return self._set_tags(ticket, [tag for tag in ticket["tags"] if tag not in removed])


# ---------------------------------------------------------------------------------------------
# Salesforce REST (minimal)
# ---------------------------------------------------------------------------------------------

_SOQL_CASE_COMMENTS = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+CaseComment\s+WHERE\s+ParentId\s*=\s*'(?P<parent>[^']*)'"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+(?:\s+(?:ASC|DESC))?(?:\s*,\s*\w+(?:\s+(?:ASC|DESC))?)*))?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CASE_COMMENT_FIELDS = ("Id", "ParentId", "CommentBody", "IsPublished", "CreatedDate", "CreatedById",
                        "LastModifiedDate", "LastModifiedById", "SystemModstamp", "IsDeleted")
_CASE_COMMENT_CREATED_BY = ("Id", "Name", "UserType", "ContactId", "Email")
_CASE_COMMENT_WRITABLE = ("ParentId", "CommentBody", "IsPublished")


def _salesforce_fail(status: int, error_code: str, message: str, fields: Iterable[str] = ()) -> _Fail:
    error: dict[str, Any] = {"message": message, "errorCode": error_code}
    if fields:
        error["fields"] = list(fields)
    return _Fail(_Reply(status, [error]))


class _Salesforce:
    system = "salesforce"
    ROUTES = _routes([
        ("GET", r"/services/data/v(?P<version>\d+\.\d)/query/?", "query"),
        ("GET", r"/services/data/v(?P<version>\d+\.\d)/limits/?", "limits"),
        ("POST", r"/services/data/v(?P<version>\d+\.\d)/sobjects/CaseComment/?", "create_comment"),
        ("PATCH", r"/services/data/v(?P<version>\d+\.\d)/sobjects/Case/(?P<case_id>[^/]+)/?", "update_case"),
    ])

    def __init__(self, fake: FakeVendors, seed: list[Mapping[str, Any]]) -> None:
        self.fake = fake
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.cases: dict[str, dict[str, Any]] = {}
        self.source_ids: dict[str, str] = {}
        self.api_user = {"Id": _salesforce_id("005", 1), "Name": "Escalation Sidecar", "UserType": "Standard",
                         "ContactId": None, "Email": "sidecar@example.com"}
        self._numbers = itertools.count(2)
        for raw in self.seed:
            self._seed_case(raw)

    def snapshot(self) -> dict[str, Any]:
        return {"comments": self.comments, "cases": self.cases, "source_ids": self.source_ids}

    def _seed_case(self, raw: Mapping[str, Any]) -> None:
        source_id = str(raw.get("id") or "").strip()
        case_id = source_id if source_id.startswith("500") and _SALESFORCE_ID.match(source_id) else _salesforce_id(
            "500", next(self._numbers))
        self.source_ids[source_id or case_id] = case_id
        self.cases.setdefault(case_id, {})
        requester = raw.get("requester") if isinstance(raw.get("requester"), Mapping) else {}
        contact_id = _salesforce_id("003", next(self._numbers))
        customer = {"Id": _salesforce_id("005", next(self._numbers)), "Name": requester.get("name") or "Customer",
                    "UserType": "PowerCustomerSuccess", "ContactId": contact_id, "Email": requester.get("email")}
        agent = {"Id": _salesforce_id("005", next(self._numbers)), "Name": raw.get("assignee") or "Support Agent",
                 "UserType": "Standard", "ContactId": None, "Email": None}
        bot = {"Id": _salesforce_id("005", next(self._numbers)), "Name": "Einstein Bot", "UserType": "AutomatedProcess",
               "ContactId": None, "Email": None}
        for comment in raw.get("comments") or ():
            author = {"bot": bot, "agent": agent}.get(comment.get("author"), customer)
            moment = _parse_time(comment.get("created_at")) or _parse_time(raw.get("created_at"))
            self._add_comment(case_id, str(comment.get("body") or ""), bool(comment.get("public", True)), author,
                              _millis_time(moment))

    def _add_comment(self, case_id: str, body: str, published: bool, author: Mapping[str, Any],
                     created: str | None = None) -> dict[str, Any]:
        created = created or _millis_time()
        record = {
            "Id": _salesforce_id("00a", next(self._numbers)), "ParentId": case_id, "CommentBody": body,
            "IsPublished": published, "CreatedDate": created, "CreatedById": author["Id"],
            "LastModifiedDate": created, "LastModifiedById": author["Id"], "SystemModstamp": created,
            "IsDeleted": False, "CreatedBy": dict(author),
        }
        self.comments.append(record)
        return record

    def authenticate(self, request: _Request) -> None:
        token = _bearer_token(request)
        expected = self.fake._expected_bearer("salesforce")
        if not token or (expected is not None and token != expected):
            raise _salesforce_fail(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def not_found(self, request: _Request) -> _Reply:
        return _Reply(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    def method_not_allowed(self, request: _Request, allowed: list[str]) -> _Reply:
        return _Reply(405, [{"errorCode": "METHOD_NOT_ALLOWED",
                             "message": f"HTTP Method '{request.method}' not allowed. "
                                        f"Allowed are {','.join(allowed)}"}],
                      {"Allow": ", ".join(allowed)})

    def _body(self, request: _Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise _salesforce_fail(400, "JSON_PARSER_ERROR", "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _salesforce_fail(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        return body

    def query(self, request: _Request, version: str) -> _Reply:
        soql = request.arg("q")
        if not soql:
            raise _salesforce_fail(400, "MALFORMED_QUERY", "A query string has to be specified")
        match = _SOQL_CASE_COMMENTS.match(soql)
        if match is None:
            raise _salesforce_fail(400, "MALFORMED_QUERY", (
                "The fake Salesforce answers only SELECT <fields> FROM CaseComment WHERE ParentId = '<Case Id>' "
                "[ORDER BY <field> [ASC|DESC], ...] [LIMIT n]"))
        fields = [name.strip() for name in match["fields"].split(",") if name.strip()]
        for name in fields:
            head, _, tail = name.partition(".")
            known = (tail in _CASE_COMMENT_CREATED_BY) if head == "CreatedBy" and tail else name in _CASE_COMMENT_FIELDS
            if not known:
                raise _salesforce_fail(400, "INVALID_FIELD", (
                    f"\n{match['fields']}\n^\nERROR at Row:1:Column:8\nNo such column '{name}' on entity "
                    "'CaseComment'. If you are attempting to use a custom field, be sure to append the '__c' "
                    "after the custom field name. Please reference your WSDL or the describe call for the "
                    "appropriate names."))
        records = [record for record in self.comments if record["ParentId"][:15] == match["parent"][:15]]
        if match["order"]:
            # ORDER BY a [ASC|DESC], b [ASC|DESC]: sort by the last key first (Python's sort is stable).
            keys = [part.split() for part in match["order"].split(",")]
            for key in reversed(keys):
                name, direction = key[0], (key[1] if len(key) > 1 else "ASC")
                if name not in _CASE_COMMENT_FIELDS:
                    raise _salesforce_fail(400, "INVALID_FIELD", f"No such column '{name}' on entity 'CaseComment'.")
                records.sort(key=lambda record, name=name: str(record.get(name) or ""),
                             reverse=direction.upper() == "DESC")
        if match["limit"]:
            records = records[:int(match["limit"])]
        return _Reply(200, {"totalSize": len(records), "done": True,
                            "records": [self._render(record, fields, version) for record in records]})

    @staticmethod
    def _render(record: Mapping[str, Any], fields: list[str], version: str) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": "CaseComment",
                                              "url": f"/services/data/v{version}/sobjects/CaseComment/{record['Id']}"}}
        for name in fields:
            head, _, tail = name.partition(".")
            if head == "CreatedBy" and tail:
                creator = out.setdefault("CreatedBy", {"attributes": {
                    "type": "User", "url": f"/services/data/v{version}/sobjects/User/{record['CreatedById']}"}})
                creator[tail] = record["CreatedBy"].get(tail)
            else:
                out[name] = record.get(name)
        return out

    def create_comment(self, request: _Request, version: str) -> _Reply:
        body = self._body(request)
        for name in body:
            if name not in _CASE_COMMENT_WRITABLE:
                raise _salesforce_fail(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type CaseComment")
        parent = body.get("ParentId")
        if not parent:
            raise _salesforce_fail(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [ParentId]",
                                   ["ParentId"])
        if not isinstance(parent, str) or not _SALESFORCE_ID.match(parent) or not parent.startswith("500"):
            raise _salesforce_fail(400, "FIELD_INTEGRITY_EXCEPTION",
                                   f"Parent Case: id value of incorrect type: {parent}", ["ParentId"])
        text = body.get("CommentBody")
        if text is not None and (not isinstance(text, str) or len(text) > 4000):
            raise _salesforce_fail(400, "STRING_TOO_LONG",
                                   "Body: data value too large (max length=4000)", ["CommentBody"])
        record = self._add_comment(parent, text or "", bool(body.get("IsPublished", False)), self.api_user)
        return _Reply(201, {"id": record["Id"], "success": True, "errors": []})

    def update_case(self, request: _Request, version: str, case_id: str) -> _Reply:
        if not _SALESFORCE_ID.match(case_id) or not case_id.startswith("500"):
            raise _salesforce_fail(404, "NOT_FOUND",
                                   f"Provided external ID field does not exist or is not accessible: {case_id}")
        body = self._body(request)
        self.cases.setdefault(case_id, {}).update(body)
        return _Reply(204)

    def limits(self, request: _Request, version: str) -> _Reply:
        used = sum(1 for entry in self.fake._requests if entry["system"] == "salesforce")
        return _Reply(200, {
            "DailyApiRequests": {"Max": 15000, "Remaining": max(15000 - used, 0)},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        })


# ---------------------------------------------------------------------------------------------
# Faults, the server and the public class
# ---------------------------------------------------------------------------------------------

class _Fault:
    def __init__(self, number: int, system: str, *, method: str | None, path: str | None, status: int | None,
                 times: int, retry_after: float | None, delay: float, body: Any) -> None:
        if system not in (*SYSTEMS, "*"):
            raise ValueError(f"system must be one of {', '.join(SYSTEMS)} or '*', got {system!r}")
        if status is not None and not 100 <= int(status) <= 599:
            raise ValueError(f"status must be an HTTP status code, got {status!r}")
        if int(times) < 1:
            raise ValueError("times must be at least 1")
        if float(delay) < 0:
            raise ValueError("delay must not be negative")
        self.number = number
        self.system = system
        self.method = method.upper() if method else None
        self.path = path
        self.pattern = re.compile(path) if path else None
        self.status = int(status) if status else None
        self.remaining = int(times)
        self.retry_after = retry_after
        self.delay = float(delay)
        self.body = body

    def matches(self, request: _Request) -> bool:
        if self.remaining < 1 or self.system not in ("*", request.system):
            return False
        if self.method and self.method != request.method:
            return False
        return self.pattern is None or bool(
            self.pattern.search(request.path) or self.pattern.search(request.full_path))

    def describe(self) -> dict[str, Any]:
        return {"id": self.number, "system": self.system, "method": self.method, "path": self.path,
                "status": self.status, "times": self.remaining, "retry_after": self.retry_after,
                "delay": self.delay, "body": self.body}

    def reply(self, system: str) -> _Reply:
        assert self.status is not None
        headers = {}
        if self.retry_after is not None:
            value = self.retry_after
            headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
        body = self.body if self.body is not None else _fault_body(system, self.status)
        return _Reply(self.status, body, headers)


def _fault_body(system: str, status: int) -> Any:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if system == "jira":
        return {"errorMessages": [f"{phrase} (fault injected by the fake Jira)"], "errors": {}}
    if system == "slack":
        error = "ratelimited" if status == 429 else ("internal_error" if status >= 500 else "fatal_error")
        return {"ok": False, "error": error}
    if system == "zendesk":
        if status == 429:
            return {"error": "TooManyRequests",
                    "description": "Rate limit exceeded (fault injected by the fake Zendesk)"}
        return {"error": phrase.replace(" ", ""), "description": f"{phrase} (fault injected by the fake Zendesk)"}
    code = {429: "REQUEST_LIMIT_EXCEEDED", 403: "REQUEST_LIMIT_EXCEEDED", 503: "SERVER_UNAVAILABLE",
            401: "INVALID_SESSION_ID"}.get(status, "UNKNOWN_EXCEPTION")
    return [{"message": f"{phrase} (fault injected by the fake Salesforce)", "errorCode": code}]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakeVendors


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "FakeVendors/1.0"
    sys_version = ""
    server: _Server

    def _serve(self) -> None:
        try:
            raw = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(_Reply(400, {"error": "the request body could not be read"}))
            return
        request = _Request(self.command, self.path, self.headers.items(), raw)
        reply = self.server.fake._handle(request)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: _Reply) -> None:
        body, content_type = reply.encode()
        if reply.status in (204, 304):
            body, content_type = b"", None
        self.send_response(reply.status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _load_tickets(tickets: Any) -> list[dict[str, Any]]:
    """Tickets in our history/ticket format: a list, {"ticket": {...}}, {"tickets": [...]}, one
    ticket mapping, or a path to a .json / .jsonl file holding any of those."""
    if tickets is None:
        return []
    if isinstance(tickets, (str, Path)):
        path = Path(tickets)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        tickets = json.loads(text)
    if isinstance(tickets, Mapping):
        if isinstance(tickets.get("ticket"), Mapping):
            return [dict(tickets["ticket"])]
        if isinstance(tickets.get("tickets"), list):
            return [dict(t) for t in tickets["tickets"]]
        return [dict(tickets)]
    out: list[dict[str, Any]] = []
    for item in tickets:
        if isinstance(item, (str, Path)) or (isinstance(item, Mapping) and ("ticket" in item or "tickets" in item)):
            out.extend(_load_tickets(item))
        else:
            out.append(dict(item))
    return out


class FakeVendors:
    """Jira Cloud, Slack, Zendesk and Salesforce on one local port (see the module docstring).

    - `tickets`: seed data in our ticket/history format (a list, a mapping, or a .json/.jsonl path).
      Tickets whose `source` is "salesforce" become Cases (their comments CaseComments); all others
      become Zendesk tickets with users, organisations, comments and metrics.
    - `jira_projects`: the project keys Jira knows (creating an issue elsewhere answers 400).
    - `credentials`: when given, the fake checks them: ``{"jira": {"email", "api_token"},
      "zendesk": {"email", "api_token"}, "slack": {"token"}, "salesforce": {"access_token"}}`` (any
      subset; a plain string is taken as the token). Without them any well-formed auth is accepted.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        tickets: Any = None,
        jira_projects: Iterable[str] = ("ESC",),
        credentials: Mapping[str, Any] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.port = int(port)
        self._lock = threading.RLock()
        self._credentials = self._check_credentials(credentials)
        seed = _load_tickets(tickets)
        self._jira = _Jira(self, jira_projects)
        self._slack = _Slack(self)
        self._zendesk = _Zendesk(self, [t for t in seed if (t.get("source") or "zendesk") != "salesforce"])
        self._salesforce = _Salesforce(self, [t for t in seed if t.get("source") == "salesforce"])
        self._vendors: dict[str, Any] = {"jira": self._jira, "slack": self._slack, "zendesk": self._zendesk,
                                         "salesforce": self._salesforce}
        self._requests: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDED_REQUESTS)
        self._sequence = 0
        self._faults: list[_Fault] = []
        self._fault_numbers = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- URLs -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    @property
    def jira_url(self) -> str:
        return self.url + PREFIXES["jira"]

    @property
    def slack_url(self) -> str:
        return self.url + PREFIXES["slack"]

    @property
    def zendesk_url(self) -> str:
        return self.url + PREFIXES["zendesk"]

    @property
    def salesforce_url(self) -> str:
        return self.url + PREFIXES["salesforce"]

    def urls(self) -> dict[str, str]:
        """The base URLs, as the command line prints them."""
        return {"jira": self.jira_url, "slack": self.slack_url, "zendesk": self.zendesk_url,
                "salesforce": self.salesforce_url, "url": self.url, "control": self.url + CONTROL_PREFIX}

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeVendors:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        self.port = server.server_address[1]
        self._server = server
        self.reset()  # seeds with URLs that name the bound port
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-vendors-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<FakeVendors {self.url}>"

    # -- test API -------------------------------------------------------------------------

    def requests(self, system: str | None = None) -> list[dict[str, Any]]:
        """Every vendor request so far, oldest first: system, method, path (below the system's
        prefix), full_path, query, headers (no Authorization), auth (the scheme), body (JSON,
        form fields or text), status answered, fault (the fault's id, if one answered)."""
        with self._lock:
            return [copy.deepcopy(entry) for entry in self._requests if system in (None, entry["system"])]

    def state(self) -> dict[str, Any]:
        """Everything the fakes hold, as plain JSON-ready data (a deep copy)."""
        with self._lock:
            return copy.deepcopy({name: vendor.snapshot() for name, vendor in self._vendors.items()})

    def fail(
        self,
        system: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = 500,
        times: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
        body: Any = None,
    ) -> dict[str, Any]:
        """Arm a fault: the next `times` requests to `system` ("*" for any) matching `method` and
        `path` (a regex searched in the path below the system's prefix, or the full path) sleep
        `delay` seconds, then answer `status` with `body` (default: the vendor's error shape) and
        a Retry-After header when `retry_after` is given. status=None: do the work at once, then
        answer normally after the delay (the vendor did it; the client may have timed out waiting)."""
        with self._lock:
            fault = _Fault(next(self._fault_numbers), system, method=method, path=path, status=status,
                           times=times, retry_after=retry_after, delay=delay, body=body)
            self._faults.append(fault)
            return fault.describe()

    def slack_usergroup(self, usergroup: str, users: Iterable[str]) -> None:
        """Make (or replace) a Slack user group with these member ids, for usergroups.users.list."""
        with self._lock:
            self._slack.usergroups[usergroup] = list(users)

    def slack_response_url(self, *, user: str = "U0FAKEUSER", channel: str = "C0FAKECHAN") -> str:
        """A response_url as Slack puts in an interaction payload (what is posted to it:
        state()["slack"]["responses"])."""
        with self._lock:
            return self._slack.mint_response_url(self.url, user=user, channel=channel)

    def faults(self) -> list[dict[str, Any]]:
        """The faults still armed."""
        with self._lock:
            return [fault.describe() for fault in self._faults if fault.remaining > 0]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Back to the seeded state: recorded requests, faults and everything written are dropped."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            for vendor in self._vendors.values():
                vendor.reset()

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _check_credentials(credentials: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for system, value in (credentials or {}).items():
            if system not in SYSTEMS:
                raise ValueError(f"credentials: unknown system {system!r}")
            out[system] = {"token": value} if isinstance(value, str) else dict(value)
        return out

    def _expected_basic(self, system: str) -> tuple[str, str] | None:
        given = self._credentials.get(system) or {}
        email = given.get("email") or given.get("username")
        token = given.get("api_token") or given.get("token") or given.get("password")
        if not email or not token:
            return None
        return (f"{email}/token" if system == "zendesk" else str(email), str(token))

    def _expected_bearer(self, system: str) -> str | None:
        given = self._credentials.get(system) or {}
        for name in ("token", "bot_token", "access_token", "session_id"):
            if given.get(name):
                return str(given[name])
        return None

    def _handle(self, request: _Request) -> _Reply:
        try:
            if request.full_path == CONTROL_PREFIX or request.full_path.startswith(CONTROL_PREFIX + "/"):
                return self._control(request)
            if request.system is None:
                return _Reply(404, {"error": "no fake vendor at this path", "base_urls": self.urls()})
            with self._lock:
                fault = next((f for f in self._faults if f.matches(request)), None)
                if fault is not None:
                    fault.remaining -= 1
                    if fault.remaining < 1:
                        self._faults.remove(fault)
                self._sequence += 1
                entry = {
                    "seq": self._sequence, "time": time.time(), "system": request.system,
                    "method": request.method, "path": request.path, "full_path": request.full_path,
                    "query": {k: v[-1] if len(v) == 1 else list(v) for k, v in request.query.items()},
                    "headers": {k: v for k, v in request.headers.items() if k.lower() != "authorization"},
                    "auth": request.auth_scheme(), "body": request.recorded_body(),
                    "status": None, "fault": fault.number if fault else None,
                }
                self._requests.append(entry)
            if fault is not None and fault.status:
                if fault.delay:
                    time.sleep(fault.delay)
                reply = fault.reply(request.system)
            else:
                with self._lock:
                    vendor = self._vendors[request.system]
                    reply = vendor.handle(request) if request.system == "slack" else _dispatch(vendor, request)
                if fault is not None and fault.delay:
                    # The vendor did the work; only its answer is late (what a client timeout cannot tell).
                    time.sleep(fault.delay)
            with self._lock:
                entry["status"] = reply.status
            return reply
        except Exception:  # noqa: BLE001 - a bug in the fake: answer 500 with the traceback, never hang
            return _Reply(500, {"fake_error": traceback.format_exc()})

    def _control(self, request: _Request) -> _Reply:
        path = request.full_path[len(CONTROL_PREFIX):].rstrip("/") or "/"
        method = request.method
        if path == "/" and method == "GET":
            return _Reply(200, self.urls())
        if path == "/requests" and method == "GET":
            return _Reply(200, self.requests(request.arg("system")))
        if path == "/state" and method == "GET":
            return _Reply(200, self.state())
        if path == "/reset" and method == "POST":
            self.reset()
            return _Reply(200, {"ok": True})
        if path == "/faults":
            if method == "GET":
                return _Reply(200, self.faults())
            if method == "DELETE":
                self.clear_faults()
                return _Reply(200, {"ok": True})
            if method == "POST":
                try:
                    body = request.json()
                    specs = body if isinstance(body, list) else [body]
                    armed = []
                    for spec in specs:
                        if not isinstance(spec, Mapping) or "system" not in spec:
                            raise ValueError("each fault needs at least a 'system'")
                        allowed = {"system", "method", "path", "status", "times", "retry_after", "delay", "body"}
                        unknown = set(spec) - allowed
                        if unknown:
                            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
                        options = {key: spec[key] for key in allowed - {"system"} if key in spec}
                        armed.append(self.fail(spec["system"], **options))
                except (ValueError, TypeError, re.error) as exc:
                    return _Reply(400, {"error": str(exc)})
                return _Reply(201, armed if isinstance(body, list) else armed[0])
        return _Reply(404, {"error": f"no control endpoint {method} {request.full_path}",
                            "endpoints": ["GET /_fake", "GET /_fake/requests?system=", "GET /_fake/state",
                                          "GET|POST|DELETE /_fake/faults", "POST /_fake/reset"]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.vendors",
        description="Serve fake Jira, Slack, Zendesk and Salesforce APIs on one local port until killed.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--tickets", action="append", default=[],
                        help="seed tickets: a .json/.jsonl file in our ticket/history format (repeatable)")
    parser.add_argument("--jira-project", action="append", dest="jira_projects",
                        help="a Jira project key the fake knows (repeatable; default ESC)")
    parser.add_argument("--credentials", help='JSON file {"jira": {"email", "api_token"}, "slack": {"token"}, ...} '
                                              "to check; without it any well-formed auth is accepted")
    args = parser.parse_args(argv)
    tickets: list[dict[str, Any]] = []
    for path in args.tickets:
        tickets.extend(_load_tickets(path))
    credentials = json.loads(Path(args.credentials).read_text(encoding="utf-8")) if args.credentials else None
    fake = FakeVendors(args.port, tickets=tickets, jira_projects=args.jira_projects or ("ESC",),
                       credentials=credentials, host=args.host)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    fake.start()
    print(json.dumps(fake.urls()), flush=True)
    try:
        while not stopping.wait(0.2):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
