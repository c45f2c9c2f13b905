"""Frustration in the customer's words: angry language, shouting and swearing, "still"/"again", urgency."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.signals.finding import Finding, PatternRule, rule_words

FRUSTRATION_LANGUAGE = "frustration_language"
SHOUTING_OR_PROFANITY = "shouting_or_profanity"
UNRESOLVED_OR_RECURRING = "unresolved_or_recurring"
URGENCY_LANGUAGE = "urgency_language"
FRUSTRATION_RISING = "frustration_rising"

# The signals whose per-message strength makes up the frustration trend across the conversation.
TREND_SIGNALS = frozenset({FRUSTRATION_LANGUAGE, SHOUTING_OR_PROFANITY, UNRESOLVED_OR_RECURRING})

_STRONG_WORDS = (
    r"unacceptable|ridiculous|ridiculously|outrageous|absurd|pathetic|disgrace(?:ful)?|appalling|disgusting|"
    r"incompeten(?:t|ce)|fed\s+up|sick\s+(?:and\s+tired\s+)?of|had\s+enough|furious|livid|enough\s+is\s+enough|"
    r"waste\s+of\s+(?:my\s+|our\s+)?(?:time|money)|wasted\s+(?:hours|days|weeks|my|our|so\s+much|a\s+(?:whole|full))|"
    r"(?:this|that|it)\s+is\s+(?:a\s+)?(?:joke|insane|crazy|madness|nuts|a\s+farce)|joke\s+of\s+a|"
    r"are\s+you\s+(?:kidding|serious|joking)|got\s+to\s+be\s+kidding|unbelievable|nightmare|horrendous|shambles|"
    r"what\s+the\s+(?:hell|heck|fuck)\b|beyond\s+(?:frustrat\w*|annoy\w*|ridiculous|a\s+joke)|"
    r"lost\s+(?:my|our|all)\s+patience|at\s+(?:my|our)\s+wits'?\s+end|infuriat\w*|exasperat\w*|"
    r"this\s+is\s+getting\s+(?:ridiculous|old|silly|absurd)|"
    r"(?:so|very|really|extremely|incredibly|super|beyond|utterly|totally)\s+(?:frustrat\w*|annoy\w*|angry|upset|"
    r"disappoint\w*|mad|pissed|irritat\w*|disgusted)"
)
_MEDIUM_WORDS = (
    r"frustrat\w*|annoy\w*|angry|upset|disappoint\w*|unhappy|dissatisf\w*|terrible|horrible|awful|"
    r"worst(?!\s+case)|useless|"
    r"not\s+(?:happy|satisfied|impressed|acceptable)|poor\s+(?:service|support|experience|communication|quality)|"
    r"unprofessional|bad\s+(?:service|support|experience)|irritat\w*|"
    r"(?:you|u|you\s+guys|your\s+(?:team|agents?|support))\s+(?:don'?t|do\s+not|are\s+not|aren'?t"
    r"|clearly\s+don'?t)\s+"
    r"(?:understand|listen|listening|read|reading|get\s+it|getting\s+it|help|helping|care)|"
    r"(?:that|this|it|your\s+(?:answer|reply|response))\s+(?:doesn'?t|does\s+not|didn'?t|did\s+not)\s+"
    r"(?:help|answer|address|solve)|not\s+what\s+i\s+(?:asked|need|meant|said|wanted)|(?:not|un)helpful|"
    r"(?:why|how)\s+(?:is|does)\s+(?:it|this)\s+tak(?:e|ing)\s+so\s+long|tak(?:es|ing)\s+(?:so|too|way\s+too)\s+long|"
    r"how\s+(?:many|much)\s+(?:more\s+)?(?:times|longer)|why\s+(?:is|are)\s+(?:this|it|you)\s+so\s+(?:hard|difficult"
    r"|slow)"
)
_WORRY_WORDS = r"concerned|worried|worrying|inconvenien\w*|troubling|confused|confusing"

_PROFANITY = (
    r"\b(?:fuck\w*|f\*+k\w*|f\*{3}|shit\w*|sh\*t|bullshit|crap|crappy|damn\w*|dammit|goddamn\w*|the\s+hell|"
    r"wtf|wth|ffs|omfg|pissed(?:\s+off)?|piss\s+off|screw\s+(?:this|you|it)|bloody|sucks|arse|asshole|bs)\b"
)

_UNRESOLVED = (
    r"\bstill\s+(?:not|no\b|isn'?t|doesn'?t|don'?t|can'?t|cannot|haven'?t|hasn'?t|have\s+not|has\s+not|waiting|"
    r"broken|failing|having|getting|seeing|down|the\s+same|an?\s+(?:issue|problem)|happening|occurring|unresolved|"
    r"nothing|unable|stuck|charging|being\s+charged|missing)"
)
_NTH_TIME = (
    r"\b(?:second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th|nth|umpteenth|\d+(?:st|nd|rd|th))\s+time\b"
    r"|\b(?:(?:three|four|five|six|several|multiple|many|countless|numerous|\d+)\s+times\s+(?:now|already|before|"
    r"this\s+(?:week|month)|today))"
)
_AGAIN = (
    r"\b(?:yet|once)\s+again\b|\bagain\s*[!?]|\b(?:happened|happening|happens|broken|broke|down|failing|failed|"
    r"crashed|crashing|same\s+(?:issue|problem|error|thing|bug))\s+again\b|\bagain\s+and\s+again\b"
)
_KEEPS = (
    r"\b(?:keeps?|kept)\s+(?:on\s+)?(?:happening|crashing|failing|breaking|coming\s+back|recurring|occurring|"
    r"going\s+down|dropping|logging\s+(?:me|us)\s+out)|\brecurring\s+(?:issue|problem|error|outage)|\b(?:every"
    r"|each)\s+"
    r"(?:single\s+)?(?:day|week|morning|time\s+(?:i|we))"
)
_PROLONGED = (
    r"\b(?:for|over|in|after)\s+(?:\d+|two|three|four|five|six|several|many|multiple|a\s+few|few)\s+(?:days|weeks"
    r"|months)\b"
    r"|\b(?:days|weeks|months)\s+(?:now|later|and\s+still|without)\b|\bsince\s+last\s+(?:week|month)\b"
    r"|\b(?:it'?s|it\s+has|it\s+is|we'?ve|i'?ve)\s+(?:now\s+)?been\s+(?:\d+|two|three|four|five|six|several|many"
    r"|a\s+few)\s+"
    r"(?:days|weeks|months)\b"
    r"|\bwaiting\s+(?:for|since|over|more\s+than)\s+(?:\w+\s+){0,2}?(?:days|weeks|hours|months|a\s+week|a\s+month"
    r"|ages|forever)\b"
)
_NO_RESPONSE = (
    r"\b(?:no\s+one|nobody|no-one)\s+(?:has\s+|have\s+|is\s+|ever\s+|seems\s+to\s+)?(?:responded|replied|answered|"
    r"got\s+back|gotten\s+back|gets\s+back|called|contacted|helped|helps|cares|responds|replies|answers|bothered"
    r"|fixed|"
    r"looked|respond|reply|answer|help|care)"
    r"|\b(?:haven'?t|have\s+not|hasn'?t|has\s+not|didn'?t|did\s+not|never)\s+(?:heard|received|gotten|got)\s+"
    r"(?:back|a\s+(?:response|reply|answer|call|update)|any\s+(?:response|reply|answer|update|help))"
    r"|\bignor(?:ed|ing)\s+(?:me|us|my|our)|\bbeen\s+ignored|\bno\s+(?:response|reply|answer|update)s?\s+"
    r"(?:yet|from|for|in|since)"
    r"|\b(?:any|an)\s+updates?\s*\?|\bhello\s*\?+|\bhello+o\b|\banyone\s*\?+"
)

_URGENT = (
    r"\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|as\s+soon\s+as\s+possible|immediately|right\s+away|emergency"
    r"|critical(?!\s+path)|"
    r"time[- ]sensitive|top\s+priority|highest\s+priority|high\s+priority|blocker|blocking\s+(?:us|our|all|the|every)"
    r"|"
    r"show[- ]?stopper|deadline|go[- ]live|going\s+live|launch(?:ing)?\s+(?:is\s+)?(?:tomorrow|today|this\s+week|on)|"
    r"losing\s+(?:money|revenue|customers|sales|business|orders)|business[- ]critical|mission[- ]critical)\b"
)

# Acronyms written in capitals are not shouting.
_ACRONYMS = frozenset(
    ["API", "APIS", "URL", "URLS", "SSO", "SAML", "SCIM", "HTTP", "HTTPS", "CSV", "PDF", "UI", "UX", "ID", "IDS",
     "IP", "DNS", "SQL", "AWS", "GCP", "GDPR", "CCPA", "HIPAA", "SOC", "DPA", "CRM", "SLA", "ASAP", "USA", "EU", "UK",
     "USD", "EUR", "GBP", "CAD", "AUD", "ATM", "PIN", "OTP", "MFA", "SMS", "CEO", "CTO", "CFO", "COO", "FAQ", "JSON",
     "XML", "HTML", "CSS", "SDK", "IOS", "VPN", "SSL", "TLS", "OK", "PST", "EST", "CET", "UTC", "GMT", "ERP", "SKU",
     "KPI", "ARR", "MRR", "ROI", "SAP", "IBM", "LTD", "INC", "LLC", "GMBH", "ETA", "TBD", "FYI", "BTW", "RMA", "POS",
     "CPU", "RAM", "SSD", "USB", "NDA", "MSA", "SOW", "PO", "IT", "HR", "QA", "PR", "DB", "OS", "PC", "MAC", "SSH",
     "FTP", "SFTP", "SMTP", "IMAP", "POP", "TCP", "UDP", "LDAP", "AD", "OAUTH", "JWT", "CORS", "CDN", "RSS", "PNG",
     "JPG", "JPEG", "GIF", "SVG", "MP4", "ZIP", "EOD", "COB", "EOW", "ACH", "SEPA", "IBAN", "BIC", "VAT", "GST",
     "TAX", "NPS", "CSAT", "AI", "ML", "LLM", "GPT", "RPA", "IVR", "CTI", "VOIP", "WIFI", "LAN", "WAN", "NYC", "LA",
     "SF", "USPS", "UPS", "DHL", "FEDEX", "NA", "N/A", "TLDR", "TL;DR", "PS", "CC", "BCC", "RE", "FW", "FWD", "ASAP!",
     "AM", "PM"]
)
_CAPS_RUN = re.compile(r"[A-Z]{3}")  # a cheap first look; starts with a character set, so it scans fast
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
_WORD = re.compile(r"\b[A-Za-z][A-Za-z']{2,}\b")
_BANGS = re.compile(r"[!?]*![!?]*!+[!?]*|\?{3,}")

RULES: tuple[PatternRule, ...] = (
    PatternRule(FRUSTRATION_LANGUAGE, r"\b(?:" + _STRONG_WORDS + r")\b", 0.8, policy_question=1.0, hypothetical=0.5,
                anchors=rule_words(
                    "unacceptable ridiculous outrageous absurd pathetic disgrace appalling disgusting incompeten "
                    "fed sick "
                    "furious livid enough waste wasted joke insane crazy madness nuts farce kidding serious joking "
                    "unbelievable nightmare horrendous shambles hell heck fuck beyond patience wits infuriat exasperat "
                    "getting frustrat annoy angry upset disappoint mad pissed irritat disgusted")),
    PatternRule(FRUSTRATION_LANGUAGE, r"\b(?:" + _MEDIUM_WORDS + r")\b", 0.5, policy_question=1.0, hypothetical=0.5,
                anchors=rule_words(
                    "frustrat annoy angry upset disappoint unhappy dissatisf terrible horrible awful worst useless "
                    "happy satisfied impressed acceptable poor unprofessional bad irritat understand listen read get "
                    "help care "
                    "answer address solve what unhelpful helpful long times longer hard difficult slow")),
    PatternRule(FRUSTRATION_LANGUAGE, r"\b(?:" + _WORRY_WORDS + r")\b", 0.3, policy_question=1.0,
                anchors=rule_words("concerned worr inconvenien troubling confus")),
    PatternRule(SHOUTING_OR_PROFANITY, _PROFANITY, 0.7, policy_question=1.0,
                anchors=rule_words("fuck f* shit sh* bullshit crap damn dammit goddamn hell wtf wth ffs omfg piss "
                                   "screw bloody sucks arse asshole bs")),
    PatternRule(UNRESOLVED_OR_RECURRING, _UNRESOLVED, 0.7, policy_question=1.0, anchors=("still",)),
    PatternRule(UNRESOLVED_OR_RECURRING, _NTH_TIME, 0.8, policy_question=1.0,
                anchors=("time",)),
    PatternRule(UNRESOLVED_OR_RECURRING, _AGAIN, 0.55, policy_question=1.0,
                anchors=("again",)),
    PatternRule(UNRESOLVED_OR_RECURRING, _KEEPS, 0.5, policy_question=1.0,
                anchors=rule_words("keep kept recurring every each")),
    PatternRule(UNRESOLVED_OR_RECURRING, _PROLONGED, 0.5, policy_question=1.0,
                anchors=rule_words("day week month waiting")),
    PatternRule(UNRESOLVED_OR_RECURRING, _NO_RESPONSE, 0.65, policy_question=1.0,
                anchors=rule_words("respon repl answer got gotten gets called contacted help care bothered fixed "
                                   "looked "
                                   "heard received ignor update hello anyone")),
    PatternRule(URGENCY_LANGUAGE, _URGENT, 0.6, policy_question=0.5,
                anchors=rule_words("urgent asap a.s.a.p soon immediately away emergency critical sensitive priority "
                                   "blocker blocking stopper show deadline live launch losing")),
)


def detect_shouting(view: MessageView) -> list[Finding]:
    """Capitals and runs of '!' ('THIS IS STILL BROKEN!!!'); acronyms like API or SSO do not count."""
    text = view.text
    out: list[Finding] = []
    if _CAPS_RUN.search(text):
        shouted = [m for m in _CAPS_WORD.finditer(text) if m.group().upper() not in _ACRONYMS]
        if len(shouted) >= 2:
            words = len(_WORD.findall(text))
            ratio = len(shouted) / max(words, 1)
            if ratio >= 0.3 or len(shouted) >= 4:
                strength = min(1.0, 0.5 + ratio / 2)
                out.append(Finding(SHOUTING_OR_PROFANITY, strength,
                                   span=(view, shouted[0].start(), shouted[-1].end())))
    if "!!" in text or "???" in text or "?!" in text or "!?" in text:
        bang = _BANGS.search(text)
        if bang:
            out.append(Finding(SHOUTING_OR_PROFANITY, 0.4, span=(view, bang.start(), bang.end())))
    return out


def rising_frustration(per_message: list[tuple[str, float]]) -> Finding | None:
    """Frustration that grows across the customer's messages (oldest first): later anger counts more."""
    if len(per_message) < 2:
        return None
    levels = [level for _, level in per_message]
    half = len(levels) // 2
    early = sum(levels[:half]) / half
    late = sum(levels[half:]) / (len(levels) - half)
    rise = max(levels[-1] - levels[0], late - early)
    if rise < 0.25:
        return None
    trail = " -> ".join(f"{level:.1f}" for level in levels[-6:])
    where = ", ".join(label for label, _ in per_message[-6:])
    return Finding(
        FRUSTRATION_RISING,
        min(1.0, rise),
        f"frustration across customer messages ({where}) = {trail}",
    )
