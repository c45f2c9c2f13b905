"""Reading what the experts said: the shapes of causes, fixes, workarounds, decisions, ETAs and questions
in a sentence, how informative it is, and an event's text cleaned into sentences."""
from __future__ import annotations

import re

from sidecar.domain.marker import is_marker_line
from sidecar.intelligence.text.sentences import sentences

# How much each kind of statement tells the agent (a finding needs FINDING_THRESHOLD).
_WEIGHTS = {
    "cause": 3.0,
    "fix_done": 3.0,
    "decision": 2.5,
    "workaround": 2.5,
    "request": 2.0,
    "fix_planned": 2.0,
    "eta": 2.0,
    "diagnosis": 2.0,
    "verified": 2.0,
}
FINDING_THRESHOLD = 2.0

_NEG = r"(?<![\w'])"
_CAUSE = re.compile(
    _NEG + r"(?:root[\s-]+cause|caused\s+by|because|due\s+to|"
    r"the\s+(?:issue|problem|bug|cause|reason|error|failure)\s+(?:is|was|seems|appears|comes|came)|"
    r"turn(?:s|ed)\s+out|(?:comes?|came|stems?|stemmed)\s+from|triggered\s+by|introduced\s+(?:in|by)|"
    r"regression|race\s+condition|misconfigur\w*|(?:bug|defect|typo|mistake)\s+in|culprit|"
    r"traced\s+(?:it\s+|this\s+)?(?:back\s+)?to|happens?\s+(?:when|whenever|only)|"
    r"(?:ran|runs|running|run)\s+out\s+of|exhaust(?:s|ed|ing)?|deadlock\w*|leak(?:s|ed|ing)?|"
    r"(?:charged|billed|ran|fired|executed|sent|ran)\s+twice|duplicate\s+(?:charge|payment|job|request)s?)"
    r"(?![\w'])",
    re.IGNORECASE,
)
_FIX_VERB = re.compile(
    _NEG + r"(?:fixed|deployed|released|shipped|rolled\s+(?:out|back)|hot-?fixed|patched|reverted|merged|"
    r"refunded|credited|reimbursed|voided|cancell?ed|re-?enabled|restored|recovered|repaired|resolved|"
    r"applied|issued|processed|corrected|removed|cleaned\s+up|backfilled|migrated|unblocked|"
    r"allow-?listed|whitelisted|reset|restarted|re-?ran|re-?run|rebuilt|reindexed|re-?synced|"
    r"increased|bumped|upgraded)(?![\w'])",
    re.IGNORECASE,
)
# A fix verb right after one of these is a plan, a hope or a denial, not something done ...
_NOT_DONE_BEFORE = re.compile(
    _NEG + r"(?:will|won't|wont|going\s+to|gonna|plan(?:s|ning)?\s+to|about\s+to|need(?:s|ed)?\s+to|to\s+be|"
    r"would|could|should\s+(?:we|i)|not|never|yet|hopefully|once|if|when|until|after)(?![\w'])|n't(?![\w'])",
    re.IGNORECASE,
)
_NOT_DONE_WINDOW = 30  # characters before the verb
# ... and so is one in a sentence about the future or a question.
_NOT_DONE_SENTENCE = re.compile(
    _NEG + r"(?:tomorrow|tonight|soon|pending|awaiting|in\s+(?:review|qa|testing))(?![\w'])|\?",
    re.IGNORECASE,
)
_FIX_TALK = re.compile(
    _NEG + r"(?:fix(?:es|ing)?|patch(?:es|ing)?|hot-?fix|pr\s*#?\d+|pull\s+request|merge\s+request|"
    r"release|deploy(?:s|ing|ment)?|roll(?:ing)?\s*out|roll-?back|refund(?:ing)?|credit(?:ing)?|"
    r"revert(?:ing)?)(?![\w'])",
    re.IGNORECASE,
)
_WORKAROUND = re.compile(
    _NEG + r"(?:work[\s-]?around|in\s+the\s+meantime|meanwhile|temporar(?:y|ily)|for\s+now|"
    r"until\s+(?:then|the\s+fix|we|it)|stop-?gap|interim|can\s+(?:still\s+)?use|instead)(?![\w'])",
    re.IGNORECASE,
)
_ETA = re.compile(
    _NEG + r"(?:eta|by\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day|by\s+(?:tomorrow|tonight|eod|eow|"
    r"end\s+of\s+(?:the\s+)?(?:day|week))|tomorrow|tonight|later\s+today|this\s+(?:afternoon|evening|week)|"
    r"within\s+(?:\d+|an?|one|two|three|a\s+few)\s+(?:min(?:ute)?s?|hours?|h|days?|business\s+days|weeks?)|"
    r"next\s+(?:release|deploy\w*|sprint|week|patch|version)|expected\s+(?:by|on|in|to|at)|scheduled|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm|utc|gmt|cet|cest|est|edt|pst|pdt)|"
    r"\d+(?:\s*-\s*\d+)?\s+(?:business|working)\s+days)(?![\w'])",
    re.IGNORECASE,
)
_DIAGNOSIS = re.compile(
    _NEG + r"(?:reproduced|reproducible|can\s+(?:now\s+)?reproduce|repro'?d|confirmed|identified|found|"
    r"narrowed\s+(?:it\s+|this\s+)?down|isolated|verified|logs?\s+show\w*|(?:we|i)\s+(?:can\s+)?see|"
    r"affects?|affected|only\s+(?:happens|affects|on|for|when)|checked|looks\s+like|"
    r"appears\s+to|seems\s+to)(?![\w'])",
    re.IGNORECASE,
)
_VERIFIED = re.compile(
    _NEG + r"(?:(?:now|again)\s+(?:works?|finish(?:es)?|succeeds?|loads?|passes|completes?|goes\s+through)|"
    r"works?\s+(?:again|now|fine)|no\s+(?:more|longer)\s+(?:fails?|errors?|happens?|times?\s+out)|"
    r"(?:tested|verified|confirmed)\s+(?:the\s+fix|it\s+works|that\s+it\s+works|on\s+(?:prod|production)))(?![\w'])",
    re.IGNORECASE,
)
_DECISION = re.compile(
    _NEG + r"(?:approved|declined|rejected|denied|agreed|granted|authori[sz]ed|signed\s+off|"
    r"won'?t\s+fix|by\s+design|as\s+designed|expected\s+behaviou?r|not\s+a\s+bug|out\s+of\s+scope|"
    r"escalated\s+to|handed\s+(?:over|off)\s+to)(?![\w'])",
    re.IGNORECASE,
)
REQUEST = re.compile(
    _NEG + r"(?:(?:can|could|would)\s+(?:you|someone|we)\s+(?:please\s+)?(?:ask|get|send|share|check|confirm|"
    r"collect|find\s+out|provide|grab|attach)|please\s+(?:ask|get|send|share|confirm|collect|provide|attach)|"
    r"(?:we|i)\s+(?:still\s+)?need\s+(?:the|a|an|their|more|some|to\s+know)|"
    r"need\s+(?:more\s+)?(?:info|information|details|logs?|a\s+har|screenshots?)|ask(?:ing)?\s+the\s+customer|"
    r"do\s+(?:we|they|you)\s+(?:have|know)|har\s+file)(?![\w'])",
    re.IGNORECASE,
)
_PROGRESS = re.compile(
    r"^(?:(?:i'?m|i\s+am|we'?re|we\s+are|still|now)\s+)*(?:looking|digging|checking|investigating|"
    r"on\s+it|taking\s+a\s+look|having\s+a\s+look|working\s+on|picking\s+(?:this|it)\s+up|"
    r"(?:i|we)?\s*(?:will|'ll|shall)\s+(?:take\s+a\s+look|look|check|investigate|dig|update|get\s+back|"
    r"keep\s+you\s+posted|report\s+back|follow\s+up)|let\s+me\s+(?:check|look|dig|see)|"
    r"ack(?:ed|nowledged)?|seen|noted|will\s+do|stay\s+tuned|(?:i'?ll|we'?ll)\s+\w+)(?![\w'])",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^(?:(?:many\s+)?thanks|thank\s+you|thx|ty|cheers|great|perfect|awesome|nice|cool|ok(?:ay)?|sure|"
    r"sounds\s+good|got\s+it|no\s+problem|np|appreciated?|welcome|you'?re\s+welcome|hi|hello|hey|morning|"
    r"good\s+(?:morning|afternoon|evening)|have\s+a\s+(?:good|great|nice)|hope|sorry|apologies|\+1)(?![\w'])",
    re.IGNORECASE,
)
_LEADING_PLEASANTRY = re.compile(
    r"^(?:(?:many\s+)?thanks|thank\s+you|thx|great|perfect|ok(?:ay)?|cool|sure|good\s+news|update|hi|hello|"
    r"hey)(?:\s+(?:for\s+[^,.!:;]{1,60}|[A-Z][\w'.-]*|all|team|everyone|folks))?\s*[,!.:;\u2014-]+\s*",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w.])@[\w.\-]+")
_MENTION_START = re.compile(r"^(?:@[\w.\-]+[\s,:]*)+")
_LABEL = re.compile(r"^(?:root\s+cause|cause|fix|update|status|eta|workaround|findings?|note)\s*:\s*", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_ID_SHAPE = re.compile(
    r"[A-Za-z]{2,}[-_#]\d+|#\d+|\bv?\d+\.\d+\.\d+\b|[$\u20ac\u00a3]\s?\d|"
    r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b"
)
# `sentences` keeps "J. Smith" together; a lower-case letter before the full stop ("after 30 s. Then")
# is a unit or a word's end, not an initial, so the sentence ends there.
_UNIT_BREAK = re.compile(r"(?<=\s[a-z]\.)\s+(?=[A-Z])")
_LIST_PREFIX = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")


def statement_kinds(sentence: str) -> frozenset[str]:
    """What an expert's sentence tells: cause, fix_done, fix_planned, workaround, decision, eta, request,
    diagnosis, verified (empty when none of these shapes is there)."""
    kinds: set[str] = set()
    if _CAUSE.search(sentence):
        kinds.add("cause")
    verbs = list(_FIX_VERB.finditer(sentence))
    if verbs:
        done = not _NOT_DONE_SENTENCE.search(sentence) and any(
            not _NOT_DONE_BEFORE.search(sentence[max(0, m.start() - _NOT_DONE_WINDOW):m.start()]) for m in verbs)
        kinds.add("fix_done" if done else "fix_planned")
    elif _FIX_TALK.search(sentence):
        kinds.add("fix_planned")
    for name, pattern in (("workaround", _WORKAROUND), ("eta", _ETA), ("diagnosis", _DIAGNOSIS),
                          ("verified", _VERIFIED), ("decision", _DECISION), ("request", REQUEST)):
        if pattern.search(sentence):
            kinds.add(name)
    return frozenset(kinds)


def is_pleasantry(sentence: str) -> bool:
    """True for a sentence that carries nothing: thanks, greetings, "sounds good"."""
    sentence = _MENTION.sub("", sentence).strip()
    words = sentence.split()
    return (bool(_PLEASANTRY.match(sentence.strip())) and len(words) <= 8 and not _DIGIT.search(sentence)
            and not statement_kinds(sentence))


def is_progress_only(sentence: str) -> bool:
    """True for "looking into it" / "on it" / "will update" without anything found yet."""
    return bool(_PROGRESS.match(sentence.strip())) and not statement_kinds(sentence)


def sentence_score(sentence: str) -> float:
    """How informative an expert's sentence is: 0 for pleasantries, 0.5 for progress-only, 2+ for a finding."""
    if not sentence or is_pleasantry(sentence):
        return 0.0
    sentence = _MENTION.sub("", sentence)  # a mention's id is not a number worth reporting
    kinds = statement_kinds(sentence)
    if not kinds and _PROGRESS.match(sentence):
        return 0.5
    score = max((_WEIGHTS[k] for k in kinds), default=0.0) + 0.5 * max(0, len(kinds) - 1)
    if _DIGIT.search(sentence):
        score += 1.0
    if _ID_SHAPE.search(sentence):
        score += 0.5
    if len(sentence.split()) >= 8:
        score += 0.5
    return score


def slack_to_plain(text: str | None) -> str:
    """Slack mrkdwn as plain text: <url|label> -> label (url), <@U1> -> @U1, <!here> -> @here, entities decoded."""
    if not text:
        return ""

    def link(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith(("@", "#")):
            return label and (target[0] + label) or target
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            return "@" + (label or name)
        return f"{label} ({target})" if label and label != target else target

    text = re.sub(r"<([^<>\n]+)>", link, str(text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean_statement(text: str | None, *, system: str | None = None) -> list[str]:
    """An event's text as sentences: Slack markup decoded, quoted lines, marker lines, greetings, leading
    mentions and pleasantries removed."""
    if not text:
        return []
    text = slack_to_plain(text) if system == "slack" else str(text)
    kept_lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith((">", "```")) or is_marker_line(stripped):
            continue
        kept_lines.append(_LIST_PREFIX.sub("", stripped))
    out = []
    pieces = [part for sentence in sentences("\n".join(kept_lines)) for part in _UNIT_BREAK.split(sentence)]
    for sentence in pieces:
        sentence = _MENTION_START.sub("", sentence).strip()
        previous = None
        while previous != sentence:
            previous = sentence
            sentence = _LEADING_PLEASANTRY.sub("", sentence, count=1).strip()
            sentence = _MENTION_START.sub("", sentence).strip()
        sentence = _LABEL.sub(lambda m: m.group(0) if "cause" in m.group(0).lower() else "", sentence).strip()
        if sentence and re.search(r"\w", sentence):
            out.append(sentence[:1].upper() + sentence[1:])
    return out
