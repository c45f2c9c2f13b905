"""The escalation's title and problem statement, condensed from the ticket's subject and opening message."""
from __future__ import annotations

import re

from sidecar.intelligence.text.clean import (
    SIGN_OFF,
    capitalise,
    clean_block,
    collapse,
    normalised,
    truncate,
)
from sidecar.intelligence.text.cues import GREETING, is_pleasantry
from sidecar.intelligence.text.sentences import sentences
from sidecar.intelligence.text.steps import LIST_LINE, STEPS_HEADER
from sidecar.intelligence.ticket import Ticket

TITLE_MAX = 120
PROBLEM_MAX_CHARS = 400
PROBLEM_MAX_SENTENCES = 3

_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|wg|tr)\s*:|\[[^\]]{1,20}\]|\((?:external|ext)\)|"
    r"(?:urgent|important|asap|help|critical|high\s+priority|attention|action\s+required|p[0-4])\s*[:!\-\u2014]+)\s*",
    re.IGNORECASE,
)


def summary_title(ticket: Ticket) -> str:
    """A clear one-line Jira summary: the subject cleaned (or the problem's first sentence) and the account."""
    subject = collapse(ticket.subject or "")
    previous = None
    while previous != subject:
        previous = subject
        subject = _SUBJECT_PREFIX.sub("", subject, count=1)
    subject = re.sub(r"([!?.])\1+", r"\1", subject).strip(" -:!\u2014")
    if not subject:
        first = sentences(problem_statement(ticket))
        subject = first[0].rstrip(".") if first else f"Ticket {ticket.id}"
    if _is_shouting(subject):
        subject = _sentence_case(subject, reference=" ".join(customer_texts(ticket)))
    account = ticket.organization.name if ticket.organization and ticket.organization.name else None
    if account and account.lower() not in subject.lower():
        prefix = f"{account}: "
        return prefix + truncate(capitalise(subject), max(20, TITLE_MAX - len(prefix)))
    return truncate(capitalise(subject), TITLE_MAX)


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
    lines = [line for line in clean_block(opening).split("\n")
             if not LIST_LINE.match(line) and not (line.rstrip().endswith(":") and STEPS_HEADER.search(line))]
    kept: list[str] = []
    for sentence in sentences("\n".join(lines)):
        sentence = GREETING.sub("", sentence, count=1).strip()
        if not sentence or SIGN_OFF.match(sentence) or is_pleasantry(sentence):
            continue
        kept.append(capitalise(sentence))
        if len(kept) == PROBLEM_MAX_SENTENCES:
            break
    return truncate(" ".join(kept), PROBLEM_MAX_CHARS)


def customer_texts(ticket: Ticket) -> list[str]:
    """The description and customer comments, cleaned, without the description's copy as comment 1."""
    texts: list[str] = []
    seen: set[str] = set()
    for text in [ticket.description, *(c.body for c in ticket.comments if c.author == "customer")]:
        cleaned = clean_block(text)
        key = normalised(cleaned)
        if cleaned and key not in seen:
            seen.add(key)
            texts.append(cleaned)
    return texts
