"""Requests only another team can answer: engineering (limits, integrations, custom work) or commercial/finance."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import sentence_of
from sidecar.intelligence.signals.finding import NOT_MEANT, PatternRule, default_judge, rule_words

CATEGORY = "cross_team"
ENGINEERING_REQUEST = "engineering_request"
COMMERCIAL_REQUEST = "commercial_request"

_ENGINEERING = (
    r"\b(?:(?:need|want|like|require|requires|requiring|involve|loop\s+in|escalate\s+to|get|ask)\s+(?:\w+\s+){0,2}?"
    r"(?:your\s+"
    r"|the\s+|an?\s+)?"
    r"(?:engineering|engineers?|developers?|dev\s+team|devs|product\s+team|technical\s+team|tech\s+team|"
    r"backend\s+team|platform\s+team|eng\s+(?:team|ppl|people|folks|guys)|r&d|tier\s*[23]|level\s*[23]"
    r"|l[23]\s+support)|"
    r"(?:raise|increase|lift|bump|extend|higher|adjust|change)\s+(?:\w+\s+)?(?:the\s+|our\s+|my\s+)?"
    r"(?:api\s+)?(?:rate\s+limits?|limits?|quotas?|throttl\w*|caps?)|"
    r"(?:api|rate|request|storage|seat|usage)\s+(?:limit|limits|quota|quotas)\s+(?:increase|raise|exception"
    r"|extension)|"
    r"(?:whitelist|allowlist|allow-list|white-list)\s+(?:our\s+|the\s+|an?\s+)?(?:ips?|domains?|ip\s+address\w*"
    r"|range)|"
    r"custom\s+(?:integration|development|feature|endpoint|build|script|connector|report|domain|sso|saml|"
    r"field\s+mapping)|integration\s+(?:change|changes|request|update|with\s+our)|(?:change|modify|update)\s+"
    r"(?:the\s+|our\s+)?(?:integration|webhook|api\s+(?:contract|behaviou?r|version)|data\s+model|schema)|"
    r"(?:saml|scim|sso)\s+(?:setup|set\s+up|configuration|integration)|data\s+migration|bulk\s+(?:import|export|"
    r"migration|update|delete)|(?:database|db)\s+(?:fix|change|update|restore)|restore\s+(?:from\s+)?(?:a\s+)?backup|"
    r"hotfix|patch\s+(?:for\s+us|release)|code\s+change|"
    r"(?:need|needs|want|wants|require|requires|request|expect|send|provide|share|get|see|where\s+is)\s+(?:us\s+)?"
    r"(?:\w+\s+){0,2}(?:root[\s-]+cause(?:\s+analysis)?|rca|post-?mortem))\b"
)
_COMMERCIAL = (
    r"\b(?:custom\s+(?:contract|pricing|terms|agreement|plan|quote|invoice|billing)|contract\s+(?:amendment|change|"
    r"changes|terms|renewal|negotiation|review|question)|(?:amend|change|renegotiate|negotiate|review)\s+(?:\w+\s+)?"
    r"(?:the\s+|our\s+)?(?:contract|msa|terms|agreement|order\s+form|sow)|msa|master\s+service\s+agreement"
    r"|order\s+form|"
    r"sow|statement\s+of\s+work|(?:price|pricing)\s+(?:quote|proposal|negotiation|change|increase)|quote\s+for|"
    r"volume\s+(?:pricing|discount)|(?:a|any|special|bigger|non-?profit|education(?:al)?|multi-?year)\s+discount|"
    r"upgrade\s+(?:our|my|the)\s+(?:plan|subscription|contract|tier)|(?:add|buy|purchase)\s+(?:more\s+|additional\s+|"
    r"\d+\s+(?:more\s+)?)?(?:seats|licenses|licences)|enterprise\s+(?:agreement|license|pricing|quote)|"
    r"(?:move|switch|upgrade|go|change|migrate)\s+(?:us\s+)?to\s+(?:the\s+|your\s+|an?\s+)?enterprise|"
    r"talk\s+to\s+sales|(?:your|the)\s+sales\s+team|account\s+executive|purchase\s+order|po\s+(?:number|#)|w-?9|"
    r"w-?8|tax\s+(?:exempt\w*|form|certificate)|vat\s+exempt\w*|vendor\s+(?:form|registration|"
    r"onboarding|setup)|procurement|invoice\s+(?:in|to)\s+(?:eur|gbp|usd|a\s+different)|payment\s+terms"
    r"|net\s*-?\s*(?:30|45|60|90)|"
    r"wire\s+transfer|credit\s+note|credit\s+memo|billing\s+(?:address|entity|contact)\s+change)\b"
)

# A commercial paper named in a billing complaint ("your invoice shows the wrong PO number", "an add-on that
# is not part of our order form", "$18,000 higher than the quote we signed", "until we get a corrected invoice or a
# credit note") is the billing reason's evidence, not a request for sales or finance; a paper asked for or to be
# changed is ("please send your W-9").
_BILLING_COMPLAINT = re.compile(
    r"\b(?:wrong|incorrect|never\s+(?:ordered|agreed|signed)|not\s+(?:part\s+of|in|on)\s+(?:our|the)|did\s*n[o']?t"
    r"\s+(?:order|agree|sign)|higher\s+than|more\s+than|overcharg\w*|charged|doesn'?t\s+match|does\s+not\s+match"
    r"|rejected|reversed|double[ds]?|twice|dispute\w*|corrected|correction)\b"
)
# Something only the vendor can switch on, asked for this customer's account ("can you enable the beta for our
# account?", "please turn on the Workday connector for our workspace"): an operations or engineering task, where
# "how do I enable the beta?" asks the customer's own way and is a how-to.
_ENABLE_FOR_US = (
    r"\b(?:(?:can|could|would|will)\s+(?:you|someone|somebody|your\s+(?:\w+\s+)?team)\s+(?:please\s+|kindly\s+)?"
    r"|please\s+|kindly\s+|(?:we|i)(?:\s+(?:need|would\s+like|want)|'d\s+like)\s+(?:you\s+|your\s+(?:\w+\s+)?team\s+)?to\s+)"
    r"(?:enable|activate|turn\s+on|switch\s+on|unlock|provision|whitelist|allowlist)\s+(?:\S+\s+){0,6}?"
    r"(?:for|on|in)\s+(?:our|my)\s+(?:\w+\s+)?(?:account|workspace|tenant|instance|org|organi[sz]ation|environment"
    r"|company|subscription|site|portal|region|cluster|project)s?\b"
)
_ACTION_FIRST = re.compile(
    r"(?:custom|contract|amend|change|renegotiate|negotiate|review|upgrade|add|buy|purchase|move|switch|go|migrate"
    r"|talk|enterprise|volume|price|pricing|quote|invoice\s+(?:in|to))\b"
)


def _judge_commercial(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """A commercial request at the rule's strength; a paper only named beside a billing complaint is not one."""
    start, end = sentence_of(view, match.start(), match.end())
    if not _ACTION_FIRST.match(match.group().lower()) and _BILLING_COMPLAINT.search(view.lower, start, end):
        return NOT_MEANT
    return default_judge(view, match, rule)


_ENGINEERING_TEAMS = (r"(?:engineering|eng|product|dev|development|technical|tech|security|platform|solutions"
                      r"|integrations?|implementation|professional\s+services)")
_BUSINESS_TEAMS = r"(?:legal|finance|billing|accounting|sales|procurement|commercial)"


def _names_a_team(teams: str) -> str:
    """A request naming another team ("have your legal team review", "your product team to confirm")."""
    return (
        rf"\b(?:(?:involve|loop\s+in|cc|copy\s+in|bring\s+in|get|need|ask|escalate\s+to|check\s+with|"
        rf"consult)\s+(?:\w+\s+)?(?:your\s+|the\s+|a\s+|our\s+)?{teams}\s+(?:team|department|dept|people|folks"
        rf"|counsel)|"
        # "have" only with your/the: "we have a dev team" is no request.
        rf"have\s+(?:your|the)\s+{teams}\s+(?:team|department|dept|people|folks|counsel)|"
        # Passive, as docs put it: "SCIM has to be enabled by your engineering team" ("was done by the product
        # team" reports, it asks for nothing).
        rf"(?:to|must|can|can\s+only|should|only)\s+be\s+(?:enabled|configured|activated|set\s+up|turned\s+on"
        rf"|switched\s+on|raised|increased|changed|approved)\s+by\s+(?:your|the)\s+{teams}"
        rf"(?:\s+(?:team|department|dept|people|folks))?|"
        rf"(?:your|the)\s+{teams}\s+(?:team|department|dept)\s+(?:to\s+|can\s+|could\s+|should\s+|must\s+|"
        rf"needs?\s+to\s+)?(?:confirm|check|look|review|weigh\s+in|approve|sign\s+off|investigate|advise|decide"
        rf"|build|help|assist|configure|set\s+up|scope|implement|develop))\b"
    )


# "Both engineering and billing" is the cross-team dependency itself; engineering's is the heavier weight.
_TWO_TEAMS = (
    rf"\bboth\s+(?:your\s+|the\s+)?(?:{_ENGINEERING_TEAMS}|{_BUSINESS_TEAMS})\s+(?:team\s+)?and\s+(?:your\s+|the\s+)?"
    rf"(?:{_ENGINEERING_TEAMS}|{_BUSINESS_TEAMS})\b"
)
_TEAM_VERBS = "involve loop cc copy bring get need ask escalate have check consult your the to must can should only"

RULES: tuple[PatternRule, ...] = (
    PatternRule(ENGINEERING_REQUEST, _ENGINEERING, 0.7, CATEGORY,
                anchors=rule_words("engineering engineer developer dev product technical tech backend platform r&d "
                                   "tier level l2 l3 raise increase lift bump extend higher adjust change limit quota "
                                   "throttl cap whitelist allowlist allow white custom integration modify update "
                                   "webhook api data schema saml scim sso migration bulk database db restore backup "
                                   "hotfix patch code root rca post postmortem")),
    PatternRule(ENGINEERING_REQUEST, _ENABLE_FOR_US, 0.65, CATEGORY,
                anchors=rule_words("can could would will please kindly we i")),
    PatternRule(ENGINEERING_REQUEST, _names_a_team(_ENGINEERING_TEAMS), 0.65, CATEGORY,
                anchors=rule_words(_TEAM_VERBS)),
    PatternRule(ENGINEERING_REQUEST, _TWO_TEAMS, 0.65, CATEGORY, anchors=("both",)),
    PatternRule(COMMERCIAL_REQUEST, _names_a_team(_BUSINESS_TEAMS), 0.65, CATEGORY,
                anchors=rule_words(_TEAM_VERBS)),
    PatternRule(COMMERCIAL_REQUEST, _COMMERCIAL, 0.6, CATEGORY, judge=_judge_commercial,
                anchors=rule_words("custom contract amend change renegotiate negotiate review msa master order sow "
                                   "statement price pricing quote volume discount upgrade add buy purchase enterprise "
                                   "sales account po w-9 w9 w-8 w8 tax vat vendor procurement invoice payment net wire "
                                   "credit billing")),
)
