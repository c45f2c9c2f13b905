"""A conservative guess of the language a customer writes in, from the commonest function words.

Used only when the help desk does not say (no requester locale, no language field): webhook payloads
and Salesforce Cases often carry none. Seven languages, the ones the signal detectors read. Function
words are a reliable cue once a message has a few of them; a short or mixed text gets no guess rather
than a wrong one, because a wrong language would steer routing away from the right expert.
"""
from __future__ import annotations

import re
from collections import Counter

# Frequent words of each language. A word listed for two languages ("una", "con", "non") tells neither
# apart, so it is dropped from both below.
_COMMON_WORDS: dict[str, str] = {
    "en": "hello thanks the and is are was were you your with this that have has not for please we our can "
          "would could should they it's don't been since when because also",
    "de": "hallo möchte habe können und ist nicht ich wir sie das der mit auf bitte haben wurde wurden werden "
          "kein keine unser unsere auch noch wie seit wenn weil schon aber",
    "fr": "bonjour voudrais veux suis avons le les est et je nous vous pas une avec pour sur ne plus dans mais "
          "notre votre depuis merci aussi quand parce",
    "es": "hola quiero necesito tengo puedo usted ustedes el los las y es está están por para con una pero "
          "nuestro nuestra desde gracias muy hay también cuando porque ayer hoy",
    "pt": "olá quero preciso tenho posso vocês o os é está estão não uma com para por nosso nossa desde "
          "obrigado muito há também quando porque ontem hoje",
    "it": "ciao voglio vorrei ho posso il gli è e sono non una con per che della nostro nostra grazie anche dal "
          "quando perché ieri oggi",
    "nl": "hallo wil heb kunnen het een en is niet ik wij we zijn met voor op van dat onze jullie graag ook bij "
          "sinds wanneer omdat",
}
_SEEN: Counter[str] = Counter(word for words in _COMMON_WORDS.values() for word in set(words.split()))
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(word for word in words.split() if _SEEN[word] == 1) for code, words in _COMMON_WORDS.items()
}
MIN_HITS = 3  # function words of the winning language
MIN_LEAD = 2.0  # ... and at least this many times the runner-up's
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or too mixed to tell."""
    words = _WORD.findall(text.lower())
    return clear_leader(Counter({code: sum(1 for word in words if word in vocabulary)
                                 for code, vocabulary in FUNCTION_WORDS.items()}))


def clear_leader(hits: Counter[str], min_hits: int = MIN_HITS) -> str | None:
    """The language with the most hits, when it has at least `min_hits` and MIN_LEAD times the runner-up's."""
    (best, best_hits), (_, second_hits) = (hits.most_common(2) + [("", 0), ("", 0)])[:2]
    if best_hits < min_hits or best_hits < MIN_LEAD * second_hits:
        return None
    return best
