"""A matter the customer's latest message says is settled: what the earlier messages reported counts a tenth.

"Since this morning every export fails" stays in the ticket after the agent's fix and the customer's "just
tried, it works again, thanks!". Read message by message, the outage is still there and the ticket would be
escalated after it was solved. When the customer's latest message, written after the opening one (after the
support side's reply, or the customer writing again), says it is over (negation.says_settled) and gives no
reason of its own, every finding of the earlier messages and of the conversation counts a tenth. So does a short
reply to the support side's answer that says the answer served ("got it, thanks", "deu certo, obrigada!",
negation.acknowledges_answer). A latest message that says it is still broken, asks anything or waits for more
settles nothing.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import acknowledges_answer, says_settled, sentence_of, withdraws_question
from sidecar.intelligence.signals.finding import Finding
from sidecar.intelligence.text.clean import body_end
from sidecar.intelligence.ticket import Ticket

_REASON_STRENGTH = 0.5  # a finding this strong in the latest message is a reason of its own: nothing is settled
# A tenth, not the quarter of resolved talk in a sentence: a matter reported in several messages, by the rules
# and the semantic layer, gives several findings, and a quarter of each still adds up to a category.
SETTLED_FACTOR = 0.1
# A reading of the semantic layer less sure than this, in a reply that settles, is part of the settling: "IT found
# them all in quarantine. Released them and whitelisted the address. Thanks!" read "released ... whitelisted" as a
# privacy request (0.53) and kept a solved ticket open (an eighth probe, 2026-12-07).
SURE_READING_IN_A_SETTLING_REPLY = 0.8


def latest_customer_reply(ticket: Ticket) -> MessageView | None:
    """The customer's latest comment when it follows the opening message (a reply, or the customer writing again)."""
    return _latest_reply(ticket)[0]


def _latest_reply(ticket: Ticket) -> tuple[MessageView | None, bool]:
    """The customer's latest comment after the opening message, and whether the support side (an agent or a
    bot) wrote between the opening and it."""
    opening = (ticket.description or "").strip()
    latest: MessageView | None = None
    answered = False
    support_wrote = False
    for index, comment in enumerate(ticket.comments):
        body = comment.body.strip()
        if comment.author != "customer":
            support_wrote = support_wrote or bool(body)
            continue
        # Zendesk repeats the description as the first comment: that is the opening, not a later word.
        if body and not (index == 0 and (not opening or body == opening)):
            latest = MessageView.of(f"comment {index + 1}", "customer", comment.body[:body_end(comment.body)])
            answered = support_wrote
    return latest, answered


def settle(ticket: Ticket, findings: Sequence[Finding], *, reads_settled: bool = False) -> list[Finding]:
    """The findings, the earlier ones at a tenth when the customer's latest reply says the matter is settled
    (`reads_settled`: the semantic layer reads that reply, after the support side's answer, as settling it)."""
    latest, answered = _latest_reply(ticket)
    if latest is None:
        text = ticket.description[:body_end(ticket.description)]
        opening = MessageView.of("description", "customer", text)
        # The customer's only message taking its own question back ("please ignore my last email, found them")
        # settles everything in it.
        if text and withdraws_question(opening):
            return [replace(f, strength=f.strength * SETTLED_FACTOR) for f in findings]
        if not text or not is_reply_subject(ticket.subject):
            return list(findings)
        # A mail replying to the support side's answer ("Re: timeouts from Frankfurt") opens the ticket: its subject
        # is the matter reported before, and the message is the latest word after an answer, read as one.
        latest, answered = opening, True
    if not (says_settled(latest) or (answered and (acknowledges_answer(latest) or reads_settled))):
        return list(findings)
    # The latest message's own findings stand, except in the sentence that settles ("the refund arrived today") and
    # those of a category the earlier messages reported: that is the matter being settled, told again ("new export
    # is in, the cost centres are all correct"), not a new one; a new matter after "but" has already kept it open.
    earlier = {f.category for f in findings
               if f.category is not None and f.message() is not None and f.message() != latest.where}
    judged = [(f, f.message() == latest.where and not _says_it_is_over(f) and f.category not in earlier
               and not (f.read_by_layer and f.strength < SURE_READING_IN_A_SETTLING_REPLY))
              for f in findings]
    if any(stands and f.category is not None and f.strength >= _REASON_STRENGTH for f, stands in judged):
        return list(findings)
    return [f if stands else replace(f, strength=f.strength * SETTLED_FACTOR) for f, stands in judged]


# The prefixes mail clients put before the subject of a reply (not a forward: "Fwd:" passes on someone else's mail).
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|antw|antwort|sv|rv|r|réf)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)


def is_reply_subject(subject: str | None) -> bool:
    """True when the subject is a mail client's reply to an earlier message ("Re: ...", "AW: ...")."""
    return bool(subject) and _REPLY_SUBJECT.match(subject or "") is not None


def _says_it_is_over(finding: Finding) -> bool:
    """True for a rule's finding in a sentence that itself says the matter is over: "the refund arrived today" names
    a refund, and is the settlement, not a new reason."""
    if finding.span is None:
        return False
    view, start, end = finding.span
    left, right = sentence_of(view, start, end)
    return says_settled(MessageView.of(view.where, view.author, view.text[left:right]))
