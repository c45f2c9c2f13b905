"""Zendesk Support: tickets read through zenpy and normalised into our `Ticket`; the escalation's writes.

Each write is first a `PlannedRequest` from a `plan_*` function of `zendesk_plans.py` that needs no
credentials (a dry run records it); the `ZendeskClient` method that makes the write sends that plan
(`add_note`: plan_internal_note, `update_fields`: plan_ticket_update, `add_tags`: plan_add_tags).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from zenpy import Zenpy
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from sidecar.clients.base import DEFAULT_RATE_LIMIT_WAIT, DEFAULT_TIMEOUT, ApiSession, Timeout, require_keys
from sidecar.clients.errors import ApiError, ApiRateLimited, ApiUnauthorized, error_for_response, url_path
from sidecar.clients.masking import basic_auth_secret
from sidecar.clients.normalise import (
    date_or_none,
    html_to_text,
    in_time_order,
    number_or_none,
    without_repeated_description,
)
from sidecar.clients.plans import PlannedRequest
from sidecar.clients.zendesk_plans import (  # plan_* are imported from here too
    plan_add_tags,
    plan_internal_note,
    plan_ticket_update,
    ticket_number,
)
from sidecar.domain.connections import check_base_url
from sidecar.intelligence.ticket import (
    Comment,
    Organization,
    Requester,
    Ticket,
    parse_datetime,
)

log = logging.getLogger(__name__)

REQUIRED_CREDENTIALS = ("subdomain", "email", "api_token")
DEFAULT_ORGANIZATION_FIELDS: Mapping[str, str] = {
    "tier": "tier",
    "arr": "arr",
    "renewal_date": "renewal_date",
}
# Via channels of comments written by Zendesk's bots (Answer Bot / AI agents), from the via types
# reference: https://developer.zendesk.com/documentation/ticketing/reference-guides/via-types
DEFAULT_BOT_CHANNELS = frozenset({
    "answer_bot",
    "answer_bot_api",
    "answer_bot_for_agents",
    "answer_bot_for_sdk",
    "answer_bot_for_slack",
    "answer_bot_for_web_widget",
})
# Records the incremental ticket export side-loads with each page, so one request (of the 10 a
# minute the export allows) brings what mapping a ticket needs: requester and assignee names and
# roles, group names, organisations, reopen counts and solve times, and whether there is more
# conversation than the description.
EXPORT_SIDELOADS = ("users", "groups", "organizations", "metric_sets", "comment_count")
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
ME_PATH = "/api/v2/users/me.json"
COMMENTS_PAGE_SIZE = 100
_MAX_COMMENT_PAGES = 100  # 10,000 comments: a guard against pagination links that never end
_AGENT_ROLES = frozenset({"agent", "admin"})
_SHOW_MANY_LIMIT = 100  # ids per /users/show_many.json call
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class TicketExportPage:
    """One page of the incremental ticket export with the records it side-loads (all plain dicts)."""

    tickets: list[dict[str, Any]]
    after_cursor: str | None
    end_of_stream: bool
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    groups: dict[int, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[int, dict[str, Any]] = field(default_factory=dict)
    metric_sets: dict[int, dict[str, Any]] = field(default_factory=dict)  # by ticket id


class ZendeskClient:
    """Reads tickets from one Zendesk account.

    Credentials: ``{"subdomain", "email", "api_token"}`` and optionally ``"base_url"`` (default
    ``https://{subdomain}.zendesk.com``; set it for a proxy, data-residency host or a local fake).

    Comment authors are mapped to roles like this, first match wins:

    - ``bot``: the author's id is in ``bot_user_ids``, or the comment came in through one of
      ``bot_channels`` (its ``via.channel``; default: the Answer Bot / AI agent channels);
    - ``agent``: the author's Zendesk role is ``agent`` or ``admin``;
    - ``customer``: the author is an end user (the requester, CCs, other people from the customer);
    - an author Zendesk no longer returns (deleted user): ``customer`` if it is the requester,
      otherwise ``agent``, so an unknown voice never adds to the customer's words.

    Organisation fields: ``organization_fields`` maps our ``tier`` / ``arr`` / ``renewal_date`` to the
    account's organisation field keys (defaults: the same names). All other organisation fields, the
    organisation id and its tags go to ``Organization.extra``.
    """

    service = "Zendesk"
    timeout: Timeout = DEFAULT_TIMEOUT
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT

    def __init__(
        self,
        credentials: Mapping[str, Any],
        *,
        bot_user_ids: Iterable[str | int] = (),
        bot_channels: Iterable[str] = DEFAULT_BOT_CHANNELS,
        organization_fields: Mapping[str, str] | None = None,
        allow_private: bool = False,
    ) -> None:
        require_keys(credentials, REQUIRED_CREDENTIALS, service="Zendesk")
        subdomain = _subdomain(credentials["subdomain"])
        account_origin = f"https://{subdomain}.zendesk.com"
        self.subdomain = subdomain
        self.base_url = _zendesk_base_url(credentials.get("base_url") or account_origin)
        self.bot_user_ids = frozenset(str(user_id) for user_id in bot_user_ids)
        self.bot_channels = frozenset(bot_channels)
        self.organization_fields = {**DEFAULT_ORGANIZATION_FIELDS, **(organization_fields or {})}
        api_token = str(credentials["api_token"]).strip()
        email = str(credentials["email"]).strip()
        # The token, and the "email/token:token" string zenpy's Basic header carries (vendors echo headers).
        secrets = (api_token, basic_auth_secret(f"{email}/token", api_token))
        # zenpy always builds https://{subdomain}.{domain}/api/v2/... and only parses answers whose URL
        # contains that host, so it is given the base_url's own host, split at its first dot. The
        # session then re-points zenpy's URLs (and pagination links naming the account's own
        # zendesk.com host) at base_url, which adds http:// or a path prefix when one is configured,
        # and applies our timeout and 429 policy to everything zenpy sends.
        host = urlsplit(self.base_url).netloc
        zenpy_subdomain, zenpy_domain = host.split(".", 1)
        self._session = ApiSession(
            self.base_url,
            service=self.service,
            timeout=self.timeout,
            rate_limit_wait=self.rate_limit_wait,
            vendor_origins=[f"https://{host}", account_origin],
            secrets=secrets,
            allow_private=allow_private,
        )
        self._zenpy = Zenpy(
            subdomain=zenpy_subdomain,
            domain=zenpy_domain,
            email=email,
            token=api_token,
            session=self._session,
            timeout=self.timeout,
            # A long-lived client must not serve a ticket from zenpy's in-process cache.
            disable_cache=True,
        )
        self._secrets = secrets

    def __repr__(self) -> str:
        return f"<ZendeskClient {self.base_url}>"

    def fetch_ticket(self, ticket_id: str | int) -> Ticket:
        """Fetch a ticket with all its comments, requester, organisation and reopen count."""
        number = ticket_number(ticket_id)
        with self._translated_errors():
            ticket = _record(self._zenpy.tickets(id=number))
            comments = _records(self._zenpy.tickets.comments(ticket=number))
            users = self._users({ticket.get("requester_id")} | {c.get("author_id") for c in comments})
            organization = None
            if ticket.get("organization_id"):
                organization = _record(self._zenpy.organizations(id=ticket["organization_id"]))
            metric = _record(self._zenpy.tickets.metrics(ticket=number))
        return self._to_ticket(ticket, comments, users, organization, metric)

    def export_tickets(self, *, start_time: int | None = None, cursor: str | None = None) -> TicketExportPage:
        """One page of the cursor-based incremental ticket export, with its side-loaded records.

        Give `start_time` (Unix seconds, at least a minute ago) for the first page and `cursor` (the
        previous page's `after_cursor`) for the next ones; keep the last `after_cursor` to resume
        later. Deleted tickets come with status "deleted". Zendesk allows 10 export requests a
        minute (30 with the High Volume API add-on): pacing them is the caller's job.

        zenpy's cursor generator hides each page's `after_cursor` behind its iterator and keeps
        side-loaded records only in its cache (disabled here), so this one call goes through the
        session zenpy uses: the same auth, base URL, timeout and 429 policy.
        """
        if (start_time is None) == (cursor is None):
            raise ValueError("give either start_time (first page) or cursor (next pages)")
        params = {"include": ",".join(EXPORT_SIDELOADS)}
        if cursor is not None:
            params["cursor"] = str(cursor)
        else:
            params["start_time"] = str(int(start_time))  # type: ignore[arg-type]
        with self._translated_errors():
            response = self._session.get(self.base_url + EXPORT_PATH, params=params)
            if not response.ok:
                raise error_for_response(response, service=self.service, secrets=self._secrets)
            body = response.json()
        if not isinstance(body, Mapping) or not isinstance(body.get("tickets"), list):
            raise ApiError(f"Zendesk GET {EXPORT_PATH} did not answer with a ticket export; check base_url")

        def by_id(key: str, id_key: str = "id") -> dict[int, dict[str, Any]]:
            return {int(item[id_key]): item for item in body.get(key) or () if item.get(id_key) is not None}

        return TicketExportPage(
            tickets=list(body["tickets"]),
            after_cursor=body.get("after_cursor"),
            end_of_stream=bool(body.get("end_of_stream")),
            users=by_id("users"),
            groups=by_id("groups"),
            organizations=by_id("organizations"),
            metric_sets=by_id("metric_sets", "ticket_id"),
        )

    def ticket_comments(self, ticket_id: str | int) -> list[dict[str, Any]]:
        """Every comment of a ticket (all pages), as Zendesk's JSON."""
        number = ticket_number(ticket_id)
        with self._translated_errors():
            return _records(self._zenpy.tickets.comments(ticket=number))

    def users_by_id(self, user_ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
        """Users by id, fetched in batches of 100 (one show_many call each)."""
        with self._translated_errors():
            return self._users(user_ids)

    def group_names(self) -> dict[str, str]:
        """Every group's name by its id (deleted groups included, as old tickets may name them)."""
        with self._translated_errors():
            return {str(group["id"]): group.get("name") or str(group["id"]) for group in _records(self._zenpy.groups())}

    def ticket_from_export(
        self,
        ticket: Mapping[str, Any],
        *,
        page: TicketExportPage,
        comments: Sequence[Mapping[str, Any]] | None = None,
        users: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> Ticket:
        """A Ticket from an export page's ticket, its side-loads and (optionally) its comments.

        `users` adds to the page's side-loaded users (e.g. comment authors fetched separately).
        Without comments the conversation is empty: the description is the opening message.
        """
        known_users = {**page.users, **(users or {})}
        organization = page.organizations.get(int(ticket["organization_id"])) if ticket.get("organization_id") else None
        metric = page.metric_sets.get(int(ticket["id"]))
        return self._to_ticket(ticket, list(comments or ()), known_users, organization, metric)

    def current_user(self) -> dict[str, Any]:
        """The user these credentials act as (GET /api/v2/users/me.json): a connection check.

        That endpoint also serves anonymous Help Center visitors: with a missing or refused email or
        password it answers 200 with an "Anonymous user" whose id is null, rather than 401. That
        answer is reported as ApiUnauthorized.
        """
        with self._translated_errors():
            user = _record(self._zenpy.users.me())
        if user.get("id") is None:
            raise ApiUnauthorized(
                f"Zendesk GET {ME_PATH} answered as an anonymous user: the email and API token were "
                "not accepted (check both, and that token access is enabled in the Admin Center)",
                None,
                code="AnonymousUser",
            )
        return user

    def add_note(
        self,
        ticket_id: str | int,
        *,
        body: str,
        fields: Mapping[int | str, Any] | None = None,
        tags: Iterable[str] | None = (),
    ) -> dict[str, Any]:
        """Add a private comment (and set custom fields, add tags) in one ticket update; Zendesk's {"ticket", "audit"}.

        Sent through the session zenpy uses (same auth, base URL, timeout and 429 policy), not through
        zenpy: zenpy's ticket update adds the ticket id to the body, so it would not send the planned
        JSON (and its usual form, fetch then update, costs an extra call).
        """
        answer = self._send(plan_internal_note(ticket_id, body=body, custom_fields=fields, tags=tags))
        if not isinstance(answer, Mapping) or not isinstance(answer.get("ticket"), Mapping):
            raise ApiError("Zendesk ticket update did not answer with the ticket; check base_url")
        return dict(answer)

    def update_fields(
        self,
        ticket_id: str | int,
        *,
        fields: Mapping[int | str, Any] | None = None,
        tags: Iterable[str] | None = (),
    ) -> dict[str, Any]:
        """Set custom fields and add tags without a comment (one ticket update); Zendesk's {"ticket", "audit"}."""
        answer = self._send(plan_ticket_update(ticket_id, custom_fields=fields, tags=tags))
        if not isinstance(answer, Mapping) or not isinstance(answer.get("ticket"), Mapping):
            raise ApiError("Zendesk ticket update did not answer with the ticket; check base_url")
        return dict(answer)

    def add_tags(self, ticket_id: str | int, tags: Iterable[str]) -> list[str]:
        """Add tags to a ticket, keeping its other tags, and return all of its tags.

        Sent through zenpy (tickets.add_tags), which PUTs exactly the planned {"tags": [...]}.
        """
        plan = plan_add_tags(ticket_id, tags)
        with self._translated_errors():
            answer = self._zenpy.tickets.add_tags(ticket_number(ticket_id), list(plan.json["tags"]))
            return [str(tag) for tag in _records_or_values(answer)]

    def find_note(self, ticket_id: str | int, marker: str) -> dict[str, Any] | None:
        """The first comment (oldest first) whose body, plain_body or html_body contains `marker`, or None.

        Reads the ticket's comments page by page and stops at the first match. Next pages are
        followed by their cursor (links.next) or offset (next_page) link, only on the configured
        Zendesk host.
        """
        if not marker:
            raise ValueError("a marker to look for is required")
        path = f"/api/v2/tickets/{ticket_number(ticket_id)}/comments.json"
        url: str | None = self.base_url + path
        params: dict[str, str] | None = {"page[size]": str(COMMENTS_PAGE_SIZE)}
        seen: set[str] = set()
        with self._translated_errors():
            for _ in range(_MAX_COMMENT_PAGES):
                if url is None or url in seen:
                    return None
                seen.add(url)
                page = self._get_json(url, params=params)
                comments = page.get("comments") if isinstance(page, Mapping) else None
                if not isinstance(comments, list):
                    raise ApiError(f"Zendesk GET {path} did not answer with comments; check base_url")
                comment: dict[str, Any]  # a Zendesk comment object
                for comment in comments:
                    if any(marker in str(comment.get(key) or "") for key in ("body", "plain_body", "html_body")):
                        return comment
                url, params = self._next_page(page), None
        raise ApiError(f"Zendesk GET {path} kept paging past {_MAX_COMMENT_PAGES} pages; stopped")

    def agent_url(self, ticket_id: str | int) -> str:
        """The ticket's page in the agent workspace (on the account's own host, not base_url)."""
        return f"https://{self.subdomain}.zendesk.com/agent/tickets/{ticket_number(ticket_id)}"

    def _users(self, user_ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
        """Users by id, fetched in batches through show_many (one call per 100 users, not per comment)."""
        ids = sorted({int(user_id) for user_id in user_ids if user_id is not None and int(user_id) > 0})
        users: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), _SHOW_MANY_LIMIT):
            for user in _records(self._zenpy.users(ids=ids[start:start + _SHOW_MANY_LIMIT])):
                users[int(user["id"])] = user
        return users

    def _send(self, plan: PlannedRequest) -> Any:
        """Send a planned request through zenpy's session and return its decoded JSON."""
        with self._translated_errors():
            response = self._session.request(
                plan.method, self.base_url + plan.path, params=plan.params, json=plan.json
            )
            if not response.ok:
                raise error_for_response(response, service=self.service, secrets=self._secrets)
            return response.json() if response.content else None

    def _get_json(self, url: str, *, params: Mapping[str, str] | None) -> Any:
        response = self._session.get(url, params=params)
        if not response.ok:
            raise error_for_response(response, service=self.service, secrets=self._secrets)
        return response.json()

    def _next_page(self, page: Mapping[str, Any]) -> str | None:
        """The next page's URL on the configured host, or None on the last page."""
        links = page["links"] if isinstance(page.get("links"), Mapping) else {}
        meta = page["meta"] if isinstance(page.get("meta"), Mapping) else {}
        if "has_more" in meta:  # cursor pagination
            link = links.get("next") if meta.get("has_more") else None
        else:  # offset pagination
            link = page.get("next_page")
        if not link:
            return None
        url = self._session.resolve(str(link))
        # Our credentials only ever go to the configured Zendesk host.
        if not url.startswith(self.base_url + "/"):
            raise ApiError(f"Zendesk pagination pointed at another host ({url_path(url)}); stopped")
        return url

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Translate zenpy's and requests' exceptions into the ApiError family, in one place."""
        try:
            yield
        except ApiError:
            raise  # already ours: timeouts, connection errors and 429s from the session
        except APIException as exc:  # includes RecordNotFoundException; carries the response
            if exc.response is None:
                raise ApiError("Zendesk rejected the request") from exc
            raise error_for_response(exc.response, service=self.service, secrets=self._secrets) from exc
        except requests.HTTPError as exc:  # zenpy's raise_for_status() on a non-JSON error body
            raise error_for_response(exc.response, service=self.service, secrets=self._secrets) from exc
        except requests.JSONDecodeError as exc:  # a pagination page that is not JSON
            raise ApiError("Zendesk answered with something that is not JSON; check base_url") from exc
        except RatelimitBudgetExceeded as exc:
            raise ApiRateLimited("Zendesk rate limit: zenpy's waiting budget is spent") from exc
        except ZenpyException as exc:
            raise ApiError(
                f"Zendesk returned a response zenpy could not read ({type(exc).__name__})"
            ) from exc

    def _to_ticket(
        self,
        ticket: Mapping[str, Any],
        comments: Sequence[Mapping[str, Any]],
        users: Mapping[int, Mapping[str, Any]],
        organization: Mapping[str, Any] | None,
        metric: Mapping[str, Any] | None,
    ) -> Ticket:
        requester_id = ticket.get("requester_id")
        conversation = in_time_order(
            Comment(
                author=self._author_role(comment, users=users, requester_id=requester_id),
                body=comment.get("body") or html_to_text(comment.get("html_body")),
                public=bool(comment.get("public", True)),
                created_at=parse_datetime(comment.get("created_at")),
            )
            for comment in comments
        )
        description = ticket.get("description") or ""
        return Ticket(
            id=str(ticket["id"]),
            source="zendesk",
            subject=ticket.get("subject") or ticket.get("raw_subject") or "",
            description=description,
            comments=without_repeated_description(description, conversation),
            requester=_requester(users.get(int(requester_id)) if requester_id else None),
            organization=self._organization(organization),
            priority=ticket.get("priority"),
            status=ticket.get("status"),
            tags=tuple(ticket.get("tags") or ()),
            custom_fields={
                str(field["id"]): field.get("value")
                for field in ticket.get("custom_fields") or ()
                if field.get("id") is not None
            },
            created_at=parse_datetime(ticket.get("created_at")),
            updated_at=parse_datetime(ticket.get("updated_at")),
            reopens=int((metric or {}).get("reopens") or 0),
            group=_id_or_none(ticket.get("group_id")),
            assignee=_id_or_none(ticket.get("assignee_id")),
        )

    def _author_role(
        self,
        comment: Mapping[str, Any],
        *,
        users: Mapping[int, Mapping[str, Any]],
        requester_id: Any,
    ) -> str:
        """customer, agent or bot for one comment (rules in the class docstring)."""
        author_id = comment.get("author_id")
        via = comment.get("via") or {}
        channel = via.get("channel") if isinstance(via, Mapping) else None
        if str(author_id) in self.bot_user_ids or channel in self.bot_channels:
            return "bot"
        user = users.get(int(author_id)) if author_id is not None else None
        if user is None:
            return "customer" if author_id is not None and author_id == requester_id else "agent"
        return "agent" if user.get("role") in _AGENT_ROLES else "customer"

    def _organization(self, organization: Mapping[str, Any] | None) -> Organization | None:
        if not organization:
            return None
        fields = dict(organization.get("organization_fields") or {})
        keys = self.organization_fields
        tier = fields.pop(keys["tier"], None)
        arr_raw = fields.pop(keys["arr"], None)
        renewal_raw = fields.pop(keys["renewal_date"], None)
        extra: dict[str, Any] = {"id": _id_or_none(organization.get("id"))}
        if organization.get("tags"):
            extra["tags"] = list(organization["tags"])
        extra.update(fields)
        # An admin's typo in one organisation field must not make the whole ticket unreadable:
        # keep the raw value where a person can see it, and leave the typed attribute empty.
        arr = number_or_none(arr_raw)
        if arr is None and arr_raw not in (None, ""):
            log.warning("Zendesk organisation %s: field %r is not a number", extra["id"], keys["arr"])
            extra[keys["arr"]] = arr_raw
        renewal_date = date_or_none(renewal_raw)
        if renewal_date is None and renewal_raw not in (None, ""):
            log.warning("Zendesk organisation %s: field %r is not a date", extra["id"], keys["renewal_date"])
            extra[keys["renewal_date"]] = renewal_raw
        return Organization(
            name=organization.get("name"),
            tier=str(tier) if tier not in (None, "") else None,
            arr=arr,
            renewal_date=renewal_date,
            extra=extra,
        )


def _records_or_values(results: Any) -> list[Any]:
    """Items of a zenpy result generator that may hold plain values (tags) rather than objects."""
    if isinstance(results, requests.Response):
        _record(results)  # raises: zenpy could not read the answer
    return list(results)


def _subdomain(value: Any) -> str:
    subdomain = str(value).strip().lower()
    subdomain = re.sub(r"^https?://", "", subdomain)
    subdomain = subdomain.removesuffix("/").removesuffix(".zendesk.com")
    if not _SUBDOMAIN.match(subdomain):
        raise ValueError("Zendesk subdomain must be the account name, e.g. 'acme' for acme.zendesk.com")
    return subdomain


def _record(result: Any) -> dict[str, Any]:
    """A zenpy object as a plain dict; zenpy returns the raw response when it could not parse it."""
    if isinstance(result, requests.Response):
        raise ApiError(
            f"Zendesk {result.request.method} {url_path(result.url)} did not answer with Zendesk JSON; "
            "check base_url",
            result.status_code,
        )
    record: dict[str, Any] = result.to_dict()
    return record


def _records(results: Any) -> list[dict[str, Any]]:
    """Every object of a zenpy result generator (all pages) as plain dicts."""
    # A raw response (zenpy could not parse the page) is reported by _record.
    items = [results] if isinstance(results, requests.Response) else results
    return [_record(item) for item in items]


def _zendesk_base_url(value: Any) -> str:
    url = check_base_url(value, what="Zendesk base_url")
    parts = urlsplit(url)
    if "." not in parts.netloc:
        # zenpy needs a host of the form subdomain.domain (see ZendeskClient.__init__).
        raise ValueError(
            "Zendesk base_url needs a dotted host name or an IP address, e.g. 127.0.0.1 for localhost"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"


def _requester(user: Mapping[str, Any] | None) -> Requester | None:
    if not user:
        return None
    extra = {key: user.get(key) for key in ("role", "locale", "time_zone") if user.get(key)}
    extra["id"] = _id_or_none(user.get("id"))
    if user.get("tags"):
        extra["tags"] = list(user["tags"])
    return Requester(name=user.get("name"), email=user.get("email"), extra=extra)


def _id_or_none(value: Any) -> str | None:
    return None if value is None else str(value)

