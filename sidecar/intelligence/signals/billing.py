"""Money: refunds, double charges, wrong invoices, chargebacks and disputes, cancellations."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import sentence_of
from sidecar.intelligence.signals import incident
from sidecar.intelligence.signals.finding import (
    NOT_MEANT,
    POLICY_QUESTION_FACTOR,
    RESOLVED_FACTOR,
    Finding,
    PatternRule,
    default_judge,
    rule_words,
)
from sidecar.intelligence.signals.their_customers import PEOPLE_THEY_SERVE

CATEGORY = "billing_refund"
REFUND_REQUEST = "refund_request"
BILLING_ERROR = "billing_error"
CHARGEBACK_OR_DISPUTE = "chargeback_or_dispute"
CANCELLATION_REQUEST = "cancellation_request"

# A demand ("refund me", "I want my money back") is stronger than a mention ("refund status").
_REFUND_DEMAND = (
    r"\b(?:refund\s+(?:me|us|my|our|the|this|it|all|immediately|asap|now)|"
    r"(?:want|need|demand|demanding|expect|expecting|request|requesting|like|deserve|owed|issue|process|give\s+(?:me"
    r"|us))\s+"
    r"(?:\w+\s+){0,2}?(?:a\s+|an\s+|my\s+|our\s+|the\s+|full\s+|partial\s+)*refund|"
    r"(?:my|our)\s+money\s+back|money\s+back|reimburse(?:ment|d)?|"
    r"(?:full|partial|immediate|prorated|pro-rated)\s+refund|"
    r"credit\s+(?:back|(?:my|our)\s+(?:account|card))|"
    r"(?:still|haven'?t|have\s+not|never|didn'?t|did\s+not|not\s+yet)\s+(?:\w+\s+)?(?:received|got|gotten|seen)\s+"
    r"(?:my\s+|our\s+|the\s+|a\s+)?refund)\b"
)
_REFUND_MENTION = r"\b(?:refund(?:s|ed|able|ing)?|reimburs\w*)\b"
_BILLING_ERROR = (
    r"\b(?:(?:double|twice|duplicate|multiple|extra|incorrectly|wrongly|over|mistakenly)[- ]?(?:charged|billed|"
    r"charges?|billing|payments?)|charged\s+(?:us\s+|me\s+)?(?:twice|double|two\s+times|three\s+times|again|"
    r"too\s+much|more\s+than|the\s+wrong|incorrectly|after\s+(?:i|we)\s+cancel\w*|for\s+(?:a|an|something|seats|"
    r"users|licenses)\s+(?:we|i)\s+(?:didn'?t|did\s+not|never|don'?t))|overcharg\w*|over-charg\w*|"
    r"(?:wrong|incorrect|inaccurate|duplicate|unexpected|unauthori[sz]ed|mystery|unknown|unrecogni[sz]ed)\s+"
    r"(?:invoice|charge|charges|bill|billing|amount|payment|transaction|fee|fees|price|pricing|line\s+item)|"
    r"(?:invoice|bill|charge|amount|price)\s+(?:is|was|seems|looks)\s+(?:wrong|incorrect|too\s+high|off|double)|"
    r"billing\s+(?:error|mistake|issue|problem|discrepancy)|still\s+being\s+(?:charged|billed)|"
    r"(?:charged|billed)\s+(?:for|after)\s+(?:\w+\s+){0,3}?(?:cancel\w*|closed|deleted|downgrad\w*)|"
    # Seats billed that are not used, renewals after a cancellation, invoices that contradict the deal,
    # prices raised without a word: the disputes B2B billing teams see most.
    r"(?:charged|billed)\s+(?:\w+\s+){0,2}?after\s+(?:the\s+|our\s+|my\s+)?(?:free\s+)?trial|"
    r"(?:charged|billed|debited)\s+(?:\w+\s+){0,3}?(?:even\s+though|although|despite)|"
    r"(?:billed|charged|invoiced)\s+for\s+(?:\d+|more|extra|additional|too\s+many)\s+(?:seats|users|licen[cs]es"
    r"|agents|members)|"
    r"(?:renewed|auto-?renewed)\s+(?:\w+\s+){0,3}?(?:after|even\s+though|although|despite)\s+(?:i|we)\s+"
    r"(?:had\s+|have\s+)?(?:cancel\w*|downgrad\w*|turned\s+off)|"
    r"(?:invoice|bill|charge|price|amount|pricing)\s+(?:doesn'?t|does\s+not|didn'?t|did\s+not)\s+match|"
    r"(?:price|pricing|fee|fees|rate|cost|bill)\s+(?:\w+\s+){0,2}?(?:went\s+up|increased|rose|doubled|jumped)\s+"
    r"(?:\S+\s+){0,3}?(?:without|with\s+no)\s+(?:any\s+)?(?:notice|warning|notification|explanation))\b"
)
# An invoice of ours to be corrected and issued again (the wrong legal entity, VAT or tax number, address or PO):
# the billing team's work, as a wrong amount is. Not an invoice the customer issues to its own customers (the
# judge: "how do I reissue an invoice to a client").
_REISSUE = (
    r"\b(?:(?:re-?issue|re-?send|resend|correct|amend|redo|regenerate)\s+(?:the\s+|our\s+|this\s+|that\s+|an?\s+"
    r"|your\s+)?(?:invoice|bill|receipt|credit\s+note)s?|"
    r"re-?issue\w*\s+(?:it\s+|them\s+)?(?:with|under|to)\s+(?:the\s+|our\s+)?(?:correct|right|new|updated|proper)|"
    r"(?:invoice|bill)s?\s+(?:\S+\s+){0,4}?(?:is|are|was|were)\s+(?:addressed|issued|made\s+out)\s+to\s+(?:the\s+)?"
    r"(?:wrong|old|incorrect|former|previous)|"
    r"(?:wrong|incorrect|old|outdated|missing)\s+(?:legal\s+)?(?:entity|company\s+name|vat\s+(?:number|id)|"
    r"tax\s+(?:number|id)|billing\s+address|po\s+number|purchase\s+order\s+number)\s+on\s+(?:the\s+|our\s+|your\s+|"
    r"this\s+)?invoice)\b"
)

# Asking for money to be waived or credited is a refund by another name.
_CREDIT = (
    r"\b(?:waive\s+(?:\w+\s+){0,2}?(?:fee|fees|charge|charges|penalty|penalties|interest)|"
    r"(?:a|any|some)\s+(?:service\s+)?credit\s+for|service\s+credits?|sla\s+credits?|credit\s+(?:note|memo)|"

    r"pro-?rat(?:a|ed)\s+credit)\b"
)
# ... and asked for outright, as "refund me" is ("we need a credit", "we expect a credit").
_CREDIT_DEMAND = (
    r"\b(?:need|want|expect|request|ask\s+for|asking\s+for|like|deserve|are\s+owed|were\s+promised)\s+"
    r"(?:a|some|an\s+account|the)\s+credit\b"
)
_DISPUTE = (
    r"\b(?:charge\s*-?\s*back|dispute\s+(?:the|this|a|these|our|my)?\s*(?:charge|payment|invoice|transaction|bill)|"
    r"(?:billing|payment|invoice)\s+dispute|disputing|contact(?:ing)?\s+(?:my|our)\s+(?:bank|card\s+issuer"
    r"|credit\s+card)|"
    r"report(?:ing)?\s+(?:this|it)\s+to\s+(?:my|our)\s+(?:bank|credit\s+card)|fraudulent\s+charge)\b"
)
_CANCEL = (
    r"\b(?:(?:cancel(?:l?ing|l?ed)?|terminat(?:e|ing))\s+(?:\w+\s+){0,2}?(?:subscription|plan|account|contract|"
    r"membership|renewal|service|license|licence|seats?)|(?:cancel(?:l?ation)|termination)\s+(?:of|request|notice)|"
    r"(?:stop|end)\s+(?:the\s+|my\s+|our\s+)?(?:subscription|billing|auto-?renew\w*|recurring\s+(?:charge|payment))|"
    r"(?:don'?t|do\s+not)\s+renew|turn\s+off\s+auto-?renew\w*)\b"
)

# Whom the refund goes to, right after the word: the customer's own customers ("how do I issue a partial refund
# to a buyer?", "refunds to our clients fail") is their business run on the product, not money owed to them.
_THEIR_CUSTOMERS = re.compile(
    r"\s*(?:s\b|ed\b|ing\b)?\s*(?:(?:to|for)\s+)?(?:a|an|the|my|our|their|each|every|all|these|those|some|one\s+of"
    rf"\s+(?:my|our|their))?\s*{PEOPLE_THEY_SERVE}(?:'s?)?\b(?!\s+(?:success|service|support|care))"
)


# ...or a refund the customer itself issues: "how do I issue a partial refund for two items?", "we process refunds
# through your API" (not "we need you to process a refund").
_WE_ISSUE = re.compile(
    r"\b(?:i|we)\s+(?:(?!you\b|u\b)\w+\s+){0,4}?(?:issue|issuing|process|processing|give|giving|make|making|initiate"
    r"|initiating|trigger|triggering|create|creating)\s+(?:\w+\s+){0,2}?$"
)


# "Refund question", "refund q", "refund policy": a question about refunds, named as such.
_ABOUT_REFUNDS = re.compile(r"\s*(?:q|qs|question|questions|query|queries|policy|policies|info|information|terms)\b")


def _judge_reissue(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """An invoice of ours to be corrected, unless it is one the customer sends to its own customers."""
    if _THEIR_CUSTOMERS.match(view.lower, match.end()):
        return NOT_MEANT
    return default_judge(view, match, rule)


def _judge_refund(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    word = view.lower.rfind("refund", match.start(), match.end())
    if _THEIR_CUSTOMERS.match(view.lower, match.end()) or (
            word >= 0 and _WE_ISSUE.search(view.lower, max(0, word - 60), word)):
        return NOT_MEANT
    strength = default_judge(view, match, rule)
    if _ABOUT_REFUNDS.match(view.lower, match.end()):
        strength *= POLICY_QUESTION_FACTOR
    return strength


RULES: tuple[PatternRule, ...] = (
    PatternRule(REFUND_REQUEST, _REFUND_DEMAND, 0.9, CATEGORY, judge=_judge_refund,
                anchors=rule_words("refund money reimburs full partial immediate prorated pro-rated credit")),
    # A bare mention ("refund status", "refund policy") counts for the category but much less.
    PatternRule(REFUND_REQUEST, _REFUND_MENTION, 0.55, CATEGORY, anchors=rule_words("refund reimburs"),
                judge=_judge_refund),
    PatternRule(BILLING_ERROR, _REISSUE, 0.7, CATEGORY, judge=_judge_reissue,
                anchors=rule_words("reissue re-issue resend re-send correct amend redo regenerate invoice "
                                   "invoices bill bills wrong incorrect old outdated missing")),
    PatternRule(BILLING_ERROR, _BILLING_ERROR, 0.85, CATEGORY,
                anchors=rule_words("double twice duplicate multiple extra incorrectly wrongly over mistakenly charged "
                                   "overcharg wrong incorrect inaccurate unexpected unauthori mystery unknown "
                                   "unrecogni invoice bill charge amount price billing still billed invoiced "
                                   "renewed auto pricing fee rate cost debited")),
    PatternRule(REFUND_REQUEST, _CREDIT, 0.7, CATEGORY,
                anchors=rule_words("waive a any some service sla credit pro prorata prorated")),
    PatternRule(REFUND_REQUEST, _CREDIT_DEMAND, 0.9, CATEGORY,
                anchors=rule_words("need want expect request ask asking like deserve are were")),
    PatternRule(CHARGEBACK_OR_DISPUTE, _DISPUTE, 0.9, CATEGORY,
                anchors=rule_words("charge dispute billing payment invoice disputing contact report fraudulent")),
    PatternRule(CANCELLATION_REQUEST, _CANCEL, 0.75, CATEGORY,
                anchors=rule_words("cancel terminat stop end don do turn")),
)


# An incident named as what money is asked for ("a service credit for the three days of downtime", "refund us for
# last week's outage"): the money is the matter now and finance's; the incident is its history, and counts a
# quarter, as talk about an incident that is over does.
_CREDIT_FOR_INCIDENT = re.compile(
    r"\b(?:credits?|refund\w*|compensat\w*|reimburs\w*|discount|money\s+back|make\s+good)\b(?:\s+\S+){0,8}?\s+"
    r"(?:for|because\s+of|due\s+to|after|over|covering)\s+(?:\S+\s+){0,6}?(?:outages?|downtime|incidents?"
    r"|disruptions?|interruptions?|unavailab\w*|(?:was|were|being|went|been)\s+down|down\s+for)\b"
)


def asks_credit_for_incident(text: str) -> bool:
    """True when the sentence asks for money for an incident ("a service credit for the downtime")."""
    return _CREDIT_FOR_INCIDENT.search(text.lower()) is not None


def incidents_behind_credits(findings: Sequence[Finding]) -> list[Finding]:
    """The findings with each bug_incident finding of the rules whose sentence asks money for that incident counted
    a quarter (the semantic layer does the same for its readings)."""
    out = []
    for finding in findings:
        if finding.category == incident.CATEGORY and finding.span is not None:
            view, start, end = finding.span
            first, last = sentence_of(view, start, end)
            if asks_credit_for_incident(view.lower[first:last]):
                finding = replace(finding, strength=finding.strength * RESOLVED_FACTOR)
        out.append(finding)
    return out
