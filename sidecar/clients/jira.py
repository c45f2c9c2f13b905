"""Jira Cloud REST API v3: JQL search (for history import), and Atlassian Document Format as plain text."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from requests.auth import HTTPBasicAuth

from sidecar.clients.base import ApiError, ApiSession, HttpClient, missing_keys, segment

REQUIRED_CREDENTIALS = ("base_url", "email", "api_token")
SEARCH_PATH = "/rest/api/3/search/jql"
# What history import reads of an issue; the enhanced search returns only the fields asked for.
HISTORY_FIELDS = (
    "summary", "description", "status", "resolution", "resolutiondate", "assignee", "priority",
    "created", "updated", "labels", "components", "issuetype", "project", "comment",
)
MAX_RESULTS = 100  # issues per page; Jira returns at most 100 when fields beyond id/key are asked for

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
    ) -> None:
        super().__init__(
            base_url,
            auth=HTTPBasicAuth(str(email).strip(), str(api_token).strip()),
            secrets=(str(api_token).strip(),),
            session=session,
        )

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> JiraClient:
        """Build the client from a credentials mapping; ValueError names missing keys (never values)."""
        credentials = credentials or {}
        missing = missing_keys(credentials, REQUIRED_CREDENTIALS)
        if missing:
            raise ValueError(f"Jira credentials are incomplete: missing {', '.join(missing)}")
        return cls(credentials["base_url"], email=credentials["email"], api_token=credentials["api_token"])

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

    def issue_url(self, key: str) -> str:
        """The issue's page for people: <base>/browse/<KEY>."""
        return f"{self.base_url}/browse/{segment(key)}"


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
    attrs = node.get("attrs") if isinstance(node.get("attrs"), Mapping) else {}
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
