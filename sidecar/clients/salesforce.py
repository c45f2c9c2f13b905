"""Salesforce Service Cloud: Cases read through simple-salesforce and normalised into our `Ticket`; the
escalation's writes.

Each write is first a `PlannedRequest` from a module-level `plan_*` function that needs no
credentials (a dry run records it); the `SalesforceClient` method sends the same request through
simple-salesforce.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from simple_salesforce import Salesforce, SFType, format_soql
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from sidecar.clients.base import DEFAULT_RATE_LIMIT_WAIT, DEFAULT_TIMEOUT, ApiSession, Timeout, require_keys
from sidecar.clients.errors import (
    ApiError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnauthorized,
    error_code_and_detail,
    error_for_status,
    url_path,
)
from sidecar.clients.masking import redact, redact_data
from sidecar.clients.normalise import (
    date_or_none,
    html_to_text,
    in_time_order,
    number_or_none,
    without_repeated_description,
)
from sidecar.clients.plans import PlannedRequest
from sidecar.domain.connections import check_base_url
from sidecar.intelligence.ticket import (
    Comment,
    Organization,
    Requester,
    Ticket,
    parse_datetime,
)

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = "62.0"
DEFAULT_ACCOUNT_FIELDS: Mapping[str, str] = {
    "tier": "Tier__c",
    "arr": "ARR__c",
    "renewal_date": "Renewal_Date__c",
}
CASE_KEY_PREFIX = "500"  # every Case Id starts with it, in every org
# Users that are processes, not people: flows, Einstein bots, integrations (ours included).
SYSTEM_USER_TYPES = frozenset({"AutomatedProcess", "PlatformIntegration"})
_USER_KEY_PREFIX, _QUEUE_KEY_PREFIX = "005", "00G"

_CASE_FIELDS = (
    "Id", "CaseNumber", "Subject", "Description", "Priority", "Status", "Origin",
    "CreatedDate", "LastModifiedDate", "OwnerId", "Owner.Name",
    "ContactId", "Contact.Name", "Contact.Email", "SuppliedName", "SuppliedEmail",
    "AccountId", "Account.Name",
)
_COMMENT_FIELDS = (
    "Id", "CommentBody", "IsPublished", "CreatedDate", "CreatedById",
    "CreatedBy.Name", "CreatedBy.UserType", "CreatedBy.ContactId",
)
_EMAIL_FIELDS = (
    "Id", "Subject", "TextBody", "HtmlBody", "Incoming", "MessageDate", "CreatedDate", "FromAddress",
)
# Case fields the history export reads beyond _CASE_FIELDS: when and whether a Case was closed or
# escalated. Comments and emails ride along as relationship subqueries, so one query page brings
# whole Cases.
_EXPORT_CASE_FIELDS = ("ClosedDate", "IsClosed", "IsEscalated")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_FIELD_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


@dataclass(frozen=True)
class CaseExportPage:
    """One page of Cases changed since a time, each with its comments and emails (all plain dicts)."""

    records: list[dict[str, Any]]
    next_records_url: str | None
    total_size: int


class SalesforceClient:
    """Reads Cases from one Salesforce org.

    Credentials, either of:

    - ``{"instance_url", "access_token"}``: an OAuth access token / session id; no login call. The
      instance URL may be ``http://`` for a local fake.
    - ``{"username", "password", "security_token", "domain"?}``: SOAP login on first use (``domain``
      ``login`` by default, ``test`` for sandboxes, or the My Domain such as ``acme.my``). Leave
      ``security_token`` blank when the org trusts the server's IP range.

    Comment authors, first match wins:

    - CaseComment: ``bot`` if ``CreatedById`` is in ``bot_user_ids`` or the creator is a process user
      (``AutomatedProcess``, ``PlatformIntegration``); ``customer`` if the creator's Contact is the
      Case's Contact, or the creator is any other non-``Standard`` user (portal, community, guest);
      otherwise ``agent``. ``IsPublished`` decides public/internal.
    - EmailMessage: ``Incoming`` is ``customer``, outgoing is ``agent``; emails are public.

    Account fields: ``account_fields`` maps our ``tier`` / ``arr`` / ``renewal_date`` (and any other
    key, which lands in ``Organization.extra``) to Account field API names. ``case_fields`` lists extra
    Case fields copied into ``Ticket.custom_fields``. Every configured field must exist in the org,
    or Salesforce rejects the query (an ``ApiError`` naming the field).
    """

    service = "Salesforce"
    timeout: Timeout = DEFAULT_TIMEOUT
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT

    def __init__(
        self,
        credentials: Mapping[str, Any],
        *,
        version: str = DEFAULT_API_VERSION,
        account_fields: Mapping[str, str] | None = None,
        case_fields: Iterable[str] = (),
        bot_user_ids: Iterable[str] = (),
        allow_private: bool = False,
    ) -> None:
        self.version = _api_version(version)
        self.account_fields = {**DEFAULT_ACCOUNT_FIELDS, **(account_fields or {})}
        self.case_fields = tuple(case_fields)
        for name in (*self.account_fields.values(), *self.case_fields):
            _check_field_path(name)
        self.bot_user_ids = frozenset(str(user_id)[:15] for user_id in bot_user_ids)
        self._login: dict[str, Any]
        if credentials.get("instance_url") or credentials.get("access_token"):
            require_keys(credentials, ("instance_url", "access_token"), service="Salesforce")
            self.instance_url: str | None = check_base_url(credentials["instance_url"], what="Salesforce instance_url")
            self._login = {"session_id": str(credentials["access_token"]).strip()}
            base_url, vendor_origin = self.instance_url, _sdk_origin(self.instance_url)
        elif any(credentials.get(key) for key in ("username", "password", "security_token")):
            require_keys(credentials, ("username", "password"), service="Salesforce")
            self.instance_url = None  # learnt from the login answer
            self._login = {
                "username": str(credentials["username"]).strip(),
                "password": str(credentials["password"]),
                "security_token": str(credentials.get("security_token") or "").strip(),
                "domain": _login_domain(credentials.get("domain") or "login"),
            }
            base_url, vendor_origin = None, None
        else:
            raise ValueError(
                "Salesforce credentials need either instance_url and access_token, "
                "or username, password and security_token"
            )
        secret_keys = ("session_id", "password", "security_token")
        self._secrets = tuple(self._login[key] for key in secret_keys if self._login.get(key))
        if self._login.get("password") and self._login.get("security_token"):
            # The SOAP login sends them as one string: <password>{password}{security_token}</password>.
            self._secrets += (self._login["password"] + self._login["security_token"],)
        self._session = ApiSession(
            base_url,
            service=self.service,
            timeout=self.timeout,
            rate_limit_wait=self.rate_limit_wait,
            vendor_origins=[vendor_origin] if vendor_origin else [],
            secrets=self._secrets,
            allow_private=allow_private,
        )
        self._sf: Salesforce | None = None
        self._export_emails = True

    def __repr__(self) -> str:
        where = self.instance_url or f"https://{self._login['domain']}.salesforce.com"
        return f"<SalesforceClient {where} v{self.version}>"

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Fetch a Case as a Ticket (the HelpdeskClient protocol's name for fetch_case)."""
        return self.fetch_case(ticket_id)

    def fetch_case(self, case_id: str) -> Ticket:
        """Fetch a Case with its comments and emails (all pages), contact and account."""
        case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
        with self._translated_errors():
            salesforce = self._salesforce()
            cases = salesforce.query_all(self._case_soql(case_id))["records"]
            if not cases:
                # SOQL answers "no rows", not 404, for an unknown or invisible record.
                raise ApiNotFound(f"Salesforce Case {case_id} was not found or is not visible", 404)
            comments = salesforce.query_all(_soql(_COMMENT_FIELDS, "CaseComment", case_id, "CreatedDate"))
            emails = self._emails(salesforce, case_id)
        return self._to_ticket(cases[0], comments["records"], emails)

    def export_cases(self, *, since: datetime | None = None, next_records_url: str | None = None) -> CaseExportPage:
        """One page of Cases with LastModifiedDate >= since (oldest change first), comments and emails included.

        Give `since` for the first page and the previous page's `next_records_url` for the next
        ones. Query locators expire after about 15 idle minutes, so to resume another day start a
        new query from the last LastModifiedDate seen. Each Case's `CaseComments` and
        `EmailMessages` hold every child record (their own extra pages are followed here).
        """
        if (since is None) == (next_records_url is None):
            raise ValueError("give either since (first page) or next_records_url (next pages)")
        with self._translated_errors():
            salesforce = self._salesforce()
            if next_records_url is not None:
                answer = salesforce.query_more(next_records_url, identifier_is_url=True)
            else:
                answer = self._first_export_page(salesforce, since)  # type: ignore[arg-type]
            records = list(answer.get("records") or ())
            for record in records:
                for relationship in ("CaseComments", "EmailMessages"):
                    record[relationship] = self._all_children(salesforce, record.get(relationship))
        return CaseExportPage(
            records=records,
            next_records_url=None if answer.get("done", True) else answer.get("nextRecordsUrl"),
            total_size=int(answer.get("totalSize") or 0),
        )

    def case_from_export(self, record: Mapping[str, Any]) -> Ticket:
        """A Ticket from one record of an export page."""
        return self._to_ticket(record, record.get("CaseComments") or [], record.get("EmailMessages") or [])

    # Cases have no tags: the `tags` of the help-desk protocol's writes are not written (the Jira key
    # field is what marks an escalated Case).
    def add_note(self, case_id: str, *, body: str, fields: Mapping[str, Any] | None = None,
                 tags: Iterable[str] = ()) -> str:
        """Add an internal (unpublished) CaseComment, then set `fields` (a second request); the comment's Id."""
        plan = plan_case_comment(case_id, body, version=self.version)
        with self._translated_errors():
            # simple-salesforce POSTs to /services/data/v{version}/sobjects/CaseComment/: the plan.
            # cast: simple-salesforce types every attribute as an SObject or a bulk handler; this is an SObject.
            answer = cast(SFType, self._salesforce().CaseComment).create(plan.json)
        # Refusals come as HTTP 400 with an error list (translated above), so a 2xx without an id
        # is something other than Salesforce answering.
        if not isinstance(answer, Mapping) or not answer.get("id"):
            raise ApiError("Salesforce CaseComment create answered without an id; check instance_url")
        self.update_fields(case_id, fields=fields)
        return str(answer["id"])

    def update_fields(self, case_id: str, *, fields: Mapping[str, Any] | None = None, tags: Iterable[str] = ()) -> None:
        """Set fields on a Case (PATCH; Salesforce answers 204 No Content); nothing to send without fields."""
        if not fields:
            return
        plan = plan_update_case(case_id, fields, version=self.version)
        with self._translated_errors():
            # simple-salesforce PATCHes /services/data/v{version}/sobjects/Case/{id}: the plan.
            cast(SFType, self._salesforce().Case).update(plan.path.rsplit("/", 1)[1], plan.json)  # an SObject

    def find_note(self, case_id: str, marker: str) -> dict[str, Any] | None:
        """The first CaseComment (oldest first) whose CommentBody contains `marker`, or None.

        SOQL cannot filter on CommentBody (a long text area: no LIKE or = on it), so the Case's
        comments are read in CreatedDate order and matched here, stopping at the first match.
        """
        case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
        if not marker:
            raise ValueError("a marker to look for is required")
        soql = format_soql(
            f"SELECT {', '.join(_COMMENT_FIELDS)} FROM CaseComment WHERE ParentId = {{}} "
            "ORDER BY CreatedDate ASC, Id ASC",
            case_id,
        )
        with self._translated_errors():
            for record in self._salesforce().query_all_iter(soql):
                if marker in str(record.get("CommentBody") or ""):
                    return dict(record)
        return None

    def identity(self) -> dict[str, Any]:
        """The org's API limits (GET /services/data/vXX.X/limits/): a cheap authenticated connection check.

        Chosen over the OAuth userinfo endpoint because it accepts every kind of session this client
        holds (OAuth access token or SOAP login) and shows the daily API allowance left. It needs
        the "View Setup and Configuration" permission: without it the answer is ApiForbidden, not
        ApiUnauthorized, which still proves the credentials themselves work.
        """
        with self._translated_errors():
            answer = self._salesforce().limits()
        if not isinstance(answer, Mapping):
            raise ApiError("Salesforce limits did not answer with JSON; check instance_url")
        return dict(answer)

    def case_url(self, case_id: str) -> str:
        """The Case's record page in Lightning Experience."""
        case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
        return f"{self.instance_url or ''}/lightning/r/Case/{case_id}/view"

    def _first_export_page(self, salesforce: Salesforce, since: datetime) -> dict[str, Any]:
        try:
            page: dict[str, Any] = salesforce.query(self._export_soql(since, emails=self._export_emails))
        except SalesforceError as exc:
            code, _ = error_code_and_detail(exc.content)
            if code != "INVALID_TYPE" or not self._export_emails:
                raise
            # As in fetch_case: without Email-to-Case there is no EmailMessages relationship.
            log.warning("Salesforce: EmailMessage is not available to this user; exporting Case comments only")
            self._export_emails = False
            page = salesforce.query(self._export_soql(since, emails=False))
        return page

    def _export_soql(self, since: datetime, *, emails: bool) -> str:
        fields = [*_CASE_FIELDS, *_EXPORT_CASE_FIELDS]
        fields += [f"Account.{name}" for name in self.account_fields.values()]
        fields += list(self.case_fields)
        children = [f"(SELECT {', '.join(_COMMENT_FIELDS)} FROM CaseComments ORDER BY CreatedDate ASC)"]
        if emails:
            children.append(f"(SELECT {', '.join(_EMAIL_FIELDS)} FROM EmailMessages ORDER BY MessageDate ASC)")
        # The datetime literal is formatted here from a datetime, never taken from text.
        since = since if since.tzinfo else since.replace(tzinfo=UTC)  # naive times are UTC
        when = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"SELECT {', '.join(dict.fromkeys(fields))}, {', '.join(children)} FROM Case "
            f"WHERE LastModifiedDate >= {when} ORDER BY LastModifiedDate ASC, Id ASC"
        )

    @staticmethod
    def _all_children(salesforce: Salesforce, result: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        if not result:
            return []  # Salesforce sends null for a relationship without records
        records = list(result.get("records") or ())
        while not result.get("done", True) and result.get("nextRecordsUrl"):
            result = salesforce.query_more(result["nextRecordsUrl"], identifier_is_url=True)
            records += result.get("records") or ()
        return records

    def _salesforce(self) -> Salesforce:
        # Built on first use: with a password the constructor logs in, and that call belongs
        # inside the error translation like every other.
        if self._sf is None:
            if "session_id" in self._login:
                self._sf = Salesforce(
                    instance_url=self.instance_url,
                    session_id=self._login["session_id"],
                    version=self.version,
                    session=self._session,
                )
            else:
                self._sf = Salesforce(**self._login, version=self.version, session=self._session)
                self.instance_url = f"https://{self._sf.sf_instance}"
                self._secrets += (self._sf.session_id,)
                self._session.secrets = self._secrets
        return self._sf

    def _case_soql(self, case_id: str) -> str:
        fields = [*_CASE_FIELDS]
        fields += [f"Account.{name}" for name in self.account_fields.values()]
        fields += list(self.case_fields)
        return _soql(tuple(dict.fromkeys(fields)), "Case", case_id, None, id_field="Id")

    def _emails(self, salesforce: Salesforce, case_id: str) -> list[dict[str, Any]]:
        try:
            soql = _soql(_EMAIL_FIELDS, "EmailMessage", case_id, "MessageDate")
            records: list[dict[str, Any]] = salesforce.query_all(soql)["records"]
            return records
        except SalesforceError as exc:
            # Orgs without Email-to-Case have no EmailMessage object: the conversation is the comments.
            code, _ = error_code_and_detail(exc.content)
            if code == "INVALID_TYPE":
                log.warning("Salesforce: EmailMessage is not available to this user (Email-to-Case off "
                            "or no access); the conversation is read from Case comments only")
                return []
            raise

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Translate simple-salesforce's and requests' exceptions into the ApiError family, in one place."""
        try:
            yield
        except ApiError:
            raise  # already ours: timeouts, connection errors and 429s from the session
        except SalesforceAuthenticationFailed as exc:
            message = redact(f"Salesforce login failed: {exc.code}: {exc.auth_message}", self._secrets)[:400]
            raise ApiUnauthorized(message, 401, code=str(exc.code)) from exc
        except SalesforceError as exc:
            code, detail = error_code_and_detail(redact_data(exc.content, self._secrets))
            where = f"{exc.resource_name or 'call'} {url_path(exc.url)}"
            message = f"Salesforce {where} failed: HTTP {exc.status}"
            message = redact(f"{message}: {detail}" if detail else message, self._secrets)
            if code == "REQUEST_LIMIT_EXCEEDED":  # the org's daily API allowance, sent as 403
                raise ApiRateLimited(message, exc.status, code=code) from exc
            raise error_for_status(exc.status, message, code=code) from exc
        except requests.JSONDecodeError as exc:
            raise ApiError("Salesforce answered with something that is not JSON; check instance_url") from exc

    def _to_ticket(
        self,
        case: Mapping[str, Any],
        comments: Sequence[Mapping[str, Any]],
        emails: Sequence[Mapping[str, Any]],
    ) -> Ticket:
        contact_id = case.get("ContactId")
        conversation = in_time_order([
            *(self._case_comment(comment, contact_id) for comment in comments),
            *(_email(email) for email in emails),
        ])
        description = case.get("Description") or ""
        owner_id = case.get("OwnerId") or ""
        return Ticket(
            id=case["Id"],
            source="salesforce",
            subject=case.get("Subject") or "",
            description=description,
            comments=without_repeated_description(description, conversation),
            requester=_requester(case),
            organization=self._organization(case),
            # Picklist labels ("High", "Escalated") lower-cased to compare with Zendesk's values.
            priority=_lower(case.get("Priority")),
            status=_lower(case.get("Status")),
            tags=(),
            custom_fields={
                "CaseNumber": case.get("CaseNumber"),
                "Origin": case.get("Origin"),
                **{name: _field(case, name) for name in self.case_fields},
            },
            created_at=parse_datetime(case.get("CreatedDate")),
            updated_at=parse_datetime(case.get("LastModifiedDate")),
            # Salesforce keeps no reopen count; CaseHistory could give one, at the cost of a query.
            reopens=0,
            group=owner_id if owner_id.startswith(_QUEUE_KEY_PREFIX) else None,
            assignee=owner_id if owner_id.startswith(_USER_KEY_PREFIX) else None,
        )

    def _case_comment(self, comment: Mapping[str, Any], contact_id: str | None) -> Comment:
        return Comment(
            author=self._comment_role(comment, contact_id),
            body=comment.get("CommentBody") or "",
            public=bool(comment.get("IsPublished")),
            created_at=parse_datetime(comment.get("CreatedDate")),
        )

    def _comment_role(self, comment: Mapping[str, Any], contact_id: str | None) -> str:
        creator = comment.get("CreatedBy") or {}
        user_type = creator.get("UserType")
        if str(comment.get("CreatedById") or "")[:15] in self.bot_user_ids or user_type in SYSTEM_USER_TYPES:
            return "bot"
        if contact_id and str(creator.get("ContactId") or "")[:15] == contact_id[:15]:
            return "customer"
        if user_type and user_type != "Standard":
            return "customer"
        return "agent"

    def _organization(self, case: Mapping[str, Any]) -> Organization | None:
        account = case.get("Account")
        if not account and not case.get("AccountId"):
            return None
        account = account or {}
        values = {key: _field(account, name) for key, name in self.account_fields.items()}
        tier, arr_raw, renewal_raw = values.pop("tier"), values.pop("arr"), values.pop("renewal_date")
        extra = {"id": case.get("AccountId"), **values}
        # As for Zendesk: a malformed value stays visible in extra instead of failing the fetch.
        arr, renewal_date = number_or_none(arr_raw), date_or_none(renewal_raw)
        if arr is None and arr_raw not in (None, ""):
            extra[self.account_fields["arr"]] = arr_raw
        if renewal_date is None and renewal_raw not in (None, ""):
            extra[self.account_fields["renewal_date"]] = renewal_raw
        return Organization(
            name=account.get("Name"),
            tier=str(tier) if tier not in (None, "") else None,
            arr=arr,
            renewal_date=renewal_date,
            extra=extra,
        )


def plan_case_comment(case_id: str, body: str, *, version: str = DEFAULT_API_VERSION) -> PlannedRequest:
    """POST /services/data/v{version}/sobjects/CaseComment/ with IsPublished false (internal only)."""
    case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
    if not str(body or "").strip():
        raise ValueError("a Case comment needs a body")
    return PlannedRequest(
        "POST",
        f"/services/data/v{_api_version(version)}/sobjects/CaseComment/",
        json={"ParentId": case_id, "CommentBody": body, "IsPublished": False},
    )


def plan_update_case(
    case_id: str, fields: Mapping[str, Any], *, version: str = DEFAULT_API_VERSION
) -> PlannedRequest:
    """PATCH /services/data/v{version}/sobjects/Case/{id} with the fields to set."""
    case_id = salesforce_id(case_id, key_prefix=CASE_KEY_PREFIX, what="Case")
    if not fields:
        raise ValueError("a Case update needs at least one field")
    for name in fields:
        if not _FIELD_NAME.match(str(name)):
            raise ValueError(f"Salesforce field names are API names like Status or Jira_Key__c, got {str(name)[:60]!r}")
    return PlannedRequest(
        "PATCH", f"/services/data/v{_api_version(version)}/sobjects/Case/{case_id}", json=dict(fields)
    )


def salesforce_id(value: Any, *, key_prefix: str | None = None, what: str = "record") -> str:
    """Validate a 15- or 18-character Salesforce record Id (checksum and key prefix) and return it."""
    text = str(value or "").strip()
    if not _RECORD_ID.match(text):
        raise ValueError(
            f"Salesforce {what} id must be 15 or 18 letters and digits, got {text[:40]!r}"
        )
    if len(text) == 18 and text[15:].upper() != _checksum(text[:15]):
        raise ValueError(f"Salesforce {what} id {text!r} has a wrong checksum (last 3 characters)")
    if key_prefix and not text.startswith(key_prefix):
        raise ValueError(f"Salesforce {what} ids start with {key_prefix!r}, got {text!r}")
    return text


def _checksum(id15: str) -> str:
    # Each 5-character chunk gives one character: bit i is set when character i is upper case.
    out = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start:start + 5]) if "A" <= char <= "Z")
        out += _CHECKSUM_ALPHABET[bits]
    return out


def _soql(
    fields: tuple[str, ...],
    sobject: str,
    record_id: str,
    order_by: str | None,
    *,
    id_field: str = "ParentId",
) -> str:
    # record_id has passed salesforce_id() and field names _check_field_path(): nothing here can
    # close the quote or add a clause.
    query = f"SELECT {', '.join(fields)} FROM {sobject} WHERE {id_field} = '{record_id}'"
    return f"{query} ORDER BY {order_by} ASC" if order_by else query


def _check_field_path(name: str) -> None:
    if not _FIELD_PATH.match(str(name)):
        raise ValueError(f"Salesforce field names are API names like Tier__c, got {str(name)[:60]!r}")


def _field(record: Mapping[str, Any] | None, path: str) -> Any:
    """A field from a query record, following relationship paths like Owner.Name."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _email(email: Mapping[str, Any]) -> Comment:
    return Comment(
        author="customer" if email.get("Incoming") else "agent",
        body=email.get("TextBody") or html_to_text(email.get("HtmlBody")),
        public=True,
        created_at=parse_datetime(email.get("MessageDate") or email.get("CreatedDate")),
    )


def _requester(case: Mapping[str, Any]) -> Requester | None:
    contact = case.get("Contact") or {}
    name = contact.get("Name") or case.get("SuppliedName")
    email = contact.get("Email") or case.get("SuppliedEmail")
    if not (name or email or case.get("ContactId")):
        return None
    return Requester(name=name, email=email, extra={"id": case.get("ContactId")})


def _api_version(version: str) -> str:
    text = str(version).strip().removeprefix("v")
    if not re.match(r"^\d{2,3}\.\d$", text):
        raise ValueError(f"Salesforce API version looks like '62.0', got {text[:20]!r}")
    return text


def _login_domain(domain: str) -> str:
    text = str(domain).strip().lower().removeprefix("https://").removesuffix("/")
    text = text.removesuffix(".salesforce.com")
    if not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$", text):
        raise ValueError("Salesforce domain is 'login', 'test' or a My Domain such as 'acme.my'")
    return text


def _sdk_origin(instance_url: str) -> str:
    # simple-salesforce keeps only host[:port] of instance_url and always speaks https.
    parts = urlsplit(instance_url)
    port = f":{parts.port}" if parts.port not in (None, 443) else ""
    return f"https://{parts.hostname}{port}"


def _lower(value: Any) -> str | None:
    return str(value).lower() if value not in (None, "") else None
