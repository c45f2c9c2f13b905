"""What an expert needs to pick up an escalated ticket without reading the whole conversation.

`build_escalation_context` gathers it once from the normalised Ticket, the assessment, the route and
the similar incidents; the Jira issue, the ticket note and the Slack message are all rendered from the
one `EscalationContext` (templates in templates/, rendering in sidecar/rendering/).

Extraction is deliberately plain and general: sentence splitting, list-line and quoted-text shapes,
HTTP status and exception shapes, id shapes, and small English cue lists for "what was done". It never
invents text: every line it produces is the customer's, the agent's or the bot's own words, condensed.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.routing_rules import ticket_language
from sidecar.intelligence.signals.looping import MIN_WORDS, REPLY_SIMILARITY
from sidecar.intelligence.ticket import Comment, Ticket

TITLE_MAX = 120
PROBLEM_MAX_CHARS = 400
PROBLEM_MAX_SENTENCES = 3
TIMELINE_TEXT_MAX = 160
TIMELINE_MAX_ENTRIES = 30  # the first few and the most recent; the middle is counted, not shown
TIMELINE_HEAD = 5
STEP_MAX = 200
MAX_STEPS = 10
ERROR_MAX = 200
MAX_ERRORS = 8
MAX_IDENTIFIERS = 12
TRIED_MAX = 240
MAX_REASONS = 6
MAX_SIMILAR = 5

SOURCE_LABELS = {"zendesk": "Zendesk", "salesforce": "Salesforce"}
CATEGORY_LABELS = {
    "billing_refund": "Billing / refund",
    "bug_incident": "Bug / incident",
    "compliance_security": "Compliance / security",
    "cross_team": "Cross-team",
    "high_value_customer": "High-value customer",
    "human_requested": "Asks for a human",
}
PRIORITIES = ("Highest", "High", "Medium", "Low")
# Score lower bounds for each Jira priority (the defaults match the scorer's medium/high/critical levels),
# and how many steps up an account tier moves the priority (matched case-insensitively, whole value).
DEFAULT_PRIORITY_MAPPING: dict[str, Any] = {
    "Highest": 0.85,
    "High": 0.6,
    "Medium": 0.35,
    "tier_bumps": {"enterprise": 1, "strategic": 1, "platinum": 1, "vip": 1},
}


# --- the context -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Customer:
    """The person who opened the ticket."""

    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Account:
    """The customer's company and what it is worth."""

    name: str | None = None
    tier: str | None = None
    arr: float | None = None
    renewal_date: date | None = None
    days_to_renewal: int | None = None


@dataclass(frozen=True)
class Identifier:
    """An id found in the conversation, and what it identifies when the text says (kind None otherwise)."""

    value: str
    kind: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One message of the conversation, condensed; near-identical repeats are folded into it."""

    at: datetime | None
    author: str  # customer | agent | bot | system (the "N messages not shown" marker)
    public: bool
    text: str
    repeats: int = 1
    last_at: datetime | None = None


@dataclass(frozen=True)
class TriedItem:
    """Something the agent or bot already did or suggested."""

    by: str  # agent | bot | agent note
    text: str
    at: datetime | None = None
    public: bool = True
    repeats: int = 1


@dataclass(frozen=True)
class Category:
    """A category the ticket falls in."""

    name: str
    label: str
    confidence: float


@dataclass(frozen=True)
class Reason:
    """One signal behind the score, with its evidence."""

    signal: str
    label: str
    evidence: str
    contribution: float
    category: str | None = None


@dataclass(frozen=True)
class Team:
    """The team the escalation goes to."""

    id: str | None
    name: str
    slack_channel: str | None = None
    jira_project: str | None = None
    jira_component: str | None = None


@dataclass(frozen=True)
class Expert:
    """The named expert the escalation goes to."""

    id: str | None
    name: str
    email: str | None = None
    slack_user_id: str | None = None
    jira_account_id: str | None = None
    available_now: bool | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimilarIncident:
    """A past ticket or Jira issue like this one."""

    source: str | None
    id: str
    kind: str | None
    title: str
    status: str | None = None
    resolution: str | None = None
    url: str | None = None
    solved_by: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class EscalatedBy:
    """The agent who escalated, as the help desk app reported them (verified only when Zendesk signed it)."""

    id: str | None
    name: str | None
    email: str | None
    verified: bool = False

    @property
    def display(self) -> str:
        """'Dana Lee (dana@acme.example)', or whichever of name, email and id is known."""
        label = self.name or self.email or (f"agent {self.id}" if self.id else "unknown agent")
        return f"{label} ({self.email})" if self.name and self.email else label

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any] | None) -> EscalatedBy | None:
        """From the stored form ({"id", "name", "email", "verified"}); None when nobody is named."""
        if not value or not any(value.get(key) for key in ("id", "name", "email")):
            return None
        return cls(id=value.get("id"), name=value.get("name"), email=value.get("email"),
                   verified=bool(value.get("verified")))


@dataclass(frozen=True)
class EscalationContext:
    """Everything the Jira issue, the ticket note and the Slack message say about one escalation."""

    escalation_id: str
    ticket_source: str
    ticket_id: str
    ticket_url: str | None
    title: str
    customer: Customer
    account: Account
    problem: str
    steps: tuple[str, ...]
    error_messages: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    timeline: tuple[TimelineEntry, ...]
    agent_tried: tuple[TriedItem, ...]
    agent_note: str | None
    score: float
    level: str
    categories: tuple[Category, ...]
    reasons: tuple[Reason, ...]
    team: Team | None
    expert: Expert | None
    route_reasons: tuple[str, ...]
    assigned_by_agent: bool
    similar: tuple[SimilarIncident, ...]
    labels: tuple[str, ...]
    priority: str
    language: str | None = None  # the customer's language when it is not English ("de"), else None
    escalated_by: EscalatedBy | None = None  # the agent who pressed Escalate

    @property
    def ticket_label(self) -> str:
        """'Zendesk #48213' / 'Salesforce case 500...' as people say it."""
        if self.ticket_source == "salesforce":
            return f"Salesforce case {self.ticket_id}"
        return f"{SOURCE_LABELS.get(self.ticket_source, self.ticket_source.title())} #{self.ticket_id}"

    def redacted(self, redactor: Redactor) -> EscalationContext:
        """A copy with every free-text field passed through the redactor (names are kept)."""
        r = redactor.redact
        return dataclasses.replace(
            self,
            title=r(self.title),
            customer=dataclasses.replace(self.customer, email=r(self.customer.email) if self.customer.email else None),
            problem=r(self.problem),
            steps=tuple(r(s) for s in self.steps),
            error_messages=tuple(r(e) for e in self.error_messages),
            identifiers=tuple(dataclasses.replace(i, value=r(i.value)) for i in self.identifiers),
            timeline=tuple(dataclasses.replace(t, text=r(t.text)) for t in self.timeline),
            agent_tried=tuple(dataclasses.replace(t, text=r(t.text)) for t in self.agent_tried),
            agent_note=r(self.agent_note) if self.agent_note else self.agent_note,
            reasons=tuple(dataclasses.replace(x, evidence=r(x.evidence)) for x in self.reasons),
            similar=tuple(dataclasses.replace(s, title=r(s.title)) for s in self.similar),
            route_reasons=tuple(r(x) for x in self.route_reasons),
        )

    def as_template_data(self) -> dict[str, Any]:
        """Plain dicts, lists and strings for templates; dates as ISO strings plus ready-made display forms."""
        # Built once per context (a worker renders the same context for several writes); a shallow copy
        # each time, as callers add their own keys.
        return dict(self._template_data)

    @functools.cached_property
    def _template_data(self) -> dict[str, Any]:
        account = self.account
        return {
            "escalation_id": self.escalation_id,
            "ticket_source": self.ticket_source,
            "ticket_id": self.ticket_id,
            "ticket_url": self.ticket_url,
            "ticket_label": self.ticket_label,
            "title": self.title,
            "customer": {"name": self.customer.name, "email": self.customer.email},
            "account": {
                "name": account.name,
                "tier": account.tier,
                "arr": account.arr,
                "arr_display": format_amount(account.arr),
                "renewal_date": _iso(account.renewal_date),
                "days_to_renewal": account.days_to_renewal,
                "renewal_display": _renewal_display(account),
            },
            "problem": self.problem,
            "steps": list(self.steps),
            "error_messages": list(self.error_messages),
            "identifiers": [
                {"value": i.value, "kind": i.kind, "label": f"{i.kind} {i.value}" if i.kind else i.value}
                for i in self.identifiers
            ],
            "timeline": [
                {
                    "at": _iso(t.at), "when": format_when(t.at), "author": t.author, "public": t.public,
                    "text": t.text, "repeats": t.repeats, "last_at": _iso(t.last_at),
                    "last_when": format_when(t.last_at),
                }
                for t in self.timeline
            ],
            "agent_tried": [
                {"by": t.by, "text": t.text, "at": _iso(t.at), "when": format_when(t.at), "public": t.public,
                 "repeats": t.repeats}
                for t in self.agent_tried
            ],
            "agent_note": self.agent_note,
            "score": self.score,
            "score_display": f"{self.score:.2f}",
            "level": self.level,
            "categories": [dataclasses.asdict(c) for c in self.categories],
            "reasons": [dataclasses.asdict(x) for x in self.reasons],
            "team": dataclasses.asdict(self.team) if self.team else None,
            "expert": (
                {**dataclasses.asdict(self.expert), "reasons": list(self.expert.reasons)} if self.expert else None
            ),
            "route_reasons": list(self.route_reasons),
            "assigned_by_agent": self.assigned_by_agent,
            "similar": [dataclasses.asdict(s) for s in self.similar],
            "labels": list(self.labels),
            "priority": self.priority,
            "language": self.language,
            "language_name": LANGUAGE_NAMES.get(self.language or "", self.language),
            "escalated_by": ({**dataclasses.asdict(self.escalated_by), "display": self.escalated_by.display}
                             if self.escalated_by else None),
        }


# --- building it -------------------------------------------------------------------------------------

def build_escalation_context(
    *,
    ticket: Ticket,
    assessment: Mapping[str, Any],
    route: Mapping[str, Any] | None,
    similar: Sequence[Mapping[str, Any]],
    agent_note: str | None,
    ticket_url: str | None,
    escalation_id: str,
    requested_expert: Mapping[str, Any] | None = None,
    requested_team: Mapping[str, Any] | None = None,
    priority_mapping: Mapping[str, Any] | None = None,
    escalated_by: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> EscalationContext:
    """Gather the escalation's context from the ticket, its assessment, route and similar incidents.

    The agent's choice of expert or team (`requested_expert` / `requested_team`) wins over the route.
    `now` (default: the current time) only sets how many days remain to the renewal.
    """
    now = now or datetime.now(UTC)
    # The agent's note is kept as written (only line endings and outer blank space normalised).
    note = "\n".join(line.rstrip() for line in (agent_note or "").replace("\r\n", "\n").split("\n")).strip() or None
    customer_texts = _customer_texts(ticket)
    # Text a person on our side wrote: internal or public agent comments and the agent's note. Bots are
    # left out of steps/errors/ids: a bot's canned instructions are not the customer's reproduction.
    agent_texts = [_clean_block(c.body) for c in ticket.comments if c.author == "agent" and c.body]
    if note:
        agent_texts.append(note)
    internal_agent_texts = [
        _clean_block(c.body) for c in ticket.comments if c.author == "agent" and not c.public and c.body
    ]

    organization = ticket.organization
    tier = organization.tier if organization else None
    score = float(assessment.get("score") or 0.0)
    team, expert, route_reasons, by_agent = _assignment(route, requested_team, requested_expert)
    categories = _categories(assessment.get("categories") or ())

    return EscalationContext(
        escalation_id=str(escalation_id),
        ticket_source=ticket.source,
        ticket_id=ticket.id,
        ticket_url=ticket_url or None,
        title=summary_title(ticket),
        customer=Customer(
            name=ticket.requester.name if ticket.requester else None,
            email=ticket.requester.email if ticket.requester else None,
        ),
        account=_account(ticket, now),
        problem=problem_statement(ticket),
        steps=extract_steps([*customer_texts, *internal_agent_texts, *([note] if note else [])],
                            sentence_sources=customer_texts),
        error_messages=extract_errors([_clean_block(ticket.subject), *customer_texts, *agent_texts]),
        identifiers=extract_identifiers([_clean_block(ticket.subject), *customer_texts, *agent_texts]),
        timeline=build_timeline(ticket),
        agent_tried=what_was_tried(ticket.comments, note),
        agent_note=note,
        score=score,
        level=str(assessment.get("level") or "low"),
        categories=categories,
        reasons=_reasons(assessment.get("signals") or ()),
        team=team,
        expert=expert,
        route_reasons=route_reasons,
        assigned_by_agent=by_agent,
        similar=_similar(similar),
        labels=escalation_labels(ticket, [c.name for c in categories]),
        priority=jira_priority(score, tier, priority_mapping),
        language=_customer_language(ticket),
        escalated_by=EscalatedBy.from_mapping(escalated_by),
    )


# Names of the languages a customer's text is recognised in (and common locales), for notes and issues.
LANGUAGE_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
                  "nl": "Dutch", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "sv": "Swedish",
                  "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish"}


def _customer_language(ticket: Ticket) -> str | None:
    language = ticket_language(ticket)
    return language if language and language != "en" else None


def jira_priority(score: float, tier: str | None, mapping: Mapping[str, Any] | None = None) -> str:
    """The Jira priority name (Highest/High/Medium/Low) for a score and the account's tier.

    Default mapping (DEFAULT_PRIORITY_MAPPING): score >= 0.85 (the scorer's "critical") -> Highest,
    >= 0.6 ("high") -> High, >= 0.35 ("medium") -> Medium, otherwise Low; then an enterprise, strategic,
    platinum or VIP account moves it one step up, so critical, or high on an enterprise account, is
    Highest. An installation may override any threshold and the tier bumps, e.g.
    ``{"Highest": 0.9, "High": 0.7, "tier_bumps": {"enterprise": 1, "business": 1}}``.
    ValueError when the mapping is malformed.
    """
    merged = {**DEFAULT_PRIORITY_MAPPING, **dict(mapping or {})}
    unknown = sorted(set(merged) - set(DEFAULT_PRIORITY_MAPPING) - {"Low"})
    if unknown:
        raise ValueError(f"unknown priority mapping key(s): {', '.join(unknown)} (use Highest, High, Medium, "
                         f"tier_bumps)")
    try:
        bounds = [float(merged[name]) for name in PRIORITIES[:3]]
    except (TypeError, ValueError):
        raise ValueError("priority mapping thresholds must be numbers between 0 and 1") from None
    if not all(0.0 <= b <= 1.0 for b in bounds) or not bounds[0] >= bounds[1] >= bounds[2]:
        raise ValueError("priority mapping thresholds must satisfy 1 >= Highest >= High >= Medium >= 0")
    bumps = merged.get("tier_bumps") or {}
    if not isinstance(bumps, Mapping):
        raise ValueError(  # noqa: TRY004 - settings errors are ValueErrors (a 400 naming the key)
            "priority mapping tier_bumps must map tier names to whole numbers of steps")
    rank = next((i for i, bound in enumerate(bounds) if score >= bound), 3)
    bump = 0
    if tier:
        for name, steps in bumps.items():
            if str(name).strip().lower() == tier.strip().lower():
                if not isinstance(steps, int) or isinstance(steps, bool):
                    raise ValueError(f"priority mapping tier_bumps.{name} must be a whole number of steps")
                bump = steps
    return PRIORITIES[min(3, max(0, rank - bump))]


def escalation_labels(ticket: Ticket, category_names: Iterable[str]) -> tuple[str, ...]:
    """Jira labels: where it came from, the ticket, and the categories (no spaces, as Jira requires)."""
    labels = [f"escalated-from-{ticket.source}", f"{ticket.source}-{ticket.id}", *category_names]
    out: list[str] = []
    for label in labels:
        clean = re.sub(r"\s+", "-", str(label).strip().lower())[:255]
        if clean and clean not in out:
            out.append(clean)
    return tuple(out)


def format_amount(value: float | None) -> str | None:
    """57600.0 -> '57,600'; no currency symbol, since installations bill in their own currency."""
    if value is None:
        return None
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.2f}"


def format_when(value: datetime | None) -> str | None:
    """'2026-11-20 09:12 UTC' for a timestamp (converted to UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- text helpers ------------------------------------------------------------------------------------

_QUOTED_REPLY = re.compile(
    r"^(?:on\s.{3,120}\swrote:|-{2,}\s*original message\s*-{2,}|from:\s.+@.+|sent from my \w+.*)$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:--|__)\s*$")
_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|thx|cheers|regards|best|best regards|kind regards|warm regards|many thanks|"
    r"sincerely|thanks again|thanks in advance|all the best)[\s,.!]*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening))(?:\s+[\w'.-]+){0,3}\s*"
    r"(?:[,!:]+|\.(?=\s|$)|$)\s*",
    re.IGNORECASE,
)
_PLEASANTRY_START = re.compile(
    r"^(?:(?:many\s+)?thanks(?:\s+(?:so\s+much|a\s+lot))?|thank\s+you(?:\s+so\s+much)?|sorry|apologies|"
    r"great|ok(?:ay)?|sure|understood|got\s+it|no\s+problem|happy\s+to\s+help)"
    r"(?:\s+(?:for|about)\s+[^,.!?]{1,80}|\s+[\w'-]+)?\s*[,!.\u2014-]+\s*",
    re.IGNORECASE,
)
_PLEASANTRY_ONLY = re.compile(
    r"^(?:(?:many\s+)?thanks|thank\s+you|sorry|apologies|we\s+apologi[sz]e|i\s+apologi[sz]e|i\s+understand|"
    r"we\s+understand|hope|i\s+hope|have\s+a|let\s+(?:me|us)\s+know|feel\s+free|happy\s+to\s+help|"
    r"glad\s+to\s+help|welcome)\b",
    re.IGNORECASE,
)
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "vs", "approx", "no", "nr", "mr", "mrs", "ms", "dr", "st", "inc", "ltd", "co", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "ref", "dept",
    "est", "min", "max",
})
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d)]?\s+(?=[\"'\u201c(\[]?[A-Z0-9])")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters at a word boundary, ending with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def _clean_block(text: str | None) -> str:
    """A message without quoted earlier mail, signature or trailing sign-off; lines kept."""
    if not text:
        return ""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTED_REPLY.match(stripped) or _SIGNATURE.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        lines.append(line.rstrip())
    # A sign-off line ends the message; what follows it is the writer's name.
    for index, line in enumerate(lines):
        if index > 0 and _SIGN_OFF.match(line.strip()):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def sentences(text: str) -> list[str]:
    """Split text into sentences (line breaks always end one); abbreviations like 'e.g.' do not."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _collapse(line)
        if not line:
            continue
        pieces = _SENTENCE_BREAK.split(line)
        merged: list[str] = []
        for piece in pieces:
            if merged:
                last_word = merged[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
                if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                    merged[-1] = f"{merged[-1]} {piece}"
                    continue
            merged.append(piece)
        out.extend(p.strip() for p in merged if p.strip())
    return out


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _strip_pleasantries(sentence: str) -> str:
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _PLEASANTRY_START.sub("", sentence, count=1).strip()
    return _capitalise(sentence)


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _customer_texts(ticket: Ticket) -> list[str]:
    """The description and customer comments, cleaned, without the description's copy as comment 1."""
    texts: list[str] = []
    seen: set[str] = set()
    for text in [ticket.description, *(c.body for c in ticket.comments if c.author == "customer")]:
        cleaned = _clean_block(text)
        key = _normalised(cleaned)
        if cleaned and key not in seen:
            seen.add(key)
            texts.append(cleaned)
    return texts


# --- title and problem -------------------------------------------------------------------------------

_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|wg|tr)\s*:|\[[^\]]{1,20}\]|\((?:external|ext)\)|"
    r"(?:urgent|important|asap|help|critical|high\s+priority|attention|action\s+required|p[0-4])\s*[:!\-\u2014]+)\s*",
    re.IGNORECASE,
)


def summary_title(ticket: Ticket) -> str:
    """A clear one-line Jira summary: the subject cleaned (or the problem's first sentence) and the account."""
    subject = _collapse(ticket.subject or "")
    previous = None
    while previous != subject:
        previous = subject
        subject = _SUBJECT_PREFIX.sub("", subject, count=1)
    subject = re.sub(r"([!?.])\1+", r"\1", subject).strip(" -:!\u2014")
    if not subject:
        first = sentences(problem_statement(ticket))
        subject = first[0].rstrip(".") if first else f"Ticket {ticket.id}"
    if _is_shouting(subject):
        subject = _sentence_case(subject, reference=" ".join(_customer_texts(ticket)))
    account = ticket.organization.name if ticket.organization and ticket.organization.name else None
    if account and account.lower() not in subject.lower():
        prefix = f"{account}: "
        return prefix + truncate(_capitalise(subject), max(20, TITLE_MAX - len(prefix)))
    return truncate(_capitalise(subject), TITLE_MAX)


def _is_shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters) and len(text.split()) >= 3


def _sentence_case(text: str, *, reference: str) -> str:
    # Words the customer also writes in capitals elsewhere (API, GDPR, SSO) stay as they are.
    acronyms = set(re.findall(r"\b[A-Z][A-Z0-9]{1,}\b", reference))
    words = []
    for index, word in enumerate(text.split()):
        core = re.sub(r"\W", "", word)
        if core in acronyms or any(ch.isdigit() for ch in core):
            words.append(word)
        else:
            words.append(word.lower() if index else word[:1] + word[1:].lower())
    return " ".join(words)


def problem_statement(ticket: Ticket) -> str:
    """The customer's opening message condensed: at most 3 sentences and 400 characters."""
    opening = ticket.description
    if not opening.strip():
        opening = next((c.body for c in ticket.comments if c.author == "customer" and c.body.strip()), "")
    if not opening.strip():
        opening = ticket.subject
    # Reproduction steps have their own section: list lines and their "Steps to reproduce:" line stay out.
    lines = [line for line in _clean_block(opening).split("\n")
             if not _LIST_LINE.match(line) and not (line.rstrip().endswith(":") and _STEPS_HEADER.search(line))]
    kept: list[str] = []
    for sentence in sentences("\n".join(lines)):
        sentence = _GREETING.sub("", sentence, count=1).strip()
        if not sentence or _SIGN_OFF.match(sentence) or _is_pleasantry(sentence):
            continue
        kept.append(_capitalise(sentence))
        if len(kept) == PROBLEM_MAX_SENTENCES:
            break
    return truncate(" ".join(kept), PROBLEM_MAX_CHARS)


def _is_pleasantry(sentence: str) -> bool:
    # "Thanks for your help!" / "Hope you are well." carry nothing an expert needs.
    return bool(_PLEASANTRY_ONLY.match(sentence)) and len(sentence.split()) <= 8 and not _ACTION_CUES.search(sentence)


# --- steps -------------------------------------------------------------------------------------------

_LIST_LINE = re.compile(
    r"^\s*(?:(?P<num>\d{1,2})[.)]|(?P<step>step\s*\d{1,2}\s*[:.)\-])|(?P<bullet>[-*\u2022\u2023\u25aa]))\s+"
    r"(?P<text>\S.*)$",
    re.IGNORECASE,
)
_STEPS_HEADER = re.compile(
    r"\b(?:steps?|reproduc\w*|repro|to\s+trigger|how\s+to\s+(?:reproduce|trigger|see)|what\s+(?:i|we)\s+did)\b",
    re.IGNORECASE,
)
_INLINE_STEPS = re.compile(r"\b(?:steps?\s+to\s+reproduce|to\s+reproduce|repro\s+steps?|repro)\s*:\s*(?P<rest>.+)$",
                           re.IGNORECASE)
_INLINE_SPLIT = re.compile(r"\s*(?:;\s*(?:then\s+)?|,\s*then\s+|\s+then\s+|->|\u2192)\s*", re.IGNORECASE)
_WHEN_SENTENCE = re.compile(
    r"(?:^|[,;]\s*|\s)(?:when(?:ever)?|every\s+time|each\s+time|after|as\s+soon\s+as)\s+"
    r"(?:i|we|you|they|users?|customers?|anyone|someone|people|our\s+\w+|my\s+\w+|the\s+user)\b",
    re.IGNORECASE,
)


def extract_steps(texts: Sequence[str], *, sentence_sources: Sequence[str] = ()) -> tuple[str, ...]:
    """Steps to reproduce: numbered lists, bullet lists under a 'steps' line, 'Steps to reproduce: a; b',
    and 'when I ... then ...' sentences (the latter only from `sentence_sources`, the customer's words)."""
    steps: list[str] = []
    for text in texts:
        steps.extend(_list_steps(text))
        for line in text.split("\n"):
            inline = _INLINE_STEPS.search(line)
            if inline and not _LIST_LINE.match(line):
                steps.extend(part for part in _INLINE_SPLIT.split(inline.group("rest")) if part.strip())
    for text in sentence_sources:
        for sentence in sentences(text):
            if sentence.endswith("?") or _LIST_LINE.match(sentence) or _INLINE_STEPS.search(sentence):
                continue
            if _WHEN_SENTENCE.search(sentence):
                steps.append(_GREETING.sub("", sentence, count=1))
    return _unique((truncate(_capitalise(_collapse(s).strip(" ;,")), STEP_MAX) for s in steps), limit=MAX_STEPS)


def _list_steps(text: str) -> list[str]:
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not _LIST_LINE.match(lines[index]):
            index += 1
            continue
        header = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
        block: list[re.Match[str]] = []
        while index < len(lines):
            match = _LIST_LINE.match(lines[index])
            if match:
                block.append(match)
            elif lines[index].strip() or index + 1 >= len(lines) or not _LIST_LINE.match(lines[index + 1]):
                break  # the list ends (a blank line between two items does not end it)
            index += 1
        numbered = [m for m in block if m.group("num") or m.group("step")]
        bullets = [m for m in block if m.group("bullet")]
        if len(numbered) >= 2 or any(m.group("step") for m in block) or (numbered and _STEPS_HEADER.search(header)):
            out.extend(m.group("text") for m in numbered)
        elif bullets and _STEPS_HEADER.search(header):
            out.extend(m.group("text") for m in bullets)
    return out


# --- errors ------------------------------------------------------------------------------------------

HTTP_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 413: "Payload Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}
_REASON_WORDS = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in sorted(HTTP_REASONS.values(), key=len,
                                                                                reverse=True))
_HTTP_STATUS = re.compile(
    r"(?:(?P<cue>\bhttps?(?:\s+status)?|\bstatus(?:\s+code)?|\berror(?:\s+code)?|\bcode|\bresponse|\breturn(?:s|ed|ing)?"
    r"(?:\s+(?:an?|the))?|\bgot(?:\s+(?:an?|back))?|\bgetting(?:\s+(?:an?))?|\bthrow(?:s|ing)?(?:\s+an?)?|"
    r"\bfail(?:s|ed|ing)?\s+with(?:\s+an?)?)[\s:#]+)?"
    r"(?<![$\u20ac\u00a3\d.,])(?P<code>[45]\d\d)(?![\d%]|[.,]\d)(?:\s+(?P<reason>" + _REASON_WORDS + r"))?"
    r"(?P<after>\s+errors?\b)?",
    re.IGNORECASE,
)
_EXCEPTION = re.compile(
    r"\b(?:[a-z_]\w{0,40}\.){0,8}[A-Z][A-Za-z0-9]{1,60}(?:Exception|Error|Fault)\b(?::[ \t]*[^\n]{1,160})?"
)
_LOG_LINE = re.compile(
    r"^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\[(?:ERROR|FATAL|CRITICAL|WARN(?:ING)?|SEVERE|PANIC)\]|"
    r"(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC)\b\s*[:\-\]]|Traceback \(most recent call last\)|"
    r"at\s+[\w$.]+\([\w$]+\.\w+:\d+\)|File \"[^\"]+\", line \d+|Exception in thread)",
)
_ERROR_CUE = re.compile(
    r"\b(?:error|errors|fail\w*|message|says|said|saying|shows?|showing|shown|displays?|displaying|reads|popup|"
    r"pop-up|warning|alert|prompt|banner|toast|exception|crash\w*|denied|rejected|declined|returns?|returned)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"\n]{3,200})\"|\u201c([^\u201d\n]{3,200})\u201d|(?<!\w)'([^'\n]{3,200})'(?!\w)")
_ERRORISH = re.compile(r"\b(?:error|fail\w*|invalid|denied|unable|cannot|can't|not\s+found|timed?\s*out|"
                       r"declined|rejected|unauthori[sz]ed|forbidden|exception)\b", re.IGNORECASE)


def extract_errors(texts: Sequence[str]) -> tuple[str, ...]:
    """Error messages: HTTP statuses ('HTTP 502 Bad Gateway'), exception names, log-like lines, and quoted
    text the writer says an error/message showed."""
    found: list[str] = []
    http: dict[int, str] = {}
    for text in texts:
        if not text:
            continue
        in_fence = False
        for line in text.split("\n"):
            if line.strip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence and line.strip():
                found.append(truncate(line.strip(), ERROR_MAX))
                continue
            if _LOG_LINE.match(line):
                found.append(truncate(line.strip(), ERROR_MAX))
                continue
            for match in _EXCEPTION.finditer(line):
                found.append(truncate(match.group(0).strip(), ERROR_MAX))
        for match in _HTTP_STATUS.finditer(text):
            if not (match.group("cue") or match.group("reason") or match.group("after")):
                continue
            code = int(match.group("code"))
            label = f"HTTP {code}" + (f" {HTTP_REASONS[code]}" if code in HTTP_REASONS else "")
            if code not in http:
                http[code] = label
                found.append(label)
        for sentence in sentences(text):
            for match in _QUOTED.finditer(sentence):
                quoted = next(g for g in match.groups() if g is not None).strip()
                if _ERROR_CUE.search(sentence.replace(match.group(0), " ")) or _ERRORISH.search(quoted):
                    found.append(truncate(f"\u201c{quoted}\u201d", ERROR_MAX))
    return _unique(found, limit=MAX_ERRORS)


# --- identifiers -------------------------------------------------------------------------------------

_KIND_WORDS = {
    "invoice": "invoice", "order": "order", "job": "job", "request": "request", "transaction": "transaction",
    "payment": "payment", "charge": "charge", "subscription": "subscription", "account": "account",
    "case": "case", "ticket": "ticket", "booking": "booking", "shipment": "shipment", "tracking": "tracking number",
    "build": "build", "workspace": "workspace", "project": "project", "refund": "refund", "trace": "trace",
    "correlation": "correlation id", "event": "event", "receipt": "receipt", "contract": "contract",
    "quote": "quote", "batch": "batch", "export": "export", "import": "import", "session": "session",
    "device": "device", "license": "license", "licence": "license", "incident": "incident",
    "deployment": "deployment", "release": "release", "report": "report", "customer": "customer", "user": "user",
    "purchase order": "purchase order", "po": "purchase order", "sku": "sku", "serial": "serial number",
    "reference": "reference", "ref": "reference", "confirmation": "confirmation",
}
_CODE_PREFIX_KINDS = {
    "INV": "invoice", "ORD": "order", "ORDER": "order", "PO": "purchase order", "REQ": "request",
    "TKT": "ticket", "CASE": "case", "JOB": "job", "TXN": "transaction", "RMA": "return", "SO": "sales order",
    "CVE": "vulnerability", "INC": "incident", "CHG": "change", "REF": "reference", "SUB": "subscription",
    "ACC": "account", "ACCT": "account", "CUST": "customer", "REC": "receipt", "CN": "credit note",
}
_NOT_IDS = frozenset({"SHA", "AES", "ISO", "RFC", "UTF", "RSA", "HMAC", "PKCS", "IEC", "IEEE", "NIST", "FIPS",
                      "TLS", "SSL", "ECDSA", "MD", "EN", "IPV", "HTTP", "WCAG", "PCI", "SOC"})
_UNDERSCORE_PREFIX_KINDS = {
    "req": "request", "ch": "charge", "pi": "payment", "py": "payment", "cus": "customer",
    "sub": "subscription", "txn": "transaction", "evt": "event", "in": "invoice", "inv": "invoice",
    "ord": "order", "job": "job", "acct": "account", "re": "refund", "cs": "checkout session", "po": "purchase order",
    "ii": "invoice item", "trace": "trace", "span": "span", "ws": "workspace", "org": "organisation",
}
_KEYWORD_ID = re.compile(
    r"(?<![\w-])(?P<kw>" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _KIND_WORDS), key=len,
                                           reverse=True))
    + r")(?:s|es)?\s*(?:id|number|no\.?|num|#)?\s*[:#]?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9_\-/.]*[A-Za-z0-9]|\d{4,})",
    re.IGNORECASE,
)
_KEYWORD_BEFORE = re.compile(
    r"(?<![\w-])(?P<kw>" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _KIND_WORDS), key=len,
                                           reverse=True))
    + r")(?:s|es)?\s*(?:id|number|no\.?|num|#)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
_CODE_ID = re.compile(r"(?<![\w-])(?P<prefix>[A-Z]{2,6})-(?P<number>\d{3,}(?:-\d+)*)(?![\w-])")
_UNDERSCORE_ID = re.compile(
    r"(?<![\w-])(?P<prefix>" + "|".join(sorted(_UNDERSCORE_PREFIX_KINDS, key=len, reverse=True))
    + r")_(?P<rest>[A-Za-z0-9]{5,40})(?![\w-])"
)
_UUID = re.compile(r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])")
_DATE_OR_TIME = re.compile(r"^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?|\d{4})$")
_SECRETISH = re.compile(r"(?:sk|pk|rk|whsec|ghp|xox[abpr]|api|key|token|secret|password)[_-]", re.IGNORECASE)


def extract_identifiers(texts: Sequence[str]) -> tuple[Identifier, ...]:
    """Ids in the conversation (INV-20931, 'job 88213', req_8f2a91c, UUIDs) with their kind when known."""
    found: dict[str, Identifier] = {}

    def add(value: str, kind: str | None) -> None:
        value = value.strip().rstrip(".,;:")
        if not value or _SECRETISH.match(value) or _DATE_OR_TIME.match(value):
            return
        key = value.lower()
        if key not in found or (found[key].kind is None and kind):
            found[key] = Identifier(value=value, kind=kind)

    for text in texts:
        if not text:
            continue
        if len(found) >= MAX_IDENTIFIERS:
            break
        spans: list[list[Any]] = []  # [start, end, value, kind]: ids recognised by their shape
        for match in _UUID.finditer(text):
            keyword = _KEYWORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
            kind = _KIND_WORDS.get(_kw(keyword.group("kw"))) if keyword else None
            spans.append([match.start(), match.end(), match.group(0), kind or "uuid"])
        for match in _UNDERSCORE_ID.finditer(text):
            if any(ch.isdigit() for ch in match.group("rest")):
                spans.append([match.start(), match.end(), match.group(0),
                              _UNDERSCORE_PREFIX_KINDS[match.group("prefix")]])
        for match in _CODE_ID.finditer(text):
            prefix = match.group("prefix")
            if prefix not in _NOT_IDS:
                spans.append([match.start(), match.end(), match.group(0), _CODE_PREFIX_KINDS.get(prefix)])
        covering = {position: span for span in spans for position in range(span[0], span[1])}
        for match in _KEYWORD_ID.finditer(text):
            value = match.group("id")
            if not any(ch.isdigit() for ch in value) or (value.isdigit() and len(value) < 4):
                continue
            if re.fullmatch(r"[\d.,]+", value) and ("," in value or "." in value):
                continue  # an amount or a version, not an id
            kind = _KIND_WORDS.get(_kw(match.group("kw")))
            shaped = covering.get(match.start("id"))
            if shaped is not None:
                # Already found by shape (INV-20931, a UUID): the keyword only tells what it is.
                if shaped[3] in (None, "uuid"):
                    shaped[3] = kind
                continue
            spans.append([match.start("id"), match.end("id"), value, kind])
        for _, _, value, kind in sorted(spans, key=lambda span: span[0]):
            add(value, kind)
    return tuple(list(found.values())[:MAX_IDENTIFIERS])


def _kw(keyword: str) -> str:
    return " ".join(keyword.lower().split())


# --- timeline ----------------------------------------------------------------------------------------

def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9']+", text.lower()))


def near_identical(a: str, b: str) -> bool:
    """True when two replies say the same thing (same test as the scorer's repeated-replies signal)."""
    if _normalised(a) == _normalised(b):
        return True
    wa, wb = _words(a), _words(b)
    if len(wa) < MIN_WORDS or len(wb) < MIN_WORDS:
        return False
    return len(wa & wb) / len(wa | wb) >= REPLY_SIMILARITY


def build_timeline(ticket: Ticket) -> tuple[TimelineEntry, ...]:
    """The conversation, one condensed entry per message; a bot/agent reply that repeats that role's
    previous reply is folded into it ('repeated 2x')."""
    comments: Sequence[Comment] = ticket.comments
    if not comments and ticket.description.strip():
        comments = (Comment(author="customer", body=ticket.description, public=True, created_at=ticket.created_at),)
    entries: list[TimelineEntry] = []
    last_reply: dict[str, int] = {}  # role -> index in entries of that role's last reply
    for comment in comments:
        text = truncate(_condense_message(comment.body), TIMELINE_TEXT_MAX)
        if not text:
            continue
        role = comment.author
        if role in ("bot", "agent") and role in last_reply:
            index = last_reply[role]
            previous = entries[index]
            if previous.public == comment.public and near_identical(previous.text, text):
                entries[index] = dataclasses.replace(previous, repeats=previous.repeats + 1,
                                                     last_at=comment.created_at or previous.last_at)
                continue
        entries.append(TimelineEntry(at=comment.created_at, author=role, public=comment.public, text=text))
        if role in ("bot", "agent"):
            last_reply[role] = len(entries) - 1
    if len(entries) > TIMELINE_MAX_ENTRIES:
        tail = TIMELINE_MAX_ENTRIES - TIMELINE_HEAD - 1
        hidden = len(entries) - TIMELINE_HEAD - tail
        marker = TimelineEntry(at=None, author="system", public=False, text=f"{hidden} more messages not shown")
        entries = [*entries[:TIMELINE_HEAD], marker, *entries[-tail:]]
    return tuple(entries)


# --- what was tried ----------------------------------------------------------------------------------

_DONE_VERBS = (
    r"(?:checked|tried|tested|reset|cleared|restarted|rebooted|re-?installed|re-?sent|sent|re-?synced|synced|"
    r"refunded|credited|reversed|voided|cancell?ed|confirmed|verified|reproduced|replicated|escalated|asked|"
    r"forwarded|updated|upgraded|downgraded|applied|enabled|disabled|removed|deleted|added|looked|reviewed|"
    r"investigated|contacted|reached\s+out|rolled\s+back|issued|re-?ran|ran|rebuilt|purged|flushed|regenerated|"
    r"re-?enabled|walked|suggested|recommended|advised|attempted|raised|opened|filed|created|changed|switched|"
    r"migrated|merged|unlocked|allowlisted|whitelisted|granted|revoked|rotated|re-?processed|retried|searched|"
    r"compared|collected|gathered|pulled|exported|imported|fixed|patched|deployed|unblocked|shared|explained|"
    r"pointed)"
)
_ACTION_CUES = re.compile(
    # "I've cleared the cache", and the subject-less note style: "Checked Stripe: both charges are there."
    r"\b(?:i|we)(?:'ve|'d|\s+have|\s+had)?\s+(?:already\s+|also\s+|just\s+|now\s+|then\s+|since\s+)?"
    + _DONE_VERBS + r"\b"
    r"|^(?:(?:already|also|then|first)\s+)?" + _DONE_VERBS + r"\b"
    r"|\b(?:i|we)\s+(?:can(?:not|'t)|could(?:n't|\s+not)|was(?:n't|\s+not)|were(?:n't|\s+not)|am\s+not|are\s+not)\s+"
    r"(?:able\s+to\s+)?(?:reproduce|replicate|find|see|locate|confirm)\b"
    r"|\b(?:i|we)\s+(?:was|were|am|are)\s+able\s+to\b"
    r"|\b(?:please|kindly)\s+(?:try|clear|restart|reset|re-?install|update|upgrade|check|log\s+(?:out|in)|"
    r"sign\s+(?:out|in)|send|share|confirm|provide|attach|make\s+sure|disable|enable|use|switch|open|go|navigate|"
    r"click|tap|remove|re-?connect|verify|download|select|choose)\b"
    r"|\b(?:could|can|would)\s+you\s+(?:please\s+)?(?:try|send|share|confirm|provide|check|attach|clear|restart|"
    r"reset|update|tell|let|verify|run|export|record)\b"
    r"|\btry\s+(?:clearing|restarting|resetting|logging|signing|using|updating|reinstalling|again|to|a\s+different)\b"
    r"|\bhave\s+you\s+(?:tried|checked)\b"
    r"|\byou\s+(?:can|could|may|should|might\s+want\s+to|need\s+to)\s+\w+"
    r"|^(?:go|navigate|open|click|tap|select|choose)\s+"
    r"|\b(?:looking\s+into|investigating|checking\s+(?:with|on|this|that)|passed\s+(?:this|it)\s+(?:on|to)|"
    r"raised\s+(?:this|it)\s+with)\b",
    re.IGNORECASE,
)


def what_was_tried(comments: Sequence[Comment], agent_note: str | None) -> tuple[TriedItem, ...]:
    """What the agent or bot already did or suggested: agent sentences that say so, bot replies the
    customer wrote back after (they did not settle it), and the same sentences from the agent's note."""
    items: list[TriedItem] = []
    customer_after = [False] * len(comments)
    seen_customer = False
    for index in range(len(comments) - 1, -1, -1):
        customer_after[index] = seen_customer
        if comments[index].author == "customer":
            seen_customer = True
    last_bot: int | None = None
    for index, comment in enumerate(comments):
        body = _clean_block(comment.body)
        if not body:
            continue
        if comment.author == "bot":
            if not customer_after[index]:
                continue
            text = _condense_reply(body)
            if not text:
                continue
            if last_bot is not None and near_identical(items[last_bot].text, text):
                items[last_bot] = dataclasses.replace(items[last_bot], repeats=items[last_bot].repeats + 1)
                continue
            items.append(TriedItem(by="bot", text=text, at=comment.created_at, public=comment.public))
            last_bot = len(items) - 1
        elif comment.author == "agent":
            text = _action_sentences(body)
            if text:
                items.append(TriedItem(by="agent", text=text, at=comment.created_at, public=comment.public))
    if agent_note:
        text = _action_sentences(agent_note)
        if text:
            items.append(TriedItem(by="agent note", text=text, public=False))
    return tuple(items)


def _condense_message(body: str) -> str:
    """A message on one line without its greeting and opening pleasantries ('Thanks for reaching out!')."""
    kept: list[str] = []
    for sentence in sentences(_clean_block(body) or body):
        if not kept:
            sentence = _GREETING.sub("", sentence, count=1).strip()
            if not sentence or _is_pleasantry(sentence):
                continue
            sentence = _capitalise(sentence)
        kept.append(sentence)
    return " ".join(kept) or _collapse(body)


def _action_sentences(text: str) -> str:
    kept = []
    for sentence in sentences(text):
        sentence = _strip_pleasantries(_GREETING.sub("", sentence, count=1))
        if sentence and _ACTION_CUES.search(sentence):
            kept.append(sentence)
    return truncate(" ".join(kept), TRIED_MAX)


def _condense_reply(text: str) -> str:
    kept = []
    for sentence in sentences(text):
        sentence = _strip_pleasantries(_GREETING.sub("", sentence, count=1))
        if sentence and not _is_pleasantry(sentence):
            kept.append(sentence)
        if len(kept) == 2:
            break
    return truncate(" ".join(kept), TRIED_MAX)


# --- assessment, route, similar ----------------------------------------------------------------------

def _humanise(name: str) -> str:
    return _capitalise(str(name).replace("_", " ").strip())


def _categories(raw: Iterable[Mapping[str, Any]]) -> tuple[Category, ...]:
    items = [
        Category(name=str(c["name"]), label=CATEGORY_LABELS.get(str(c["name"]), _humanise(c["name"])),
                 confidence=float(c.get("confidence") or 0.0))
        for c in raw if c.get("name")
    ]
    return tuple(sorted(items, key=lambda c: -c.confidence))


def _reasons(raw: Iterable[Mapping[str, Any]]) -> tuple[Reason, ...]:
    items = [
        Reason(signal=str(s.get("name") or ""), label=_humanise(s.get("name") or "signal"),
               evidence=_collapse(str(s.get("evidence") or "")), contribution=float(s.get("contribution") or 0.0),
               category=s.get("category"))
        for s in raw
    ]
    items = [r for r in items if r.contribution > 0]
    return tuple(sorted(items, key=lambda r: -r.contribution)[:MAX_REASONS])


def _team(data: Mapping[str, Any] | None) -> Team | None:
    if not data or not data.get("name"):
        return None
    return Team(id=data.get("id"), name=str(data["name"]), slack_channel=data.get("slack_channel"),
                jira_project=data.get("jira_project"), jira_component=data.get("jira_component"))


def _expert(data: Mapping[str, Any] | None) -> Expert | None:
    if not data or not data.get("name"):
        return None
    return Expert(id=data.get("id"), name=str(data["name"]), email=data.get("email"),
                  slack_user_id=data.get("slack_user_id"), jira_account_id=data.get("jira_account_id"),
                  available_now=data.get("available_now"), reasons=tuple(str(r) for r in data.get("reasons") or ()))


def _assignment(
    route: Mapping[str, Any] | None,
    requested_team: Mapping[str, Any] | None,
    requested_expert: Mapping[str, Any] | None,
) -> tuple[Team | None, Expert | None, tuple[str, ...], bool]:
    route = route or {}
    by_agent = bool(requested_team or requested_expert)
    team = _team(requested_team) or _team(route.get("team"))
    expert = _expert(requested_expert)
    if expert is None and not requested_team:
        # A team chosen by the agent makes the route's expert (of another team, perhaps) moot.
        expert = _expert(route.get("expert"))
    reasons = tuple(str(r) for r in route.get("reasons") or ())
    if by_agent:
        reasons = ("chosen by the escalating agent",)
    return team, expert, reasons, by_agent


def _similar(raw: Sequence[Mapping[str, Any]]) -> tuple[SimilarIncident, ...]:
    items = [
        SimilarIncident(source=s.get("source"), id=str(s.get("id") or ""), kind=s.get("kind"),
                        title=truncate(_collapse(str(s.get("title") or "")), TITLE_MAX),
                        status=s.get("status"), resolution=s.get("resolution"), url=s.get("url") or None,
                        solved_by=s.get("solved_by"), score=float(s.get("score") or 0.0))
        for s in raw
    ]
    return tuple(sorted(items, key=lambda s: -s.score)[:MAX_SIMILAR])


def _account(ticket: Ticket, now: datetime) -> Account:
    org = ticket.organization
    if org is None:
        return Account()
    days = (org.renewal_date - now.astimezone(UTC).date()).days if org.renewal_date else None
    return Account(name=org.name, tier=org.tier, arr=org.arr, renewal_date=org.renewal_date, days_to_renewal=days)


def _renewal_display(account: Account) -> str | None:
    if account.renewal_date is None:
        return None
    days = account.days_to_renewal
    if days is None:
        return account.renewal_date.isoformat()
    if days < 0:
        return f"{account.renewal_date.isoformat()} ({-days} days ago)"
    if days == 0:
        return f"{account.renewal_date.isoformat()} (today)"
    return f"{account.renewal_date.isoformat()} (in {days} days)"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _unique(items: Iterable[str], *, limit: int) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        key = _normalised(item)
        if item and key and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out[:limit])
