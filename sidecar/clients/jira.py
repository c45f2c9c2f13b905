"""Jira Cloud REST API v3: JQL search (for history import), the writes an escalation makes, and ADF as plain text.

Every write is first a `PlannedRequest` built by a module-level `plan_*` function that needs no
credentials (a dry run records it); the `JiraClient` method of the same name sends exactly that plan.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from requests.auth import HTTPBasicAuth

from sidecar.clients.base import ApiSession, HttpClient, segment
from sidecar.clients.errors import ApiError, ApiNotFound
from sidecar.clients.masking import basic_auth_secret
from sidecar.clients.plans import PlannedRequest

SEARCH_PATH = "/rest/api/3/search/jql"
# What history import reads of an issue; the enhanced search returns only the fields asked for.
HISTORY_FIELDS = (
    "summary", "description", "status", "resolution", "resolutiondate", "assignee", "priority",
    "created", "updated", "labels", "components", "issuetype", "project", "comment",
)
MAX_RESULTS = 100  # issues per page; Jira returns at most 100 when fields beyond id/key are asked for
ISSUE_PATH = "/rest/api/3/issue"
MYSELF_PATH = "/rest/api/3/myself"
# What the escalation flow reads of an issue it created or found (find before create).
ISSUE_FIELDS = ("summary", "status", "labels", "created")
COMMENTS_PAGE_SIZE = 100
_MAX_COMMENT_PAGES = 100  # 10,000 comments: a guard against a server that never says it is done
# An issue key (project key, dash, number; the API accepts any case) or a numeric issue id.
_ISSUE_KEY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$")

_BLOCKS = frozenset({
    "paragraph", "heading", "blockquote", "codeBlock", "bulletList", "orderedList", "listItem",
    "panel", "rule", "table", "tableRow", "mediaGroup", "mediaSingle", "expand", "nestedExpand",
    "decisionList", "decisionItem", "taskList", "taskItem",
})


@dataclass(frozen=True)
class SearchPage:
    """One page of a JQL search: the issues (Jira's JSON) and the token of the next page, if any."""

    issues: list[dict[str, Any]]
    next_page_token: str | None

    @property
    def is_last(self) -> bool:
        """True when there is no further page."""
        return self.next_page_token is None


class JiraClient(HttpClient):
    """One Jira Cloud site, reached with an Atlassian account's email and API token (basic auth).

    Credentials: ``{"base_url": "https://acme.atlassian.net", "email", "api_token"}``; the base URL
    may be any http(s) URL (a proxy, Jira behind a gateway, or a local fake).
    """

    service = "Jira"

    def __init__(
        self,
        base_url: str,
        *,
        email: str,
        api_token: str,
        session: ApiSession | None = None,
        allow_private: bool = False,
    ) -> None:
        email, api_token = str(email).strip(), str(api_token).strip()
        super().__init__(
            base_url,
            auth=HTTPBasicAuth(email, api_token),
            # The token, and the email:token string its Basic header carries (a vendor may echo the header).
            secrets=(api_token, basic_auth_secret(email, api_token)),
            session=session,
            allow_private=allow_private,
        )

    def search(
        self,
        jql: str,
        *,
        fields: Sequence[str] = HISTORY_FIELDS,
        next_page_token: str | None = None,
        max_results: int = MAX_RESULTS,
    ) -> SearchPage:
        """One page of issues matching `jql` (GET /rest/api/3/search/jql, token-paginated)."""
        if not jql or not jql.strip():
            raise ValueError("a JQL query is required, e.g. 'project = ENG AND resolution IS NOT EMPTY'")
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "maxResults": int(max_results)}
        if next_page_token:
            params["nextPageToken"] = next_page_token
        body = self.get(SEARCH_PATH, params=params)
        if not isinstance(body, Mapping) or not isinstance(body.get("issues"), list):
            raise ApiError(f"Jira GET {SEARCH_PATH} did not answer with search results; check base_url")
        # The last page may omit nextPageToken altogether (JRACLOUD-92184) or say isLast: true.
        token = body.get("nextPageToken") or None
        if body.get("isLast") is True:
            token = None
        return SearchPage(issues=list(body["issues"]), next_page_token=token)

    def myself(self) -> dict[str, Any]:
        """The account these credentials act as (GET /rest/api/3/myself): a cheap connection check."""
        return self._object(self.get(MYSELF_PATH), MYSELF_PATH, "an account")

    def create_issue(self, fields: Mapping[str, Any], *, properties: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Create an issue from its fields (and entity properties); Jira's answer is {"id", "key", "self"}."""
        plan = plan_create_issue(fields, properties=properties)
        created = self._object(self.send(plan), plan.path, "a created issue")
        if not created.get("key"):
            raise ApiError(f"Jira POST {plan.path} answered without an issue key; check base_url")
        return created

    def get_issue(self, key: str, fields: Sequence[str] = ISSUE_FIELDS) -> dict[str, Any]:
        """One issue with the fields asked for (GET /rest/api/3/issue/{key})."""
        path = _issue_path(key)
        return self._object(self.get(path, params={"fields": ",".join(fields)}), path, "an issue")

    def find_issues(
        self,
        jql: str,
        *,
        fields: Sequence[str] = ISSUE_FIELDS,
        max_results: int = 10,
    ) -> list[dict[str, Any]]:
        """The first issues matching `jql` (one page of the enhanced search); quote values with jql_string."""
        return self.search(jql, fields=fields, max_results=max_results).issues

    def add_comment(self, key: str, body_adf: Mapping[str, Any]) -> dict[str, Any]:
        """Add a comment (an ADF document) to an issue and return Jira's comment."""
        plan = plan_add_comment(key, body_adf)
        return self._object(self.send(plan), plan.path, "a comment")

    def comments(self, key: str) -> list[dict[str, Any]]:
        """Every comment of an issue, oldest first, following startAt/maxResults/total pages."""
        path = f"{_issue_path(key)}/comment"
        comments: list[dict[str, Any]] = []
        for _ in range(_MAX_COMMENT_PAGES):
            page = self._object(
                self.get(path, params={"startAt": len(comments), "maxResults": COMMENTS_PAGE_SIZE}),
                path,
                "a page of comments",
            )
            batch = page.get("comments")
            if not isinstance(batch, list):
                raise ApiError(f"Jira GET {path} did not answer with comments; check base_url")
            comments += batch
            total = page.get("total")
            if not batch or not isinstance(total, int) or len(comments) >= total:
                return comments
        raise ApiError(f"Jira GET {path} kept paging past {len(comments)} comments; stopped")

    def upsert_remote_link(
        self,
        key: str,
        *,
        global_id: str,
        url: str,
        title: str,
        summary: str | None = None,
        resolved: bool = False,
        relationship: str | None = None,
    ) -> dict[str, Any]:
        """Create the remote link with this globalId, or update it if the issue has one: {"id", "self"}."""
        plan = plan_remote_link(
            key, global_id=global_id, url=url, title=title, summary=summary,
            resolved=resolved, relationship=relationship,
        )
        return self._object(self.send(plan), plan.path, "a remote link")

    def set_issue_property(self, key: str, property_key: str, value: Any) -> None:
        """Store a JSON value as an issue entity property (created or replaced)."""
        self.send(plan_set_property(key, property_key, value))

    def get_issue_property(self, key: str, property_key: str) -> Any | None:
        """An issue entity property's value, or None when Jira answers 404.

        Jira answers 404 both for a property the issue does not have and for an issue these
        credentials cannot see; its message tells them apart only in the user's language, so the
        caller decides what an absent property means.
        """
        path = _property_path(key, property_key)
        try:
            body = self.get(path)
        except ApiNotFound:
            return None
        return self._object(body, path, "an issue property").get("value")

    def update_issue(
        self,
        key: str,
        *,
        fields: Mapping[str, Any] | None = None,
        update: Mapping[str, Any] | None = None,
    ) -> None:
        """Edit an issue: `fields` sets values, `update` applies operations (Jira answers 204)."""
        self.send(plan_update_issue(key, fields=fields, update=update))

    def issue_url(self, key: str) -> str:
        """The issue's page for people: <base>/browse/<KEY>."""
        return f"{self.base_url}/browse/{segment(key)}"

    @staticmethod
    def _object(body: Any, path: str, what: str) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ApiError(f"Jira {path} did not answer with {what}; check base_url")
        return dict(body)


def plan_create_issue(fields: Mapping[str, Any], *, properties: Mapping[str, Any] | None = None) -> PlannedRequest:
    """POST /rest/api/3/issue {"fields": ..., "properties": [{"key", "value"}]}; v3 wants ADF in description.

    Entity properties given here are set with the issue in the same call (IssueUpdateDetails.properties).
    """
    if not isinstance(fields, Mapping) or not fields:
        raise ValueError("Jira issue fields are required, e.g. project, issuetype and summary")
    body: dict[str, Any] = {"fields": dict(fields)}
    if properties:
        body["properties"] = [{"key": str(key), "value": value} for key, value in properties.items()]
    return PlannedRequest("POST", ISSUE_PATH, json=body)


def plan_add_comment(key: str, body_adf: Mapping[str, Any]) -> PlannedRequest:
    """POST /rest/api/3/issue/{key}/comment {"body": ADF}."""
    _check_adf(body_adf, what="comment body")
    return PlannedRequest("POST", f"{_issue_path(key)}/comment", json={"body": dict(body_adf)})


def plan_remote_link(
    key: str,
    *,
    global_id: str,
    url: str,
    title: str,
    summary: str | None = None,
    resolved: bool = False,
    relationship: str | None = None,
) -> PlannedRequest:
    """POST /rest/api/3/issue/{key}/remotelink; posting the same globalId again updates that link.

    On update Jira sets every field left out of the request to null, so the whole link is always
    sent; `relationship` and `summary` are left out only when not given (Jira then shows "links to").
    """
    if not str(global_id or "").strip() or len(str(global_id)) > 255:
        raise ValueError("a remote link needs a globalId of 1 to 255 characters, e.g. 'zendesk:acme:ticket:42'")
    if not str(url or "").startswith(("https://", "http://")):
        raise ValueError("a remote link needs an http(s) url")
    if not str(title or "").strip():
        raise ValueError("a remote link needs a title")
    link_object: dict[str, Any] = {"url": url, "title": title}
    if summary is not None:
        link_object["summary"] = summary
    link_object["status"] = {"resolved": bool(resolved)}
    body: dict[str, Any] = {"globalId": global_id}
    if relationship is not None:
        body["relationship"] = relationship
    body["object"] = link_object
    return PlannedRequest("POST", f"{_issue_path(key)}/remotelink", json=body)


def plan_set_property(key: str, property_key: str, value: Any) -> PlannedRequest:
    """PUT /rest/api/3/issue/{key}/properties/{propertyKey}; the body is the JSON value itself."""
    if value is None:
        raise ValueError("a Jira issue property needs a JSON value (not null)")
    return PlannedRequest("PUT", _property_path(key, property_key), json=value)


def plan_update_issue(
    key: str,
    *,
    fields: Mapping[str, Any] | None = None,
    update: Mapping[str, Any] | None = None,
) -> PlannedRequest:
    """PUT /rest/api/3/issue/{key} with "fields" (set values) and/or "update" (operations)."""
    if not fields and not update:
        raise ValueError("a Jira issue update needs fields or update operations")
    body: dict[str, Any] = {}
    if fields:
        body["fields"] = dict(fields)
    if update:
        body["update"] = dict(update)
    return PlannedRequest("PUT", _issue_path(key), json=body)


def jql_string(value: Any) -> str:
    """`value` as a double-quoted JQL string literal, so data (labels, keys) can never add JQL."""
    text = str(value)
    if any(ord(char) < 32 and char not in "\n\r\t" for char in text):
        raise ValueError("a JQL value cannot contain control characters")
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _issue_path(key: str) -> str:
    text = str(key or "").strip()
    if not _ISSUE_KEY.match(text):
        raise ValueError(f"a Jira issue is named by its key, e.g. ENG-42, or numeric id; got {text[:40]!r}")
    return f"{ISSUE_PATH}/{segment(text)}"


def _property_path(key: str, property_key: str) -> str:
    name = str(property_key or "")
    if not name.strip() or name in (".", "..") or len(name) > 255:
        raise ValueError("a Jira issue property key is 1 to 255 characters, e.g. 'escalation-sidecar'")
    return f"{_issue_path(key)}/properties/{segment(name)}"


def _check_adf(document: Any, *, what: str) -> None:
    # API v3 rejects plain strings where a rich-text field is expected; say so before sending.
    if not (isinstance(document, Mapping) and document.get("type") == "doc" and "content" in document):
        raise ValueError(
            f"Jira {what} must be an ADF document "
            '{"type": "doc", "version": 1, "content": [...]}, not plain text'
        )


def adf_to_text(document: Any) -> str:
    """Plain text of an Atlassian Document Format value (blocks on their own lines); plain strings pass through."""
    if document is None:
        return ""
    if isinstance(document, str):  # API v2 payloads, and some webhook bodies, carry plain text
        return document
    parts: list[str] = []
    _walk(document, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def _walk(node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, parts)
        return
    if not isinstance(node, Mapping):
        return
    kind = node.get("type")
    attrs = node["attrs"] if isinstance(node.get("attrs"), Mapping) else {}
    if kind == "text":
        parts.append(str(node.get("text") or ""))
    elif kind == "hardBreak":
        parts.append("\n")
    elif kind in ("mention", "status", "emoji", "placeholder"):
        parts.append(str(attrs.get("text") or attrs.get("shortName") or ""))
    elif kind in ("inlineCard", "blockCard", "embedCard"):
        parts.append(str(attrs.get("url") or ""))
    elif kind == "date" and attrs.get("timestamp"):
        parts.append(str(attrs["timestamp"]))
    elif kind == "tableRow":  # one line per row: "cell | cell"
        cells = []
        for cell in node.get("content") or ():
            text: list[str] = []
            _walk(cell.get("content") if isinstance(cell, Mapping) else None, text)
            cells.append(" ".join("".join(text).split()))
        parts.append("\n" + " | ".join(cells) + "\n")
        return
    if kind in _BLOCKS:
        parts.append("\n")
    _walk(node.get("content"), parts)
    if kind in _BLOCKS:
        parts.append("\n")


def field_names(values: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The `name` of each object in a Jira list field (components, versions...)."""
    return [str(value["name"]) for value in values or () if isinstance(value, Mapping) and value.get("name")]
