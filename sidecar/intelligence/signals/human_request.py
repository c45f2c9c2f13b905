"""The customer asks for a human (person, agent, manager, a call, contact details) or rejects automated help."""
from __future__ import annotations

import re

from sidecar.intelligence.lexicon import trie_alternation, with_typos
from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import sentence_of
from sidecar.intelligence.signals.finding import (
    Finding,
    PatternRule,
    judged_strength,
    rule_words,
)

CATEGORY = "human_requested"
ASKS_FOR_HUMAN = "asks_for_human"
REJECTS_AUTOMATED_HELP = "rejects_automated_help"
ASKS_FOR_CALL_OR_CONTACT = "asks_for_call_or_contact"
ASKS_FOR_ESCALATION = "asks_for_escalation"

# Asking for a person is normal in conditional form ("if this isn't fixed I want your manager"), so
# hypotheticals are discounted less than elsewhere; questions are the normal form of the request.
_HYPOTHETICAL_FACTOR = 0.6
# "What hours can I call customer service?" asks about availability, not for a person now.
_AVAILABILITY_FACTOR = 0.45
_AVAILABILITY = re.compile(
    r"\b(?:hours|what\s+time|opening|business\s+days|working\s+days|open\b|available|availability|weekends?|"
    r"holidays?|24/7|24x7)"
)

# Words for a person are matched with their one-slip typos ("represenative", "humna", "somone").
_TYPO_EXCLUDE = ("manger", "angel", "gent", "servie", "suppot")


def _typo(word: str) -> str:
    """The word, its one-slip typos, and its chat shorthand without inner vowels ("agnt", "hmn", "prsn")."""
    return "(?:" + trie_alternation([*with_typos([word], exclude=_TYPO_EXCLUDE), _without_vowels(word)]) + ")"


def _without_vowels(word: str) -> str:
    return word[0] + re.sub(r"[aeiou]", "", word[1:])


_HUMAN = _typo("human")
_PERSON = _typo("person")
_SOMEONE = "(?:" + _typo("someone") + "|" + _typo("somebody") + r"|some1|sum1|smone|sumone|someone\s+else)"
_REP = "(?:" + _typo("representative") + r"s?|reps?|represntative|reprasentative|representitive|rappresentative)"
_OPERATOR = "(?:" + _typo("operator") + r"s?|opperator)"
_SUPERVISOR = "(?:" + _typo("supervisor") + r"s?|supervisior|superviser)"
_MANAGER = "(?:" + _typo("manager") + r"s?|manger|mgr|mngr)"  # "manger" is a real word, but never after "speak to a"
_AGENT = "(?:" + _typo("agent") + r"s?)"
_ASSISTANT = "(?:" + _typo("assistant") + r"|assistgant)"
_CUSTOMER = "(?:" + _typo("customer") + r"|costumer|custumer|cust)"
_SERVICE = "(?:" + _typo("service") + r"s?|svc)"
_SUPPORT = "(?:" + _typo("support") + ")"

# A qualified human: no doubt the customer means a person.
_PERSON_STRONG = (
    rf"(?:(?:real|live|actual|reel|proper|human|flesh\s+and\s+blood)\s+(?:{_HUMAN}s?|{_PERSON}|people|{_AGENT}|one"
    rf"|{_REP}|"
    rf"{_OPERATOR}|{_SUPPORT}|{_ASSISTANT}|chat\s+agent|being)"
    rf"|{_HUMAN}s?(?:\s+(?:being|beings|agent|agents|person|support|operator))?"
    rf"|{_REP}|{_OPERATOR}|{_SUPERVISOR}|{_MANAGER}|boss|team\s+lead(?:er)?|higher[- ]up|"
    rf"someone\s+(?:in\s+charge|senior|more\s+senior)|person\s+in\s+charge)"
)
# A person, but a word that also has other meanings ("agent" is a help-desk seat too).
_PERSON_PLAIN = (
    rf"(?:{_AGENT}|{_PERSON}|{_SOMEONE}|any\s*one|any\s*body|any1|staff(?:\s+member)?|"
    rf"member\s+of\s+(?:your\s+|the\s+)?(?:staff|team|support(?:\s+team)?)|employee|advis[eo]r|consultant|"
    rf"specialist|expert|technician|engineer|developer|{_ASSISTANT}|associate|attendant|"
    rf"account\s+(?:manager|rep|representative|executive|owner)|csm|customer\s+success\s+manager)"
)
# The support channel itself: the ticket is already with customer service, so naming it is weaker than naming a
# person (see `_judge_verb_to_person`).
_SUPPORT_CHANNEL = (
    # A bare "service" is too often a thing ("the email service"): only "customer service" or
    # "your service team" name people.
    rf"(?:{_CUSTOMER}\s+{_SERVICE}(?:\s+(?:team|staff|person|people|agent|rep|representative|department|"
    rf"dept|desk|line|center|centre))?"
    rf"|(?:your|the|ur)\s+{_SERVICE}\s+(?:team|staff|person|people|agent|rep|representative|department|dept|desk)"
    rf"|(?:{_CUSTOMER}\s+|tech(?:nical)?\s+|it\s+)?{_SUPPORT}(?:\s+(?:team|staff|person|people|agent|rep|desk|line))?"
    rf"|{_CUSTOMER}\s+(?:care|relations)|help\s*desk|call\s+cent(?:er|re))"
)
# A team of people other than the support channel: clear after "talk to", too vague after "I need".
_NAMED_TEAM = (
    r"(?:(?:your|ur|the)\s+(?:team|staff|company|office|people|guys)|you\s+guys|u\s+guys|customer\s+success"
    r"|(?:billing|sales|accounts?|finance|legal|security|engineering|technical|tech|product|onboarding|"
    r"implementation|success)\s+(?:team|department|dept|people|person|guy|guys|folks)|sales)"
)
# After the target, these words show it was not a person at all ("agent role", "human resources").
_NOT_A_PERSON_AFTER = (
    r"(?!\s*(?:role|roles|seat|seats|license|licenses|licence|licences|permission|permissions|view|views|"
    r"workspace|dashboard|status|app|string|setting|settings|profile|group|groups|field|fields|macro|macros|"
    r"resources?|error|errors|rights|access|level|interface|ui|console|portal|signature|id|ids|api|tool|"
    r"software|plugin|extension|install|installer|version|collision|detection|review|readable|verification|"
    r"error|translation|interaction\s+design)\b)"
)
_TARGET = (
    rf"(?:(?P<strong>{_PERSON_STRONG})|(?P<plain>{_PERSON_PLAIN})"
    rf"|(?P<channel>{_SUPPORT_CHANNEL})|(?P<team>{_NAMED_TEAM})){_NOT_A_PERSON_AFTER}"
)
_TARGET_PERSON = rf"(?:(?P<strong>{_PERSON_STRONG})|(?P<plain>{_PERSON_PLAIN})){_NOT_A_PERSON_AFTER}"

# Between verb and person only small words may stand ("speak with one of your actual agents"), which
# keeps "transfer money to someone" or "talk about the agent role" from matching.
_WITH_TO = "(?:" + trie_alternation(with_typos(["with", "to"]) + ["wth", "wit", "tto", "2"]) + ")"
# Swearing and intensifiers often sit between the verb and the person ("talk to a bloody human").
_INTENSIFIER = (
    r"bloody|damn|damned|goddamn|goddamned|fucking|fuckin|freaking|frigging|effing|flipping|stupid|proper|"
    r"real|actual|live|competent|qualified|knowledgeable|senior|different|another|other|more|higher|responsible"
)
_GAP = (
    r"(?:[\s,]+(?:me|us|" + _WITH_TO[3:-1] + r"|through|thru|a|an|the|some|your|ur|yr|one|of|please|pls|plz|"
    r"directly|right|now|back|over|again|just|quickly|actually|finally|in|into|touch|hold|ahold|technical|"
    r"person|somebody|someone|immediately|asap|on|line|phone|whoever|whomever|possible|maybe|u|you|"
    + _INTENSIFIER + r")){0,5}"
)
_VERB_WORDS = with_typos(
    ["talk", "talking", "speak", "speaking", "chat", "chatting", "contact", "contacting", "connect", "connecting",
     "reach", "reaching", "call", "calling"],
    exclude=("cal", "cat", "tak", "reah", "ral", "caling"),
)
_CONVERSE_VERB = (
    r"(?:" + "|".join(sorted(_VERB_WORDS, key=len, reverse=True)) + r"|tlk|taok|spk|speek|spek|converse|phone|phoning"
    r"|ring|message|email|"
    r"e-mail|deal|dealing|"
    r"get\s+(?:in\s+touch|through|hold|ahold|a\s+hold)|getting\s+(?:in\s+touch|through|hold)|"
    r"connect(?:ed|ing)?|transfer(?:red|ring)?|put\s+(?:me|us)\s+(?:through|thru|on)|pass\s+(?:me|us)|"
    r"hand\s+(?:me|us)(?:\s+(?:over|off))?|forward\s+(?:me|us)|redirect\s+(?:me|us)|route\s+(?:me|us)|"
    r"send\s+(?:me|us)|escalate|escalating|refer\s+(?:me|us)|go\s+through|communicate|interact)"
)
# "-ing" after a form of "be" narrates ("I was talking to an agent"), it does not ask.
_NARRATIVE_BEFORE = re.compile(r"\b(?:was|were|been|am|'m|are|is|i'm|im|we're)\s+(?:\w+\s+)?$")
# People on the customer's own lists are theirs to call, not the vendor's staff ("our SDR team can't call anyone
# on their lists today").
_ON_THEIR_LIST = re.compile(r"\s+(?:on|in|from)\s+(?:their|our|my|his|her|the)\s+(?:\w+\s+)?(?:lists?|rosters?)\b")
_VERB_HEAD = rf"\b{_CONVERSE_VERB}\b"
_CONTACT_PERSON = re.compile(r"contact\s+persons?")
_VERB_TAIL = rf"{_GAP}[\s,]*{_WITH_TO}?\s*{_TARGET}\b"
_WANT_HEAD = (
    rf"\b(?:need|needs|want|wants|wanna|would\s+like|(?:i|we)'d\s+like|get|gimme|give\s+(?:me|us)|request|requesting|"
    rf"ask\s+for|asking\s+for|looking\s+for|bring\s+(?:me|us)|prefer|where\s+(?:is|are)|find\s+me|send\s+me|"
    rf"help\s+from|assistance\s+from|support\s+from|answer\s+from|response\s+from|reply\s+from)"
    rf"\s+(?:me\s+|us\s+)?(?:to\s+)?(?:a\s+|an\s+|the\s+|some\s+|your\s+|ur\s+|another\s+|different\s+"
    rf"|one\s+of\s+your\s+)?"
    rf"(?:(?:{_INTENSIFIER})\s+)?"
)
_WANT_TAIL = rf"{_TARGET_PERSON}\b"
# "Have a manager call me", "get someone to contact us": a person asked to act.
_HAVE_PERSON_HEAD = r"\b(?:have|get|ask|let|make)\s+(?:a\s+|an\s+|the\s+|your\s+|ur\s+|some\s+|one\s+of\s+your\s+)?"
_HAVE_PERSON_TAIL = (
    rf"{_TARGET_PERSON}\s+(?:please\s+)?(?:to\s+)?(?:call|contact|phone|ring|reach\s+out|email|get\s+back|"
    r"follow\s+up|look\s+into|take\s+a\s+look|review)\b"
)
_OUR_ACCOUNT_MANAGER = re.compile(
    r"\b(?:talk|speak|chat|contact|reach|call|connect|loop\s+in|involve|hear\s+from)\w*\s+(?:to\s+|with\s+|in\s+)?"
    r"(?:my|our)\s+(?:account\s+(?:manager|rep|representative|executive)|csm|customer\s+success\s+manager)\b"
)
_TRANSFER_ME = re.compile(
    r"\b(?:transfer|connect|put|pass|forward|redirect|route|escalate|patch)\s+(?:me|us)(?:\s+(?:through|thru|over|on"
    r"|up))?"
    r"(?=\s*(?:$|[.!?,]|please|pls|plz|now|asap|right\s+now|immediately|"
    r"to\s+(?:the\s+right|the\s+|your\s+|a\s+|an\s+|someone|somebody|another|whoever|billing|sales|support|tech"
    r"|technical|customer)))"
)
# Handing the ticket itself on: "please pass this to a person", "can you hand this over to a human?".
_HAND_THIS_TO_A_PERSON = re.compile(
    rf"\b(?:transfer|pass|hand|give|send|forward|route|escalate|assign)\s+(?:this|it|my\s+(?:ticket|case|request)"
    rf"|the\s+(?:ticket|case|request)|this\s+(?:ticket|case|request))\s+(?:over\s+|on\s+)?to\s+(?:a|an|some)\s+"
    rf"(?:real\s+|live\s+|actual\s+)?(?:{_PERSON}|{_HUMAN}(?:\s+being)?|agent|someone|somebody)\b"
)
_BE_TRANSFERRED = re.compile(
    r"\b(?:i|we)\s+(?:want|need|would\s+like|'d\s+like|wanna|wish|demand|asked|ask)\s+to\s+(?:be|get)\s+"
    r"(?:transferred|connected|escalated|put\s+through|handed\s+over)"
    r"|\b(?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?(?:be|get)\s+(?:transferred|connected|put\s+through"
    r"|handed\s+over)"
    r"(?=\s*(?:$|[.!?,]|please|pls|now|asap|to\s+(?:a|an|the\s+right|someone|somebody|another|your|customer|billing|"
    r"sales|support|tech|technical|whoever|a\s+human|a\s+person)\b))"
)
_SOMEONE_I_CAN_TALK_TO = re.compile(
    r"\b(?:some(?:one|body)|any(?:one|body)|a\s+(?:real\s+|live\s+)?(?:person|human)|who(?:m)?|"
    r"(?:a|an)\s+(?:manager|supervisor|agent|representative|rep|specialist))\s+"
    r"(?:i|we)\s+(?:can|could|should|may|might)\s+(?:talk|speak|chat|reach|contact|call|email)\b"
)
_WHO_CAN_I_TALK_TO = re.compile(
    r"\bwho\s+(?:can|should|do|could|would)\s+(?:i|we)\s+(?:talk|speak|contact|call|reach|email|write|"
    r"get\s+in\s+touch\s+with|escalate)\b"
)
_ANYONE_THERE = re.compile(
    r"\b(?:is\s+)?(?:any\s*one|any\s*body|any1|some\s*one|some\s*body)\s+(?:there|here|home|around|listening|"
    r"available|awake|alive|reading\s+(?:this|these|my))\b"
)
# The same ask naming a person outright ("can a human look at this?") is no mere politeness.
# "Is there an actual human being employed at your company?": sarcasm that asks for one.
_IS_THERE_A_HUMAN = re.compile(
    r"\bis\s+there\s+(?:an?\s+|any\s+)?(?:(?:real|actual|live)\s+(?:human(?:\s+being)?|person|people)"
    r"|human(?:\s+being)?s?|(?:person|people|anyone|anybody)\s+(?:employed|working|reading|alive|on\s+the\s+other\s+end))"
    r"\b"
)
_A_HUMAN_PLEASE_ACT = re.compile(
    r"\b(?:can|could|will|would|please|pls|need|i\s+need|we\s+need|i\s+want|we\s+want|i'd\s+like|get)\s+"
    r"(?:a\s+(?:real\s+|live\s+)?(?:person|human)|an?\s+(?:actual|real|live)\s+(?:person|human)(?:\s+being)?)\s+"
    r"(?:please\s+|pls\s+|to\s+)?"
    r"(?:help|look|check|call|contact|get\s+back|respond|reply|explain|assist|review|answer|investigate|"
    r"take\s+a\s+look|fix|sort|handle|email)\b"
)
_SOMEONE_PLEASE_ACT = re.compile(
    r"\b(?:can|could|will|would|please|pls|need|have|i\s+need|we\s+need|i\s+want|we\s+want|i'd\s+like|get)\s+"
    r"(?:some(?:one|body|1)|any(?:one|body|1)|a\s+(?:real\s+|live\s+)?(?:person|human)|an?\s+(?:actual|real|live)\s+"
    r"(?:person|human))\s+(?:please\s+|pls\s+|to\s+|from\s+(?:your\s+|the\s+)?\w+\s+(?:to\s+)?)?"
    r"(?:help|look|check|call|contact|get\s+back|respond|reply|explain|assist|review|answer|investigate|"
    r"take\s+a\s+look|fix|sort|handle|email)\b"
)
_HUMAN_HELP = re.compile(
    r"\b(?:human|live|personal|in-person|real[- ]person|real|person-to-person)\s+(?:assistance|help|support|contact|"
    r"interaction|response|answer|being|touch)\b(?!\s+(?:bot|chat\s*bot|widget|article|articles|page|pages|docs))"
)

_BOT = (
    r"(?:chat\s*bot|chat-bot|bot|robot|machine|computer|ai|a\.i\.|automated\s+(?:system|assistant|service|agent|"
    r"responses?|repl(?:y|ies)|messages?|answers?|chat|thing)|auto[- ]?(?:reply|replies|responder|responses?)|"
    r"virtual\s+(?:assistant|agent)|ivr|automaton|algorithm|script|program)"
)
# "Machine" and "computer" are also ATMs and laptops ("the stupid machine swallowed my card"), so
# insults only count against unmistakable bots.
_CHATBOT = (
    r"(?:chat\s*bot|chat-bot|bot|robot|ai|a\.i\.|automated\s+(?:system|assistant|service|agent|responses?|repl(?:y"
    r"|ies)|"
    r"messages?|answers?|chat|thing)|auto[- ]?(?:reply|replies|responder|responses?)|virtual\s+(?:assistant|agent)"
    r"|ivr)"
)
_BOT_INSULT = re.compile(
    r"\b(?:stupid|useless|dumb|pointless|worthless|idiotic|annoying|hopeless|rubbish|crappy|crap|terrible|awful|"
    r"damn|damned|bloody|fucking|fuckin|freaking|frigging|stinking|silly|lousy|dumbass|moronic|incompetent|clueless|"
    rf"pathetic|garbage|trash|shitty|worst)\s+(?:\w+\s+)?{_CHATBOT}s?\b"
)
_BOT_FAILS = re.compile(
    rf"\b(?:this|the|your|ur|you|a|stupid)\s+(?:\w+\s+)?{_BOT}\s+(?:is|are|'s|isn't|isnt|is\s+not|doesn't|doesnt"
    rf"|does\s+not|"
    r"don't|can't|cant|cannot|keeps|won't|just|clearly|obviously|never|has\s+no|makes\s+no)\s+(?:\w+\s+){0,2}?"
    r"(?:useless|stupid|dumb|helpful|helping|understand|understanding|useful|answer|answering|"
    r"getting\s+it|going\s+in\s+circles|repeating|listening|smart|clue|idea|sense|worthless|garbage|trash|wrong"
    r"|irrelevant|nonsense)\b"
    rf"|\bgoing\s+(?:round\s+and\s+round|around\s+in\s+circles|in\s+circles)\s+with\s+(?:this|the|your|ur|a)\s+"
    rf"(?:\w+\s+)?{_BOT}\b"
)
_STOP_CANNED = re.compile(
    r"\b(?:stop|quit|enough\s+(?:of|with)|tired\s+of|sick\s+of|fed\s+up\s+with|no\s+more|done\s+with|hate)\s+"
    r"(?:\w+\s+){0,3}?(?:canned|automated|scripted|generic|templated?|copy[- ]?past(?:e|ed)|robotic|stock"
    r"|pre-?written|"
    r"boilerplate|auto|bots?|robots?|chat\s*bots?|machines?|ai)\b(?:\s+(?:answers?|responses?|replies|messages?|"
    r"emails?|letters?|text))?"
)
_CANNED = re.compile(
    r"\b(?:canned|scripted|automated|generic|copy[- ]?past(?:e|ed)|boilerplate|templated?|robotic|pre-?written"
    r"|form)\s+"
    r"(?:answers?|responses?|repl(?:y|ies)|messages?|emails?|letters?)\b"
)
# A bare "automated reply" may be a product setting ("the automated reply template has a typo"); said of
# what the customer keeps receiving, it is the rejection of automated help.
_CANNED_AGAIN = re.compile(
    r"\b(?:same|another|more|these|those|stupid|useless|pointless|just|only|nothing\s+but|"
    r"keep\s+(?:getting|sending|receiving)|keeps\s+(?:sending|giving))\s+(?:\w+\s+)?(?:canned|scripted|automated|"
    r"generic|copy[- ]?past(?:e|ed)|boilerplate|templated?|robotic|pre-?written)\s+"
    r"(?:answers?|responses?|repl(?:y|ies)|messages?|emails?)\b"
)
_NO_BOT = re.compile(
    r"\b(?:don'?t|do\s+not|dont|not|never|no\s+(?:more|longer)|stop|refuse\s+to|won'?t)\s+"
    r"(?:(?:want|wanna|wish|need|like|going|trying)\s+(?:to\s+)?)?(?:keep\s+)?"
    r"(?:(?:talk|speak|chat|deal|communicate|interact|argue|discuss)(?:ing)?\s+(?:this\s+)?(?:to|with)\s+)"
    rf"(?:a\s+|an\s+|the\s+|this\s+|your\s+|some\s+|another\s+|stupid\s+|dumb\s+)?{_BOT}s?\b"
    rf"|\bno\s+(?:more\s+)?(?:bots|robots|chatbots|chat\s+bots|machines|automated\s+\w+)\b"
    rf"|\b(?:a\s+)?(?:person|human|people|agent|someone),?\s+not\s+(?:a\s+|an\s+|the\s+|some\s+)?{_BOT}\b"
)
_ARE_YOU_A_BOT = re.compile(
    r"\b(?:is\s+this|is\s+that|am\s+i\s+(?:talking|speaking|chatting|writing)\s+(?:to|with)|are\s+you|r\s+u|are\s+u|"
    r"you\s+are|you're|youre|u\s+r|ur\s+a)\s+(?:just\s+|only\s+|even\s+|really\s+|actually\s+|a\s+|an\s+|"
    r"some\s+(?:kind\s+of\s+|sort\s+of\s+)?)*(?:real\s+|live\s+|actual\s+)?"
    r"(?P<what>chat\s*bot|bot|robot|machine|computer|ai|automated|human|person|real\s+person|live\s+person|"
    r"live\s+agent|actual\s+person|human\s+being|agent|people)\b"
    r"(?!\s*(?:issue|bug|problem|setting|account|error|role|seat|license|field|thing|question))"
)
_I_AM_NOT_A_ROBOT = re.compile(
    r"\b(?:i'?m|i\s+am|im)\s+not\s+a\s+robot\b|\bnot\s+a\s+robot\s+(?:captcha|check|box|checkbox|test)"
)

_CALL_ME = re.compile(
    r"\b(?:call|phone|ring|telephone|text|sms)\s+(?:me|us)\b(?!\s+(?:crazy|old|paranoid|stupid|silly|naive|"
    r"skeptical|picky|whatever|by\s+my\s+name|[a-z]+\s+(?:for\s+short|please\s+instead)))"
    r"|\b(?:give|gimme)\s+(?:me|us)\s+a\s+(?:call|ring|phone\s+call|buzz|phone)\b"
    r"|\b(?:request|schedule|arrange|book|want|need|get|have|like|expect|expecting|waiting\s+for|wait\s+for)\s+"
    r"(?:a\s+|the\s+)?call[- ]?backs?\b(?![\s_-]*(?:url|uri|function|handler|endpoint|method|hook|param))"
    r"|\b(?:call|ring|phone)\s+(?:\w+\s+)?back\b(?!\s*(?:url|function|handler|end))"
)
_SCHEDULE_CALL = re.compile(
    r"\b(?:schedule|set\s+up|setup|book|arrange|organi[sz]e|hop\s+on|jump\s+on|get\s+on|have|do|request|need|"
    r"want|like|open\s+to|available\s+for|get)\s+(?:a\s+|an\s+)?(?:quick\s+|short\s+|brief\s+"
    r"|\d+[- ]?min(?:ute)?s?\s+)?"
    r"(?:phone|video|zoom|teams|meet|conference|screen[- ]?shar(?:e|ing))?\s*(?:call|meeting|session)\b"
    r"(?!\s*(?:stack|graph|log|count|rate|limit|function|method|api|endpoint))"
)
_CONTACT_DETAILS = re.compile(
    r"\b(?:what(?:'s|s|\s+is|\s+are)|where(?:'s|\s+is|\s+are|\s+can\s+i\s+find)|give\s+me|send\s+me|share|provide|"
    r"need|want|do\s+you\s+have|is\s+there|are\s+there|get|find)\s+(?:your\s+|ur\s+|the\s+|a\s+|an\s+|any\s+)?"
    r"(?:direct\s+|support\s+|customer\s+(?:service|support|care)\s+|toll[- ]?free\s+|office\s+|company\s+|main\s+|"
    r"emergency\s+|phone\s+)?(?:(?:phone|telephone|tel|hotline|help\s*line|support\s+line|number\s+to\s+call)\b"
    r"\s*(?:number|no\.?|#|line|details|detail|info|information|numbers)?|contact\s*(?:number|no\.?|#|line|details"
    r"|detail|"
    r"info|information|numbers|person)\b)"
    r"(?!\s*(?:number|numbers|no\.?|#|line|details|detail|info|information)?\s+(?:on|for|of|in|associated|linked"
    r"|attached|registered|tied|from)\s+(?:to\s+|with\s+)?"
    r"(?:my|our|the\s+account|this\s+account|file|the\s+user|a\s+user|users|customers|each|the\s+customer))"
    r"|\b(?:your|ur|the\s+support|the\s+company'?s?|customer\s+(?:service|support|care)|support|sales|billing)\s+"
    r"(?:phone|telephone|contact|tel|hotline|help\s*line)\s*(?:number|no\.?|#|line|details|info)?\b"
    r"|\b(?:a|any|the|your)\s+(?:phone\s+)?(?:number|line)\s+(?:i|we)\s+can\s+(?:call|ring|reach|text|dial)\b"
    r"|\b(?:is\s+there|there's)\s+(?:a|any)\s+(?:way|number|phone|line)\s+(?:i|we)\s+(?:can|could)\s+"
    r"(?:call|reach|contact|talk|speak|phone)\b"
    r"|\b(?:give|send|share|need|want|what'?s|whats|what\s+is|gimme)\s+(?:me\s+|us\s+)?(?:your|ur|the\s+support"
    r"|a\s+support)\s+"
    r"(?:phone\s+|contact\s+|direct\s+)?(?:number|#|no\.)"
    r"|\bwhat\s+(?:phone\s+)?number\s+(?:do|can|should|could|would)\s+(?:i|we)\s+(?:call|dial|ring|use|phone)\b"
    r"|\bnumber\s+(?:to|i\s+can|we\s+can)\s+(?:call|dial|ring|reach\s+(?:you|someone|support|a\s+person))\b"
    r"|\b(?:need|want|have|like|trying)\s+to\s+(?:call|phone|ring)\s+(?:you|u|you\s+guys|your\s+(?:team|office"
    r"|company))\b"
)
_HOW_TO_CONTACT = re.compile(
    r"\bhow\s+(?:can|do|could|should|would|to|may)\s+(?:i\s+|we\s+|one\s+)?(?:\w+\s+)?(?:contact|reach|call|phone"
    r"|email|"
    r"e-mail|ring|get\s+(?:in\s+touch|hold|ahold)(?:\s+(?:with|of))?)\s*(?:you|your|u|the\s+support|support|someone|"
    r"somebody|anyone|a\s+person|customer|the\s+team|the\s+company|a\s+human|an\s+agent|people|$|\?)"
    r"|\bhow\s+(?:can|do|could)\s+(?:i|we)\s+get\s+in\s+touch\b"
    r"|\b(?:can|could|may)\s+(?:i|we)\s+(?:call|phone|ring)\s+(?:you|u|someone|somebody|anyone|support|your)\b"
    r"|\b(?:discuss|talk|speak|explain|help|go\s+over|walk\s+(?:me|us)\s+through)\s+(?:\w+\s+){0,4}?"
    r"(?:over|on|by|via)\s+(?:the\s+)?(?:phone|telephone|a\s+call|zoom|video|teams)\b"
)
_ESCALATE = re.compile(
    r"\bescalat(?:e|ing)\s+(?:this|it|my|our|the|me|us)\b"
    r"|\b(?:want|need|request|requesting|like|please|demand|demanding)\s+(?:this\s+|it\s+|my\s+\w+\s+|the\s+\w+\s+"
    r"|an\s+|"
    r"for\s+this\s+to\s+be\s+|to\s+be\s+|this\s+to\s+be\s+|it\s+to\s+be\s+)?escalat(?:ed|e|ion)\b"
    r"|\bescalat(?:e|ion)\s+(?:please|pls|asap|now|immediately|required|needed|request)\b"
    r"|\bescalat(?:e|ed|ing)\s+(?:this\s+|it\s+)?to\s+(?:a\s+|the\s+|your\s+)?(?:tier|level|l)\s*-?\s*[23]\b"
    r"|\bescalat(?:e|ed|ing)\s+(?:this\s+|it\s+)?to\s+(?:a\s+|the\s+|your\s+)?(?:manager|supervisor|specialist|senior"
    r"|engineer|engineering|second\s+line|next\s+level|higher\s+level)\b"
)

_SHORT_FILLER = frozenset(
    ["please", "pls", "plz", "plez", "plse", "now", "asap", "a", "an", "the", "i", "want", "need", "get", "me", "to",
     "with", "talk", "speak", "chat", "connect", "hello", "hi", "hey", "yes", "yeah", "yep", "ok", "okay", "just",
     "real", "live", "actual", "can", "could", "u", "you", "someone", "somebody", "anyone", "anybody", "another",
     "different", "right", "away", "immediately", "give", "let", "transfer", "be", "is", "there", "an", "id", "like",
     "would", "i'd", "im", "i'm", "wanna", "some1", "sum1", "one", "of", "your", "ur", "talk", "to", "speak", "with",
     "human", "humans", "person", "people", "agent", "agents", "rep", "reps", "representative", "operator",
     "supervisor", "manager", "customer", "service", "services", "support", "care", "desk", "help", "being",
     "please!", "thanks", "thank", "ty", "pls!", "chat", "live", "an", "actual", "real", "person?", "talk.",
     "connect", "transfer", "go", "through", "via", "2", "4", "for"]
)
# A bare request for a way to call: "phone number?", "helpline", "customer care number".
_SHORT_CONTACT_FILLER = frozenset(
    ["please", "pls", "plz", "the", "a", "your", "ur", "you", "support", "customer", "service", "care", "direct",
     "contact", "phone", "telephone", "tel", "number", "no", "helpline", "hotline", "help", "line", "call",
     "callback", "call-back", "back", "to", "for", "what's", "whats", "what", "is", "number?", "give", "me", "us",
     "need", "want", "i", "can", "get"]
)
_SHORT_CONTACT_WORDS = frozenset(["phone", "telephone", "number", "helpline", "hotline", "callback", "call-back"])
# The person asked for in a bare request, in English (with its one-slip typos and chat shorthand) and the
# words of the other languages the product reads ("OPERADOR POR FAVOR", "Mitarbeiter bitte").
_OTHER_LANGUAGE_PERSON = (r"operador|operadora|agente|asesor|asesora|persona|humano|atendente|operatore|operatrice"
                          r"|umano|mitarbeiter|mensch|medewerker|conseiller|conseillère|humain|insaan|banda")
_BARE_PERSON = rf"{_PERSON_STRONG}|{_AGENT}|{_PERSON}|{_SOMEONE}|hooman|{_OTHER_LANGUAGE_PERSON}"
_SHORT_TARGET = re.compile(
    rf"^\W*(?:{_BARE_PERSON}|(?:{_CUSTOMER}\s+)?{_SERVICE}|{_CUSTOMER}\s+{_SUPPORT}|{_CUSTOMER}\s+care|live\s+chat)\b"
)
# A word of a bare request that is a typo of a person word ("agnt"), read as filler once the target is found.
_SHORT_PERSON_WORD = re.compile(rf"(?:{_BARE_PERSON})")
# Courtesy and filler words of the other languages in a bare request.
_OTHER_LANGUAGE_FILLER = frozenset(
    ["por", "favor", "porfa", "porfavor", "pf", "un", "una", "um", "uma", "quiero", "necesito", "quero", "preciso",
     "bitte", "einen", "ich", "möchte", "per", "favore", "voglio", "svp", "je", "veux", "ik", "wil", "een",
     "alstublieft", "aub", "graag", "real", "vero", "vera", "echten", "echte", "asli", "koi", "chahiye", "bhai",
     "stp", "ein", "eine", "une", "uno", "il", "lo", "el", "la", "le", "o", "a", "de", "vrai", "vraie", "echt"]
)
_WORD = re.compile(r"[a-z0-9']+")

_VAGUE_PERSON = re.compile(r"some|any|sum1|smone")


# Customer service is where the ticket already is. In the customer's opening message, "how do I talk to
# customer service?" asks the first line for the way in, which it answers; it counts, below the category
# threshold. In a later message, after a reply, the customer wants a person from it.
CHANNEL_IN_OPENING = 0.45


def is_opening(view: MessageView) -> bool:
    """Whether the message is the customer's first: the subject, the description or the first comment."""
    return view.where in ("subject", "description", "comment 1")


def _target_strength(match: re.Match[str]) -> float:
    if match.group("strong"):
        return 1.0
    if match.group("plain"):
        return 0.9
    return 0.8


# A short span in double quotes is a label the customer quotes (a pricing page's "Contact sales", a "Talk to an
# agent" button that does nothing), not the customer asking.
_QUOTE_MARKS = "\"“”„«»"
_MAX_QUOTED_WORDS = 8


def _quoted_label(view: MessageView, match: re.Match[str], sentence: tuple[int, int]) -> bool:
    """True when the match sits inside a short double-quoted span of its sentence."""
    before = view.text[sentence[0]:match.start()]
    if sum(before.count(mark) for mark in _QUOTE_MARKS) % 2 == 0:  # none open before the match
        return False
    opened = max(before.rfind(mark) for mark in _QUOTE_MARKS)
    after = view.text[match.end():sentence[1]]
    closes = [after.find(mark) for mark in _QUOTE_MARKS if mark in after]
    if not closes:
        return False
    quoted = before[opened + 1:] + match.group() + after[:min(closes)]
    return len(quoted.split()) <= _MAX_QUOTED_WORDS


def _in_context(view: MessageView, match: re.Match[str], base: float) -> float:
    sentence = sentence_of(view, match.start(), match.end())
    if _quoted_label(view, match, sentence):
        return 0.0
    strength = judged_strength(
        view, match.start(), match.end(), base, hypothetical=_HYPOTHETICAL_FACTOR, policy_question=1.0,
        sentence=sentence,
    )
    if strength <= 0:
        return 0.0
    if _AVAILABILITY.search(view.lower, *sentence):
        strength *= _AVAILABILITY_FACTOR
    return strength


def _judge_plain(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    return _in_context(view, match, rule.base)


def _judge_verb_to_person(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    verb = match.group().split(None, 1)[0]
    if verb.endswith("ing") and _NARRATIVE_BEFORE.search(view.lower, max(0, match.start() - 24), match.start()):
        return 0.0
    if _CONTACT_PERSON.fullmatch(match.group()):
        return 0.0  # "our contact person", "update the contact person": a noun, not "contact a person"
    if _ON_THEIR_LIST.match(view.lower, match.end()):
        return 0.0
    base = CHANNEL_IN_OPENING if match.group("channel") and is_opening(view) else _target_strength(match)
    return _in_context(view, match, base)


# After a vague someone: sent to do paperwork ("get someone to send us an updated quote"), not to talk.
_TO_DO_PAPERWORK = re.compile(
    r"\s+(?:\w+\s+)?to\s+(?:send|update|issue|re-?issue|prepare|share|correct|adjust|sign|approve|provide|process"
    r"|draft|countersign|fill\s+(?:in|out)|complete)\b"
)


def _judge_want_person(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    # "I need someone to ..." is often just "I need this done"; a named kind of person is clearer. "Can you get
    # someone to send us an updated quote?" asks for the quote: a vague someone sent to do paperwork stays below
    # the category threshold.
    plain = match.group("plain")
    if plain and _VAGUE_PERSON.match(plain):
        base = 0.45 if _TO_DO_PAPERWORK.match(view.lower, match.end()) else 0.55
    else:
        base = _target_strength(match)
    return _in_context(view, match, base)


def _is_captcha(view: MessageView, match: re.Match[str]) -> bool:
    return bool(_I_AM_NOT_A_ROBOT.search(view.lower, max(0, match.start() - 12), match.end() + 20))


def _judge_bot_rejection(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    return 0.0 if _is_captcha(view, match) else _in_context(view, match, rule.base)


def _judge_no_bot(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    # The pattern is itself a negation ("I don't want to talk to a machine"): the generic negation
    # check would cancel it, so it is taken as it stands.
    return 0.0 if _is_captcha(view, match) else rule.base


def _judge_are_you_a_bot(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    if _is_captcha(view, match):
        return 0.0
    # "Are you a bot?" doubts the machine; "are you human?" hopes for a person: both want one, mildly.
    base = 0.6 if match.group("what") in ("human", "person", "people", "agent") else rule.base
    return _in_context(view, match, base)


_BOT_ANCHORS = rule_words(
    """chat bot robot ai a.i automat auto virtual ivr machine computer algorithm script program canned generic templat
    copy boilerplate robotic pre form stock"""
)

RULES: tuple[PatternRule, ...] = (
    PatternRule(ASKS_FOR_HUMAN, _VERB_HEAD, 1.0, CATEGORY, tail=_VERB_TAIL, max_alternatives=400,
                judge=_judge_verb_to_person),
    PatternRule(ASKS_FOR_HUMAN, _WANT_HEAD, 1.0, CATEGORY, tail=_WANT_TAIL, judge=_judge_want_person),
    PatternRule(ASKS_FOR_HUMAN, _HAVE_PERSON_HEAD, 1.0, CATEGORY, tail=_HAVE_PERSON_TAIL, judge=_judge_want_person),
    PatternRule(ASKS_FOR_HUMAN, _OUR_ACCOUNT_MANAGER, 0.85, CATEGORY, anchors=("account", "csm", "customer"),
                judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _TRANSFER_ME, 0.85, CATEGORY,
                anchors=rule_words("transfer connect put pass forward redirect route escalat patch"),
                judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _HAND_THIS_TO_A_PERSON, 0.9, CATEGORY,
                anchors=rule_words("transfer pass hand give send forward route escalat assign"), judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _BE_TRANSFERRED, 0.75, CATEGORY,
                anchors=rule_words("transferred connected escalated put handed"),
                judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _SOMEONE_I_CAN_TALK_TO, 0.9, CATEGORY,
                anchors=rule_words("talk speak chat reach contact call email"), judge=_judge_plain),
    # Asking who to contact wants a person, less directly.
    PatternRule(ASKS_FOR_HUMAN, _WHO_CAN_I_TALK_TO, 0.6, CATEGORY, anchors=("who",), judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _ANYONE_THERE, 0.6, CATEGORY, anchors=("any", "some"), judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _IS_THERE_A_HUMAN, 0.75, CATEGORY, anchors=("is",), judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _A_HUMAN_PLEASE_ACT, 0.75, CATEGORY,
                anchors=rule_words("person human"), judge=_judge_plain),
    # "Can someone help me with my card?" is mostly politeness: kept below the category threshold.
    PatternRule(ASKS_FOR_HUMAN, _SOMEONE_PLEASE_ACT, 0.45, CATEGORY,
                anchors=rule_words("some any sum1 person human"), judge=_judge_plain),
    PatternRule(ASKS_FOR_HUMAN, _HUMAN_HELP, 0.85, CATEGORY,
                anchors=rule_words("human live personal in-person real person-to-person"), judge=_judge_plain),
    PatternRule(REJECTS_AUTOMATED_HELP, _BOT_INSULT, 0.9, CATEGORY, anchors=_BOT_ANCHORS, judge=_judge_bot_rejection),
    PatternRule(REJECTS_AUTOMATED_HELP, _BOT_FAILS, 0.9, CATEGORY, anchors=_BOT_ANCHORS, judge=_judge_bot_rejection),
    PatternRule(REJECTS_AUTOMATED_HELP, _STOP_CANNED, 0.9, CATEGORY, anchors=_BOT_ANCHORS, judge=_judge_bot_rejection),
    PatternRule(REJECTS_AUTOMATED_HELP, _NO_BOT, 0.9, CATEGORY, anchors=_BOT_ANCHORS, judge=_judge_no_bot),
    PatternRule(REJECTS_AUTOMATED_HELP, _CANNED_AGAIN, 0.75, CATEGORY,
                anchors=rule_words("same another more these those stupid useless pointless just only nothing keep "
                                   "keeps"), judge=_judge_bot_rejection),
    PatternRule(REJECTS_AUTOMATED_HELP, _CANNED, 0.45, CATEGORY, anchors=_BOT_ANCHORS, judge=_judge_bot_rejection),
    PatternRule(REJECTS_AUTOMATED_HELP, _ARE_YOU_A_BOT, 0.65, CATEGORY,
                anchors=_BOT_ANCHORS + rule_words("human person agent people live actual"), judge=_judge_are_you_a_bot),
    PatternRule(ASKS_FOR_CALL_OR_CONTACT, _CALL_ME, 0.85, CATEGORY,
                anchors=rule_words("call phone ring telephone text sms give gimme"), judge=_judge_plain),
    PatternRule(ASKS_FOR_CALL_OR_CONTACT, _SCHEDULE_CALL, 0.8, CATEGORY, anchors=rule_words("call meeting session"),
                judge=_judge_plain),
    PatternRule(ASKS_FOR_CALL_OR_CONTACT, _CONTACT_DETAILS, 0.75, CATEGORY,
                anchors=rule_words("phone telephone tel hotline help contact number line"), judge=_judge_plain),
    PatternRule(ASKS_FOR_CALL_OR_CONTACT, _HOW_TO_CONTACT, 0.75, CATEGORY,
                anchors=rule_words("contact reach call phone email e-mail ring touch hold ahold telephone zoom video "
                                   "teams"), judge=_judge_plain),
    PatternRule(ASKS_FOR_ESCALATION, _ESCALATE, 0.75, CATEGORY, anchors=("escalat",), judge=_judge_plain),
)


_SHORT_PIECE = re.compile(r"[^.!?\n]+[.!?\n]*")


# Chat stretches its courtesy words: "plzz", "plsss", "pleaseee", "pleez" are "please".
_STRETCHED_PLEASE = re.compile(r"p+l+(?:[sz]+|e+a*[sz]+e*|z+e*)")
_NUMBER_ABBREVIATIONS = frozenset(["no", "num", "nmbr", "nbr"])
_REACHABLE = frozenset(["care", "service", "support", "contact", "phone", "helpline", "mobile", "whatsapp", "hotline"])


def _short_request(text: str) -> tuple[str, float] | None:
    """A piece of text that is nothing but a request: "agent pls", "operator", "phone number?"."""
    words = ["please" if _STRETCHED_PLEASE.fullmatch(word) else word for word in _WORD.findall(text)]
    # "customer care no", "support num": a number after a way to reach someone, not a negation.
    words = ["number" if word in _NUMBER_ABBREVIATIONS and index and words[index - 1] in _REACHABLE else word
             for index, word in enumerate(words)]
    if not words or len(words) > 7:
        return None
    rest = [w for w in words if w not in _SHORT_FILLER and w not in _OTHER_LANGUAGE_FILLER]
    # The target may follow an article or a courtesy of another language ("un humain svp", "ein Mensch bitte").
    start = 0
    while start < len(words) - 1 and words[start] in _OTHER_LANGUAGE_FILLER and not _SHORT_TARGET.match(words[start]):
        start += 1
    if all(_SHORT_PERSON_WORD.fullmatch(w) for w in rest) and _SHORT_TARGET.search(" ".join(words[start:])):
        return ASKS_FOR_HUMAN, 0.85
    if _SHORT_CONTACT_FILLER.issuperset(words) and not _SHORT_CONTACT_WORDS.isdisjoint(words):
        return ASKS_FOR_CALL_OR_CONTACT, 0.7
    return None


def detect_short_request(view: MessageView, found: list[Finding]) -> list[Finding]:
    """A bare request ("agent pls", "operator", "this isn't helping. human.") no phrase rule caught."""
    if any(f.category == CATEGORY and f.strength >= 0.5 for f in found):
        return []
    lower = view.lower
    pieces = [(0, len(lower))] if len(lower) <= 60 else []
    # A sentence that is a bare request on its own counts too ("This isn't helping. Human.").
    if len(lower) <= 2000 and any(ch in lower for ch in ".!?\n"):
        pieces.extend((m.start(), m.end()) for m in _SHORT_PIECE.finditer(lower) if m.end() - m.start() <= 40)
    for start, end in pieces:
        hit = _short_request(lower[start:end])
        if hit:
            signal, strength = hit
            return [Finding(signal, strength, category=CATEGORY, span=(view, start, end))]
    return []
