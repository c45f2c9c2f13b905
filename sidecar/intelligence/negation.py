"""Is a matched phrase negated, hypothetical, or only a question? Checked in the clause around the match.

These checks run once per candidate match, so they work on a few words around it with set look-ups
rather than scanning the message again.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from sidecar.intelligence.message import MessageView, sentence_end, sentence_start

PREFIX_WINDOW = 48  # characters before a match that can still negate it ("we do not need a ...")
_PUNCT = ".,;:!?\"'()[]"

# Where a clause begins: the last sentence end, comma or contrast word in the window before a match.
_LAST_CLAUSE_BREAK = re.compile(
    r".*(?:[.!?;:\n]|,\s|\b(?:but|however|although|though|yet|except|instead)\b)", re.DOTALL)

# Words that negate what follows when they stand right before it (at most two words between): "no data
# was lost", "did not crash", "haven't been charged twice". "can't"/"cannot"/"unable" are absent on
# purpose: "I can't reach anyone" affirms the need.
_NEGATORS = frozenset(
    ["no", "not", "never", "without", "nothing", "none", "neither", "nor", "hardly", "zero", "don't", "dont",
     "doesn't", "doesnt", "didn't", "didnt", "isn't", "isnt", "wasn't", "wasnt", "aren't", "arent", "weren't",
     "werent", "haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt", "wouldn't", "wouldnt", "shouldn't",
     "shouldnt", "won't", "wont", "needn't", "neednt", "mustn't", "ain't", "don’t", "doesn’t", "didn’t", "isn’t",
     "wasn’t", "won’t"]
)
# ... unless the next word shows a complaint, not a negation: "no one answers", "not working",
# "never got my refund", "don't know how to", "didn't receive".
_NOT_NEGATING_NEXT = {
    "no": frozenset(["one", "body", "response", "reply", "answer", "way", "idea", "matter", "sooner", "help", "luck",
                     "progress"]),
    "not": frozenset(
        ["only", "just", "able", "sure", "even", "yet", "working", "loading", "responding", "opening", "starting",
         "syncing", "saving", "sending", "resolved", "fixed", "received", "refunded", "happy", "satisfied", "helpful",
         "acceptable", "ok", "okay", "good", "fair"]
    ),
    "never": frozenset(["got", "received", "heard", "had", "arrived", "came", "answered", "responded", "replied",
                        "resolved", "fixed"]),
    "*n't": frozenset(
        ["know", "even", "understand", "seem", "think", "get", "got", "work", "load", "open", "respond", "answer",
         "help", "reply", "receive", "see", "hear", "arrive", "come", "show", "go", "stop", "start", "fix", "solve",
         "resolve"]
    ),
}

# A negated wish anywhere earlier in the clause: "we do not need a ...", "no need to ...".
_NEGATED_WISH = re.compile(
    r"(?:n'?t|n\u2019t|\bnot|\bnever|\bno\s+longer)\s+(?:\w+\s+)?(?:need|want|require|wish|ask|asking|request|"
    r"requesting|expect|expecting|plan|planning|intend|intending|looking\s+for|have\s+to|mean|care|interested)\b"
    r"|\bno\s+need\b|\brather\s+not\b|\bnever\s*mind\b|\bnevermind\b|\bwithout\b"
)

# After the match: "... is not needed", "... was not affected".
_POST_NEGATION = re.compile(
    r"[\w\s'-]{0,20}?\b(?:is|was|are|were|be|been|isn'?t|wasn'?t|aren'?t|weren'?t)?\s*(?:not|n'?t|never)\s+"
    r"(?:needed|necessary|required|an?\s+(?:issue|problem|concern|option)|affected|impacted|lost|compromised|"
    r"breached|exposed|urgent|critical|important|happening|the\s+case|true)\b"
)

# The words that put what follows under a condition ("if this is not fixed, ..."): English, and in every language the
# rules read (a threat to leave or to go to court is made under one).
CONDITION_WORDS = r"if|unless|otherwise|or\s+else"
CONDITION_ANY_LANGUAGE = re.compile(
    rf"\b(?:{CONDITION_WORDS}|wenn|falls|sonst|andernfalls|si|sinon|à\s+moins|a\s+menos|de\s+lo\s+contrario"
    r"|se|senão|caso\s+contrário|altrimenti|a\s+meno|tenzij|anders|indien|agar|warna|nahi\s+toh?)\b"
)

_HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|suppose|supposing|hypothetically|might|unless|lest|theoretically|in\s+case|what\s+if|"
    r"in\s+the\s+event|just\s+(?:curious|wondering)|for\s+future\s+reference|in\s+the\s+future|one\s+day|"
    r"may\s+(?:need|want|have\s+to)|would\s+(?:it|there)\s+be|should\s+(?:we|i)\s+ever"
    # What the writer meant to do and no longer needs: "I was going to ask for a human but you answered it".
    r"|(?:was|were)\s+(?:going|about)\s+to|almost"
    # The same in the other languages, only in forms that cannot be a report ("wenn ... jemals", not a bare "wenn":
    # "wenn ich exportiere, kommt ein Fehler" reports a failure).
    r"|falls|angenommen|im\s+falle?|wenn\s+(?:\w+\s+){0,5}?(?:jemals|einmal|eines\s+tages|irgendwann)"
    r"|au\s+cas\s+où|dans\s+l['’]hypothèse|si\s+(?:\w+\s+){0,5}?(?:un\s+jour|jamais)|à\s+l['’]avenir"
    r"|en\s+caso\s+de|por\s+si|si\s+(?:\w+\s+){0,5}?(?:algún\s+día|alguna\s+vez)|en\s+el\s+futuro"
    r"|caso\s+(?:\w+\s+){0,3}?(?:precise|precisemos|aconteça|haja|ocorra)|na\s+hipótese"
    r"|se\s+(?:\w+\s+){0,5}?(?:um\s+dia|algum\s+dia|un\s+giorno|mai)|no\s+futuro|qualora|nel\s+caso\s+(?:in\s+cui|che)"
    r"|in\s+futuro|stel\s+dat|indien|als\s+(?:\w+\s+){0,5}?ooit|in\s+de\s+toekomst"
    r"|agar\s+(?:\w+\s+){0,5}?kabhi|kabhi\s+agar)\b"
)
_QUESTION_OPENERS = frozenset(
    ["what", "what's", "whats", "how", "is", "are", "do", "does", "can", "could", "would", "will", "where", "when",
     "which", "who", "may", "should"]
)
_POLICY_WORDS = frozenset(
    ["policy", "policies", "process", "procedure", "eligible", "eligibility", "allowed", "possible", "work", "works",
     "terms", "rules", "timeline", "timeframe", "option", "options", "conditions", "guidelines", "available", "offer",
     "long"]
)


def clause_start(view: MessageView, start: int) -> int:
    """Where the clause holding position `start` begins (looking back at most PREFIX_WINDOW characters)."""
    window_start = max(0, start - PREFIX_WINDOW)
    last = _LAST_CLAUSE_BREAK.match(view.lower, window_start, start)
    return last.end() if last else window_start


def _negates(word: str, following: str) -> bool:
    if word not in _NEGATORS:
        return False
    if word in _NOT_NEGATING_NEXT:
        return following not in _NOT_NEGATING_NEXT[word]
    if word.endswith(("n't", "nt", "n’t")):
        return following not in _NOT_NEGATING_NEXT["*n't"]
    return True


def is_negated(view: MessageView, start: int, end: int) -> bool:
    """True when the clause negates the match ("we don't need a refund", "no data was lost")."""
    lower = view.lower
    begin = clause_start(view, start)
    prefix = lower[begin:start]
    words = [w.strip(_PUNCT) for w in prefix.split()[-3:]]
    if words:
        following = words[1:] + [lower[start:end].split(None, 1)[0].strip(_PUNCT) if end > start else ""]
        for word, after in zip(words, following, strict=True):
            if _negates(word, after):
                return True
    if ("n't" in prefix or "nt " in prefix or "not" in prefix or "nev" in prefix or "no " in prefix
            or "without" in prefix or "rather" in prefix) and _NEGATED_WISH.search(prefix):
        return True
    after = lower[end:end + 60]
    return ("not" in after or "n't" in after or "never" in after) and bool(_POST_NEGATION.match(after))


def sentence_of(view: MessageView, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding the match (the end includes a closing '?' or '!')."""
    return sentence_start(view.lower, start), sentence_end(view.lower, end)


def is_hypothetical(view: MessageView, start: int, end: int, *, sentence: tuple[int, int] | None = None) -> bool:
    """True when the match sits in an if/whether/might clause ("if we ever needed a refund")."""
    lower = view.lower
    left = max(sentence[0] if sentence else sentence_start(lower, start), start - 120)
    return _HYPOTHETICAL.search(lower, left, start) is not None


# Talk about something already over: the clause holding a match says it was fixed or is working again,
# or thanks us for having handled it ("thanks for fixing the outage last week", "the sync errors were
# resolved quickly", "we can log in again"). An incident word there reports history, not a need.
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s[-\u2013\u2014]\s|\b(?:but|however|although|though|yet|except|whereas|while)\b")
_RESOLVED_TALK = re.compile(
    # Thanks for something done; not a polite request ("I'd appreciate a refund", "thanks in advance").
    r"\b(?:(?<!would\s)(?<!'d\s)(?<!\u2019d\s)(?<!will\s)(?<!i'll\s)"
    r"(?:thanks?|thank\s+you|grateful|appreciate[sd]?|kudos)\b(?!\s+(?:you\s+)?in\s+advance)(?:\s+\w+){0,6}?\s+"
    r"(?:fix\w*|handl\w*|resolv\w*|solv\w*|sort\w*|restor\w*|recover\w*|refund\w*|credit\w*|reimburs\w*|"
    r"(?:for|on)\s+(?:the\s+|your\s+)?(?:quick|fast|prompt|swift)\w*|getting\s+\w+\s+back)|"
    r"(?:was|were|is|are|has\s+been|have\s+been|got|now|all|since|been|finally|fully)\s+(?:\w+\s+)?"
    r"(?:fixed|resolved|solved|sorted|restored|recovered|cleared\s+up)|"
    # A named problem fixed by what was done ("switching to the regional endpoint fixed the timeouts completely"); not
    # "we fixed the config and now every export fails": the config is no problem.
    r"(?:fixed|solved|resolved|cured)\s+(?:the|our|my|this|that|those|these|all\s+the)\s+(?:\w+\s+)?(?:issues?|problems?"
    r"|timeouts?|errors?|outages?|bugs?|crash\w*|glitch\w*|failures?|delays?)|"
    r"(?:looks?|looking|are|is)\s+(?:right|fine|correct|normal|good)\s+again|"
    r"back\s+(?:up\s+and\s+running|online|to\s+normal)|(?:works|working|runs|running|loads|loading|syncs|syncing)\s+"
    r"(?:again|fine\s+(?:again|now)|normally\s+(?:again|now)|smoothly)|(?:log|sign)\s*(?:in|on)\s+again|"
    r"all\s+(?:good|fine|sorted|set)\s+now)\b"
)
_STILL_GOING = re.compile(
    r"\b(?:still|again|anymore|any\s+more|keeps?|kept|no|not|nothing|none|never|yet|unresolved|ongoing|recurr\w*|"
    r"persist\w*|continu\w*|each\s+time|every\s+time|(?:came|come|comes|coming)\s+back|return\w*|reappear\w*|"
    r"re-?occur\w*|needs?\s+to|must|should|asap|when\s+will)\b|n['\u2019]t\b"
    # A contraction written without its apostrophe; not any word ending in "nt" ("payment", "correctement").
    r"|\b(?:dont|cant|wont|isnt|arent|wasnt|werent|doesnt|didnt|hasnt|havent|hadnt|couldnt|wouldnt|shouldnt|aint)\b"
)

# The same in the six other languages the rules read, judged on the whole sentence: thanks for a fix ("grazie
# per aver risolto il disservizio di ieri"), fixed ("das Problem ist seit dem Update behoben"), working again
# ("das System ist wieder erreichbar"). A word of NOT_YET_ELSEWHERE in the sentence ("noch nicht behoben")
# keeps it going.
# The customer closing the ticket: "das Ticket kann geschlossen werden", "potete chiudere", "pueden cerrarlo".
# Only the ticket, the request or a bare "close it": "podéis cerrar mi cuenta" closes an account, a cancellation.
_CLOSE_ELSEWHERE = (
    r"(?:ticket|anfrage|fall|vorgang)\s+(?:\w+\s+){0,2}?(?:kann|können|darf)\s+(?:\w+\s+)?geschlossen\s+werden"
    r"|(?:können|dürfen)\s+(?:sie\s+|ihr\s+)?(?:das\s+ticket|die\s+anfrage|den\s+fall|den\s+vorgang)\s+(?:\w+\s+)?schließen"
    r"|(?:pouvez|pourrez)\s+(?:\w+\s+)?(?:clôturer|clore|fermer)\s+(?:le\s+ticket|la\s+demande|le\s+dossier)"
    r"|(?:pouvez|pourrez)\s+(?:le|la)\s+(?:clôturer|clore|fermer)"
    r"|(?:ticket|demande|dossier)\s+(?:\w+\s+){0,2}?(?:peut|pourra)\s+être\s+(?:clôturé|fermé|clos)e?"
    r"|(?:puedes|puede|pueden|podéis)\s+(?:ya\s+)?cerrar(?:lo|la|\s+el\s+(?:ticket|caso)|\s+la\s+(?:incidencia|solicitud|consulta))"
    r"|(?:ticket|caso|incidencia)\s+(?:\w+\s+){0,2}?(?:se\s+puede|puede)\s+(?:ya\s+)?cerrar"
    r"|(?:pode|podem)\s+(?:já\s+)?(?:fechar|encerrar)(?:\s+o\s+(?:chamado|ticket)|\s+a\s+solicitação|-?lo)"
    r"|(?:chamado|ticket|solicitação)\s+(?:\w+\s+){0,2}?pode\s+ser\s+(?:fechad|encerrad)[oa]"
    r"|(?:potete|può|puoi)\s+(?:pure\s+)?chiudere(?:\s+(?:il\s+ticket|la\s+(?:richiesta|segnalazione|pratica))|(?=\s*[.!,]|\s*$))"
    r"|(?:ticket|richiesta|segnalazione|pratica)\s+(?:\w+\s+){0,2}?(?:può|puo)\s+essere\s+chius[oa]"
    r"|(?:ticket|melding|verzoek)\s+(?:\w+\s+){0,2}?(?:mag|kan|mogen|kunnen)\s+(?:\w+\s+)?(?:gesloten|dicht)"
    r"|(?:mag|mogen|kunnen|kan)\s+(?:jullie\s+|u\s+)?(?:het\s+ticket|de\s+melding)\s+(?:\w+\s+)?sluiten"
    r"|ticket\s+(?:close|band)\s+(?:kar\s+(?:do|dijiye|sakte\s+ho)|karo)"
)
_RESOLVED_ELSEWHERE = re.compile(
    r"\b(?:dank\w*\s+(?:\w+\s+){0,6}?(?:behoben|gelöst|behebung|lösung|wiederhergestellt)|wieder\s+(?:da|online"
    r"|erreichbar|verfügbar)|funktioniert\s+wieder|läuft\s+(?:\w+\s+)?wieder|(?:ist|sind|wurde|wurden)\s+"
    r"(?:\w+\s+){0,4}?(?:behoben|gelöst|wiederhergestellt)"
    r"|merci\s+(?:\w+\s+){0,4}?(?:résolu|réglé|corrigé|rétabli|résolution)|(?:fonctionne|marche)\s+(?:à\s+nouveau"
    r"|de\s+nouveau)|(?:est|sont|a\s+été|ont\s+été)\s+(?:\w+\s+){0,2}?(?:rétabli|résolu|réglé|corrigé)e?s?"
    r"|gracias\s+(?:\w+\s+){0,4}?(?:resolver|solucionar|arreglar|resuelto|solucionado|arreglado)|vuelve\s+a"
    r"\s+funcionar|funciona\s+de\s+nuevo|(?:está|fue|ha\s+sido|quedó)\s+(?:\w+\s+){0,2}?(?:resuelto|solucionado"
    r"|arreglado)a?s?"
    r"|obrigad[oa]\s+(?:\w+\s+){0,4}?(?:resolver|corrigir|resolvido|corrigido|solucionar)|voltou\s+a\s+funcionar"
    r"|(?:foi|está|foram)\s+(?:\w+\s+){0,2}?(?:resolvid|corrigid|solucionad)[oa]s?"
    r"|grazie\s+(?:\w+\s+){0,4}?(?:risolto|risolvere|sistemato|ripristinato|risoluzione)|funziona\s+di\s+nuovo"
    r"|(?:è|e)\s+tornat[oa]\s+(?:a\s+funzionare|online)|(?:è|e)\s+stat[oa]\s+(?:\w+\s+)?(?:risolt|sistemat"
    r"|ripristinat)[oa]"
    r"|bedankt\s+(?:\w+\s+){0,4}?(?:opgelost|oplossen|verholpen|herstel)|werkt\s+(?:weer|opnieuw)|(?:is|zijn"
    r"|werd)\s+(?:\w+\s+){0,3}?(?:opgelost|verholpen|hersteld)"
    # Shown or working correctly now: "ya aparecen los datos correctamente", "s'affiche correctement".
    r"|(?:funciona|aparece|aparecen|sale|salen|funcionan)\s+(?:\w+\s+){0,3}?(?:bien|correctamente)"
    r"|(?:funciona|aparece|aparecem|funcionam)\s+(?:\w+\s+){0,3}?(?:certo|corretamente|normalmente)"
    r"|(?:fonctionne|fonctionnent|s['’]affiche|s['’]affichent)\s+(?:\w+\s+){0,2}?(?:bien|correctement)"
    r"|(?:funktioniert|funktionieren|läuft|laufen|angezeigt)\s+(?:\w+\s+){0,2}?(?:richtig|korrekt|einwandfrei)"
    r"|(?:funziona|funzionano|compare|compaiono)\s+(?:\w+\s+){0,2}?(?:bene|correttamente)"
    r"|(?:werkt|werken|verschijnt|verschijnen)\s+(?:\w+\s+){0,2}?(?:goed|correct)"
    r"|(?:sind|ist)\s+(?:jetzt\s+|nun\s+|wieder\s+)?(?:alle\s+|alles\s+)?(?:korrekt|richtig)"
    # Working now, in the customer's words: "ya funciona", "agora funciona", "ora funziona", "nu werkt het".
    r"|(?:ya|ahora)\s+(?:\w+\s+)?funcionan?|agora\s+(?:\w+\s+)?funcionam?|ora\s+(?:\w+\s+)?funzionan?[oa]"
    r"|nu\s+werk(?:t|en)|jetzt\s+funktionier(?:t|en)|maintenant\s+(?:ça|cela|tout)\s+(?:marche|fonctionne)"
    # Back to normal: "os pedidos voltaram a entrar normalmente", "ora le email arrivano regolarmente".
    r"|(?:voltou|voltaram)\s+a\s+\w+\s+(?:\w+\s+)?normalmente|volvi(?:ó|o|eron)\s+a\s+\w+\s+(?:\w+\s+)?normalmente"
    r"|(?:è|sono)\s+tornat[oaie]\s+a\s+\w+\s+(?:\w+\s+)?(?:normalmente|regolarmente)"
    r"|(?:ora|adesso)\s+(?:\w+\s+){1,4}?regolarmente|(?:agora|ahora)\s+(?:\w+\s+){1,4}?normalmente"
    r"|(?:fonctionne|fonctionnent|marche|marchent)\s+(?:de\s+nouveau\s+|à\s+nouveau\s+)?normalement"
    r"|(?:werkt|werken)\s+(?:weer\s+)?normaal|(?:läuft|laufen|funktioniert|funktionieren)\s+wieder\s+normal"
    r"|" + _CLOSE_ELSEWHERE + r")\b"
)
NOT_YET_ELSEWHERE = re.compile(r"\b(?:nicht|noch|kein\w*|pas|jamais|toujours|no|todavía|aún|não|nao|ainda|non"
                               r"|ancora|niet|nog|geen|nahi|nahin|phir\s+se|abhi\s+bhi|ab\s+bhi)\b")


def _clause_of(lower: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    begin, finish = left, right
    for brk in _CLAUSE_BREAK.finditer(lower, left, right):
        if brk.end() <= start:
            begin = brk.end()
        elif brk.start() >= end:
            finish = brk.start()
            break
    return begin, finish


# Months or years back, in the languages the rules read: "last year", "two months ago", "in 2024", "letztes Jahr",
# "l'année dernière", "el año pasado", "no ano passado", "l'anno scorso", "vorig jaar", "pichle saal".
_LONG_AGO = re.compile(
    r"\b(?:last\s+(?:year|quarter|month|spring|summer|autumn|fall|winter|black\s+friday|christmas|holiday\s+season)"
    r"|(?:a|one|two|three|four|five|six|several|a\s+few|\d+)\s+(?:years?|months?)\s+ago|in\s+20[12]\d\b(?!\s*[-/])"
    r"|letzte[ns]?\s+(?:jahr|monat|quartal|sommer|winter)|vor\s+(?:einem|zwei|drei|\d+)\s+(?:jahr|monat)\w*"
    r"|l['’]ann[ée]e\s+derni[èe]re|le\s+mois\s+dernier|il\s+y\s+a\s+(?:un|deux|trois|\d+)\s+(?:ans?|mois)"
    r"|el\s+año\s+pasado|el\s+mes\s+pasado|hace\s+(?:un|dos|tres|\d+)\s+(?:años?|mes(?:es)?)"
    r"|(?:no\s+)?ano\s+passado|(?:no\s+)?mês\s+passado|há\s+(?:um|dois|três|\d+)\s+(?:anos?|meses)"
    r"|l['’]anno\s+scorso|il\s+mese\s+scorso|(?:un|due|tre|\d+)\s+(?:anni|anno|mesi|mese)\s+fa"
    r"|vorig(?:e)?\s+(?:jaar|maand)|(?:een|twee|drie|\d+)\s+(?:jaar|maanden)\s+geleden"
    r"|pichle\s+(?:saal|mahine))"
)
# "Since last year" says it has gone on from then: not history.
_SINCE = re.compile(r"\b(?:since|seit|depuis|desde|da\s+quando|sinds|tab\s+se)\b")


def is_resolved_talk(view: MessageView, start: int, end: int, *, sentence: tuple[int, int] | None = None) -> bool:
    """True when the match's clause speaks of it as over: fixed, working again, or thanked for having been
    handled; unless the clause also says it is still or again going on ("fixed, but it is down again")."""
    lower = view.lower
    left, right = sentence or sentence_of(view, start, end)
    begin, finish = _clause_of(lower, left, right, start, end)
    # A question ("is the outage fixed?", "wann ist das behoben?") asks, it does not report.
    text = lower[left:right]
    if text.rstrip().endswith("?"):
        return False
    if _RESOLVED_TALK.search(lower, begin, finish) is None:
        if _LONG_AGO.search(text) is not None:
            # A matter placed months or years back ("last year we hit 429s and lost orders") is history told as
            # a reason for something else, unless the sentence says it goes on or came back.
            return _STILL_GOING.search(text) is None and _SINCE.search(text) is None
        return (_RESOLVED_ELSEWHERE.search(lower, left, right) is not None
                and NOT_YET_ELSEWHERE.search(lower, left, right) is None)
    # Anything in the sentence saying it goes on, or must still be done, vetoes once the resolution cues
    # themselves are blanked ("working again" holds an "again" of its own): when in doubt, the incident
    # counts in full.
    return _STILL_GOING.search(_blanked(text, _RESOLVED_TALK.finditer(text))) is None


def _blanked(text: str, cues: Iterable[re.Match[str]]) -> str:
    """The text with each cue replaced by spaces (positions kept), so its own words veto nothing."""
    for cue in cues:
        text = text[:cue.start()] + " " * (cue.end() - cue.start()) + text[cue.end():]
    return text


# The customer taking the question back: "please ignore my last email", "false alarm", "never mind".
_WITHDRAWN_SOURCE = (
    r"(?:please\s+|pls\s+)?(?:ignore|disregard)\s+(?:my|the|this|that)\s+(?:last\s+|previous\s+|earlier\s+)?"
    r"(?:e-?mail|message|ticket|request|question)|false\s+alarm|never\s*mind"
)
# A customer confirming that what was done worked: "that did it", "it works now", "the refund arrived".
_CONFIRMED = re.compile(
    r"\b(?:(?:that|this|it)\s+(?:worked|works|did\s+it|did\s+the\s+trick|helped|fixed\s+it|solved\s+it)"
    r"|(?:works|working)\s+(?:now|fine|perfectly|great)"
    r"|(?:refund|credit|money|payment|reimbursement)(?:\s+(?:of|for)\s+\S+)?\s+(?:has\s+|have\s+)?(?:arrived|came\s+through|showed\s+up|landed"
    r"|(?:is|was)\s+(?:in|received|through))"
    r"|(?:received|got)\s+(?:the|my|our)\s+(?:refund|credit|money)"
    r"|you\s+(?:can|may)\s+close\s+(?:this|the\s+(?:ticket|case|request)|it)|(?:all|everything(?:'s|\s+is)?)\s+(?:good|fine|sorted|set)"
    r"|(?:we|i)(?:['\u2019]re|\s+are|['\u2019]m|\s+am)\s+(?:all\s+)?good(?=\s*(?:now|here|to\s+go|[.!,]|$))"
    r"|no\s+(?:further\s+)?(?:action|help)\s+(?:is\s+)?needed|nothing\s+(?:else|more|further)\s+(?:is\s+)?needed"
    r"|figured\s+it\s+out|found\s+(?:it|them)|my\s+(?:bad|mistake)|" + _WITHDRAWN_SOURCE + r")\b"
)


_CONTRAST = re.compile(r"\b(?:but|however|except|although|though|aber|mais|pero|mas|però|maar)\b")
_COURTESY = re.compile(r"\b(?:thanks?|thank\s+you)\s+(?:\w+\s+)?again\b")
_GRATEFUL = re.compile(r"\b(?:didn'?t|did\s+not)\s+know\s+(?:i|we)\s+could(?:\s+do\s+that)?|no\s+(?:problem|worries)\b")


def says_settled(view: MessageView) -> bool:
    """True when a sentence of the message says the matter is over (fixed, working again, the refund arrived, "you
    can close this") and none of its sentences says something still goes on, and it asks nothing."""
    lower = view.lower
    settled = False
    start = 0
    while start < len(lower):
        end = sentence_end(lower, start)
        if end <= start:
            end = len(lower)
        text = lower[start:end]
        if text.strip():
            if text.rstrip().endswith("?"):
                return False
            cues = [*_RESOLVED_TALK.finditer(text), *_CONFIRMED.finditer(text)]
            elsewhere = _RESOLVED_ELSEWHERE.search(text) is not None
            blanked = _blanked(text, [*cues, *_COURTESY.finditer(text)])  # "thanks again" is no recurrence
            if (_STILL_GOING.search(blanked) is not None or _CONTRAST.search(blanked) is not None
                    or (elsewhere and NOT_YET_ELSEWHERE.search(text))):
                return False
            settled = settled or bool(cues) or elsewhere
        start = end
    return settled


# A customer's word that the answer served ("got it", "good to know", "that's what I needed", "deu certo", "samajh
# gaya"): after the support side's reply it closes a question. Bare "ok" and "thanks" are left out: they also
# answer "we are looking into it".
_ACKNOWLEDGED = re.compile(
    r"\b(?:got\s+it|gotcha|understood|makes\s+sense|good\s+to\s+know|(?:that's|that\s+is|exactly)\s+(?:exactly\s+)?"
    r"what\s+i\s+(?:needed|was\s+looking\s+for)|that\s+answers|(?<!if\s)(?<!hope\s)(?:that|this)\s+(?:helps|helped)"
    r"|found\s+it|"
    r"i'm\s+in|i\s+am\s+in|all\s+set|perfect|(?:great|awesome|brilliant|super|cool|excellent),?\s+(?:thanks|thank)"
    r"|noted|done,?\s+(?:thanks|thank)|that\s+was\s+it|that\s+did\s+it"
    r"|(?:he|she|they|we)(?:'s|'re|\s+is|\s+are)\s+(?:back\s+)?in(?=\s*(?:[.!,]|$))"
    r"|verstanden|alles\s+klar|passt|perfekt|gefunden|hat\s+geklappt|klappt|erledigt"
    r"|compris|parfait|c'est\s+noté|c'est\s+bon|ça\s+marche|trouvé|nickel|c['’]est\s+(?:très\s+|bien\s+)?clair"
    r"|entendido|perfecto|genial|listo|ya\s+está|lo\s+encontré|funcionó|me\s+sirvió|(?:está|quedó)\s+(?:muy\s+)?claro"
    r"|entendi|perfeito|ótimo|deu\s+certo|achei|consegui|beleza|ficou\s+(?:bem\s+|muito\s+)?claro"
    r"|capito|perfetto|ottimo|trovato|tutto\s+chiaro|chiaro"
    r"|begrepen|duidelijk|gevonden|gelukt|helder|kaam\s+kar\s+(?:raha|rahi)\s+hai"
    # "ho gaya" is "done" after a yes or of the work ("haan ho gaya", "kaam ho gaya"), not "band ho gaya" (it stopped).
    r"|samajh\s+(?:gaya|gayi|aa\s+gaya|aa\s+gayi)|mil\s+gaya|mil\s+gayi"
    r"|(?:haan|han|ha|ok|okay|theek|thik|kaam|sab)\s+(?:\w+\s+)?ho\s+gay[ai])\b"
)
# Something still to come: the customer waits for more, so a thank-you closes nothing.
_STILL_TO_COME = re.compile(
    r"\b(?:keep\s+(?:me|us)\s+(?:posted|updated|informed)|let\s+(?:me|us)\s+know|update|updates|waiting|wait|"
    r"when|until|follow\s+up|nahi|nahin|nhi|abhi\s+bhi"
    # A request of its own ("please push for the rollback", "could you also send the report"); not "please close it".
    r"|please\s+(?!(?:close|ignore|disregard|mark|feel|don'?t|do\s+not)\b)\w+|(?:can|could|would)\s+you)\b"
)
ACKNOWLEDGEMENT_WORDS = 30  # "yes that's exactly what I needed, thanks": a reply, not a new message


def acknowledges_answer(view: MessageView) -> bool:
    """True for a short reply that says the answer served ("got it, thanks", "deu certo, obrigada!") and asks,
    reports or awaits nothing more."""
    return _ACKNOWLEDGED.search(view.lower) is not None and leaves_nothing_open(view)


def leaves_nothing_open(view: MessageView) -> bool:
    """True for a short reply that asks nothing, says nothing still goes on or is yet to come, and turns nothing
    with "but": a reply that could close the matter."""
    lower = view.lower
    if len(lower.split()) > ACKNOWLEDGEMENT_WORDS or "?" in lower:
        return False
    # Its own words of recovery and courtesy veto nothing: "PDFs look right again", "didn't know I could do that".
    blanked = _blanked(lower, [*_RESOLVED_TALK.finditer(lower), *_CONFIRMED.finditer(lower),
                               *_COURTESY.finditer(lower), *_GRATEFUL.finditer(lower)])
    return not (_STILL_GOING.search(blanked) or _CONTRAST.search(blanked) or NOT_YET_ELSEWHERE.search(blanked)
                or _STILL_TO_COME.search(blanked))


_WITHDRAWN = re.compile(rf"\b(?:{_WITHDRAWN_SOURCE})\b")


def withdraws_question(view: MessageView) -> bool:
    """True when the message takes its own question back ("please ignore my last email - found them", "false
    alarm") and says nothing still goes on, asks nothing, turns nothing with "but"."""
    lower = view.lower
    if "?" in lower or not _WITHDRAWN.search(lower):
        return False
    blanked = _blanked(lower, _WITHDRAWN.finditer(lower))
    return not (_STILL_GOING.search(blanked) or _CONTRAST.search(blanked))


def is_policy_question(
    view: MessageView, start: int, end: int, *, sentence: tuple[int, int] | None = None
) -> bool:
    """True for questions about how something works ("what is your refund policy?"), not demands."""
    left, right = sentence or sentence_of(view, start, end)
    lowered = view.lower[left:right].strip()
    words = lowered.split()
    if not words:
        return False
    if not (lowered.endswith("?") or words[0].strip(_PUNCT) in _QUESTION_OPENERS):
        return False
    return not _POLICY_WORDS.isdisjoint(w.strip(_PUNCT) for w in words)
