"""An English word-for-word gloss of a sentence in another language, for the English sentence model.

The semantic layer's sentence model (all-MiniLM-L6-v2) was trained on English. It reads "Seit dem Update
können unsere Mitarbeiter keine Rechnungen mehr herunterladen" through word pieces that mean little to it,
and reads "since the update can our employees no invoices more download" well: word order and grammar
matter far less to it than which words are there. So a sentence in one of the other languages the product
reads is also embedded as its gloss, each word replaced by its commonest meaning in support text from the
glossary files beside this module (`glossary/<code>.tsv`, `word<TAB>gloss`, written for the product by
helpers from their own knowledge of each language, inflected forms listed one per line), and the layer reads
the mean of the two embeddings (layer.sentence_vectors says why, with the figures). The character n-grams
still read the customer's own words, and evidence always quotes them.

The language is guessed from function words (language.py), for the sentence when it has enough of them and
else for its whole message (a four-word sentence of a German email is German); a sentence of no clear
language, or an English one, is embedded as written. Hinglish mixes English words in every sentence, so only
its Hindi words are glossed: a word that is also common English ("to", "me", "main") keeps its English
reading there.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from sidecar.intelligence.language import FUNCTION_WORDS, MIN_HITS, clear_leader

GLOSSARY_DIRECTORY = Path(__file__).parent / "glossary"
# How the glossaries are read, named in their digest: 2 reads a German or Dutch compound as two known words.
GLOSSING = "2"
# Hindi function words as typed in Latin script (Hinglish); not in language.py, whose guess steers routing by the
# languages experts speak, where Hinglish writers are English readers.
HINGLISH_WORDS = frozenset(
    "hai hain nahi nahin nhi kya kyun kyon mujhe mera meri mere humara hamara humko aap aapka aapki aapke "
    "karo karna karni karne kiya kijiye raha rahi rahe gaya gayi gaye tha thi hua hui abhi bhi kuch koi kisi "
    "ko ka ki ke mein se tak wala wali".split())
# Words of the glossaries that are everyday English too: in a mixed (Hinglish) sentence they are the English word,
# and they never name a language by themselves (distinctive_words).
ENGLISH_WORDS = frozenset(
    "a an the to me my main in is it i we he she so on at or no not do did had has have be by as of up "
    "and but if all any can will was are am us our you your they them this that then than there here what "
    "when who how why one two hi hey ok okay bill sale par pat bat band log kam man den die also hat "
    "bin mist rock fast just war son net".split())
_VOCABULARIES = dict(FUNCTION_WORDS, hi=HINGLISH_WORDS)
SENTENCE_MIN_HITS = 2  # a sentence names its own language with this many function words (a message: MIN_HITS)
# A word; an elided article or preposition is a word of its own ("l'équipe" is "l'" and "équipe").
_WORD = re.compile(r"[^\W\d_]+'(?=[^\W\d_])|[^\W\d_]+")


@lru_cache(maxsize=1)
def glossaries() -> dict[str, dict[str, str]]:
    """Each language's glossary: lower-case word -> English gloss (read once per process)."""
    out: dict[str, dict[str, str]] = {}
    shared: dict[str, str] = {}  # one string per distinct gloss: many forms share one ("andere", "anderen": "other")
    for path in sorted(GLOSSARY_DIRECTORY.glob("*.tsv")):
        entries: dict[str, str] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            word, sep, gloss = line.partition("\t")
            if not sep or not word or " " in word or not gloss.strip():
                raise ValueError(f"{path.name} line {number}: needs 'word<TAB>gloss', got {line!r}")
            english = gloss.strip()
            entries[word.lower()] = shared.setdefault(english, english)
        out[path.stem] = entries
    return out


@lru_cache(maxsize=1)
def glossary_digest() -> str:
    """A digest naming the exact glossaries and how they are read (the layer's fitted classifier depends on both)."""
    digest = hashlib.sha256(GLOSSING.encode())
    for path in sorted(GLOSSARY_DIRECTORY.glob("*.tsv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:8]


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text.replace("’", "'"))]


def guess(text: str, *, min_hits: int = MIN_HITS) -> str | None:
    """The text's language among English, the glossed languages and Hinglish ("hi"), or None when unclear: by
    its function words, else (no English function word in it) by the words only one glossary knows."""
    words = _words(text)
    found = clear_leader(Counter({code: sum(1 for word in words if word in vocabulary)
                                  for code, vocabulary in _VOCABULARIES.items()}), min_hits)
    if found is not None or any(word in FUNCTION_WORDS["en"] for word in words):
        return found
    owners = distinctive_words()
    return clear_leader(Counter(owners[word] for word in words if word in owners), min_hits)


@lru_cache(maxsize=1)
def distinctive_words() -> dict[str, str]:
    """Words only one glossary knows ("noviembre", "Rechnungen"), mapped to its language; English ones left out."""
    seen = Counter(word for entries in glossaries().values() for word in entries)
    return {word: code for code, entries in glossaries().items() for word in entries
            if seen[word] == 1 and word not in ENGLISH_WORDS and word not in FUNCTION_WORDS["en"]}


def language_of(sentence: str, message_language: str | None = None) -> str | None:
    """The language a sentence is glossed from: its own when it says, else its message's (`guess` of the whole
    message) unless the sentence has an English function word ("You will find ..." in a German bug report)."""
    own = guess(sentence, min_hits=SENTENCE_MIN_HITS)
    if own is not None or message_language is None:
        return own
    return None if any(word in FUNCTION_WORDS["en"] for word in _words(sentence)) else message_language


# German and Dutch write compounds as one word ("Datenschutzvorfall", "Kontoverbindungen"): a word the glossary
# lacks is read as two it knows, joined directly or by a linking "s", "n", "en", "es" or "e".
COMPOUNDING = frozenset({"de", "nl"})
_LINKS = ("", "s", "n", "en", "es", "e")
_MIN_PART = 4


def compound_gloss(word: str, entries: dict[str, str]) -> str | None:
    """The gloss of a compound as its two known parts ("datenschutzvorfall": "data protection incident"), the
    longest known last part first (the last part is the compound's head); None when no split is known."""
    if len(word) < 2 * _MIN_PART + 1:
        return None
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        tail = word[cut:]
        if tail not in entries:
            continue
        for link in _LINKS:
            head = word[:cut - len(link)] if link else word[:cut]
            if len(head) >= _MIN_PART and (not link or word[:cut].endswith(link)) and head in entries:
                return f"{entries[head]} {entries[tail]}"
    return None


def english_gloss(text: str, language: str | None) -> str:
    """The text with each word the language's glossary knows replaced by its English gloss; the text as it
    is for English, an unknown language or no language."""
    entries = glossaries().get(language or "")
    if not entries:
        return text
    mixed = language == "hi"

    def replace(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        if mixed and word in ENGLISH_WORDS:
            return match.group(0)
        english = entries.get(word)
        if english is None and language in COMPOUNDING:
            english = compound_gloss(word, entries)
        if english is None:
            return match.group(0)
        return english + " " if word.endswith("'") else english  # "l'équipe": "the team"

    return _WORD.sub(replace, text.replace("’", "'"))
