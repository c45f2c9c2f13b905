"""The words a reading needs: a threat to leave is said in so many words.

The layer reads a sentence by its embedding, which also carries its topic. A sentence about a renewal, a
workaround or a correction to make sits near the examples of a threat to leave without being one: "we're ready to
proceed with the renewal in principle", "I'll hold off on looking at workarounds", "we'll need to correct the
payouts and reissue statements" (all read as churn_threat at 0.85-0.99 on an eighth probe's dev half, 2026-12-07).
A customer who threatens to leave names leaving, a rival or a renewal in doubt, in the customer's language or in
its English gloss (gloss.py): so that reading counts only when its sentence holds one of those words. Other labels
are read by meaning alone.

Tried the same day and not kept, on that probe (dev half read, holdout only scored) and our own set: the same gate
for a break-in (unauthorised, leaked, someone else's ...) and for a legal threat (lawyer, court, regulator ...).
Breaches are told without such words ("sum1 logged in2 our admin acct frm a country we dont even work in"): the
holdout lost 0.008 micro-F1 and 0.010 ROC-AUC with it; the legal gate moved nothing there. The churn gate: dev
micro-F1 0.769 -> 0.776, holdout and our own set unchanged.
"""
from __future__ import annotations

import re

# Leaving: the act, the rival, or a renewal or contract in doubt.
_LEAVING = re.compile(
    r"\b(?:leav\w*|left\s+(?:you|your)|switch\w*|migrat\w*|competit\w*|rival\w*|alternativ\w*|elsewhere|cancel\w*"
    r"|terminat\w*|churn\w*|quit\w*|replac\w*|drop\w*|ditch\w*|dump\w*|exit\w*|walk\w*\s+away"
    r"|(?:shop|look)\w*\s+around"
    r"|mov\w*\s+(?:\w+\s+)?(?:away|over\s+to|to\s+(?:a|an|another|other|the\s+other|someone))"
    r"|(?:other|another|different|new)\s+(?:\w+\s+)?(?:vendors?|providers?|suppliers?|tools?|platforms?|solutions?"
    r"|systems?|options?|products?|software|partners?|companies)"
    r"|last\s+(?:straw|chance)|patience|(?:reconsider|rethink|review|question|evaluat)\w*\s+(?:\w+\s+){0,3}?"
    r"(?:relationship|partnership|contract|subscription|renewal|account|you|using)"
    r"|(?:not|n't|never|no\s+longer|doubt\w*|risk\w*|jeopard\w*|unlikely|hesitat\w*|unless|reconsider\w*)\s+"
    r"(?:\w+\s+){0,4}?renew\w*|renew\w*\s+(?:\w+\s+){0,4}?(?:doubt|risk|question|jeopard\w*|hold|unlikely|not|nahi"
    r"|nahin))\b",
    re.IGNORECASE,
)
CUES: dict[str, re.Pattern[str]] = {
    "churn_threat": _LEAVING,
}


def says_it(label: str, text: str, english: str) -> bool:
    """True when a reading of `label` is said in words in its sentence, as written or as its English gloss (or when
    the label needs no words)."""
    cue = CUES.get(label)
    return cue is None or cue.search(text) is not None or (english != text and cue.search(english) is not None)
