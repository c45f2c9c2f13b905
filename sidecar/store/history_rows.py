"""History rows: one line of the history format validated and mapped to its `HistoryTicket` columns.

The format is in docs/architecture.md ("History format"); what each column holds, and how rows are
written, is in `sidecar.store.history`. A row is refused with a HistoryRowError naming the field.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sidecar.clients.normalise import html_to_text
from sidecar.intelligence.ticket import AUTHOR_ROLES

KINDS = ("ticket", "jira_issue")
HASH_KEY = "_hash"
# Part of every content hash: bump it when the mapping from rows to columns changes, so the next
# import rewrites rows whose content did not change but whose columns would.
MAPPING_VERSION = "1"
SEARCH_TEXT_LIMIT = 32_000  # characters; longer threads add noise to ranking, not recall

FIELD_LIMITS = {"id": 100, "group": 200, "assignee": 200, "status": 40, "priority": 40}
# The fields that become columns as given (after their checks), in the order of the columns.
_AS_GIVEN_COLUMNS = ("group_name", "assignee", "status", "resolution", "priority", "url", "escalated", "needs_human",
                     "created_at", "updated_at", "resolved_at")
_TEXT_FIELDS = ("subject", "description", "comments", "group_name", "assignee", "status", "priority", "resolution",
                "url")
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*|!--.*?--)>", re.DOTALL)
class HistoryRowError(ValueError):
    """A history row is not valid; `field` names the offending field (dotted, with list positions)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field '{field}': {message}" if field else message)
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class PreparedHistoryRow:
    """A validated history row mapped to its HistoryTicket columns (without installation_id)."""

    source: str
    external_id: str
    content_hash: str
    updated_at: datetime | None
    columns: Mapping[str, Any]
    data_json: str = ""  # columns["data"] as JSON text, for writers that bind it as is (bulk imports)


def prepare_history_row(row: Any, *, source: str) -> PreparedHistoryRow:
    """Validate one history-format row and map it to columns; raise HistoryRowError naming the field."""
    check_source(source)
    if not isinstance(row, Mapping):
        raise HistoryRowError("", "a history row must be a JSON object")
    external_id = history_id(row.get("id"))
    fields = _checked_fields(row)
    data = {key: value for key, value in row.items() if key != HASH_KEY}
    data["id"] = external_id
    data, encoded, fields = _nul_free(data, fields)
    content_hash = _content_hash(encoded)
    data[HASH_KEY] = content_hash
    # The stored JSON is the hashed text plus the hash: encoded once, not again by the driver.
    data_json = f'{encoded[:-1]},"{HASH_KEY}":"{content_hash}"}}'
    description_text = _plain(fields["description"])
    columns = {
        "source": source,
        "external_id": external_id,
        "kind": fields["kind"],
        "subject": _plain(fields["subject"]),
        "description": description_text,
        "search_text": search_text(fields["subject"], description_text, fields["comments"]),
        **{name: fields[name] for name in _AS_GIVEN_COLUMNS},
        "data": data,
    }
    return PreparedHistoryRow(source=source, external_id=external_id, content_hash=content_hash,
                              updated_at=fields["updated_at"], columns=columns, data_json=data_json)


def _checked_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's fields that become columns, checked in order (the first bad one is the one named)."""
    subject = _text(row, "subject")
    description = _text(row, "description")
    if not subject.strip() and not description.strip():
        raise HistoryRowError("subject", "give a subject and/or a description; both are empty or missing")
    kind = row.get("kind") or "ticket"
    if kind not in KINDS:
        raise HistoryRowError("kind", f"must be one of {', '.join(KINDS)}, got {_shown(kind)}")
    fields = {
        "subject": subject,
        "description": description,
        "kind": kind,
        "comments": _comments(row.get("comments")),
        "group_name": _short_text(row, "group"),
        "assignee": _short_text(row, "assignee", allow_int=True),
        "status": _short_text(row, "status"),
        "priority": _short_text(row, "priority", allow_int=True),
        "resolution": _optional_text(row, "resolution"),
        "url": _optional_text(row, "url"),
        "escalated": _optional_bool(row, "escalated"),
        "needs_human": _optional_bool(row, "needs_human"),
        "created_at": _timestamp(row, "created_at"),
        "updated_at": _timestamp(row, "updated_at"),
        "resolved_at": _timestamp(row, "resolved_at"),
    }
    # Kept only in `data`, but consumers rebuild Tickets from it: checked all the same.
    _string_list(row, "tags")
    _id_list(row, "duplicate_of")
    _organization(row.get("organization"))
    _requester(row.get("requester"))
    _reopens(row.get("reopens"))
    return fields


def _nul_free(data: dict[str, Any], fields: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """(data, its canonical JSON, fields) without NUL characters, which PostgreSQL text and jsonb cannot hold."""
    encoded = _canonical_json(data)
    if "\\u0000" not in encoded:
        return data, encoded, fields
    data = _without_nul(data)
    cleaned = {**fields, **{name: _without_nul(fields[name]) for name in _TEXT_FIELDS}}
    return data, _canonical_json(data), cleaned


def _content_hash(encoded: str) -> str:
    try:
        payload = encoded.encode("utf-8")
    except UnicodeEncodeError:
        raise HistoryRowError("", "text contains an invalid character (an unpaired UTF-16 surrogate)") from None
    return hashlib.blake2b(payload + MAPPING_VERSION.encode(), digest_size=16).hexdigest()


def search_text(subject: str, description: str, comments: Sequence[Mapping[str, Any]]) -> str:
    """What search indexes: subject, description and the customer's comments, as plain text."""
    parts = [_plain(subject), _plain(description)]
    parts += [_plain(c.get("body") or "") for c in comments if c.get("author") == "customer"]
    text = "\n".join(part.strip() for part in parts if part and part.strip())
    return text[:SEARCH_TEXT_LIMIT]


def check_source(source: str) -> str:
    """Validate a history source name (zendesk, salesforce, jira, file or an operator's own word)."""
    if not isinstance(source, str) or not _SOURCE.match(source):
        raise ValueError(
            "a history source is 1-20 lower-case letters, digits, '-' or '_', starting with a letter "
            f"or digit, e.g. 'file' or 'zendesk'; got {_shown(source)}"
        )
    return source


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def history_id(value: Any) -> str:
    """A row's `id` as the stored external id (NUL characters dropped); HistoryRowError when it is not one."""
    if value is None:
        raise HistoryRowError("id", "is required")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise HistoryRowError("id", f"must be a string or an integer, got {type(value).__name__}")
    text = str(value).replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL characters
    if not text:
        raise HistoryRowError("id", "must not be empty")
    if len(text) > FIELD_LIMITS["id"]:
        raise HistoryRowError("id", f"must be at most {FIELD_LIMITS['id']} characters")
    return text


def _text(row: Mapping[str, Any], field: str) -> str:
    value = row.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HistoryRowError(field, f"must be a string, got {type(value).__name__}")
    return value


def _optional_text(row: Mapping[str, Any], field: str) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise HistoryRowError(field, f"must be a string or null, got {type(value).__name__}")
    return value or None


def _short_text(row: Mapping[str, Any], field: str, *, allow_int: bool = False) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise HistoryRowError(field, f"must be a string or null, got {type(value).__name__}")
    value = value.strip()
    if len(value) > FIELD_LIMITS[field]:
        raise HistoryRowError(field, f"must be at most {FIELD_LIMITS[field]} characters")
    return value or None


def _optional_bool(row: Mapping[str, Any], field: str) -> bool | None:
    value = row.get(field)
    if value is None or isinstance(value, bool):
        return value
    raise HistoryRowError(field, f"must be true, false or null, got {_shown(value)}")


def _parse_timestamp(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise HistoryRowError(field, f"must be an ISO 8601 timestamp string, got {type(value).__name__}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise HistoryRowError(field, f"must be an ISO 8601 timestamp, got {_shown(value)}") from None
    # Stored in UTC: SQLite keeps timestamps as text without an offset, so all of them must agree.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _timestamp(row: Mapping[str, Any], field: str) -> datetime | None:
    return _parse_timestamp(row.get(field), field)


def _comments(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise HistoryRowError("comments", f"must be a list, got {type(value).__name__}")
    for index, comment in enumerate(value):
        where = f"comments[{index}]"
        if not isinstance(comment, Mapping):
            raise HistoryRowError(where, "must be an object with author and body")
        if comment.get("author") not in AUTHOR_ROLES:
            raise HistoryRowError(
                f"{where}.author", f"must be one of {', '.join(AUTHOR_ROLES)}, got {_shown(comment.get('author'))}"
            )
        if not isinstance(comment.get("body"), str):
            raise HistoryRowError(f"{where}.body", "must be a string")
        if not isinstance(comment.get("public", True), bool):
            raise HistoryRowError(f"{where}.public", "must be true or false")
        _parse_timestamp(comment.get("created_at"), f"{where}.created_at")
    return value


def _string_list(row: Mapping[str, Any], field: str) -> None:
    value = row.get(field)
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise HistoryRowError(field, "must be a list of strings")


def _id_list(row: Mapping[str, Any], field: str) -> None:
    value = row.get(field)
    if value is None:
        return
    if not isinstance(value, list) or not all(
        isinstance(item, (str, int)) and not isinstance(item, bool) for item in value
    ):
        raise HistoryRowError(field, "must be a list of ids (strings or integers)")


def _organization(value: Any) -> None:
    # Consumers rebuild Tickets from `data` (ticket_from_mapping): what it would choke on is refused here.
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise HistoryRowError("organization", "must be an object or null")
    arr: Any = value.get("arr")
    if arr not in (None, ""):
        if isinstance(arr, bool):
            raise HistoryRowError("organization.arr", "must be a number")
        try:
            float(arr)
        except (TypeError, ValueError):
            raise HistoryRowError("organization.arr", f"must be a number, got {_shown(arr)}") from None
    renewal = value.get("renewal_date")
    if renewal not in (None, ""):
        try:
            date.fromisoformat(str(renewal).strip()[:10])
        except ValueError:
            raise HistoryRowError("organization.renewal_date", f"must be an ISO date, got {_shown(renewal)}") from None
    for key in ("name", "tier"):
        if value.get(key) is not None and not isinstance(value.get(key), (str, int, float)):
            raise HistoryRowError(f"organization.{key}", "must be a string")


def _requester(value: Any) -> None:
    if value is not None and not isinstance(value, (str, Mapping)):
        raise HistoryRowError("requester", "must be an object, a string or null")


def _reopens(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise HistoryRowError("reopens", "must be a whole number, 0 or more")


def _plain(text: str | None) -> str:
    if not text:
        return ""
    return html_to_text(text) if _HTML.search(text) else text


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value
