"""The rolling summary of an escalation after the handoff: what the problem is, what the experts found,
where things stand, what the agent should do next, and who owns it.

`summarise_escalation` is extractive and needs no external service: findings are the experts' own
sentences (Jira comments, Slack thread replies, the resolution comment), picked by general shapes
that carry information (a cause, a fix done or planned, a workaround, a decision, an ETA, a question
for the customer, numbers and ids) and never by matching particular sentences. Pleasantries are
dropped; "looking into it" is kept only when nothing better was said. The next step follows from the
escalation's status and the order of the latest events.

`llm_prompt` and `parse_llm_summary` are the two pure halves of the optional model-written summary
(the call itself lives in sidecar/services/summaries.py, which falls back to the extractive one).

Timeline events are plain mappings::

    {"at": "2026-11-22T10:05:00Z", "system": "jira"|"slack"|"zendesk"|"salesforce"|"sidecar",
     "kind": "escalated"|"status_changed"|"comment"|"customer_comment"|"acknowledged"|"reassigned"|
             "ack_timeout"|"resolved"|"reopened"|"summary",
     "actor": "Priya Shah" | None, "text": "...", "data": {...}}

with, in `data`, ``from``/``to`` (and optionally ``category``: new | indeterminate | done, Jira's
status category) for a status change, ``resolution`` for a resolution, ``to`` for a reassignment.
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sidecar.intelligence.escalation_context import (
    EscalationContext,
    format_when,
    near_identical,
    sentences,
    truncate,
)
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.ticket import parse_datetime

SOURCES = ("extractive", "llm")
FINDING_MAX = 200
MAX_FINDINGS = 3
PROBLEM_MAX = 200
SHORT_PROBLEM_MAX = 160  # the extractive summary's problem line: whole sentences where they fit
STATUS_MAX = 120
NEXT_STEP_MAX = 200
OWNER_MAX = 120
REQUEST_QUOTE_MAX = 110
PROMPT_EVENTS_MAX = 40  # the most recent events a model is shown
PROMPT_EVENT_TEXT_MAX = 600

EXPERT_SYSTEMS = frozenset({"jira", "slack"})
# Only what people wrote: the sidecar's own event lines ("Resolved in Jira (Fixed)") are not findings.
EXPERT_KINDS = frozenset({"comment"})
CUSTOMER_KINDS = frozenset({"customer_comment"})

# How much each kind of statement tells the agent (a finding needs FINDING_THRESHOLD).
_WEIGHTS = {
    "cause": 3.0,
    "fix_done": 3.0,
    "decision": 2.5,
    "workaround": 2.5,
    "request": 2.0,
    "fix_planned": 2.0,
    "eta": 2.0,
    "diagnosis": 2.0,
    "verified": 2.0,
}
FINDING_THRESHOLD = 2.0
_AGE_PENALTY = 0.35  # per newer expert statement: recent findings win ties
_COVER_BONUS = 1.0  # per kind of finding not yet shown: a cause and a fix beat two fixes


# --- the summary -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RollingSummary:
    """Where an escalation stands, as 4-6 short lines (`text`) and as its parts."""

    problem: str
    findings: tuple[str, ...]
    status: str
    next_step: str
    owner: str | None
    text: str
    source: str  # extractive | llm

    @classmethod
    def compose(
        cls,
        *,
        problem: str,
        findings: Iterable[str],
        status: str,
        next_step: str,
        owner: str | None,
        source: str,
    ) -> RollingSummary:
        """Build a summary from its parts, each cleaned to one line and cut to its limit; `text` is derived."""
        if source not in SOURCES:
            raise ValueError(f"summary source must be one of {', '.join(SOURCES)}, not {source!r}")
        problem = truncate(_one_line(problem), PROBLEM_MAX)
        cleaned = tuple(truncate(_one_line(f), FINDING_MAX) for f in findings if _one_line(f))[:MAX_FINDINGS]
        status = truncate(_one_line(status), STATUS_MAX)
        next_step = truncate(_one_line(next_step), NEXT_STEP_MAX)
        owner = truncate(_one_line(owner), OWNER_MAX) or None if owner else None
        lines = [f"Problem: {problem or 'not stated'}",
                 f"Status: {status}" + (f"; owner: {owner}" if owner else "")]
        lines += [f"Finding: {finding}" for finding in cleaned] or ["Findings: nothing reported yet"]
        lines.append(f"Next step: {next_step}")
        return cls(problem=problem, findings=cleaned, status=status, next_step=next_step, owner=owner,
                   text="\n".join(lines), source=source)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (findings as a list), e.g. for the escalation row and templates."""
        data = dataclasses.asdict(self)
        data["findings"] = list(self.findings)
        return data


def summarise_escalation(
    *,
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
) -> RollingSummary:
    """The extractive rolling summary of an escalation from its context and timeline events."""
    events = ordered_events(timeline)
    candidates = _candidates(events)
    findings = _pick_findings(candidates)
    owner_name = _owner(events, owner, acknowledged_by, context)
    phase, next_step = _next_step(events, candidates, status=status, jira_status=jira_status, owner=owner_name,
                                  acknowledged_by=acknowledged_by, team=context.team.name if context.team else None)
    return RollingSummary.compose(
        problem=_short_problem(context.problem or context.title),
        findings=findings,
        status=_status_line(phase, jira_status),
        next_step=next_step,
        owner=owner_name,
        source="extractive",
    )


# --- classifying what the experts said ---------------------------------------------------------------

_NEG = r"(?<![\w'])"
_CAUSE = re.compile(
    _NEG + r"(?:root[\s-]+cause|caused\s+by|because|due\s+to|"
    r"the\s+(?:issue|problem|bug|cause|reason|error|failure)\s+(?:is|was|seems|appears|comes|came)|"
    r"turn(?:s|ed)\s+out|(?:comes?|came|stems?|stemmed)\s+from|triggered\s+by|introduced\s+(?:in|by)|"
    r"regression|race\s+condition|misconfigur\w*|(?:bug|defect|typo|mistake)\s+in|culprit|"
    r"traced\s+(?:it\s+|this\s+)?(?:back\s+)?to|happens?\s+(?:when|whenever|only)|"
    r"(?:ran|runs|running|run)\s+out\s+of|exhaust(?:s|ed|ing)?|deadlock\w*|leak(?:s|ed|ing)?|"
    r"(?:charged|billed|ran|fired|executed|sent|ran)\s+twice|duplicate\s+(?:charge|payment|job|request)s?)"
    r"(?![\w'])",
    re.IGNORECASE,
)
_FIX_VERB = re.compile(
    _NEG + r"(?:fixed|deployed|released|shipped|rolled\s+(?:out|back)|hot-?fixed|patched|reverted|merged|"
    r"refunded|credited|reimbursed|voided|cancell?ed|re-?enabled|restored|recovered|repaired|resolved|"
    r"applied|issued|processed|corrected|removed|cleaned\s+up|backfilled|migrated|unblocked|"
    r"allow-?listed|whitelisted|reset|restarted|re-?ran|re-?run|rebuilt|reindexed|re-?synced|"
    r"increased|bumped|upgraded)(?![\w'])",
    re.IGNORECASE,
)
# A fix verb right after one of these is a plan, a hope or a denial, not something done ...
_NOT_DONE_BEFORE = re.compile(
    _NEG + r"(?:will|won't|wont|going\s+to|gonna|plan(?:s|ning)?\s+to|about\s+to|need(?:s|ed)?\s+to|to\s+be|"
    r"would|could|should\s+(?:we|i)|not|never|yet|hopefully|once|if|when|until|after)(?![\w'])|n't(?![\w'])",
    re.IGNORECASE,
)
_NOT_DONE_WINDOW = 30  # characters before the verb
# ... and so is one in a sentence about the future or a question.
_NOT_DONE_SENTENCE = re.compile(
    _NEG + r"(?:tomorrow|tonight|soon|pending|awaiting|in\s+(?:review|qa|testing))(?![\w'])|\?",
    re.IGNORECASE,
)
_FIX_TALK = re.compile(
    _NEG + r"(?:fix(?:es|ing)?|patch(?:es|ing)?|hot-?fix|pr\s*#?\d+|pull\s+request|merge\s+request|"
    r"release|deploy(?:s|ing|ment)?|roll(?:ing)?\s*out|roll-?back|refund(?:ing)?|credit(?:ing)?|"
    r"revert(?:ing)?)(?![\w'])",
    re.IGNORECASE,
)
_WORKAROUND = re.compile(
    _NEG + r"(?:work[\s-]?around|in\s+the\s+meantime|meanwhile|temporar(?:y|ily)|for\s+now|"
    r"until\s+(?:then|the\s+fix|we|it)|stop-?gap|interim|can\s+(?:still\s+)?use|instead)(?![\w'])",
    re.IGNORECASE,
)
_ETA = re.compile(
    _NEG + r"(?:eta|by\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day|by\s+(?:tomorrow|tonight|eod|eow|"
    r"end\s+of\s+(?:the\s+)?(?:day|week))|tomorrow|tonight|later\s+today|this\s+(?:afternoon|evening|week)|"
    r"within\s+(?:\d+|an?|one|two|three|a\s+few)\s+(?:min(?:ute)?s?|hours?|h|days?|business\s+days|weeks?)|"
    r"next\s+(?:release|deploy\w*|sprint|week|patch|version)|expected\s+(?:by|on|in|to|at)|scheduled|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm|utc|gmt|cet|cest|est|edt|pst|pdt)|"
    r"\d+(?:\s*-\s*\d+)?\s+(?:business|working)\s+days)(?![\w'])",
    re.IGNORECASE,
)
_DIAGNOSIS = re.compile(
    _NEG + r"(?:reproduced|reproducible|can\s+(?:now\s+)?reproduce|repro'?d|confirmed|identified|found|"
    r"narrowed\s+(?:it\s+|this\s+)?down|isolated|verified|logs?\s+show\w*|(?:we|i)\s+(?:can\s+)?see|"
    r"affects?|affected|only\s+(?:happens|affects|on|for|when)|checked|looks\s+like|"
    r"appears\s+to|seems\s+to)(?![\w'])",
    re.IGNORECASE,
)
_VERIFIED = re.compile(
    _NEG + r"(?:(?:now|again)\s+(?:works?|finish(?:es)?|succeeds?|loads?|passes|completes?|goes\s+through)|"
    r"works?\s+(?:again|now|fine)|no\s+(?:more|longer)\s+(?:fails?|errors?|happens?|times?\s+out)|"
    r"(?:tested|verified|confirmed)\s+(?:the\s+fix|it\s+works|that\s+it\s+works|on\s+(?:prod|production)))(?![\w'])",
    re.IGNORECASE,
)
_DECISION = re.compile(
    _NEG + r"(?:approved|declined|rejected|denied|agreed|granted|authori[sz]ed|signed\s+off|"
    r"won'?t\s+fix|by\s+design|as\s+designed|expected\s+behaviou?r|not\s+a\s+bug|out\s+of\s+scope|"
    r"escalated\s+to|handed\s+(?:over|off)\s+to)(?![\w'])",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    _NEG + r"(?:(?:can|could|would)\s+(?:you|someone|we)\s+(?:please\s+)?(?:ask|get|send|share|check|confirm|"
    r"collect|find\s+out|provide|grab|attach)|please\s+(?:ask|get|send|share|confirm|collect|provide|attach)|"
    r"(?:we|i)\s+(?:still\s+)?need\s+(?:the|a|an|their|more|some|to\s+know)|"
    r"need\s+(?:more\s+)?(?:info|information|details|logs?|a\s+har|screenshots?)|ask(?:ing)?\s+the\s+customer|"
    r"do\s+(?:we|they|you)\s+(?:have|know)|har\s+file)(?![\w'])",
    re.IGNORECASE,
)
_PROGRESS = re.compile(
    r"^(?:(?:i'?m|i\s+am|we'?re|we\s+are|still|now)\s+)*(?:looking|digging|checking|investigating|"
    r"on\s+it|taking\s+a\s+look|having\s+a\s+look|working\s+on|picking\s+(?:this|it)\s+up|"
    r"(?:i|we)?\s*(?:will|'ll|shall)\s+(?:take\s+a\s+look|look|check|investigate|dig|update|get\s+back|"
    r"keep\s+you\s+posted|report\s+back|follow\s+up)|let\s+me\s+(?:check|look|dig|see)|"
    r"ack(?:ed|nowledged)?|seen|noted|will\s+do|stay\s+tuned|(?:i'?ll|we'?ll)\s+\w+)(?![\w'])",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^(?:(?:many\s+)?thanks|thank\s+you|thx|ty|cheers|great|perfect|awesome|nice|cool|ok(?:ay)?|sure|"
    r"sounds\s+good|got\s+it|no\s+problem|np|appreciated?|welcome|you'?re\s+welcome|hi|hello|hey|morning|"
    r"good\s+(?:morning|afternoon|evening)|have\s+a\s+(?:good|great|nice)|hope|sorry|apologies|\+1)(?![\w'])",
    re.IGNORECASE,
)
_LEADING_PLEASANTRY = re.compile(
    r"^(?:(?:many\s+)?thanks|thank\s+you|thx|great|perfect|ok(?:ay)?|cool|sure|good\s+news|update|hi|hello|"
    r"hey)(?:\s+(?:for\s+[^,.!:;]{1,60}|[A-Z][\w'.-]*|all|team|everyone|folks))?\s*[,!.:;\u2014-]+\s*",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w.])@[\w.\-]+")
_MENTION_START = re.compile(r"^(?:@[\w.\-]+[\s,:]*)+")
_LABEL = re.compile(r"^(?:root\s+cause|cause|fix|update|status|eta|workaround|findings?|note)\s*:\s*", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_ID_SHAPE = re.compile(
    r"[A-Za-z]{2,}[-_#]\d+|#\d+|\bv?\d+\.\d+\.\d+\b|[$\u20ac\u00a3]\s?\d|"
    r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b"
)
_MARKER_LINE = re.compile(r"^\s*\[(?:sidecar|escalation)[:\s][^\]]*\]\s*$", re.IGNORECASE)
# `sentences` keeps "J. Smith" together; a lower-case letter before the full stop ("after 30 s. Then")
# is a unit or a word's end, not an initial, so the sentence ends there.
_UNIT_BREAK = re.compile(r"(?<=\s[a-z]\.)\s+(?=[A-Z])")
_LIST_PREFIX = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")


def statement_kinds(sentence: str) -> frozenset[str]:
    """What an expert's sentence tells: cause, fix_done, fix_planned, workaround, decision, eta, request,
    diagnosis, verified (empty when none of these shapes is there)."""
    kinds: set[str] = set()
    if _CAUSE.search(sentence):
        kinds.add("cause")
    verbs = list(_FIX_VERB.finditer(sentence))
    if verbs:
        done = not _NOT_DONE_SENTENCE.search(sentence) and any(
            not _NOT_DONE_BEFORE.search(sentence[max(0, m.start() - _NOT_DONE_WINDOW):m.start()]) for m in verbs)
        kinds.add("fix_done" if done else "fix_planned")
    elif _FIX_TALK.search(sentence):
        kinds.add("fix_planned")
    for name, pattern in (("workaround", _WORKAROUND), ("eta", _ETA), ("diagnosis", _DIAGNOSIS), ("verified", _VERIFIED),
                          ("decision", _DECISION), ("request", _REQUEST)):
        if pattern.search(sentence):
            kinds.add(name)
    return frozenset(kinds)


def is_pleasantry(sentence: str) -> bool:
    """True for a sentence that carries nothing: thanks, greetings, "sounds good"."""
    sentence = _MENTION.sub("", sentence).strip()
    words = sentence.split()
    return (bool(_PLEASANTRY.match(sentence.strip())) and len(words) <= 8 and not _DIGIT.search(sentence)
            and not statement_kinds(sentence))


def is_progress_only(sentence: str) -> bool:
    """True for "looking into it" / "on it" / "will update" without anything found yet."""
    return bool(_PROGRESS.match(sentence.strip())) and not statement_kinds(sentence)


def sentence_score(sentence: str) -> float:
    """How informative an expert's sentence is: 0 for pleasantries, 0.5 for progress-only, 2+ for a finding."""
    if not sentence or is_pleasantry(sentence):
        return 0.0
    sentence = _MENTION.sub("", sentence)  # a mention's id is not a number worth reporting
    kinds = statement_kinds(sentence)
    if not kinds and _PROGRESS.match(sentence):
        return 0.5
    score = max((_WEIGHTS[k] for k in kinds), default=0.0) + 0.5 * max(0, len(kinds) - 1)
    if _DIGIT.search(sentence):
        score += 1.0
    if _ID_SHAPE.search(sentence):
        score += 0.5
    if len(sentence.split()) >= 8:
        score += 0.5
    return score


def slack_to_plain(text: str | None) -> str:
    """Slack mrkdwn as plain text: <url|label> -> label (url), <@U1> -> @U1, <!here> -> @here, entities decoded."""
    if not text:
        return ""

    def link(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith(("@", "#")):
            return label and (target[0] + label) or target
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            return "@" + (label or name)
        return f"{label} ({target})" if label and label != target else target

    text = re.sub(r"<([^<>\n]+)>", link, str(text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean_statement(text: str | None, *, system: str | None = None) -> list[str]:
    """An event's text as sentences: Slack markup decoded, quoted lines, marker lines, greetings, leading
    mentions and pleasantries removed."""
    if not text:
        return []
    text = slack_to_plain(text) if system == "slack" else str(text)
    kept_lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith((">", "```")) or _MARKER_LINE.match(stripped):
            continue
        kept_lines.append(_LIST_PREFIX.sub("", stripped))
    out = []
    pieces = [part for sentence in sentences("\n".join(kept_lines)) for part in _UNIT_BREAK.split(sentence)]
    for sentence in pieces:
        sentence = _MENTION_START.sub("", sentence).strip()
        previous = None
        while previous != sentence:
            previous = sentence
            sentence = _LEADING_PLEASANTRY.sub("", sentence, count=1).strip()
            sentence = _MENTION_START.sub("", sentence).strip()
        sentence = _LABEL.sub(lambda m: m.group(0) if "cause" in m.group(0).lower() else "", sentence).strip()
        if sentence and re.search(r"\w", sentence):
            out.append(sentence[:1].upper() + sentence[1:])
    return out


# --- events ------------------------------------------------------------------------------------------

def ordered_events(timeline: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The timeline as clean dicts (at parsed into `at_dt`), oldest first; unreadable times keep their place."""
    events = []
    for raw in timeline or ():
        if not isinstance(raw, Mapping):
            continue
        data = raw.get("data")
        try:
            at = parse_datetime(raw.get("at"))
        except (TypeError, ValueError):
            at = None
        events.append({
            "at": raw.get("at"),
            "at_dt": at,
            "system": str(raw.get("system") or ""),
            "kind": str(raw.get("kind") or ""),
            "actor": str(raw["actor"]).strip() if raw.get("actor") else None,
            "text": str(raw.get("text") or ""),
            "data": dict(data) if isinstance(data, Mapping) else {},
        })
    if all(e["at_dt"] is not None for e in events):
        events.sort(key=lambda e: e["at_dt"])  # stable: same-second events keep their order
    return events


def redact_timeline(timeline: Sequence[Mapping[str, Any]], redactor: Redactor) -> list[dict[str, Any]]:
    """A copy of the timeline with text, actor and every string in data passed through the redactor."""
    out = []
    for event in timeline or ():
        if not isinstance(event, Mapping):
            continue
        copy = dict(event)
        copy["text"] = redactor.redact(str(event.get("text") or ""))
        if event.get("actor"):
            copy["actor"] = redactor.redact(str(event["actor"]))
        copy["data"] = _redact_value(event.get("data") or {}, redactor)
        out.append(copy)
    return out


def _redact_value(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(v, redactor) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v, redactor) for v in value]
    return value


def _is_expert_statement(event: Mapping[str, Any]) -> bool:
    return event["system"] in EXPERT_SYSTEMS and event["kind"] in EXPERT_KINDS


def _last(events: Sequence[Mapping[str, Any]], kinds: Iterable[str], *, systems: Iterable[str] | None = None) -> int:
    kinds = set(kinds)
    wanted = set(systems) if systems is not None else None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event["kind"] in kinds and (wanted is None or event["system"] in wanted):
            return index
    return -1


# --- findings ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Candidate:
    index: int  # position in the ordered timeline
    text: str
    score: float
    kinds: frozenset[str]


def _candidates(events: Sequence[Mapping[str, Any]]) -> list[_Candidate]:
    """One candidate per expert statement: its informative sentences (or, failing those, its progress line)."""
    out = []
    for index, event in enumerate(events):
        if not _is_expert_statement(event):
            continue
        scored = [(s, sentence_score(s)) for s in clean_statement(event["text"], system=event["system"])]
        informative = [(i, s, score) for i, (s, score) in enumerate(scored) if score >= FINDING_THRESHOLD]
        if informative:
            chosen: list[tuple[int, str, float]] = []
            length = 0
            for item in sorted(informative, key=lambda x: -x[2]):
                extra = len(item[1]) + (1 if chosen else 0)
                if chosen and length + extra > FINDING_MAX:
                    continue
                chosen.append(item)
                length += extra
            chosen.sort()
            text = truncate(" ".join(s for _, s, _ in chosen), FINDING_MAX)
            kinds = frozenset().union(*(statement_kinds(s) for _, s, _ in chosen))
            out.append(_Candidate(index, text, max(score for _, _, score in chosen), kinds))
            continue
        progress = [s for s, _ in scored if is_progress_only(s)]
        if progress:
            out.append(_Candidate(index, truncate(progress[0], FINDING_MAX), 0.5, frozenset({"progress"})))
    return out


def _pick_findings(candidates: Sequence[_Candidate]) -> list[str]:
    """At most 3 findings, newest first: the most informative statements, recent ones and new kinds preferred."""
    informative = [c for c in candidates if c.score >= FINDING_THRESHOLD]
    if not informative:
        progress = [c for c in candidates if "progress" in c.kinds]
        return [progress[-1].text] if progress else []
    pool = list(informative)
    newest_first = sorted(pool, key=lambda c: -c.index)
    age = {id(c): rank for rank, c in enumerate(newest_first)}
    chosen: list[_Candidate] = []
    covered: set[str] = set()
    while pool and len(chosen) < MAX_FINDINGS:
        best = max(pool, key=lambda c: (c.score - _AGE_PENALTY * age[id(c)] + _COVER_BONUS * len(c.kinds - covered),
                                        c.index))
        pool.remove(best)
        if any(near_identical(best.text, c.text) for c in chosen):
            continue
        chosen.append(best)
        covered |= best.kinds
    return [c.text for c in sorted(chosen, key=lambda c: -c.index)]


# --- owner, status, next step ------------------------------------------------------------------------

_DONE_STATUS = re.compile(
    r"^(?:done|closed|resolved|fixed|complete(?:d)?|released|shipped|deployed|verified|cancell?ed|"
    r"won'?t\s+(?:do|fix)|rejected|declined|duplicate)$",
    re.IGNORECASE,
)
_PHASE_LABELS = {
    "pending": "Being delivered to Jira and Slack",
    "failed": "Delivery to Jira or Slack failed",
    "resolved": "Resolved",
    "resolved_customer_replied": "Resolved; the customer wrote again",
    "reopened": "Reopened",
    "customer_replied": "Customer wrote again",
    "fix_in_place": "Fix in place, to be confirmed",
    "needs_info": "Expert needs information",
    "workaround": "Workaround available",
    "fix_on_the_way": "Fix on the way",
    "awaiting_ack": "Waiting for acknowledgement",
    "ack_overdue": "Not acknowledged in time",
    "investigating": "Investigating",
}


def _owner(events: Sequence[Mapping[str, Any]], owner: str | None, acknowledged_by: str | None,
           context: EscalationContext) -> str | None:
    if owner and owner.strip():
        return owner.strip()
    reassigned = _last(events, {"reassigned"})
    if reassigned >= 0:
        to = events[reassigned]["data"].get("to")
        name = to.get("name") if isinstance(to, Mapping) else to
        if name:
            return str(name)
    if acknowledged_by:
        return acknowledged_by
    if context.expert:
        return context.expert.name
    if context.team:
        return f"{context.team.name} team"
    return None


def _jira_done(events: Sequence[Mapping[str, Any]], jira_status: str | None) -> bool:
    if not jira_status:
        return False
    change = _last(events, {"status_changed"}, systems={"jira"})
    if change >= 0:
        data = events[change]["data"]
        if str(data.get("to") or "").strip().lower() == jira_status.strip().lower() and data.get("category"):
            return str(data["category"]).lower() == "done"
    return bool(_DONE_STATUS.match(jira_status.strip()))


def _next_step(
    events: Sequence[Mapping[str, Any]],
    candidates: Sequence[_Candidate],
    *,
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
    team: str | None,
) -> tuple[str, str]:
    """(phase, what the agent should do next) from the status and the order of the latest events."""
    who = owner or "the expert"
    status = (status or "").strip().lower()
    last_resolved = _last(events, {"resolved"})
    last_reopened = _last(events, {"reopened"})
    last_customer = _last(events, CUSTOMER_KINDS)
    last_change = _last(events, {"status_changed"}, systems={"jira"})
    last_expert = max((c.index for c in candidates), default=-1)
    informative = [c for c in candidates if c.score >= FINDING_THRESHOLD]
    newest = informative[-1] if informative else None

    if status == "failed":
        return "failed", "Delivery failed: check the escalation's steps in the sidecar and retry them."
    jira_done = _jira_done(events, jira_status)
    resolved = (status == "resolved" or last_resolved > last_reopened
                or (jira_done and (last_reopened < 0 or last_change > last_reopened)))
    if resolved:
        resolved_at = max(last_resolved, last_change if jira_done else -1)
        if last_customer > resolved_at >= 0:
            return "resolved_customer_replied", ("The customer wrote after the resolution: check the fix worked "
                                                 "for them, and reopen the Jira issue if it did not.")
        return "resolved", "Resolved: review the drafted reply, then send it to the customer."
    if status == "pending" and last_expert < 0:
        return "pending", "Wait for the Jira issue and the Slack message to be created; nothing to do yet."
    if last_reopened >= 0 and last_expert < last_reopened:
        return "reopened", (f"Reopened: {who} to look again; tell the customer the problem is being "
                            "investigated again.")
    if last_customer > max(last_expert, _last(events, {"escalated"})):
        return "customer_replied", (f"The customer wrote again: reply to them, and make sure {who} has seen "
                                    "their message.")
    if newest is not None and newest.index > last_reopened:
        if "fix_done" in newest.kinds:
            return "fix_in_place", ("Fix in place: tell the customer and check it works for them, then resolve "
                                    "the Jira issue.")
        if "request" in newest.kinds:
            ask = next((s for s in clean_statement(newest.text) if _REQUEST.search(s)), newest.text)
            return "needs_info", (f"{who} needs more information: ask the customer "
                                  f"(\u201c{truncate(ask, REQUEST_QUOTE_MAX)}\u201d).")
        if "workaround" in newest.kinds:
            return "workaround", f"Share the workaround with the customer while {who} works on a fix."
        if "fix_planned" in newest.kinds or "eta" in newest.kinds:
            return "fix_on_the_way", ("Fix on the way: tell the customer the expected timing, and watch for the "
                                      "deploy.")
    acknowledged = bool(acknowledged_by) or _last(events, {"acknowledged"}) > _last(events, {"reassigned"})
    if not acknowledged and last_expert < 0:
        if _last(events, {"ack_timeout"}) > _last(events, {"reassigned"}):
            target = f"the {team} team" if team else "the team"
            return "ack_overdue", (f"Nobody has acknowledged yet: ping {target} or reassign the escalation; "
                                   "keep the customer informed.")
        return "awaiting_ack", f"Waiting for {who} to acknowledge in Slack; keep the customer informed."
    return "investigating", f"{who} is investigating: keep the customer updated."


def _short_problem(problem: str) -> str:
    """The problem's opening sentences that fit a short line (the first one cut if it alone is too long)."""
    kept: list[str] = []
    for sentence in sentences(problem):
        if kept and len(" ".join([*kept, sentence])) > SHORT_PROBLEM_MAX:
            break
        kept.append(sentence)
    return truncate(" ".join(kept), SHORT_PROBLEM_MAX)


def _status_line(phase: str, jira_status: str | None) -> str:
    label = _PHASE_LABELS.get(phase, phase)
    return f"{label} (Jira: {_one_line(jira_status)})" if jira_status and jira_status.strip() else label


# --- the optional model-written summary --------------------------------------------------------------

# Whatever the caller already masked, a prompt never carries an email address or a card number.
_PROMPT_REDACTOR = Redactor(emails=True, cards=True)

LLM_SYSTEM_PROMPT = """\
You summarise the progress of an escalated customer-support ticket for the support agent who owns \
the ticket. Use only the facts you are given: never invent causes, fixes, dates, numbers or names. \
Placeholders such as [email], [phone], [redacted] or [card ending 4242] stand for masked data; keep them \
as they are.

Answer with one JSON object and nothing else, with exactly these keys:
"problem": the customer's problem in one sentence (at most 200 characters);
"findings": a list of at most 3 of the most informative statements by the engineers or experts \
(causes, fixes, workarounds, decisions, ETAs, numbers, ids), newest first, each at most 200 characters; \
[] when they have reported nothing yet. Leave out greetings and "looking into it";
"status": where things stand, in a few words (for example "Investigating (Jira: In Progress)");
"next_step": what the support agent should do next, in one short sentence;
"owner": the name of the person or team who owns the work now, or null."""


def llm_prompt(
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    *,
    acknowledged_by: str | None = None,
) -> list[dict[str, str]]:
    """Chat messages asking a model for the summary's five fields as JSON; every fact masked for emails and cards.

    Pass an already redacted context and timeline (the installation's redaction settings); emails and card
    numbers are masked here again whatever the caller did.
    """
    r = _PROMPT_REDACTOR.redact
    lines = [
        f"Ticket: {context.ticket_label}",
        f"Title: {r(context.title)}",
        f"Problem (customer's words, condensed): {r(context.problem) or 'not stated'}",
    ]
    if context.error_messages:
        lines.append("Errors reported: " + "; ".join(r(e) for e in context.error_messages[:5]))
    if context.team:
        lines.append(f"Team: {r(context.team.name)}")
    lines += [
        f"Escalation status: {r(status) or 'unknown'}",
        f"Jira status: {r(jira_status) if jira_status else 'unknown'}",
        f"Owner: {r(owner) if owner else 'unknown'}",
        f"Acknowledged by: {r(acknowledged_by) if acknowledged_by else 'nobody yet'}",
        "",
        "Timeline (oldest first):",
    ]
    events = [e for e in ordered_events(timeline) if e["kind"] != "summary"]
    if len(events) > PROMPT_EVENTS_MAX:
        lines.append(f"- ({len(events) - PROMPT_EVENTS_MAX} earlier events not shown)")
        events = events[-PROMPT_EVENTS_MAX:]
    for event in events:
        lines.append("- " + _prompt_event(event, r))
    if not events:
        lines.append("- (no events yet)")
    return [
        {"role": "system", "content": LLM_SYSTEM_PROMPT},
        {"role": "user", "content": "\n".join(lines)},
    ]


def _prompt_event(event: Mapping[str, Any], r: Any) -> str:
    when = format_when(event["at_dt"]) if isinstance(event["at_dt"], datetime) else None
    who = f" by {r(event['actor'])}" if event["actor"] else ""
    head = f"{when + ' ' if when else ''}{event['system'] or 'unknown'} {event['kind'] or 'event'}{who}"
    data = event["data"]
    details = []
    if event["kind"] == "status_changed" and (data.get("from") or data.get("to")):
        details.append(f"from {r(str(data.get('from') or '?'))} to {r(str(data.get('to') or '?'))}")
    if data.get("resolution"):
        details.append(f"resolution {r(str(data['resolution']))}")
    if event["kind"] == "reassigned" and data.get("to"):
        to = data["to"].get("name") if isinstance(data["to"], Mapping) else data["to"]
        details.append(f"to {r(str(to))}")
    text = event["text"]
    if event["system"] == "slack":
        text = slack_to_plain(text)
    text = truncate(_one_line(r(text)), PROMPT_EVENT_TEXT_MAX)
    return head + (f" ({', '.join(details)})" if details else "") + (f": {text}" if text else "")


_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*\n?(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)


def parse_llm_summary(text: str) -> RollingSummary:
    """The model's answer as a RollingSummary (source "llm"); JSON, possibly in ```json fences.

    ValueError when the answer holds no usable JSON object with problem, status and next_step.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the model's answer is empty")
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body").strip()
    try:
        data = json.loads(body)
    except ValueError:
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the model's answer holds no JSON object") from None
        try:
            data = json.loads(body[start:end + 1])
        except ValueError:
            raise ValueError("the model's answer is not valid JSON") from None
    if not isinstance(data, Mapping):
        raise ValueError("the model's answer is not a JSON object")  # noqa: TRY004 - parse errors are ValueErrors

    def text_field(*names: str, required: bool = True) -> str | None:
        for name in names:
            value = data.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise ValueError(f"the model's {names[0]} is not a string")  # noqa: TRY004 - as above
            if value.strip():
                return value
        if required:
            raise ValueError(f"the model's answer has no {names[0]}")
        return None

    findings = data.get("findings", [])
    if findings is None:
        findings = []
    if isinstance(findings, str):
        findings = [findings]
    if not isinstance(findings, list) or not all(isinstance(f, str) for f in findings):
        raise ValueError("the model's findings are not a list of strings")
    owner = text_field("owner", required=False)
    if owner and owner.strip().lower() in ("null", "none", "unknown", "n/a"):
        owner = None
    return RollingSummary.compose(
        problem=text_field("problem") or "",
        findings=findings,
        status=text_field("status") or "",
        next_step=text_field("next_step", "nextStep", "next") or "",
        owner=owner,
        source="llm",
    )


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())
