"""Who the customer is worth: tier, ARR (log-scaled), renewal coming up, and threats to leave."""
from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import CONDITION_ANY_LANGUAGE, sentence_of
from sidecar.intelligence.signals.billing import CANCELLATION_REQUEST
from sidecar.intelligence.signals.finding import Finding, PatternRule, rule_words
from sidecar.intelligence.ticket import Ticket

CATEGORY = "high_value_customer"
PREMIUM_TIER = "premium_tier"
HIGH_ARR = "high_arr"
RENEWAL_SOON = "renewal_soon"
CHURN_THREAT = "churn_threat"

RENEWAL_WINDOW_DAYS = 90  # a renewal inside a quarter is when a bad experience costs the contract
UPPER_TIER_STRENGTH = 0.6  # a named upper plan reads as high value beside a sure reason (0.6 x reason >= 0.5)
# Below this ARR adds nothing; the strength grows with log10 from here. From 25,000 (rules-10; 10,000 before): a
# Business-plan customer paying $50,000 read as high value with it (0.35 and 0.28 make 0.53), where a support lead
# sees a mid-market account; from about $100,000 the two still do. Top and upper plans need no ARR.
ARR_FLOOR = 25_000.0
ARR_FULL = 3_000_000.0  # at or above this ARR the signal is at full strength

_TOP_TIERS = re.compile(
    r"\b(?:enterprise|strategic|platinum|vip|key[\s_-]?account|tier[\s_-]?(?:1|one|i)\b|top[\s_-]?tier|diamond|"
    r"global|elite|named[\s_-]?account|fortune[\s_-]?\d+)"
)
# A named upper plan ("Premium", "Gold", "Priority"): the customers a support team is told to look after.
_UPPER_TIERS = re.compile(r"\b(?:premium|gold|priority|tier[\s_-]?(?:2|two|ii)\b)\b")
# A paid middle plan most paying customers are on ("Pro", "Plus", "Growth", "Business": in most SaaS price lists
# the plan below Enterprise that small and mid-sized companies buy; its value shows in its ARR).
_HIGH_TIERS = re.compile(r"\b(?:plus|professional|pro|scale|growth|business)\b")
_TIER_TAG = re.compile(
    r"^(?:(?:plan|tier|segment|customer)[_:-])?(?:enterprise|strategic|platinum|vip|key[_-]?account|tier[_-]?1"
    r"|premium|"
    r"gold)(?:[_-](?:customer|account|plan|tier|support|client))?$"
)
_TIER_KEYS = ("tier", "plan", "segment", "support_plan", "sla", "account_tier", "customer_tier", "level")

_CHURN = (
    r"\b(?:cancel\w*\s+(?:\w+\s+)?(?:contract|subscription|account|renewal|service|plan)|"
    r"(?:switch|switching|move|moving|migrate|migrating|go|going|leave|leaving)\s+(?:\w+\s+){0,2}?(?:to\s+)?"
    r"(?:a\s+|another\s+|your\s+)?(?:competitor|competition|different\s+(?:vendor|provider|tool|platform|solution)|"
    r"another\s+(?:vendor|provider|tool|platform|solution)|elsewhere|away\s+from\s+you)|"
    r"(?:evaluat\w*|look\w*\s+(?:at|for|into)|consider\w*|explor\w*)\s+(?:other\s+|alternative\s+)?"
    r"(?:alternatives|competitors|other\s+(?:vendors|providers|options|tools|solutions|platforms))|"
    r"(?:won'?t|will\s+not|not\s+going\s+to|don'?t\s+plan\s+to|do\s+not\s+plan\s+to|reconsider\w*|rethink\w*)\s+"
    r"(?:\w+\s+)?(?:renew\w*|our\s+(?:contract|subscription|partnership|relationship))|"
    r"not\s+renewing|take\s+(?:our|my)\s+business\s+elsewhere|(?:leave|leaving|drop|dropping|ditch|ditching|dump)\s+"
    r"(?:you|your\s+(?:service|product|platform|company))|churn\w*|"
    r"(?:last|final)\s+(?:straw|chance|warning)|"
    # Churn said sideways: thinking of leaving, a rival's offer, a deal-breaker, doubting the tool itself.
    # Each needs its object (or the sentence's end): "thinking of leaving early today" is no threat.
    r"cancel\w*\s+(?:\w+\s+){0,3}?and\s+(?:move|switch|go|migrate)\s+to|"
    r"(?:thinking|think|considering)\s+(?:about\s+|of\s+)?(?:leaving\s+(?:you|your)|leaving(?=\s*(?:[.!?,]|$))|"
    r"switching\s+(?:to\s+(?:another|a\s+different|a\s+competitor)|vendors?|providers?|away)|moving\s+away|"
    r"dropping\s+you)|"
    r"competitors?\s+(?:\w+\s+){0,2}?(?:offered|offers|quoted|is\s+offering)\s+(?:us\s+)?(?:a\s+)?(?:better|cheaper"
    r"|lower|discount|deal|price|pricing)|deal[- ]?breaker\s+for\s+(?:us|our|me)|"
    r"(?:whether|if)\s+(?:we|i)\s+should\s+(?:keep|continue|stay)\s+(?:using|with)\s+(?:you|your|this)|"
    r"(?:making|made|makes)\s+(?:us|me)\s+(?:reconsider|rethink|question)(?:\s+(?:using\s+|our\s+|the\s+)?"
    r"(?:you|your|renew\w*|contract|subscription|partnership|relationship)|(?=\s*(?:[.!?,]|$))))\b"
)

# The customer saying what it is worth: "we're one of your top 10 accounts", "one of your largest customers". It
# counts as a named upper plan does: beside a reason, not as one.
_TOP_ACCOUNT = (
    r"\b(?:one\s+of\s+(?:your|ur)\s+(?:\w+\s+)?(?:largest|biggest|top(?:\s+\d+)?|most\s+important|oldest|"
    r"longest[- ]standing|key|strategic|major)\s+(?:customers|accounts|clients|partners)"
    r"|(?:we|we're|we\s+are)\s+(?:a\s+|your\s+)?(?:top|key|strategic|largest|biggest|flagship)\s+"
    r"(?:\d+\s+)?(?:customer|account|client)(?:\s+of\s+yours)?)\b"
)

RULES: tuple[PatternRule, ...] = (
    PatternRule(PREMIUM_TIER, _TOP_ACCOUNT, UPPER_TIER_STRENGTH, CATEGORY,
                anchors=rule_words("one we we're")),
    PatternRule(CHURN_THREAT, _CHURN, 0.85, CATEGORY, hypothetical=0.6, policy_question=0.5,
                anchors=rule_words("cancel switch move moving migrat go going leave leaving evaluat look consider "
                                   "explor won will not don do reconsider rethink take drop ditch dump churn last "
                                   "final thinking think considering competitor deal dealbreaker whether if making "
                                   "made makes")),
)


def _tier_strength(value: str) -> float:
    lowered = value.lower()
    if _TOP_TIERS.search(lowered):
        return 1.0
    if _UPPER_TIERS.search(lowered):
        return UPPER_TIER_STRENGTH
    if _HIGH_TIERS.search(lowered):
        # A mid tier alone is not "high value" (most paying customers are on one); with real ARR it adds up.
        return 0.35
    return 0.0


def _tier_finding(ticket: Ticket) -> Finding | None:
    candidates: list[tuple[str, str]] = []
    org = ticket.organization
    if org is not None:
        if org.tier:
            candidates.append(("organization.tier", org.tier))
        for key in _TIER_KEYS:
            value = org.extra.get(key)
            if isinstance(value, str) and value:
                candidates.append((f"organization.{key}", value))
    for key in _TIER_KEYS:
        value = ticket.custom_fields.get(key)
        if isinstance(value, str) and value:
            candidates.append((f"custom_fields.{key}", value))
    for tag in ticket.tags:
        # Tags are free-form ("global_outage"), so only a tag that is nothing but a tier name counts.
        if _TIER_TAG.match(tag.lower()):
            candidates.append(("tags", tag))
    best: Finding | None = None
    for field, value in candidates:
        strength = _tier_strength(value)
        if strength and (best is None or strength > best.strength):
            best = Finding(PREMIUM_TIER, strength, f"{field} = {value}", CATEGORY)
    return best


def _arr_finding(ticket: Ticket) -> Finding | None:
    org = ticket.organization
    if org is None or org.arr is None or org.arr <= ARR_FLOOR:
        return None
    strength = math.log10(org.arr / ARR_FLOOR) / math.log10(ARR_FULL / ARR_FLOOR)
    strength = min(1.0, strength)
    if strength < 0.05:
        return None
    return Finding(HIGH_ARR, strength, f"organization.arr = {org.arr:.0f}", CATEGORY)


def _renewal_finding(ticket: Ticket, now: datetime | None) -> Finding | None:
    org = ticket.organization
    if org is None or org.renewal_date is None or now is None:
        return None
    days = (org.renewal_date - now.date()).days
    if days < 0 or days > RENEWAL_WINDOW_DAYS:
        return None
    # Full strength inside two weeks, fading to a fifth at the edge of the window.
    strength = 1.0 if days <= 14 else 1.0 - 0.8 * (days - 14) / (RENEWAL_WINDOW_DAYS - 14)
    return Finding(
        RENEWAL_SOON, strength, f"organization.renewal_date = {org.renewal_date.isoformat()} (in {days} days)", CATEGORY
    )


def detect_ticket(ticket: Ticket, now: datetime | None) -> list[Finding]:
    """Tier, ARR and renewal findings from the organisation, tags and custom fields."""
    found = (_tier_finding(ticket), _arr_finding(ticket), _renewal_finding(ticket, now))
    return [f for f in found if f is not None]


# A condition that is only politeness: "please cancel our plan if possible" asks for it.
_POLITE_CONDITION = re.compile(
    r"\b(?:if|wenn|falls|si|se|indien)\s+(?:possible|possível|possibile|möglich|mogelijk|es\s+posible|you\s+(?:can|could)"
    r"|that'?s\s+(?:ok|okay|fine|alright))\b"
)


def threats_not_requests(view: MessageView, found: list[Finding]) -> list[Finding]:
    """The findings with a cancellation said under a condition ("if it happens again we cancel") read as what it
    is, a threat to leave (churn_threat), not a request to cancel now."""
    out = []
    threat: Finding | None = None
    for finding in found:
        if finding.signal == CANCELLATION_REQUEST and finding.span is not None:
            left, right = sentence_of(view, finding.span[1], finding.span[2])
            # A condition in its sentence: "we will not renew if this is how incidents are handled", "wenn sich das
            # nicht ändert, werden wir kündigen", "sinon nous résilierons".
            if CONDITION_ANY_LANGUAGE.search(_POLITE_CONDITION.sub(" ", view.lower[left:right])):
                finding = replace(finding, signal=CHURN_THREAT, category=CATEGORY)
        if finding.signal == CHURN_THREAT:  # one finding a signal per message, as the rules keep: the strongest
            threat = finding if threat is None or finding.strength > threat.strength else threat
            continue
        out.append(finding)
    return out if threat is None else [*out, threat]
