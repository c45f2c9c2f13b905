"""Score a ticket: does it need a human expert, how badly, in which categories, and on what evidence.

The rules model is a logistic over weighted evidence: each signal has a strength in 0..1 (how sure the
detector is, e.g. 0.9 for "refund me now", 0.45 for "what is your refund policy?"), a weight in log-odds
(below), and the score is logistic(baseline + sum(weight * strength)), so it reads like a probability;
a reported reason an agent has no authority to settle (money, law, another team, a person asked for)
keeps it at least in the "high" band (authority_floor).
The findings are the rules' (signals/), refined by the semantic layer when it is on (semantic/: what a
sentence means, beside what a pattern matches). A learned model (see learned.py) may replace the score;
the signals and categories always come from those findings, so an agent can always see why.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Protocol

from sidecar.domain.statuses import AssessmentLevel, Recommendation
from sidecar.intelligence.assessment import (
    CATEGORIES,
    WHOLE_TICKET_SIGNAL,
    Assessment,
    CategoryScore,
    ScoringPolicy,
    Signal,
)
from sidecar.intelligence.semantic import active_layer, needs_person
from sidecar.intelligence.semantic.examples import ALSO_REASONS
from sidecar.intelligence.signals import Finding, detect_signals
from sidecar.intelligence.signals.auto_reply import silence_auto_reply
from sidecar.intelligence.signals.billing import incidents_behind_credits
from sidecar.intelligence.signals.settled import settle
from sidecar.intelligence.signals.their_customers import for_their_customers
from sidecar.intelligence.ticket import Ticket

# rules-2: patience split from resolved talk, the authority floor; rules-3: naming a commercial or engineering
# thing is no request for that team ("our sales team", "we are on your enterprise plan", "the wrong VAT ID",
# "thanks for the post-mortem"; signals/cross_team.py), nor is "our contact person" or "the phone number on
# my statement" a request for a person, while "agent plzz" is (signals/human_request.py);
# 4: an outage named by its date is a past one (signals/incident.py), "put me through" in five languages, Dutch
# with the verb last, Hinglish requests for a person, and "erstatten Sie" (signals/other_languages.py); "a
# root-cause analysis" and "we would like one of your engineers" ask for engineering (signals/cross_team.py);
# person words in chat shorthand ("agnt", "hmn", "prsn") and bare requests in the other languages
# ("OPERADOR POR FAVOR", "Mitarbeiter bitte") (signals/human_request.py); documentation lowers a ticket only
# when it is what is wrong, not where the customer read how to do something (signals/low_impact.py); a reported
# bug lifts the score to the authority floor, unless it is cosmetic (authority_floor); the vendor's engineers
# or a quote asked for in the six other languages, and a refund said to have arrived counts a quarter there
# (signals/other_languages.py); nobody able to log in, in seven languages and Hinglish, is an outage
# (signals/incident.py, signals/other_languages.py); solutions, implementation, integration and professional
# services teams and "ur eng ppl" are the vendor's engineers (signals/cross_team.py)
# 5 (2026-12-07): the rules read the writer's own words only, as the semantic layer does (no quoted mail,
# signature or confidentiality notice: signals/__init__.py); reach counts only where something fails; a '.'
# inside "6.4" ends no sentence (message.py); data left open, recurring incidents, "<thing> stopped posting",
# people who did not get what the product sends, access rules not enforced, malfunctions in the other
# languages; resolved talk in seven languages (negation.py); commercial papers named in a billing complaint
# are no cross-team request (signals/cross_team.py)
# 6 (2026-12-07): customer service asked for in the opening message is the channel the ticket is already in,
# counted below the category threshold; after a reply, or as a hand-over ("transfer me to ..."), it is a request
# for a person (signals/human_request.py)
# 7 (2026-12-07): a Business plan is a paid middle plan, like Pro (signals/customer_value.py); a customer saying
# it is a top account counts as an upper plan does; a refund the customer gives its own customers is no refund
# request (signals/billing.py); legal threats, money taken without a right, Dutch double debits and a Hinglish
# hack in the other languages (signals/other_languages.py); "is there an actual human being?" asks for one, and
# people "on their lists" are the customer's own to call, not the vendor's staff (signals/human_request.py)
# 8 (2026-12-07): a matter the customer's latest message says is settled ("it works again, thanks", "the refund
# arrived") leaves the earlier findings at a tenth (signals/settled.py, negation.says_settled)
# 9 (2026-12-07): a person asked for in chat in the other languages (attended by one, a manager to talk to,
# verb-last German, "basta bot", Taglish) and a bot that does not understand; "refund q" names a question
# (signals/other_languages.py, signals/billing.py)
# 10 (2026-12-07): a mail client's automatic reply (its subject prefix) says nothing in its opening message
# (signals/auto_reply.py); quoted mail that runs to the end of a message is not the writer's (text/clean.py); a
# short reply to the support side's answer saying it served ("got it, thanks") settles the matter as "it works
# again" does (signals/settled.py, negation.acknowledges_answer); ARR counts from 25,000; a cancellation under a
# condition ("if this is how incidents are handled we will not renew") is a churn threat, not a cancellation
# request (signals/customer_value.py); a legal threat under a condition ("if the refund is not processed, our
# legal team will take this further") is one, lawyers doing contract work ("our legal team's redlines on the MSA")
# are none (signals/compliance.py); the sentence that settles a matter ("the refund arrived today") is no new
# reason (signals/settled.py); an invoice of ours to be corrected and issued again (wrong entity, VAT or tax
# number) is a billing error, in the seven languages (signals/billing.py, signals/other_languages.py); a matter
# placed months or years back ("last year we hit 429s and lost orders") is history, as resolved talk is
# (negation.is_resolved_talk); a customer's only message taking its question back ("please ignore my last
# email, found them") settles it, and "shown correctly now" settles in the other languages (signals/settled.py);
# 11: a settling latest message that tells the settled matter again ("new export is in, the cost centres are all
# correct") is no new reason, a customer closing the ticket in the seven languages ("das Ticket kann geschlossen
# werden", "potete chiudere") or saying "we're good" settles (signals/settled.py, negation.py); "band ho gaya" (it
# stopped) is no "ho gaya" (done); "a small thing" is modesty, not a cosmetic flaw (signals/low_impact.py); a
# hypothetical in the other languages ("si un patient nous demandait un jour ...") counts as one in English does
# (negation._HYPOTHETICAL, signals/other_languages.py); "c'est très clair", "está claro" answer a question; a threat
# to leave in the six other languages ("valuteremo di non rinnovare") is a churn threat, and a negation before a
# comma negates another clause ("se não resolverem, vamos mudar para a concorrência") (signals/other_languages.py);
# a year-end or code freeze is no hang, data asked "to be deleted" no loss (signals/incident.py); a second reason
# only the semantic layer reads, and not surely, is not reported (unsure_second_reasons_left_out); "all 14 clinics"
# is reach and "can't see any of tomorrow's bookings" a failure, and so is reach counted in the other languages
# ("manca la tredicesima per tutti i 74 dipendenti") (signals/incident.py);
# 12: a security hole in the product also counts for compliance_security (ALSO_COUNTS_FOR), and a reply that reads
# as settling the matter settles it (settled.settle's reads_settled); a person who "no longer works there" is no
# regression (signals/incident.py); a request for a person inside a short quoted label ("Contact sales" on the
# pricing page) is no request (signals/human_request.py); "a serious privacy issue" is a breach (signals/compliance.py);
# a credit note asked for beside a corrected invoice is billing, not a commercial request (signals/cross_team.py);
# auditors named only as a deadline ask for no paperwork (signals/compliance.py); "that was it" acknowledges an answer
# (negation.py)
# 13: a how-to question about the customer's own customer, client, tenant or employee counts its money and paperwork
# reasons a quarter: that is work the customer does in the product (signals/their_customers.py, which owns the nouns
# for the people a customer serves; billing's refund judge reads them too); a wrong result told as what the product
# did ("shows VAT at 0% instead of 20%", "appears twice", "isn't happening any more") is a malfunction
# (signals/incident.py); "can you enable the beta for our account?" is an engineering request (signals/cross_team.py);
# a second reason is reported only at 0.75 (SURE_SECOND_REASON); an incident named as what a credit is asked for
# counts a quarter, and "we need a credit" is a refund request (signals/billing.py); reach with an inability ("1,300
# learners can't watch course videos") is a malfunction, and "can't wait" no inability (signals/incident.py); a mail
# replying to our answer ("Re: ...") that says it is fixed settles its subject, an unsure reading in a settling reply
# is part of the settling (signals/settled.py), recovery words ("look right again") and thanks ("didn't know I could
# do that") keep a reply short of nothing, and a request ("please push for the rollback") leaves it open (negation.py);
# a forwarded mail is read to its own end, not cut at its "From:" line (text/clean.py); "if that helps" is no
# acknowledgement (negation.py); reach whose sentence says it did not happen ("3,214 employees who will not be paid",
# "none of them has received") is a malfunction (signals/incident.py); a question asking the way in the other
# languages ("Como faço para ...?", "Wie kann ich ...?") is a how-to question (signals/other_languages.py); "please
# pass this to a person" asks for one (signals/human_request.py)
RULES_MODEL_VERSION = "rules-13"
BASELINE = "baseline"

# Log-odds per unit of signal strength. With the baseline of -2.2 a ticket with no evidence scores 0.10.
# A clear signal is found with strength ~0.85-1.0, so a weight of about 3.1 or more escalates on its own
# (score >= 0.6: outage, data loss, a request for a person, legal threats); 1.8-2.6 reaches "watch"
# (a crash, a refund request); around 1 only adds to other evidence.
DEFAULT_WEIGHTS: dict[str, float] = {
    BASELINE: -2.2,  # most tickets need no expert: an empty ticket scores 0.10
    # The customer asks for a person.
    "asks_for_human": 3.2,  # an explicit request for a person is reason enough to hand over (escalates alone)
    "rejects_automated_help": 2.6,  # "this bot is useless": the automated path has failed
    "asks_for_call_or_contact": 1.6,  # wants a call / a number: a person, but often routine
    "asks_for_escalation": 2.6,  # "please escalate this": the customer has judged it for us
    # Frustration and a conversation that is not working.
    "frustration_language": 1.2,  # anger predicts escalation, but alone is not a reason for an expert
    "shouting_or_profanity": 0.8,  # capitals, !!!, swearing: intensity, weaker than words
    "unresolved_or_recurring": 1.0,  # "still broken", "third time": the first answers did not work
    "frustration_rising": 0.9,  # anger growing across messages predicts a blow-up better than level
    "urgency_language": 0.8,  # "urgent", "ASAP", "go-live tomorrow": time pressure, often overstated
    "repeated_replies": 1.2,  # a bot or macro answering the same thing: the loop needs a person
    "customer_repeating_themselves": 0.9,  # the customer is not being heard
    # Bugs and incidents: the main reason support needs engineering.
    "outage": 3.2,  # a service down is the canonical expert escalation (escalates alone)
    "data_loss": 3.2,  # lost data is irreversible and high-stakes (escalates alone)
    "crash_or_hang": 2.4,  # crashes and hangs are severe bugs an agent cannot fix (watch alone)
    "regression": 1.4,  # "worked yesterday": likely a fresh defect engineering should see
    "error_trace": 1.0,  # stack traces and error codes: a technical fault, evidence for engineering
    "security_vulnerability": 3.2,  # a security hole is severe whatever the tier (escalates alone)
    "broad_impact": 1.3,  # "all our users": blast radius raises severity
    "malfunction": 0.6,  # "doesn't work": most tickets say it; weak alone
    # Money.
    "refund_request": 2.2,  # refunds need authority agents often do not have (watch alone)
    "billing_error": 2.0,  # double charges and wrong invoices need finance
    "chargeback_or_dispute": 3.0,  # a dispute has deadlines and costs (escalates alone)
    "cancellation_request": 1.8,  # a cancellation is revenue at risk
    # Security, privacy and legal.
    "security_breach": 3.4,  # a compromised account or breach is urgent and regulated (escalates alone)
    "privacy_request": 2.4,  # GDPR/DSAR requests have legal deadlines
    "compliance_paperwork": 1.0,  # SOC 2 / DPA requests need the security or legal team, rarely urgent
    "legal_threat": 3.2,  # lawyers and lawsuits: always an expert (escalates alone)
    # Other teams.
    "engineering_request": 1.2,  # limits, integrations, custom work: only engineering can answer
    "commercial_request": 0.9,  # contracts, pricing, procurement: sales or finance
    # Who the customer is.
    "premium_tier": 0.8,  # enterprise customers get a lower bar for escalation
    "high_arr": 1.0,  # log-scaled ARR: revenue at stake
    "renewal_soon": 0.7,  # a bad experience just before renewal costs the contract
    "churn_threat": 2.6,  # "we will switch to a competitor": revenue at stake now
    # Conversation dynamics.
    "reopened": 1.0,  # a reopened ticket was not really solved
    "long_back_and_forth": 0.6,  # many turns without resolution
    "customer_waiting": 0.8,  # a customer left waiting gets angrier by the hour
    "priority_high": 1.0,  # the help desk's own priority is informed by people who saw the ticket
    "priority_low": -0.8,  # ... and so is a low priority
    # What lowers the need for an expert.
    "feature_request": -1.2,  # a wish is not an incident; product feedback goes elsewhere
    "cosmetic_or_docs": -0.9,  # typos, colours, docs: real but not urgent
    "maintenance_task": -1.0,  # ports, clean-ups, refactors: internal chores
    "how_to_question": -0.6,  # "how do I ...?": answerable from the help centre
    "calm_or_resolved": -1.2,  # "that fixed it", "you can close this": the customer says it is solved
    "no_rush": -1.2,  # "no rush", "low priority": lowers only a ticket without a reason (see gate_by_reason)
}

DEFAULT_LEVEL_THRESHOLDS: dict[str, float] = {
    AssessmentLevel.MEDIUM: 0.35, AssessmentLevel.HIGH: 0.6, AssessmentLevel.CRITICAL: 0.85}
DEFAULT_ESCALATE_THRESHOLD = 0.6  # the "high" level: one clear reason, or several weaker ones together
DEFAULT_WATCH_THRESHOLD = 0.35  # worth a look: one moderate reason
DEFAULT_CATEGORY_THRESHOLD = 0.5  # report a category when its detector is more sure than not

# Several mentions of the same thing add up, but only halfway: five "doesn't work"s are not an outage.
_REPEAT_CREDIT = 0.5


class ProbabilityModel(Protocol):
    """Anything that turns a ticket into a probability of escalation and names its version."""

    version: str

    def predict_proba(self, ticket: Ticket) -> float: ...


def resolve_policy(policy: ScoringPolicy | None) -> tuple[dict[str, float], dict[str, float], float, float, float]:
    """The effective weights and thresholds: the policy's overrides merged over the defaults, checked."""
    policy = policy or ScoringPolicy()
    unknown = sorted(set(policy.weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown signal weight(s): {', '.join(unknown)}")
    weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in policy.weights.items()}}
    bad_levels = sorted(set(policy.level_thresholds) - set(DEFAULT_LEVEL_THRESHOLDS))
    if bad_levels:
        raise ValueError(f"unknown level threshold(s): {', '.join(bad_levels)} (use medium, high, critical)")
    levels = {**DEFAULT_LEVEL_THRESHOLDS, **{k: float(v) for k, v in policy.level_thresholds.items()}}
    if not levels[AssessmentLevel.MEDIUM] <= levels[AssessmentLevel.HIGH] <= levels[AssessmentLevel.CRITICAL]:
        raise ValueError("level thresholds must satisfy medium <= high <= critical")
    escalate = DEFAULT_ESCALATE_THRESHOLD if policy.escalate_threshold is None else float(policy.escalate_threshold)
    watch = DEFAULT_WATCH_THRESHOLD if policy.watch_threshold is None else float(policy.watch_threshold)
    category = DEFAULT_CATEGORY_THRESHOLD if policy.category_threshold is None else float(policy.category_threshold)
    for name, value in (("escalate_threshold", escalate), ("watch_threshold", watch), ("category_threshold", category),
                        *((f"level_thresholds.{k}", v) for k, v in levels.items())):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value}")
    if watch > escalate:
        raise ValueError("watch_threshold must not be above escalate_threshold")
    return weights, levels, escalate, watch, category


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def combine_findings(findings: list[Finding]) -> dict[str, tuple[float, Finding, int]]:
    """Per signal: combined strength, the strongest finding (its evidence is shown), and how many there were."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.signal, []).append(finding)
    combined: dict[str, tuple[float, Finding, int]] = {}
    for name, group in grouped.items():
        group.sort(key=lambda f: f.strength, reverse=True)
        top = group[0].strength
        rest = 1.0
        for finding in group[1:]:
            rest *= 1.0 - finding.strength
        strength = top + (1.0 - top) * _REPEAT_CREDIT * (1.0 - rest)
        combined[name] = (min(1.0, strength), group[0], len(group))
    return combined


def category_confidences(combined: dict[str, tuple[float, Finding, int]], *, value: bool = True) -> dict[str, float]:
    """Per category: the chance at least one of its signals is right (noisy-or of their strengths).
    With value=False the customer-value category is left out."""
    remaining: dict[str, float] = {}
    for name, (strength, finding, _count) in combined.items():
        if finding.category is None or (not value and finding.category == VALUE_CATEGORY):
            continue
        for category in counts_for(name, finding):
            remaining[category] = remaining.get(category, 1.0) * (1.0 - strength)
    return {name: 1.0 - rest for name, rest in remaining.items() if rest < 1.0}


# A signal that is two reasons at once. A hole in the product's security (cross-site scripting, a revoked key that
# still works, one customer's records shown to another) is a defect for engineering to fix and a security matter
# for the security team to assess (exposure, disclosure, notification): both categories, as the semantic layer's
# data_exposure reading already gives (examples.ALSO_REASONS: not counted twice). The score counts the signal once.
ALSO_COUNTS_FOR: dict[str, tuple[str, ...]] = {"security_vulnerability": ("compliance_security",)}


def counts_for(name: str, finding: Finding) -> tuple[str, ...]:
    """The categories a finding of signal `name` is evidence for: its own, and its pair (ALSO_COUNTS_FOR) unless the
    layer read it (the layer's reading gave its pair as a finding of its own)."""
    if finding.category is None:
        return ()
    return (finding.category, *(() if finding.read_by_layer else ALSO_COUNTS_FOR.get(name, ())))
# Who the customer is (tier, ARR, renewal soon) says how much a reason matters, not that there is one.
VALUE_CATEGORY = "high_value_customer"
VALUE_SIGNALS = frozenset({"premium_tier", "high_arr", "renewal_soon"})
REASON_ON_ITS_OWN = "churn_threat"  # a threat to leave is a reason, and it is the value category's own
PATIENCE_SIGNAL = "no_rush"


def reason_strength(combined: dict[str, tuple[float, Finding, int]]) -> float:
    """How sure the rules are that the ticket has a reason for an expert: the most confident category other
    than customer value (noisy-or of its signals), or a churn threat."""
    confidences = category_confidences(combined, value=False)
    churn = combined.get(REASON_ON_ITS_OWN)
    return max([*confidences.values(), churn[0] if churn else 0.0, 0.0])


def gate_by_reason(combined: dict[str, tuple[float, Finding, int]]) -> dict[str, tuple[float, Finding, int]]:
    """The findings with customer value scaled by the reason strength and patience by its complement.

    Value (tier, ARR, renewal) raises the score of a ticket that has a reason (an outage, a refund, a request
    for a person, a churn threat) in proportion to how sure that reason is, and adds nothing to a thank-you,
    an out-of-office reply or a wish. Patience ("no rush", "low priority") is politeness beside a reason
    ("no rush, but none of our customers can pay") and lowers only a ticket that has none."""
    gate = reason_strength(combined)
    gated = dict(combined)
    for name, scale in [*((name, gate) for name in VALUE_SIGNALS), (PATIENCE_SIGNAL, 1.0 - gate)]:
        if name not in combined:
            continue
        strength, finding, count = combined[name]
        if scale <= 0.0:
            del gated[name]
        else:
            gated[name] = (strength * scale, finding, count)
    return gated


# Reasons an agent has no authority to settle (money, law and security, another team's work, a person
# asked for, a threat to leave, a defect in the product) need an expert however calmly they are put, so a
# reported one lifts the score into the "high" band by itself. A bug is among them since rules-4: support
# cannot fix the product, and both hand-labelled sets mark every credible bug report as needing a human
# (own set: 31 of 52 bug-only tickets needing one were below the escalate threshold); how severe it is
# (outage, data loss, reach) still ranks it within and above the band. Except a cosmetic or documentation
# flaw: a typo or a misaligned label is a bug for the backlog, not for an expert now.
AUTHORITY_CATEGORIES = frozenset({"billing_refund", "bug_incident", "compliance_security", "cross_team",
                                  "human_requested"})
BUG_CATEGORY = "bug_incident"
COSMETIC_SIGNAL = "cosmetic_or_docs"
# A bug no cosmetic flaw explains: beside "tiny thing" or a typo, an outage, lost data, a crash or a security hole
# is still one. A regression, a malfunction or an error code beside a cosmetic report is most often the
# cosmetic flaw itself ("the icon is misaligned since 2.53"; seamonkey's cosmetic reports are P4/P5).
SEVERE_BUG_SIGNALS = frozenset({"data_loss", "security_vulnerability"})
AUTHORITY_BAND = (0.60, 0.75)


def without_cosmetic_bug(confidences: dict[str, float], combined: dict[str, tuple[float, Finding, int]],
                         category_threshold: float) -> dict[str, float]:
    """The confidences without bug_incident when the ticket reports a cosmetic or documentation flaw and no
    severe bug: a typo or a misaligned button (even one that came with a release) is a bug for the backlog,
    not a reason for an expert, so it neither lifts the score to the authority floor nor is a category."""
    cosmetic = combined.get(COSMETIC_SIGNAL)
    if cosmetic is None or cosmetic[0] < category_threshold or BUG_CATEGORY not in confidences:
        return confidences
    if any(combined[name][0] >= category_threshold for name in SEVERE_BUG_SIGNALS if name in combined):
        return confidences
    return {name: c for name, c in confidences.items() if name != BUG_CATEGORY}


# A second reason is reported only when surer than a first: most tickets bring one matter, and a sentence about it
# read as another category was the commonest wrong category on every probe a helper labelled. Found by the rules or
# the layer, a second reason needs SURE_SECOND_REASON; one the semantic layer alone reads needs SURE_SECOND_READING
# ("35 of our 60 engineers are affected" as a request for engineers: 16 wrong against 7 right on the dev sets read).
# Measured 2026-12-07 (second reasons at 0.5 / 0.65 / 0.75 / 0.9): probe8 dev micro-F1 0.794 / 0.808 / 0.809 / 0.791,
# its holdout 0.727 / 0.737 / 0.749 / 0.763, our own set (written with many two-reason tickets) 0.955 / 0.949 /
# 0.949 / 0.925. The score does not change: the authority floor reads the surest reason.
SURE_SECOND_REASON = 0.75
SURE_SECOND_READING = 0.8
_SECOND_OF_A_PAIR = frozenset(signal for signal, _category in ALSO_REASONS.values())


def unsure_second_reasons_left_out(confidences: dict[str, float],
                                   combined: dict[str, tuple[float, Finding, int]]) -> dict[str, float]:
    """The confidences without a reason category other than the most confident one that is less sure than
    SURE_SECOND_REASON, or that only the semantic layer found (no rule's finding of it) less surely than
    SURE_SECOND_READING. Customer value is not a reason here."""
    reasons = sorted((name for name in confidences if name != VALUE_CATEGORY), key=lambda n: -confidences[n])
    dropped = set()
    for name in reasons[1:]:
        found = [finding for strength, finding, _count in combined.values()
                 if finding.category == name and strength > 0.0]
        read_only = bool(found) and all(finding.read_by_layer for finding in found)
        # A reading that is two reasons at once (data shown to a stranger: a security incident and a defect) gives
        # its second on purpose: it goes with the first.
        paired = bool(found) and all(finding.signal in _SECOND_OF_A_PAIR for finding in found)
        if paired:
            continue
        if confidences[name] < SURE_SECOND_REASON or (read_only and confidences[name] < SURE_SECOND_READING):
            dropped.add(name)
    return {name: c for name, c in confidences.items() if name not in dropped}


def authority_floor(combined: dict[str, tuple[float, Finding, int]], category_threshold: float) -> float:
    """The least score a reported authority reason gives: 0.60 at the category threshold rising to 0.75 at
    certainty, or 0 when no such reason is reported (a bug does not count beside a cosmetic flaw)."""
    confidences = without_cosmetic_bug(category_confidences(combined, value=False), combined, category_threshold)
    churn = combined.get(REASON_ON_ITS_OWN)
    sure = max([c for name, c in confidences.items() if name in AUTHORITY_CATEGORIES]
               + [churn[0] if churn else 0.0])
    if sure < category_threshold or sure <= 0.0:
        return 0.0
    low, high = AUTHORITY_BAND
    span = 1.0 - category_threshold
    return low + (high - low) * ((sure - category_threshold) / span if span > 0 else 1.0)


def reported_categories(confidences: dict[str, float], threshold: float, churn: float = 0.0) -> dict[str, float]:
    """The categories reported at `threshold`; customer value only beside another reported category or a
    churn threat (categories are reasons, and a customer's value is not one by itself)."""
    reported = {name: c for name, c in confidences.items() if c >= threshold and c > 0.0}
    if VALUE_CATEGORY in reported and len(reported) == 1 and churn < threshold:
        del reported[VALUE_CATEGORY]
    return reported


def level_for(score: float, levels: dict[str, float]) -> AssessmentLevel:
    """low / medium / high / critical for a score."""
    for level in (AssessmentLevel.CRITICAL, AssessmentLevel.HIGH, AssessmentLevel.MEDIUM):
        if score >= levels[level]:
            return level
    return AssessmentLevel.LOW


def recommendation_for(score: float, *, escalate: float, watch: float) -> Recommendation:
    """escalate / watch / none for a score."""
    if score >= escalate:
        return Recommendation.ESCALATE
    if score >= watch:
        return Recommendation.WATCH
    return Recommendation.NONE


def _as_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _weighted_sum(combined: dict[str, tuple[float, Finding, int]], weights: dict[str, float]) -> float:
    return weights[BASELINE] + sum(weights.get(name, 0.0) * strength for name, (strength, _, _) in combined.items())


def rules_logit(combined: dict[str, tuple[float, Finding, int]], weights: dict[str, float]) -> float:
    """Baseline plus the weighted strengths (customer value and patience gated by the reason strength, see
    gate_by_reason): the rules model's log-odds of escalation, before the authority floor."""
    return _weighted_sum(gate_by_reason(combined), weights)


def rules_version() -> str:
    """What the rules model is called here: "rules-13", or "rules-13+semantic-8:<examples>" with the semantic layer,
    followed by "+needs-2:<example tickets>" when the needs-person model reads its findings."""
    layer = active_layer()
    if layer is None:
        return RULES_MODEL_VERSION
    findings_version = f"{RULES_MODEL_VERSION}+{layer.version}"
    needs = needs_person.model_for(findings_version)
    return findings_version if needs is None else f"{findings_version}+{needs.version}"


def ticket_findings(ticket: Ticket, *, now: datetime | None) -> tuple[list[Finding], str]:
    """Every finding for a ticket, the rules' refined by the semantic layer when it is on, and the name of
    what found them ("rules-13" or "rules-13+semantic-8:<examples>")."""
    findings = incidents_behind_credits(detect_signals(ticket, now=_as_utc(now)))
    layer = active_layer()
    if layer is not None:
        findings = layer.refine(ticket, findings)
    findings = settle(ticket, silence_auto_reply(ticket, for_their_customers(ticket, findings)),
                      reads_settled=layer is not None and layer.reads_settled_reply(ticket))
    return findings, RULES_MODEL_VERSION if layer is None else f"{RULES_MODEL_VERSION}+{layer.version}"


def rules_score(combined: dict[str, tuple[float, Finding, int]], weights: dict[str, float],
                category_threshold: float) -> float:
    """The rules' score: the logistic of the weighted evidence, at least the authority floor."""
    return max(_logistic(_weighted_sum(combined, weights)), authority_floor(combined, category_threshold))


def rules_categories(combined: dict[str, tuple[float, Finding, int]], category_threshold: float) -> dict[str, float]:
    """The categories the rules and the layer report, with their confidences (cosmetic bugs, unsure second reasons
    and customer value alone left out)."""
    churn = combined.get(REASON_ON_ITS_OWN)
    return reported_categories(
        unsure_second_reasons_left_out(
            without_cosmetic_bug(category_confidences(combined), combined, category_threshold), combined),
        category_threshold,
        churn[0] if churn else 0.0,
    )


ROW_SIGNALS = tuple(name for name in DEFAULT_WEIGHTS if name != BASELINE)


def _noisy_or(strengths: list[float]) -> float:
    rest = 1.0
    for strength in strengths:
        rest *= 1.0 - strength
    return 1.0 - rest


def category_rows(ungated: dict[str, tuple[float, Finding, int]]) -> list[list[float]]:
    """Per category (in CATEGORIES order), what the findings say of it, as the needs-person model's category heads
    read it: the rules' confidence, the layer's, both (value gated by the reason), whether the rules report it, the
    most confident other category, then the strength of every weighted signal."""
    combined = gate_by_reason(ungated)
    confidences = category_confidences(combined)
    reported = rules_categories(combined, DEFAULT_CATEGORY_THRESHOLD)
    strengths = [ungated[name][0] if name in ungated else 0.0 for name in ROW_SIGNALS]
    rows = []
    for category in CATEGORIES:
        others = [c for name, c in confidences.items() if name != category]
        rows.append([found_by(ungated, category, layer=False), found_by(ungated, category, layer=True),
                     confidences.get(category, 0.0), float(category in reported), max(others, default=0.0),
                     *strengths])
    return rows


def found_by(combined: dict[str, tuple[float, Finding, int]], category: str, *, layer: bool) -> float:
    """How sure the rules' findings (layer=False) or the semantic layer's (layer=True) are of a category (noisy-or)."""
    return _noisy_or([strength for strength, finding, _count in combined.values()
                      if finding.category == category and finding.read_by_layer == layer])


# Findings of a category at least this sure are evidence for it; under it they are a matter the customer settled (its
# findings left at a tenth), and no reason is reported for it (read_categories).
EVIDENCE_FLOOR = 0.2
# A category the rules' own findings are nearly certain of is reported whatever the heads say: an enterprise's outage
# "down since 9am" in a thread also asking for a refund and a person read 0.04 as a bug (needs_person.py, its cost).
SURE_BY_RULES = 0.97


def _reasons_of_its_strongest_finding(combined: dict[str, tuple[float, Finding, int]], category: str) -> set[str]:
    """The categories the strongest finding for `category` is evidence for (it may count for two, ALSO_COUNTS_FOR)."""
    best: tuple[float, set[str]] = (0.0, {category})
    for name, (strength, finding, _count) in combined.items():
        reasons = set(counts_for(name, finding))
        if category in reasons and strength > best[0]:
            best = (strength, reasons)
    return best[1]


def read_categories(heads: dict[str, float], combined: dict[str, tuple[float, Finding, int]], *,
                    category_threshold: float, escalates: bool, valued: bool = True) -> dict[str, float]:
    """The categories the needs-person model's heads are sure of (at the threshold) whose findings quote evidence
    (at EVIDENCE_FLOOR or more) or say nothing at all, and those the rules' findings are nearly certain of. A ticket
    recommended for escalation always says why: when no head is sure enough, its likeliest reason whose findings
    quote evidence is reported. Customer value only beside a reason or a churn threat, and `valued` (found ungated)."""
    found = category_confidences(combined)
    # A head sure of a category the findings say nothing of is evidence enough: it read the whole ticket ("the survey
    # link shows 'closed' to everyone"); assess_ticket quotes its sentence. Findings under the floor are a matter
    # settled (needs_person.py). Value is never read from words alone.
    evidenced = {name: p for name, p in heads.items() if found.get(name, 0.0) >= EVIDENCE_FLOOR
                 or (name not in found and p >= category_threshold and (valued or name != VALUE_CATEGORY))}
    reported = {name: p for name, p in evidenced.items()
                if p >= category_threshold or found_by(combined, name, layer=False) >= SURE_BY_RULES}
    reasons = {name: p for name, p in evidenced.items() if name != VALUE_CATEGORY}
    if escalates and reasons and not set(reported) - {VALUE_CATEGORY}:
        likeliest = max(reasons, key=lambda name: reasons[name])
        reported[likeliest] = reasons[likeliest]
    for name in list(reported):  # a finding that is two reasons at once (a hole in the product's security) gives both
        for pair in _reasons_of_its_strongest_finding(combined, name) - {name}:
            if pair in evidenced:
                reported.setdefault(pair, evidenced[pair])
    churn = combined.get(REASON_ON_ITS_OWN)
    if set(reported) == {VALUE_CATEGORY} and (churn[0] if churn else 0.0) < category_threshold:
        return {}
    return reported


def assess_ticket(
    ticket: Ticket,
    *,
    policy: ScoringPolicy | None = None,
    model: ProbabilityModel | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Assess a ticket: score 0..1, level, recommendation, categories and evidence-backed signals."""
    weights, levels, escalate, watch, category_threshold = resolve_policy(policy)
    findings, version = ticket_findings(ticket, now=now)
    ungated = combine_findings(findings)
    combined = gate_by_reason(ungated)
    signals: list[Signal] = []
    for name, (strength, finding, count) in combined.items():
        contribution = weights.get(name, 0.0) * strength
        if contribution == 0.0:
            continue
        evidence = finding.describe() if count == 1 else f"{finding.describe()} (+{count - 1} more)"
        signals.append(Signal(name=name, contribution=contribution, evidence=evidence, category=finding.category))
    signals.sort(key=lambda s: (-abs(s.contribution), s.name))
    # The needs-person model (semantic/needs_person.py) reads the whole ticket, its text and findings: a third of the
    # score, and the categories (a finding's quoted evidence, or the sentence a sure head reads). With the layer only.
    needs = needs_person.model_for(version) if version != RULES_MODEL_VERSION else None
    reading = needs.read(ticket, ungated, lambda: category_rows(ungated)) if needs is not None else None
    if model is not None:
        score = float(model.predict_proba(ticket))
        version = model.version
    else:
        score = rules_score(combined, weights, category_threshold)
        if needs is not None and reading is not None:  # (both or neither; the check is for the type checker)
            score = ((1.0 - needs_person.SHARE_OF_SCORE) * score
                     + needs_person.SHARE_OF_SCORE * reading.needs_person)
            version = f"{version}+{needs.version}"
    if needs is not None and reading is not None and reading.categories:
        reported = read_categories(reading.categories, combined, category_threshold=category_threshold,
                                   escalates=score >= escalate, valued=VALUE_CATEGORY in category_confidences(ungated))
        found = category_confidences(combined)  # a category no finding names was reported by its head alone
        signals.extend(Signal(name=WHOLE_TICKET_SIGNAL, contribution=0.0, category=name,
                              evidence=needs.telling_sentence(ticket, name))
                       for name in reported if name not in found)
    else:
        reported = rules_categories(combined, category_threshold)
    categories = [CategoryScore(name=name, confidence=confidence) for name, confidence in reported.items()]
    categories.sort(key=lambda c: (-c.confidence, CATEGORIES.index(c.name)))
    return Assessment(
        score=score,
        level=level_for(score, levels),
        recommendation=recommendation_for(score, escalate=escalate, watch=watch),
        categories=tuple(categories),
        signals=tuple(signals),
        model_version=version,
    )
