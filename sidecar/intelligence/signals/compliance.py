"""Security and legal: breaches and compromised accounts, privacy requests (GDPR/DSAR), audits, legal threats."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import CONDITION_WORDS, sentence_of
from sidecar.intelligence.signals.finding import NOT_MEANT, PatternRule, default_judge, rule_words

CATEGORY = "compliance_security"
SECURITY_BREACH = "security_breach"
PRIVACY_REQUEST = "privacy_request"
COMPLIANCE_PAPERWORK = "compliance_paperwork"
LEGAL_THREAT = "legal_threat"

_BREACH = (
    r"\b(?:(?:data|security)\s+breach(?:ed|es)?|breach(?:ed)?|compromised|hacked|hacker|hackers|hijacked|taken\s+over"
    r"|"
    r"account\s+takeover|unauthori[sz]ed\s+(?:access|login|logins|sign-?ins?|user|users|activity|changes?)|"
    r"suspicious\s+(?:login|logins|sign-?ins?|activity|access|emails?)|(?:someone|somebody|an\s+unknown\s+person"
    r"|a\s+stranger)\s+"
    r"(?:else\s+)?(?:(?:logged|logging|has\s+logged|signed|signing)\s+(?:in|into|on)|accessed|got\s+into|"
    r"changed\s+(?:my|our)\s+(?:\w+\s+)?(?:password|email|2fa|mfa|phone|permissions?|settings))|"
    r"(?:changed|reset|removed|added|disabled|deleted)\s+(?:\w+\s+){0,3}?without\s+(?:our|my)\s+(?:knowledge|permission"
    r"|consent|authori[sz]ation)|security\s+incident|(?:report|reporting)\s+(?:a\s+|an\s+)?(?:security|privacy)\s+"
    r"(?:issue|incident|problem|concern|event)|"
    # The customer calling it so: "this is a serious privacy issue for us and for the families".
    r"(?:serious|major|big|huge|grave|severe|massive)\s+(?:security|privacy|data\s+protection)\s+"
    r"(?:issue|incident|problem|breach|violation)|"
    r"phishing|ransomware|malware|credential\s+stuffing|stolen\s+(?:credentials|passwords?|data|api\s+keys?|tokens?)|"
    r"(?:credentials|passwords?|api\s+keys?|tokens?|secrets?)\s+(?:were\s+|was\s+|have\s+been\s+|got\s+)?"
    r"(?:leaked|stolen|exposed|compromised)|identity\s+theft)\b"
)
# Data left open to anyone: "2,000 profiles were reachable through a public share link", "the bucket was
# publicly accessible", "invoices indexed by Google". Both a breach to handle and a hole in the product, so
# incident.py reads the same words as a security bug.
DATA_EXPOSED = (
    r"\b(?:(?:publicly|openly)\s+(?:accessible|available|visible|viewable|readable|reachable|exposed|listed|indexed"
    r"|downloadable)|(?:accessible|available|visible|viewable|readable|reachable|downloadable|exposed|open)\s+"
    r"(?:\w+\s+){0,2}?(?:to\s+the\s+(?:public|internet|world)|without\s+(?:a\s+|any\s+)?(?:login|logging\s+in"
    r"|sign(?:ing)?\s*-?\s*in|password|auth\w*)|(?:through|via|from|with)\s+(?:a\s+|the\s+|an?\s+)?(?:public"
    r"|shared?|open|unauthenticated)\s+(?:share\s+)?(?:links?|urls?|buckets?|endpoints?|pages?))"
    r"|indexed\s+by\s+(?:google|search\s+engines?|bing))\b"
)
_EXPOSED_AS_A_FACT = re.compile(r"\b(?:was|were|is|are|been|got|left|became|remain(?:s|ed)?|stay(?:s|ed)?|went)\s+"
                                r"(?:\w+\s+){0,2}$")
_EXPOSURE_WANTED = re.compile(r"\b(?:make|set|turn|share|publish|want|wants|would|could|should|how|whether)\b")


def judge_exposure(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """Exposure counts when the writer reports it as a fact ("profiles were reachable through a public link"),
    not when they ask for it ("can we make the dashboard publicly accessible?")."""
    start, _end = sentence_of(view, match.start(), match.end())
    before = view.lower[start:match.start()]
    if _EXPOSURE_WANTED.search(before) or not _EXPOSED_AS_A_FACT.search(before):
        return NOT_MEANT
    return default_judge(view, match, rule)


DATA_EXPOSED_ANCHORS = rule_words("publicly openly accessible available visible viewable readable reachable "
                                  "downloadable exposed open indexed")
_PRIVACY = (
    r"\b(?:gdpr|ccpa|cpra|lgpd|pipeda|right\s+to\s+(?:be\s+forgotten|erasure|access|deletion)|erasure|"
    r"data\s+subject\s+(?:access\s+)?requests?|subject\s+access\s+requests?|dsars?|"
    r"(?:delete|erase|remove|purge)\s+(?:all\s+)?(?:of\s+)?(?:my|our|their|his|her|the\s+customer'?s?)\s+"
    r"(?:personal\s+)?(?:data|information|records|details)|personal\s+data|pii|data\s+(?:deletion|retention|"
    r"residency|protection)\s+(?:request|policy|officer|requirements?)|dpo|privacy\s+(?:request|complaint|violation|"
    r"breach|concern)|export\s+(?:all\s+)?(?:my|our)\s+(?:personal\s+)?data)\b"
)
_PAPERWORK = (
    r"\b(?:soc\s*-?\s*2|soc\s*-?\s*1|soc\s+ii|iso\s*-?\s*27001|iso\s*27\d{3}|hipaa|baa|pci(?:\s*-?\s*dss)?|fedramp|"
    r"dpa|data\s+processing\s+(?:agreement|addendum)|security\s+(?:questionnaire|review|assessment|audit|whitepaper|"
    r"documentation|certification)|pen(?:etration)?\s*-?\s*test(?:ing)?|audit\s+(?:report|logs?|trail|request)|"
    r"compliance\s+(?:report|requirements?|review|team|documentation|certificate)|sub-?processors?|vendor\s+"
    r"(?:assessment|risk|security\s+review)|infosec|data\s+residency|auditors?|"
    r"(?:where|which\s+(?:country|countries|region|regions))\s+(?:is\s+|are\s+|do\s+you\s+)?(?:our\s+|my\s+|the\s+|"
    r"customer\s+)?data\s+(?:is\s+|are\s+)?(?:stored|hosted|kept|located|processed)|"
    r"data\s+(?:\w+\s+){0,2}?(?:stored|hosted|kept|processed)\s+(?:in|within|inside)\s+(?:the\s+)?"
    r"(?:eu|europe|european\s+union|us|usa|uk|germany|canada|australia|our\s+region))\b"
)
_LEGAL = (
    r"\b(?:lawyers?|attorneys?|legal\s+(?:action|counsel|team|department|proceedings|steps|notice|claim|obligation)|"
    r"lawsuit|law\s+suit|sue\s+(?:you|your|them)|suing|litigation|subpoena\w*|court\s+order|cease\s+and\s+desist|"
    r"breach\s+of\s+contract|small\s+claims|regulator|regulatory\s+(?:complaint|authority)|ombudsman|"
    r"(?:ftc|ico|cnil|attorney\s+general|consumer\s+protection)\b|report\s+(?:you|this)\s+to\s+(?:the\s+)?"
    r"(?:authorities|regulator|bbb|better\s+business\s+bureau)|bbb|better\s+business\s+bureau|"
    r"law\s+enforcement|police|legal\s+hold|e-?discovery)\b"
)

# The legal side named as the party doing contract work ("our legal team's redlines on your MSA", "our lawyers
# approved the DPA") is a contract matter (cross_team), not a threat: so when the sentence is about paperwork and
# holds no grievance. As in the other languages' rule (other_languages._LAWYERS), lawyers named alone are no threat.
_LEGAL_PARTY = re.compile(r"(?:lawyers?|attorneys?|legal\s+(?:counsel|team|department))$")
_CONTRACT_WORK = re.compile(
    r"\b(?:contracts?|agreements?|msa|dpa|nda|sow|order\s+forms?|terms|redlines?|redlined|mark-?ups?|clauses?|"
    r"amendments?|addend(?:um|a)|renewal\s+(?:paperwork|documents?)|review(?:ed|ing|s)?|approv\w*|sign\w*|draft\w*)\b"
)
_GRIEVANCE = re.compile(
    r"\b(?:sue|suing|lawsuit|action|claim|court|damages|breach(?:ed)?|violat\w*|liab\w*|compensat\w*|"
    r"unacceptable|refund|complain\w*|escalat\w*|demand\w*)\b"
)


# A threat is made under a condition, often a negated one ("if the refund is not processed, our legal team will
# take this further"): neither the "if" nor the condition's "not" takes it back; only the writer saying they will
# not ("we won't involve lawyers") does.
_CONDITION_BEFORE = re.compile(rf"\b(?:{CONDITION_WORDS})\b")
_WILL_NOT = re.compile(r"\b(?:will\s+not|won'?t|would\s+not|wouldn'?t|do\s+not|don'?t|never|no\s+need)\b")


# Auditors named only as a deadline ("please hurry, our external auditors arrive on Monday") ask the vendor for
# nothing; auditors who need, ask for or want something from it (a report, logs, evidence) do.
_AUDITORS_ASK = re.compile(
    r"\b(?:need|needs|require|requires|requested|request|requesting|ask|asks|asked|asking|want|wants|send|provide"
    r"|share|evidence|report|reports|documentation|documents|logs?|certificate|"
    r"questionnaire)\b|\?"
)


def _judge_paperwork(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """The rule's strength; for auditors alone, only in a sentence where they need or ask for something."""
    if match.group().lower().startswith("auditor"):
        start, end = sentence_of(view, match.start(), match.end())
        if not _AUDITORS_ASK.search(view.lower, start, end):
            return NOT_MEANT
    return default_judge(view, match, rule)


def _judge_legal(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """A legal threat, also under a condition, unless the legal side is named as doing contract paperwork."""
    start, end = sentence_of(view, match.start(), match.end())
    sentence = view.lower[start:end]
    if _LEGAL_PARTY.search(match.group(0)) and _CONTRACT_WORK.search(sentence) and not _GRIEVANCE.search(sentence):
        return NOT_MEANT
    before = view.lower[start:match.start()]
    if _CONDITION_BEFORE.search(before) and not sentence.rstrip().endswith("?"):
        return 0.0 if _WILL_NOT.search(before) else rule.base
    return default_judge(view, match, rule)


RULES: tuple[PatternRule, ...] = (
    PatternRule(SECURITY_BREACH, _BREACH, 0.9, CATEGORY,
                anchors=rule_words("data security breach compromised hacked hacker hijacked taken account unauthori "
                                   "suspicious someone somebody unknown stranger phishing ransomware malware "
                                   "credential "
                                   "stolen credentials password api token secret identity changed reset removed "
                                   "added disabled deleted report reporting")),
    PatternRule(SECURITY_BREACH, DATA_EXPOSED, 0.85, CATEGORY, judge=judge_exposure, anchors=DATA_EXPOSED_ANCHORS),
    PatternRule(PRIVACY_REQUEST, _PRIVACY, 0.8, CATEGORY,
                anchors=rule_words("gdpr ccpa cpra lgpd pipeda right erasure data subject dsar delete erase remove "
                                   "purge personal pii dpo privacy export")),
    PatternRule(COMPLIANCE_PAPERWORK, _PAPERWORK, 0.65, CATEGORY, judge=_judge_paperwork,
                anchors=rule_words("soc iso hipaa baa pci fedramp dpa data security pen penetration audit compliance "
                                   "sub subprocessor vendor infosec where which residency auditor")),
    PatternRule(LEGAL_THREAT, _LEGAL, 0.9, CATEGORY, judge=_judge_legal,
                anchors=rule_words("lawyer attorney legal lawsuit law sue suing litigation subpoena court cease breach "
                                   "small regulator regulatory ombudsman ftc ico cnil consumer report bbb better "
                                   "police e-discovery ediscovery")),
)
