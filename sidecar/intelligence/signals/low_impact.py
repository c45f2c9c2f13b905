"""What lowers the need for an expert: feature requests, cosmetic or documentation issues, chores, how-to
questions, a customer who says there is no rush (patience, weighed against the reasons in scoring) and
one who says it is already solved."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.signals.finding import PatternRule, rule_words

FEATURE_REQUEST = "feature_request"
COSMETIC_OR_DOCS = "cosmetic_or_docs"
MAINTENANCE_TASK = "maintenance_task"
HOW_TO_QUESTION = "how_to_question"
CALM_OR_RESOLVED = "calm_or_resolved"
NO_RUSH = "no_rush"

_FEATURE = (
    r"\b(?:feature\s+(?:request|idea|suggestion|proposal)|enhancement|(?:it\s+)?would\s+be\s+(?:nice|great|good"
    r"|helpful|"
    r"useful|cool|awesome|better|handy|convenient)|(?:would|'d)\s+(?:like|love)\s+(?:to\s+(?:see|have)|it\s+if|if)|"
    r"(?:please\s+|could\s+you\s+|can\s+you\s+|can\s+we\s+|we\s+need\s+to\s+)?(?:add|implement|introduce|provide)\s+"
    r"(?:an?\s+|the\s+|some\s+)?(?:new\s+)?(?:option|ability|setting|feature|way|button|shortcut|preference|toggle|"
    r"filter|column|field|support\s+for)|(?:add|adding)\s+support\s+for|there\s+(?:should\s+be|is\s+no"
    r"|isn'?t\s+an?)\s+"
    r"(?:an?\s+)?(?:option|way|setting|feature|ability|button)|suggestion|i\s+suggest|we\s+suggest|i\s+propose|"
    r"proposal|wish(?:list)?|nice[- ]to[- ]have|request\s+for\s+enhancement|rfe|make\s+it\s+possible|"
    r"allow\s+(?:users|us|me|people)\s+to|it\s+would\s+help\s+if|roadmap|feature\s+parity|improve(?:ment)?s?\s+"
    r"(?:to|for|the)|(?:should|could)\s+(?:also\s+)?(?:support|offer|allow|have\s+an?\s+option))\b"
)
_DOCS = (r"(?:documentation|docs|readme|release\s+notes|help\s+(?:page|text|file|docs|article|center)|wiki"
         r"|man\s+page|knowledge\s+base|kb\s+article)")
_DOCS_FLAW = (r"(?:wrong|outdated|out\s+of\s+date|incorrect|missing|unclear|confusing|misleading|broken|incomplete"
              r"|inaccurate|obsolete)")
_DOCS_DEFECT = (
    rf"(?:{_DOCS_FLAW}|typos?\s+in|errors?\s+in|mistakes?\s+in)\s+(?:\w+\s+){{0,3}}?{_DOCS}"
    rf"|{_DOCS}\s+(?:\w+\s+){{0,4}}?(?:is|are|seems?|looks?)\s+(?:\w+\s+)?{_DOCS_FLAW}"
)
_COSMETIC = (
    r"\b(?:typos?|misspell(?:ed|ing|ings)?|spelling\s+(?:mistake|mistakes|error|errors)|grammar|grammatical|cosmetic|"
    r"wording|capitali[sz]ation|misaligned|alignment|padding|spacing|font\s+(?:size|colou?r|weight)|"
    r"(?:wrong|missing|outdated|truncated|blurry|ugly|misaligned|tiny|huge|pixelated)\s+(?:label|text|string|icon"
    r"|image|"
    r"logo|colou?r|font|tooltip)|(?:icon|logo|label|colou?r|font)\s+(?:is|looks)\s+(?:wrong|off|blurry|ugly|odd|weird"
    r"|"
    r"misaligned|cut\s+off)|pixelated|"
    # Documentation as the thing that is wrong, not as where the customer read how to do something ("as
    # advised in your docs, we changed the policy and now nobody can log in" is no documentation flaw).
    rf"{_DOCS_DEFECT}|(?:update|fix|correct|improve|clarify)\s+(?:the\s+|your\s+)?{_DOCS}|{_DOCS}\s+(?:bug|issue|fix"
    r"|update|change|request)|dead\s+links?|broken\s+links?|link\s+is\s+(?:dead|broken)|"
    r"translation|l10n|locali[sz]ation|untranslated|look(?:s)?\s+(?:odd|weird|off|ugly|strange)|"
    # Not "a small thing" or "a minor issue": that is the customer's modesty about any problem ("sorry, probably a
    # small thing, but no clinic can see tomorrow's bookings"), not a flaw that is only visual.
    r"(?:minor|small|tiny|little)\s+(?:visual|ui|display|layout|cosmetic|glitch|bug|nit)|nit|nitpick)\b"
)
_MAINTENANCE = (
    r"(?:^port\b|\bport\s+(?:bug|the\s+following|changes?|\|)|\bback-?port\w*|\buplift\b|\bclean\s*-?\s*up\b|"
    r"\brefactor\w*|\bremove\s+(?:unused|obsolete|dead|old|deprecated|legacy)|\bunused\b|\bobsolete\b|\bdead\s+code\b"
    r"|"
    r"\bdeprecat\w*|\brename\w*|\b(?:update|bump|upgrade)\s+(?:to|the)\s+(?:\w+\s+)?(?:version|dependency|library|"
    r"toolkit|sdk|compiler|rust|python|node|clang)|\buse\s+(?:std::|mozilla::)|\btracking\s+bug\b|\bmeta\s+bug\b|"
    r"\[meta\]|\bmozconfig\b|\blint\w*|\beslint\b|\bcode\s+style\b|\bwhitespace\b|\bdead\s+code\b|\bmigrate\s+"
    r"(?:to|from|away)\s+\w+\s+(?:api|apis|helper|function|module)|\btest\s+(?:only|cleanup|coverage))"
)
_HOW_TO = (
    r"^\W*(?:hi|hello|hey)?[\s,!]*(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|you|one)|how\s+to|"
    r"where\s+(?:do|can|is|are)\s+(?:i|we|the|my)|is\s+(?:there\s+a\s+way|it\s+possible)|can\s+(?:i|we|you)\s+"
    r"(?:\w+\s+)?(?:change|set|add|update|configure|export|import|use|find|get|reset|enable|disable|create|edit|"
    r"delete|remove|see|view|download|invite|switch)|what\s+(?:is|are)\s+the\s+(?:steps|way|best\s+way|process)|"
    r"quick\s+question|just\s+a\s+question|question\s+about)\b"
)
# Patience: the customer says it can wait. That is about tone and timing, not about whether there is a
# problem an expert must solve ("no rush, but none of our customers can pay"), so scoring lets it lower only
# a ticket without a reason of its own.
_NO_RUSH = (
    r"\b(?:no\s+(?:rush|hurry|urgency|pressure)|not\s+(?:urgent|a\s+priority|time[- ]sensitive|critical|pressing"
    r"|a\s+big\s+deal|"
    r"blocking)|low\s+priority|whenever\s+(?:you\s+)?(?:get\s+a\s+chance|can|have\s+(?:a\s+moment|time))|"
    r"(?:at\s+your|in\s+your\s+own)\s+(?:convenience|leisure|pace)|no\s+worries|just\s+(?:curious|wondering|fyi|"
    r"a\s+heads\s+up)|fyi)\b"
)
# Resolved: the customer says the problem is gone or the ticket can be closed.
_RESOLVED = (
    r"\b(?:(?:that|this)\s+(?:worked|fixed\s+it|solved\s+it|did\s+the\s+trick|helped)(?=\s*(?:[,.!]|$|thanks|thank"
    r"|perfectly|"
    r"great))|(?:works|working)\s+(?:now|fine\s+now|perfectly\s+now)\b(?!\s+(?:but|except))|"
    r"(?:issue|problem)\s+(?:is\s+|has\s+been\s+)?(?:now\s+)?(?:resolved|solved|fixed|sorted)|"
    r"all\s+(?:good|sorted|set)\s+now|you\s+can\s+close\s+(?:this|the\s+ticket|it)|(?:please\s+)?close\s+"
    r"(?:this|the)\s+(?:ticket|case|request)|never\s*mind|nevermind|figured\s+it\s+out"
    r"|thanks?\s+(?:you\s+)?(?:so\s+much\s+)?"
    r"for\s+(?:the\s+)?(?:quick|fast|great|prompt)\s+(?:help|response|reply|fix))\b"
)
# Issue-tracker subjects written as a task ("Add CSV export", "Remove unused prefs") are work items,
# not incidents; only the subject line is read this way.
_TASK_SUBJECT_FEATURE = (
    r"^(?:add|implement|allow|enable|provide|introduce|improve|expose|offer|create)\s+\w"
)
_TASK_SUBJECT_CHORE = (
    r"^(?:remove|rename|replace|convert|migrate|refactor|port|update|bump|upgrade|clean|simplify|unify"
    r"|deprecate)\s+\w"
)
# ... unless the subject reports a problem ("Update failed", "Upgrade broke exports").
_PROBLEM_WORDS = re.compile(
    r"\b(?:fail\w*|error\w*|broke\w*|crash\w*|down|not|n't|cannot|unable|issues?|problems?|bug|stuck|lost|"
    r"missing|wrong|urgent|outage|regress\w*|hang\w*|freez\w*|slow)\b"
)

# "It's not resolved" / "hasn't been fixed" must not read as calm.
_NOT_BEFORE = re.compile(r"(?:\bnot|n'?t|\bnever|\bnothing|\bno\s+longer|\bstill)\s+(?:\w+\s+){0,2}$")


def _judge_calm(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    text = match.group()
    if not text.startswith(("no ", "not ", "never", "nevermind")) and _NOT_BEFORE.search(
        view.lower, max(0, match.start() - 30), match.start()
    ):
        return 0.0
    return rule.base


def _judge_subject_only(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    if view.where != "subject" or _PROBLEM_WORDS.search(view.lower):
        return 0.0
    return rule.base


def _judge_how_to(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    # Only a message that is essentially a question is a how-to; a long report with one question is not.
    if len(view.lower) > 400:
        return 0.0
    return rule.base if view.lower.rstrip().endswith("?") else rule.base * 0.7


RULES: tuple[PatternRule, ...] = (
    PatternRule(FEATURE_REQUEST, _FEATURE, 0.8, hypothetical=1.0, policy_question=1.0,
                anchors=rule_words("feature enhancement would 'd add adding implement introduce provide there "
                                   "suggestion suggest propose proposal wish nice request rfe make allow help roadmap "
                                   "improve should could please can we")),
    PatternRule(COSMETIC_OR_DOCS, _COSMETIC, 0.7, hypothetical=1.0, policy_question=1.0,
                anchors=rule_words("typo misspell spelling grammar cosmetic wording capitali misaligned alignment "
                                   "padding margin spacing font color colour icon tooltip wrong missing outdated "
                                   "truncated pixel documentation docs readme release help wiki man knowledge kb dead "
                                   "broken link translation l10n locali untranslated look minor small tiny little nit "
                                   "theme dark")),
    PatternRule(MAINTENANCE_TASK, _MAINTENANCE, 0.8, hypothetical=1.0, policy_question=1.0,
                anchors=rule_words("port back uplift clean refactor remove unused obsolete dead deprecat rename update "
                                   "bump upgrade use tracking meta [meta mozconfig lint eslint code whitespace migrate "
                                   "test")),
    PatternRule(HOW_TO_QUESTION, _HOW_TO, 0.7, hypothetical=1.0, policy_question=1.0, judge=_judge_how_to,
                anchors=rule_words("how where is can what quick just question")),
    PatternRule(FEATURE_REQUEST, _TASK_SUBJECT_FEATURE, 0.6, judge=_judge_subject_only),
    PatternRule(MAINTENANCE_TASK, _TASK_SUBJECT_CHORE, 0.6, judge=_judge_subject_only),
    PatternRule(NO_RUSH, _NO_RUSH, 0.8, hypothetical=1.0, policy_question=1.0, judge=_judge_calm,
                anchors=rule_words("no not low whenever at in just fyi")),
    PatternRule(CALM_OR_RESOLVED, _RESOLVED, 0.8, hypothetical=1.0, policy_question=1.0, judge=_judge_calm,
                anchors=rule_words("that it this works working issue problem all you please close never nevermind "
                                   "figured thanks thank")),
)
