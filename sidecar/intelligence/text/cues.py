"""Small English cue lists: greetings, pleasantries, and the shapes of "what was done or suggested"."""
from __future__ import annotations

import re

from sidecar.intelligence.text.clean import capitalise

GREETING = re.compile(
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
ACTION_CUES = re.compile(
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


def is_pleasantry(sentence: str) -> bool:
    """True for a short sentence that only thanks, apologises or hopes, and says nothing was done."""
    # "Thanks for your help!" / "Hope you are well." carry nothing an expert needs.
    return bool(_PLEASANTRY_ONLY.match(sentence)) and len(sentence.split()) <= 8 and not ACTION_CUES.search(sentence)


def strip_pleasantries(sentence: str) -> str:
    """The sentence without its opening thanks or apologies ('Thanks for waiting, I've reset it' -> 'I've reset it')."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _PLEASANTRY_START.sub("", sentence, count=1).strip()
    return capitalise(sentence)
