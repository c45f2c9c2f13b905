"""The strongest signals in German, French, Spanish, Portuguese, Italian and Dutch.

B2B support teams answer customers in their own language. The English detectors are broad; these are
deliberately narrow: only phrases that mean one thing (ask for a person, refund, double charge,
cancellation, outage, data loss, erasure request, breach, legal threat, threat to leave), reported under the same
signal names so weights, categories and evidence work as in English. A match preceded by a negation of its language
("je ne veux pas parler à un agent") counts for nothing. What is not here (frustration, urgency,
conversation wording) stays English-only; the README says so.
"""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import NOT_YET_ELSEWHERE, is_hypothetical, is_resolved_talk
from sidecar.intelligence.signals import (
    billing,
    compliance,
    cross_team,
    customer_value,
    human_request,
    incident,
    low_impact,
)
from sidecar.intelligence.signals.finding import RESOLVED_FACTOR, PatternRule, rule_words

# Negation words of the six languages; "no" and "non" are English too, which changes nothing here.
NEGATIONS = frozenset(
    "nicht kein keine keinen keinem keiner nie niemals ne n' n’ pas jamais no nunca não nao non mai niet geen nooit"
    .split()
)
_LOOK_BACK = 3  # words before a match that can negate it ("je ne veux pas | parler à ...")
_WORD = re.compile(r"[^\W_]+['’]?", re.UNICODE)


def _judge_negated_before(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """The rule's strength, or 0 when one of the few words before the match (same sentence) negates it; less in
    a hypothetical ("si un patient nous demandait un jour la suppression de ses données")."""
    before = view.lower[max(0, match.start() - 60):match.start()]
    # Within the clause: "se não resolverem, vamos mudar para a concorrência" negates the condition, not the threat.
    before = re.split(r"[.!?;,\n]", before)[-1]
    words = _WORD.findall(before)[-_LOOK_BACK:]
    if any(word in NEGATIONS for word in words):
        return 0.0
    return rule.base * (rule.hypothetical if is_hypothetical(view, match.start(), match.end()) else 1.0)


def _judge_support_channel(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """Asking for the support channel counts below the category threshold in the opening message (as in English)."""
    strength = _judge_negated_before(view, match, rule)
    return min(strength, human_request.CHANNEL_IN_OPENING) if human_request.is_opening(view) else strength


def _judge_as_written(_view: MessageView, _match: re.Match[str], rule: PatternRule) -> float:
    """The rule's strength as is: the pattern carries its own negation ("kein Bot")."""
    return rule.base


_PERSON = {
    "de": r"(?:menschen|mitarbeiter\w*|person|berater\w*|kundenberater\w*|kundenbetreuer\w*|betreuer\w*|agenten"
          r"|vorgesetzten|manager\w*|ansprechpartner\w*|jemandem|jemanden|supportmitarbeiter\w*)",
    "fr": r"(?:humain|personne|conseill\w+|agent|opérat\w+|operat\w+|responsable|manager|quelqu['’]un|technicien\w*)",
    "es": r"(?:humano|persona|agente|asesor\w*|operador\w*|supervisor\w*|encargad\w+|gerente|alguien|representante)",
    "pt": r"(?:humano|pessoa|atendente|agente|operador\w*|supervisor\w*|gerente|algu[eé]m|representante"
          r"|consultor\w*)",
    "it": r"(?:umano|persona|operator[ei]|operatrice|agente|consulente|responsabile|qualcuno|supervisore|collega)",
    "nl": r"(?:mens|medewerker|persoon|iemand|manager|leidinggevende)",
}
# Words for a person in Hinglish chat (Hindi in Latin script, English nouns mixed in).
_HINGLISH_PERSON = (r"(?:insaan|insan|banda|bande|aadmi|admi|agent|human|person|executive|representative|manager"
                    r"|senior|staff)")
_ASKS_FOR_PERSON = "|".join([
    # de: "mit einem Mitarbeiter sprechen", "Ich möchte einen echten Menschen"
    rf"\bmit\s+(?:\w+\s+){{0,2}}?{_PERSON['de']}\s+(?:\w+\s+){{0,2}}?(?:sprechen|reden|telefonieren|chatten)",
    r"\b(?:möchte|will|brauche|wünsche)\s+(?:\w+\s+){0,2}?(?:einen?\s+)?(?:echten\s+|richtigen\s+)?"
    r"(?:menschen|mitarbeiter\w*|berater\w*|ansprechpartner\w*|vorgesetzten|chef|manager)\b",
    r"\bverbinden\s+sie\s+mich\s+(?:bitte\s+)?mit",
    # fr
    rf"\bparler\s+(?:à|a|avec)\s+(?:\w+\s+){{0,2}}?{_PERSON['fr']}",
    r"\b(?:veux|voudrais|aimerais|souhaite)\s+(?:\w+\s+){0,2}?(?:un\s+|une\s+)?(?:vrai\s+|vraie\s+)?"
    r"(?:humain|conseiller|conseillère|agent|être\s+humain|personne\s+réelle|vraie\s+personne|responsable|manager"
    r"|superviseur)\b",
    rf"\b(?:avoir|joindre|contacter)\s+(?:un|une|le|la)\s+(?:vrai\s+|vraie\s+)?{_PERSON['fr']}",
    # es
    rf"\bhablar\s+con\s+(?:\w+\s+){{0,2}}?{_PERSON['es']}",
    r"\b(?:quiero|necesito|quisiera)\s+(?:\w+\s+){0,2}?(?:un\s+|una\s+)?(?:humano|agente|asesor\w*|operador\w*"
    r"|persona\s+(?:real|de\s+verdad))\b",
    # pt
    rf"\bfalar\s+com\s+(?:\w+\s+){{0,2}}?{_PERSON['pt']}",
    r"\b(?:quero|preciso)\s+(?:\w+\s+){0,2}?(?:um\s+|uma\s+)?(?:humano|atendente|pessoa\s+(?:real|de\s+verdade))\b",
    # it
    rf"\bparlare\s+con\s+(?:\w+\s+){{0,2}}?{_PERSON['it']}",
    # nl
    rf"\b(?:spreken|praten)\s+(?:met|tegen)\s+(?:\w+\s+){{0,2}}?{_PERSON['nl']}\b",
    rf"\bmet\s+(?:een\s+)?(?:echte\s+)?{_PERSON['nl']}\s+(?:\w+\s+){{0,2}}?(?:spreken|praten)",
    # The verb last, as Dutch puts it: "ik wil graag een medewerker spreken", "kan ik iemand spreken?"
    rf"\b(?:wil|kan|mag|moet)\s+(?:ik\s+)?(?:graag\s+|even\s+|nu\s+)?(?:een\s+)?(?:echte\s+)?{_PERSON['nl']}"
    r"\s+(?:spreken|bellen)\b",
    r"\bverbind\s+(?:me|mij|ons)\s+(?:\w+\s+)?(?:door\s+)?met\b",
    # Put me through to a person, in the imperative each language uses for it ("pásame con un asesor",
    # "me transfere para um atendente", "passami un operatore", "passez-moi un conseiller").
    rf"\b(?:p[aá]same|p[aá]seme|p[aá]senme|comun[ií]came|comun[ií]queme|ponme|p[oó]ngame|transfi[eé]reme"
    rf"|transfi[eé]rame|con[eé]ctame)\s+(?:\w+\s+)?(?:con|a)\s+(?:\w+\s+){{0,2}}?{_PERSON['es']}",
    rf"\bme\s+(?:transfir\w*|transfer\w*|pass\w*|coloc\w*|conect\w*)\s+(?:\w+\s+)?(?:com|para|pra)\s+"
    rf"(?:\w+\s+){{0,2}}?{_PERSON['pt']}",
    rf"\b(?:passami|passatemi|mi\s+passi|mi\s+passate|mettimi\s+in\s+contatto\s+con|mettetemi\s+in\s+contatto\s+con"
    rf"|trasferiscimi\s+a|trasferitemi\s+a)\s+(?:\w+\s+){{0,2}}?{_PERSON['it']}",
    # A real person, by the idiom each language has for it: "c'è qualcuno in carne e ossa?", "alguien de carne y
    # hueso", "quelqu'un en chair et os", "ein Mensch aus Fleisch und Blut", "alguém de carne e osso".
    r"\b(?:in\s+carne\s+e\s+ossa|de\s+carne\s+y\s+hueso|en\s+chair\s+et\s+os|aus\s+fleisch\s+und\s+blut"
    r"|de\s+carne\s+e\s+osso|van\s+vlees\s+en\s+bloed|(?:of|in)\s+flesh\s+and\s+blood)\b",
    # German with the verb last: "Ich will meinen Kundenbetreuer sprechen", "ich möchte jemanden sprechen".
    rf"\b(?:will|möchte|muss|würde\s+gern(?:e)?)\s+(?:\w+\s+){{0,2}}?(?:einen\s+|eine\s+|meinen\s+|meine\s+|den\s+"
    rf"|die\s+|unseren\s+|unsere\s+|ihren\s+|ihre\s+)?(?:echten\s+)?{_PERSON['de']}\s+(?:\w+\s+)?(?:sprechen"
    r"|erreichen|anrufen)\b",
    r"\b(?:voglio|vorrei)\s+(?:\w+\s+){0,1}?(?:un\s+|una\s+|il\s+|lo\s+)?(?:operatore|operatrice|umano|consulente"
    r"|responsabile|supervisore|direttore"
    r"|persona\s+(?:vera|reale))\b",
    rf"\b(?:passez-moi|passe-moi|mettez-moi\s+en\s+(?:relation|contact)\s+avec|transférez-moi\s+(?:à|vers))"
    rf"\s+(?:\w+\s+){{0,2}}?{_PERSON['fr']}",
    rf"\b(?:stellen\s+sie\s+mich|stell\s+mich)\s+(?:bitte\s+)?(?:zu|an)\s+(?:\w+\s+){{0,2}}?{_PERSON['de']}"
    r"\s+durch\b",
    # Anyone there? "il y a quelqu'un ?", "hay alguien ahí?", "tem alguém aí?", "ist da jemand?", "c'è qualcuno?",
    # "is daar iemand?", "koi hai?": in a chat with a bot, a call for a person.
    r"\bil\s+y\s+a\s+quelqu['’]un\s*(?:\?|$)|\by\s+a(?:-t-il)?\s+quelqu['’]un\s*(?:\?|$)"
    r"|\bquelqu['’]un\s+(?:est\s+)?là\s*(?:\?|$)",
    r"\bhay\s+alguien\s*(?:(?:ahí|ahi|real|de\s+verdad|por\s+ahí)\s*){0,2}(?:\?|$)",
    r"\btem\s+alguém\s*(?:(?:aí|ai|aqui|real|de\s+verdade)\s*){0,2}(?:\?|$)",
    r"\bist\s+(?:da|hier)\s+(?:auch\s+)?(?:jemand|wer)\s*(?:\?|$)"
    r"|\bgibt\s+es\s+(?:hier|da)\s+(?:auch\s+|überhaupt\s+)?(?:jemanden|einen\s+(?:echten\s+)?menschen)\s*(?:\?|$)",
    # es: "necesito que me atienda una persona", "¿hay algún encargado con quien pueda hablar?"
    rf"\bque\s+me\s+(?:atienda|llame|ayude)\s+(?:un|una|el|la|algún|alguna)?\s*(?:\w+\s+)?{_PERSON['es']}",
    rf"\bhay\s+(?:algún|alguna|un|una)\s+{_PERSON['es']}\s+(?:con\s+(?:quien|quién)|que)\s+(?:\w+\s+)?"
    r"(?:hablar|pueda|atienda|me\s+pueda)",
    # de, verb last: "Können Sie mich mit Ihrem Vorgesetzten verbinden?"
    rf"\bmich\s+(?:bitte\s+)?mit\s+(?:\w+\s+){{0,2}}?{_PERSON['de']}\s+verbinden\b",
    # it: "mi passi un collega", "mi fate richiamare"
    rf"\bmi\s+(?:passi|passa|passate)\s+(?:\w+\s+){{0,2}}?{_PERSON['it']}",
    # Taglish: "may tao ba dyan?", "need ko ng kausap", "pwede i-escalate sa supervisor"
    r"\bmay\s+(?:totoong\s+)?tao\s+(?:ba\s+)?(?:dyan|diyan|dito|jan)\b"
    r"|\b(?:need|kailangan)\s+(?:ko|namin|nila)\s+(?:\w+\s+){0,2}?(?:ng\s+)?(?:totoong\s+)?kausap\b"
    r"|\bi-?escalate\s+(?:\w+\s+){0,2}?sa\s+(?:supervisor|manager|agent|tao)",
    r"\bc['’]è\s+(?:qualcuno|un\s+operatore|un\s+umano|una\s+persona)\s*(?:\?|$)",
    r"\bis\s+(?:daar|er)\s+(?:iemand|een\s+mens)\s*(?:\?|$)",
    r"\bkoi\s+(?:hai|h|he)\s*(?:kya\s*)?(?:\?|$)",
    # Hinglish (Hindi in Latin script): "kisi insaan se baat karni hai", "agent se baat karao", "koi banda hai
    # kya". Hindi puts a negation before the verb ("baat nahi karni"), which these do not match.
    rf"\b(?:kisi|koi)\s+(?:(?:real|asli|sachche|zinda)\s+)?(?:{_HINGLISH_PERSON}\s+)?se\s+(?:baat|bat|connect)"
    r"\s+kar\w*",
    rf"\b{_HINGLISH_PERSON}\s+se\s+(?:baat|bat|connect)\s+(?:kar\w*|kara\w*)",
    rf"\bkoi\s+(?:(?:real|asli|sachcha|zinda)\s+)?{_HINGLISH_PERSON}\s+(?:hai|he|h)\b",
    rf"\b{_HINGLISH_PERSON}\s+(?:chahiye|chaiye|chahie|chahiye\s+abhi)\b",
    r"\b(?:mujhe|muje|humein|hume|hamein)\s+(?:aapse\s+|apse\s+|kisi\s+se\s+)?(?:baat|bat)\s+kar(?:ni|na)\s+(?:hai|h|he)\b",
    # de: "wie erreiche ich jemanden telefonisch?", "kann ich einen Mitarbeiter sprechen?"
    rf"\b(?:erreiche|erreichen|spreche|sprechen)\s+(?:ich|wir)\s+(?:\w+\s+)?(?:jemanden|einen\s+{_PERSON['de']}"
    r"|einen\s+menschen)",
    rf"\bkann\s+(?:ich|man)\s+(?:bitte\s+)?(?:einen\s+|eine\s+)?(?:echten\s+)?{_PERSON['de']}\s+sprechen",
])
# Hinglish "customer care se baat karni hai": the support channel, weighed as in English.
_SUPPORT_CHANNEL = (
    r"\b(?:customer\s+(?:care|service|support)|support\s+team|helpline|call\s+cent(?:er|re))\s+se\s+(?:baat|bat"
    r"|connect)\s+kar\w*"
)
_CALL_ME = (
    r"\b(?:(?:mujhe|muje|mujhko|humein|hume|hamein|koi)\s+(?:\w+\s+){0,2}?call\s+(?:back\s+)?(?:karo|karwao|karvao|kar\s+do"
    r"|karwa\s+do|kijiye|karein|kare)"
    r"|(?:customer\s+care|helpline|contact|phone|mobile|support)\s+(?:ka\s+)?(?:number|no|nmbr)\s+(?:do|dijiye"
    r"|de\s+do|bhejo|chahiye|batao|milega)"
    r"|rufen\s+sie\s+mich\s+(?:bitte\s+)?(?:zurück|an)|zurückrufen|rückruf|rappelez-moi|appelez-moi|me\s+rappeler"
    r"|llámenme|llamenme|me\s+llamen|llamarme|devolverme\s+la\s+llamada|me\s+liguem|me\s+ligue|me\s+ligar"
    r"|retornar\s+(?:a\s+)?(?:minha\s+)?ligação|me\s+liga(?:m)?\s+(?:por\s+favor|agora|urgente|de\s+volta)"
    r"|richiamatemi|chiamatemi|mi\s+richiami|mi\s+chiami\s+(?:per\s+favore|subito|appena)|richiamarmi|richiamami"
    r"|mi\s+(?:fate|fa|faccia)\s+(?:ri)?chiamare"
    r"|chiamarmi"
    r"|bel\s+me\s+(?:terug|op)|terugbellen)\b"
)
_NOT_A_BOT = (
    r"\b(?:kein(?:en)?\s+(?:bot|chatbot|roboter)|nicht\s+(?:mit\s+)?(?:dem|einem)\s+(?:bot|chatbot)"
    r"|pas\s+(?:un|le|à\s+un|avec\s+un|au)\s+(?:bot|robot|chatbot)"
    r"|no\s+(?:\w+\s+){0,3}?(?:con\s+)?(?:un|el)\s+(?:bot|robot|chatbot)"
    r"|não\s+(?:\w+\s+){0,3}?(?:com\s+)?(?:um|o)\s+(?:bot|robô|robo|chatbot)"
    r"|non\s+(?:\w+\s+){0,3}?(?:con\s+)?(?:un|il)\s+(?:bot|robot|chatbot)"
    r"|geen\s+(?:bot|robot|chatbot)|niet\s+(?:met\s+)?(?:een|de)\s+(?:bot|chatbot)"
    # Enough of the bot, or the bot not understanding: "basta bot", "el asistente no entiende mi problema".
    r"|basta\s+(?:con\s+(?:il|i)\s+|col\s+)?(?:bot|robot|chatbot)"
    r"|(?:el|este)\s+(?:asistente|bot|robot|chatbot)\s+no\s+(?:me\s+)?(?:entiende|ayuda|sirve|responde)"
    r"|(?:le|ce)\s+(?:bot|robot|chatbot|assistant)\s+ne\s+(?:me\s+)?(?:comprend|sert|répond|aide)"
    r"|(?:der|dieser|ihr)\s+(?:bot|chatbot|roboter|assistent)\s+(?:versteht|hilft)\s+(?:mir\s+|mich\s+)?(?:\w+\s+)?"
    r"nicht"
    r"|(?:o|esse|este)\s+(?:bot|robô|robo|chatbot|assistente)\s+não\s+(?:me\s+)?(?:entende|ajuda|serve|responde)"
    r"|(?:il|questo)\s+(?:bot|robot|chatbot|assistente)\s+non\s+(?:mi\s+)?(?:capisce|aiuta|serve|risponde)"
    r"|(?:de|deze)\s+(?:bot|chatbot|assistent)\s+(?:begrijpt|helpt)\s+(?:me\s+|mij\s+)?(?:\w+\s+)?niet)\b"
)
_REFUND = (
    r"\b(?:rückerstattung|erstattung|rückzahlung|geld\s+zurück|zurückerstatten|gutschrift|erstatten\s+sie"
    r"|(?:betrag|differenz|geld|kosten|gebühr\w*|summe)\s+(?:\w+\s+){0,3}?(?:zurück)?erstatten"
    r"|rembours\w+|reembols\w+|devolución\s+del?\s+dinero|estorno\w*|dinheiro\s+de\s+volta"
    r"|rimbors\w+|terugbetal\w+|geld\s+terug|restitutie|terugstort\w*|terugboek\w*|reintegro|reintegrar\w*)\b"
)
_DOUBLE_CHARGE = (
    r"\b(?:(?:doppelt|zweimal)\s+(?:\w+\s+)?(?:belastet|abgebucht|berechnet|bezahlt|kassiert)|falsche\s+rechnung"
    r"|(?:factur|débit|prélev)\w*\s+(?:\w+\s+)?deux\s+fois|double\s+(?:facturation|prélèvement|débit)"
    r"|facture\s+erronée|cobr\w+\s+(?:\w+\s+)?dos\s+veces|doble\s+cobro|cobro\s+duplicado|factura\s+incorrecta"
    r"|cobr\w+\s+(?:\w+\s+)?duas\s+vezes|cobrança\s+(?:duplicada|em\s+dobro|indevida)"
    r"|addebit\w*\s+(?:\w+\s+)?due\s+volte|doppio\s+addebito|fattura\s+errata"
    r"|(?:dubbel|twee\s+keer)\s+(?:\w+\s+){0,3}?(?:afgeschreven|betaald|gefactureerd|geïncasseerd)"
    # Charged without a right to: "cobrados indebidamente", "prélèvement non autorisé", "onterecht afgeschreven".
    r"|cobr\w+\s+indebidamente|cobro\s+indebido|cargos?\s+no\s+autorizados?"
    r"|prélèvements?\s+(?:indus?|non\s+autorisés?)|prélev\w+\s+sans\s+(?:notre\s+|mon\s+)?autorisation"
    r"|addebit\w+\s+(?:non\s+autorizzat\w+|indebit\w+)"
    r"|unberechtigt\w*\s+(?:\w+\s+)?(?:abbuchung\w*|belastung\w*|abgebucht|belastet|berechnet)"
    r"|onterecht\s+(?:\w+\s+){0,3}?(?:afgeschreven|gefactureerd|in\s+rekening\s+gebracht))\b"
)
_CANCEL = (
    r"\b(?:kündig\w*|(?:abo|abonnement|vertrag)\s+beenden|résili\w+|annuler\s+(?:mon|notre|l['’])\s*abonnement"
    r"|cancelar\s+(?:mi|la|nuestra|minha|a|nossa)\s+(?:suscripción|assinatura|cuenta|conta)"
    r"|dar(?:me|nos)?\s+de\s+baja|disdett\w+|annullare\s+(?:l['’]|il\s+mio\s+|la\s+mia\s+)?abbonamento"
    r"|opzeg\w+|(?:abonnement|contract)\s+opzeggen)\b"
)
# An invoice (a nota fiscal, a factura) to be corrected and issued again, or issued with the wrong company details,
# or a credit note asked for: billing.REISSUE in the other languages.
_REISSUE = (
    r"\b(?:(?:reemitir|emitir\s+(?:uma\s+|una\s+)?nova|emitir\s+una\s+nueva|cancelar\s+e\s+(?:re)?emitir|corrigir"
    r"|rectificar|corregir|anular\s+y\s+(?:re)?emitir)\s+(?:a\s+|la\s+|essa\s+|esta\s+|esa\s+)?(?:nota(?:\s+fiscal)?"
    r"|fatura|factura|nf-?e|nfs-?e)|factura\s+rectificativa"
    r"|(?:cnpj|razão\s+social|inscrição\s+estadual|cif|nif|razón\s+social|dirección\s+fiscal)\s+(?:\w+\s+){0,3}?"
    r"(?:errad[oa]|incorret[oa]|antig[oa]|equivocad[oa]|erróne[oa]|antigu[oa])"
    r"|(?:réémettre|rééditer|corriger|refaire|émettre\s+une\s+nouvelle|annuler\s+et\s+(?:ré)?émettre)\s+(?:la\s+"
    r"|cette\s+|notre\s+)?facture|facture\s+rectificative"
    r"|(?:numéro\s+de\s+tva|siret|siren|raison\s+sociale|adresse\s+de\s+facturation)\s+(?:\w+\s+){0,3}?"
    r"(?:erroné\w*|incorrect\w*|faux|fausse|ancien\w*)"
    r"|rechnung\s+(?:\w+\s+){0,2}?(?:neu\s+ausstellen|korrigieren|berichtigen)|(?:neue|korrigierte)\s+rechnung"
    r"|rechnungskorrektur|gutschrift"
    r"|(?:ust-?id(?:-?nr)?|umsatzsteuer-?id|firmenname|rechnungsadresse)\s+(?:\w+\s+){0,3}?(?:falsch|veraltet"
    r"|fehlerhaft)"
    r"|(?:riemettere|correggere|rettificare|emettere\s+una\s+nuova|stornare\s+e\s+riemettere)\s+(?:la\s+|questa\s+)?"
    r"fattura|nota\s+di\s+credito"
    r"|(?:partita\s+iva|ragione\s+sociale|codice\s+fiscale|indirizzo\s+di\s+fatturazione)\s+(?:\w+\s+){0,3}?"
    r"(?:sbagliat[oa]|errat[oa]|vecchi[oa])"
    r"|factuur\s+(?:\w+\s+){0,2}?(?:opnieuw\s+(?:uitgeven|versturen|opmaken)|corrigeren|crediteren)"
    r"|(?:nieuwe|gecorrigeerde)\s+factuur|creditnota"
    r"|(?:btw-?nummer|kvk-?nummer|bedrijfsnaam|factuuradres)\s+(?:\w+\s+){0,3}?(?:fout|onjuist|verkeerd|oud))\b"
)
# Unavailability counts for a system, not a person ("der Support ist nicht erreichbar" is not an outage).
_SYSTEM = {
    "de": r"(?:system|plattform|seite|website|webseite|api|server|dienst|anwendung|app|portal|software)",
    "fr": r"(?:site|plateforme|api|serveur|service|application|appli|portail|logiciel)",
    "es": r"(?:sistema|plataforma|servicio|api|servidor|página|aplicación|portal)",
    "pt": r"(?:sistema|plataforma|serviço|api|servidor|site|aplicativo|portal)",
    "it": r"(?:sistema|piattaforma|servizio|api|server|sito|applicazione|portale)",
    "nl": r"(?:systeem|platform|dienst|api|server|site|website|applicatie|portaal)",
}
_OUTAGE = "|".join([
    rf"\b{_SYSTEM['de']}\s+(?:ist\s+)?(?:\w+\s+){{0,4}}?(?:ausgefallen|nicht\s+(?:mehr\s+)?erreichbar)\b",
    r"\b(?:ausfall|funktioniert\s+(?:gar\s+)?nicht(?:s)?\s+mehr|produktion\s+steht|nichts\s+geht\s+mehr)\b",
    rf"\b{_SYSTEM['fr']}\s+(?:est\s+)?(?:\w+\s+){{0,4}}?(?:indisponible|inaccessible|hors\s+service)\b",
    r"\b(?:en\s+panne|panne\s+(?:générale|totale|complète|de|du|des)|ne\s+fonctionne\s+plus"
    r"|production\s+(?:bloquée|arrêtée))\b",
    rf"\b{_SYSTEM['es']}\s+(?:está\s+)?(?:\w+\s+){{0,4}}?(?:caíd[oa]|fuera\s+de\s+servicio|inaccesible)\b",
    r"\b(?:caída\s+del?\s+(?:servicio|sistema|servidor)|no\s+funciona\s+(?:nada|desde)"
    r"|producción\s+(?:parada|detenida))\b",
    rf"\b{_SYSTEM['pt']}\s+(?:está\s+)?(?:\w+\s+){{0,4}}?(?:fora\s+do\s+ar|caíd[oa]|indisponível|inacessível)\b",
    r"\b(?:fora\s+do\s+ar|não\s+funciona\s+(?:mais|nada)|produção\s+parada)\b",
    rf"\b{_SYSTEM['it']}\s+(?:è\s+)?(?:\w+\s+){{0,4}}?(?:irraggiungibile|non\s+disponibile|inaccessibile)\b",
    r"\b(?:disservizio|non\s+funziona\s+più|produzione\s+ferma)\b",
    rf"\b{_SYSTEM['nl']}\s+(?:is\s+)?(?:\w+\s+){{0,4}}?(?:plat|onbereikbaar)\b",
    # Nobody can get in: "niemand kann sich anmelden", "personne ne peut se connecter", "nadie puede entrar",
    # "ninguém consegue entrar", "nessuno riesce ad accedere", "niemand kan inloggen", "koi bhi login nahi kar pa raha".
    r"\bniemand\s+(?:\w+\s+){0,3}?kann\s+sich\s+(?:\w+\s+){0,2}?(?:anmelden|einloggen)"
    r"|\bpersonne\s+(?:\w+\s+){0,3}?ne\s+peut\s+(?:plus\s+)?(?:se\s+connecter|accéder|entrer)"
    r"|\bnadie\s+(?:\w+\s+){0,3}?puede\s+(?:entrar|acceder|iniciar\s+sesión|conectarse)"
    r"|\bningu[eé]m\s+(?:\w+\s+){0,3}?consegue\s+(?:entrar|acessar|logar|fazer\s+login)"
    r"|\bnessuno\s+(?:\w+\s+){0,3}?riesce\s+(?:più\s+)?(?:a|ad)\s+(?:entrare|accedere|collegarsi)"
    r"|\bniemand\s+(?:\w+\s+){0,3}?kan\s+(?:meer\s+)?(?:inloggen|erin)"
    r"|\bkoi\s+bhi\s+(?:\w+\s+){0,2}?(?:login|andar|log\s+in)\s+nahi\s+(?:kar|ja)\s+pa\s+(?:raha|rahe|rahi)",

    r"\b(?:(?:een|de|grote|ernstige)\s+storing|werkt\s+(?:helemaal\s+)?niet\s+meer|productie\s+ligt\s+stil)\b",
    # The same trouble again: "troisième incident ce mois-ci", "der dritte Ausfall diese Woche", "tercera caída
    # este mes", "terceira queda esta semana", "terzo disservizio questo mese", "derde storing deze week".
    r"\b(?:zweite|dritte|vierte|fünfte)[rns]?\s+(?:ausfall|störung|vorfall)\s+(?:\w+\s+)?(?:diese[rn]?\s+woche"
    r"|diesen\s+monat|in\s+diesem\s+monat|innerhalb)",
    r"\b(?:deuxième|troisième|quatrième|cinquième|\d+e)\s+(?:incident|panne|coupure)\s+(?:\w+\s+)?(?:ce\s+mois"
    r"|cette\s+semaine|en\s+(?:un|une|deux|\d+)\s)",
    r"\b(?:segund|tercer|cuart|quint)[oa]?\s+(?:caída|incidente|fallo|falla)\s+(?:\w+\s+)?(?:este\s+mes|esta"
    r"\s+semana|en\s+(?:un|una|dos|\d+)\s)",
    r"\b(?:segund|terceir|quart|quint)[oa]\s+(?:queda|incidente|falha)\s+(?:\w+\s+)?(?:este\s+mês|esta"
    r"\s+semana|neste\s+mês|nesta\s+semana|em\s+(?:um|uma|duas|dois|\d+)\s)",
    r"\b(?:second|terz|quart|quint)[oa]\s+(?:disservizio|incidente|guasto|blocco)\s+(?:\w+\s+)?(?:questo"
    r"\s+mese|questa\s+settimana|in\s+(?:un|una|due|\d+)\s)",
    r"\b(?:tweede|derde|vierde|vijfde)\s+(?:storing|incident|uitval)\s+(?:\w+\s+)?(?:deze\s+(?:week|maand)"
    r"|in\s+(?:een|twee|\d+)\s)",
])
# Something of the product no longer doing its job, said as each language says it: "n'apparaissent plus dans
# le tableau de bord", "werden nicht mehr synchronisiert", "ya no llegan", "parou de sincronizar", "non
# compaiono più", "worden niet meer verstuurd", Hinglish "fail ho raha hai".
_MALFUNCTION = "|".join([
    # ("fehlerhaft", "mal calculé" are left out: a wrong invoice is said the same way, and it is billing's.)
    r"\bnicht\s+mehr\s+(?:angezeigt|synchronisiert|gesendet|verschickt|gespeichert|erstellt|geladen|übertragen"
    r"|importiert|exportiert)",
    r"\b(?:n['’](?:apparai\w+|affich\w+|arriv\w+)\s+plus|ne\s+s['’](?:affich\w+|synchronis\w+|enregistr\w+)\s+plus"
    r"|ne\s+sont\s+plus\s+(?:envoy|synchronis|affich|enregistr|cré)\w*)",
    r"\b(?:ya\s+no\s+(?:aparece|aparecen|se\s+muestran?|sincroniza|llega|llegan|se\s+guardan?|se\s+envían?|carga)"
    r"|dej[óo]\s+de\s+(?:funcionar|sincronizar|enviar|guardar|aparecer)|(?:no\s+(?:estaba|está)\s+guardando))",
    r"\b(?:não\s+(?:aparece|aparecem|carrega|sincroniza|chega|chegam)\s+mais|(?:deixou|parou)\s+de\s+(?:funcionar"
    r"|aparecer|sincronizar|enviar|salvar))",
    r"\b(?:non\s+(?:compare|compaiono|appare|appaiono|si\s+vedono|si\s+vede|vengono\s+\w+|viene\s+\w+)\s+più"
    r"|ha\s+smesso\s+di\s+(?:funzionare|sincronizzare|inviare|salvare))",
    r"\b(?:(?:wordt|worden|verschijnt|verschijnen)\s+(?:\w+\s+)?niet\s+meer|is\s+gestopt\s+met\s+\w+)",
    r"\b(?:fail\s+ho\s+(?:raha|rahi|rahe)|kaam\s+nahi\s+kar\s+(?:raha|rahi|rahe)|nahi\s+chal\s+(?:raha|rahi|rahe))",
])
_DATA_LOSS = (
    r"\b(?:datenverlust|daten\s+(?:sind\s+)?(?:verloren|weg|gelöscht)|perte\s+de\s+données"
    r"|données\s+(?:perdues|supprimées|effacées)|pérdida\s+de\s+datos|datos\s+(?:perdidos|borrados|eliminados)"
    r"|perda\s+de\s+dados|dados\s+(?:perdidos|apagados|sumiram)|perdita\s+di\s+dati"
    r"|dati\s+(?:persi|cancellati|spariti)|dataverlies|gegevens\s+(?:kwijt|verloren|verdwenen))\b"
)
_ERASURE = (
    r"\b(?:dsgvo|rgpd|lgpd|avg|recht\s+auf\s+(?:vergessenwerden|löschung)|droit\s+(?:à\s+l['’]|d['’])effacement"
    r"|derecho\s+(?:de\s+supresión|al\s+borrado)|direito\s+(?:ao\s+apagamento|à\s+eliminação|ao\s+esquecimento)"
    r"|diritto\s+alla\s+cancellazione|recht\s+op\s+(?:gegevenswissing|vergetelheid|wissing)|(?:daten|personenbezogenen\s+daten)"
    r"\s+(?:\w+\s+){0,2}?(?:löschen|löschung)|droit\s+à\s+l['’]oubli"
    r"|(?:supprimer|suppression|effacer|effacement)\s+(?:de\s+)?(?:mes|nos|ses|leurs|toutes\s+les|les)\s+données"
    r"|derecho\s+al\s+olvido|(?:borrar|eliminar|supresión)\s+(?:de\s+)?(?:mis|nuestros|sus|todos\s+los|los)\s+datos"
    r"|(?:apagar|excluir|eliminar|exclusão)\s+(?:de\s+)?(?:meus|nossos|seus|todos\s+os|os)\s+dados"
    r"|diritto\s+all['’]oblio|(?:cancellare|cancellazione|eliminare)\s+(?:dei\s+|i\s+)?(?:miei|nostri|suoi)\s+dati"
    r"|(?:verwijder\w*)\s+(?:van\s+)?(?:mijn|onze|zijn|haar|alle)\s+(?:persoons)?gegevens)\b"
)
_BREACH = (
    r"\b(?:gehackt|datenleck|sicherheitsvorfall|unbefugte\w*\s+zugriff|piraté|fuite\s+de\s+données"
    r"|accès\s+non\s+autorisé|compte\s+compromis|hackead[oa]s?|filtración\s+de\s+datos|acceso\s+no\s+autorizado"
    r"|cuenta\s+comprometida|invadid[oa]|vazamento\s+de\s+dados|acesso\s+não\s+autorizado|hackerat[oaie]"
    r"|violazione\s+dei\s+dati|accesso\s+non\s+autorizzato|account\s+compromesso|datalek"
    r"|ongeautoriseerde\s+toegang"
    # Hinglish: "account hack ho gaya", "kisi ne hack kar liya".
    r"|hack\s+(?:ho\s+(?:gaya|gya|gayi|gyi|gaye)|kar\s+(?:liya|liye|diya)|hua))\b"
)
# A legal threat in the other languages' words: legal steps, a court, a formal notice, or the matter handed to
# lawyers or the legal department. Lawyers named alone ("nos avocats ont validé le contrat") are no threat.
_LAWYERS = (r"(?:rechts)?anw[aä]lt\w*|rechtsabteilung|avocats?|service\s+juridique|abogad[oa]s?|departamento\s+"
            r"(?:jurídico|legal)|advogad[oa]s?|avvocat[oi]|ufficio\s+legale|advoca(?:at|ten)|juridische\s+afdeling")
_LEGAL = (
    r"\b(?:rechtliche\w*\s+schritte|verklagen|klage\s+(?:einreichen|erheben)|gerichtlich\w*\s+(?:vorgehen|schritte)"
    r"|actions?\s+en\s+justice|poursuites\s+judiciaires|mise\s+en\s+demeure"
    r"|acci(?:ón|ones)\s+legal(?:es)?|vía\s+judicial|demanda\s+judicial|ação\s+judicial|medidas\s+judiciais|procon"
    r"|azion[ei]\s+legal[ei]|vie\s+legali|juridische\s+stappen|rechtszaak|gerechtelijke\s+stappen|ingebrekestelling"
    rf"|(?:en\s+manos\s+de|an|à|aux|al|a|ao|aos|ai|alla|agli|aan|zu|zum|zur)\s+(?:\w+\s+)?(?:{_LAWYERS}))\b"
)

# Another team of the vendor asked for: its engineers (a custom integration, a connector, a review) or a
# quote or contract change, in the words each language uses. Naming the team is not enough ("votre équipe
# technique a été très rapide" thanks it): the same sentence must ask (a question, or a word of asking or
# needing before or after it). The ask is part of the pattern rather than a judge's verdict: a sentence the
# pattern misses is left to the semantic layer, not ruled out for it.
_THEIR_ENGINEERS = (
    r"(?:(?:votre|vos)\s+(?:équipe|équipes|service)\s+(?:technique|de\s+développement|d['’]ingénierie|produit)"
    r"|vos\s+(?:ingénieurs|développeurs)"
    r"|(?:su|tu|vuestro)\s+equipo\s+(?:técnico|de\s+desarrollo|de\s+ingeniería|de\s+producto)"
    r"|sus\s+(?:ingenieros|desarrolladores)"
    r"|(?:sua|vossa)\s+equipe\s+(?:técnica|de\s+desenvolvimento|de\s+engenharia|de\s+produto)"
    r"|(?:seus|vossos)\s+(?:engenheiros|desenvolvedores)"
    r"|(?:il\s+)?vostro\s+team\s+(?:tecnico|di\s+sviluppo|di\s+ingegneria)|(?:i\s+)?vostri\s+(?:ingegneri|sviluppatori)"
    r"|(?:ihr|ihre|euer|eure)\s+(?:entwicklungsteam|technikteam|technik|entwickler|ingenieure|produktteam)"
    r"|(?:jullie|uw)\s+(?:ontwikkelteam|technische\s+team|technisch\s+team|ontwikkelaars|engineers|productteam))\b"
)
_QUOTE_OR_CONTRACT = (
    r"(?:devis|avenant|presupuesto|cotizaci[oó]n|adenda|or[çc]amento|aditivo\s+contratual|preventivo"
    r"|modifica\s+del\s+contratto|angebot|vertragsänderung|vertragsanpassung|offerte|contractwijziging)\b"
)
_ASK = (
    r"(?:pouvez|pourriez|peut|pourrait|besoin|merci\s+de|souhait\w*|voudrions|demand\w*|puede|pueden|podr[ií]a\w*"
    r"|necesit\w+|quisiéramos|queremos|solicit\w+|pode|podem|poderia\w*|precis\w+|gostar[ií]amos|può|possono"
    r"|potreste|vorremmo|chiediamo|richied\w+|abbiamo\s+bisogno|kann|können|könnten|brauchen|benötigen|bitte"
    r"|möchten|kan|kunnen|kunt|zou\w*|willen|graag|nodig|verzoek\w*)"
)


def _asked(thing: str) -> str:
    """The thing in a sentence that asks: an asking word before or after it, or a question mark after it."""
    rest = r"[^.!?\n]{0,120}?"
    return rf"\b{_ASK}\b{rest}\b{thing}|\b{thing}(?:{rest}\b{_ASK}\b|[^.!?\n]{{0,120}}\?)"


# A refund said to have arrived is thanks, not a request: it counts a quarter, as English resolved talk does.
_REFUND_ARRIVED = re.compile(
    r"(?:eingegangen|angekommen|gutgeschrieben|erhalten|reçu|reçue|arrivé|arrivée|crédité|créditée|bien\s+été"
    r"|llegó|recibido|recibimos|ya\s+está|acreditado|caiu|chegou|recebemos|recebido|creditado|foi\s+feito"
    r"|arrivato|ricevuto|ricevuta|accreditato|accreditata|ontvangen|binnen|teruggestort|bijgeschreven)\b"
)



def _judge_refund(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """A refund asked for at full strength; one said to have arrived ("o reembolso caiu na conta") a quarter."""
    strength = _judge_negated_before(view, match, rule)
    after = re.split(r"[.!?;\n]", view.lower[match.end():match.end() + 60])[0]
    if not strength or not _REFUND_ARRIVED.search(after) or NOT_YET_ELSEWHERE.search(after):
        return strength  # asked for, or "ist noch nicht eingegangen": still owed
    return strength * RESOLVED_FACTOR


def _judge_unless_fixed(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """An outage, a loss or a breach at full strength; one the sentence thanks us for fixing, or says works
    again ("grazie per aver risolto il disservizio di ieri"), a quarter, as English resolved talk does."""
    strength = _judge_negated_before(view, match, rule)
    if strength and is_resolved_talk(view, match.start(), match.end()):
        return strength * RESOLVED_FACTOR
    return strength


# A threat to leave: not renewing, moving to a competitor or another supplier, looking at alternatives. The negation
# is part of the phrase ("non rinnoveremo"); a contract that "does not renew automatically" ("ne se renouvelle
# pas", "wird nicht automatisch verlängert") has a word between and is no threat.
_CHURN = (
    r"\b(?:nicht\s+(?:mehr\s+)?verlänger\w*|(?:kündigen|wechseln)\s+(?:\w+\s+){0,3}?zu\s+(?:einem\s+)?(?:anderen\s+"
    r"anbieter|wettbewerber)|zur\s+konkurrenz|(?:den\s+)?anbieter\s+wechseln|nach\s+alternativen\s+umsehen"
    r"|alternativen\s+(?:prüfen|ansehen|evaluieren)"
    r"|ne\s+(?:pas\s+)?renouvel\w*|pas\s+renouvel\w*|(?:chez|vers)\s+(?:un\s+)?(?:autre\s+(?:prestataire|fournisseur"
    r"|éditeur|solution)|concurrent)|changer\s+de\s+(?:prestataire|fournisseur|solution|outil)"
    r"|(?:envisag|étudi)\w*\s+(?:\w+\s+){0,2}?(?:alternatives?|concurren\w+)"
    r"|no\s+(?:vamos\s+a\s+)?renov\w*|(?:cambiarnos|irnos|pasarnos|migrar)\s+(?:\w+\s+){0,2}?(?:a\s+(?:otro\s+"
    r"(?:proveedor|sistema|servicio)|la\s+competencia))|cambiar\s+de\s+proveedor|buscar\s+otro\s+proveedor"
    r"|(?:evaluar|considerar)\s+(?:\w+\s+)?alternativas"
    r"|não\s+(?:vamos\s+)?renov\w*|(?:mudar|migrar|trocar)\s+(?:\w+\s+){0,2}?(?:para\s+(?:a\s+)?(?:concorr[êe]ncia"
    r"|outro\s+(?:fornecedor|sistema))|de\s+fornecedor)|(?:procurar|buscar)\s+outro\s+fornecedor"
    r"|avaliar\s+(?:\w+\s+)?alternativas"
    r"|non\s+rinnov\w*|(?:passare|passeremo|migrare|migreremo)\s+(?:\w+\s+){0,2}?(?:a\s+(?:un\s+)?(?:altro\s+"
    r"fornitore|concorrente)|alla\s+concorrenza)|cambiare\s+fornitore|(?:valut|cerc)\w*\s+(?:\w+\s+){0,2}?"
    r"(?:alternative|altri\s+fornitori|un\s+altro\s+fornitore)|lasciarvi"
    r"|niet\s+(?:meer\s+)?verleng\w*|(?:overstappen|overgaan)\s+(?:\w+\s+){0,2}?naar\s+(?:een\s+)?(?:andere\s+"
    r"(?:leverancier|aanbieder|partij)|concurrent)|andere\s+leverancier\s+(?:zoeken|kiezen)"
    r"|(?:stappen|gaan)\s+(?:\w+\s+){0,2}?over\s+naar\s+(?:een\s+)?(?:andere\s+(?:leverancier|aanbieder|partij)"
    r"|concurrent)"
    r"|(?:kijken|zoeken)\s+naar\s+alternatieven"
    r"|(?:renew|continue)\s+nahi\s+kar\w*|(?:dusre|doosre|kisi\s+aur)\s+(?:vendor|provider|tool)\s+(?:pe|par)\s+"
    r"(?:shift|move|switch))\b"
)


# A question asking the way, opening its sentence ("Como faço para cadastrar os veículos?", "Wie kann ich die
# Freigabegrenzen einrichten?"): a how-to, as "how do I ...?" is in English (low_impact.py).
_HOW_TO = (
    r"(?:^|(?<=[.!:,\n]))[\s¿]*(?:"
    r"como\s+(?:faço|faz|fazer|posso|podemos|se\s+faz|consigo)|cómo\s+(?:puedo|podemos|hago|se)|se\s+puede"
    r"|hay\s+(?:alguna\s+)?(?:manera|forma)|es\s+posible|é\s+possível|existe\s+(?:alguma\s+)?(?:forma|maneira)"
    r"|dá\s+para|comment\s+(?:faire|puis-je|pouvons-nous|peut-on|on|est-ce|[a-zé]+er)\b|est-il\s+possible"
    r"|y\s+a-t-il\s+(?:un\s+)?moyen|peut-on|puis-je|wie\s+(?:kann|können|lässt|richte|stelle|ändere|mache)\b"
    r"|gibt\s+es\s+(?:eine\s+)?möglichkeit|ist\s+es\s+möglich|kann\s+ich|können\s+wir|geht\s+das"
    r"|come\s+(?:posso|possiamo|si|faccio)\b|è\s+possibile|c'è\s+(?:un\s+)?modo|si\s+può"
    r"|hoe\s+(?:kan|kunnen|doe|moet|stel|zet)\b|is\s+het\s+mogelijk|kan\s+ik|kunnen\s+we"
    r"|kaise\s+(?:karu|karun|kare|karein|karte|kar\s+sakte))[^?.!\n]*\?"
)
HOW_TO_MAX_CHARACTERS = 600  # a report with one question in it is no how-to (low_impact's judge: 400 in English)


def _judge_how_to(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    return rule.base if len(view.lower) <= HOW_TO_MAX_CHARACTERS else 0.0


RULES: tuple[PatternRule, ...] = (
    PatternRule(low_impact.HOW_TO_QUESTION, _HOW_TO, 0.7, None, judge=_judge_how_to,
                anchors=rule_words("como cómo se hay es é existe dá comment est y peut puis wie gibt ist kann können "
                                   "geht come è c si hoe is kan kunnen kaise")),
    PatternRule(cross_team.ENGINEERING_REQUEST, _asked(_THEIR_ENGINEERS), 0.7, cross_team.CATEGORY,
                judge=_judge_negated_before,
                anchors=("votre", "vos", "su", "tu", "vuestro", "sus", "sua", "vossa", "seus", "vossos", "vostro",
                         "vostri", "ihr", "ihre", "euer", "eure", "jullie", "uw")),
    PatternRule(cross_team.COMMERCIAL_REQUEST, _asked(_QUOTE_OR_CONTRACT), 0.65, cross_team.CATEGORY,
                judge=_judge_negated_before,
                anchors=("devis", "avenant", "presupuesto", "cotización", "cotizacion", "adenda", "orçamento",
                         "orcamento", "aditivo", "preventivo", "modifica", "angebot", "vertragsänderung",
                         "vertragsanpassung", "offerte", "contractwijziging")),
    PatternRule(human_request.ASKS_FOR_HUMAN, _ASKS_FOR_PERSON, 0.95, human_request.CATEGORY,
                judge=_judge_negated_before),
    PatternRule(human_request.ASKS_FOR_HUMAN, _SUPPORT_CHANNEL, 0.95, human_request.CATEGORY,
                judge=_judge_support_channel, anchors=("customer", "support", "helpline", "call")),
    PatternRule(human_request.ASKS_FOR_CALL_OR_CONTACT, _CALL_ME, 0.8, human_request.CATEGORY,
                judge=_judge_negated_before),
    PatternRule(human_request.REJECTS_AUTOMATED_HELP, _NOT_A_BOT, 0.8, human_request.CATEGORY, judge=_judge_as_written),
    PatternRule(billing.REFUND_REQUEST, _REFUND, 0.85, billing.CATEGORY, judge=_judge_refund),
    PatternRule(billing.BILLING_ERROR, _DOUBLE_CHARGE, 0.85, billing.CATEGORY, judge=_judge_negated_before),
    PatternRule(billing.BILLING_ERROR, _REISSUE, 0.7, billing.CATEGORY, judge=_judge_negated_before,
                anchors=("cnpj", "razão", "inscrição", "cif", "nif", "razón", "dirección", "numéro", "siret", "siren",
                         "raison", "adresse", "ust", "umsatzsteuer", "firmenname", "rechnungsadresse", "partita",
                         "ragione", "codice", "indirizzo", "btw", "kvk", "bedrijfsnaam", "factuuradres", "factuur")),
    PatternRule(billing.CANCELLATION_REQUEST, _CANCEL, 0.75, billing.CATEGORY, judge=_judge_negated_before),
    PatternRule(incident.OUTAGE, _OUTAGE, 0.85, incident.CATEGORY, judge=_judge_unless_fixed),
    PatternRule(incident.DATA_LOSS, _DATA_LOSS, 0.9, incident.CATEGORY, judge=_judge_unless_fixed),
    PatternRule(incident.MALFUNCTION, _MALFUNCTION, 0.6, incident.CATEGORY, judge=_judge_unless_fixed),
    PatternRule(compliance.PRIVACY_REQUEST, _ERASURE, 0.85, compliance.CATEGORY, judge=_judge_negated_before),
    PatternRule(compliance.LEGAL_THREAT, _LEGAL, 0.85, compliance.CATEGORY, judge=_judge_negated_before,
                anchors=("rechtlich", "verklagen", "klage", "gerichtlich", "action", "poursuites", "mise", "acci",
                         "vía", "demanda", "ação", "medidas", "procon", "azion", "vie", "juridische", "rechtszaak",
                         "gerechtelijke", "ingebrekestelling", "en", "an", "à", "aux", "al", "a", "ao", "aos", "ai",
                         "alla", "agli", "aan", "zu", "zum", "zur")),
    PatternRule(compliance.SECURITY_BREACH, _BREACH, 0.9, compliance.CATEGORY, judge=_judge_unless_fixed),
    PatternRule(customer_value.CHURN_THREAT, _CHURN, 0.85, customer_value.CATEGORY, judge=_judge_negated_before,
                hypothetical=0.6),
)
