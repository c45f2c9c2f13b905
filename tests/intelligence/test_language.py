"""The language guess behind routing's language match, used when the help desk does not say."""
from __future__ import annotations

import pytest

from sidecar.intelligence.language import FUNCTION_WORDS, guess_language
from sidecar.intelligence.routing_rules import ticket_language
from sidecar.intelligence.ticket import ticket_from_mapping


@pytest.mark.parametrize(("text", "language"), [
    ("Hi, our invoices show two charges for the same plan. Can you please check this for us?", "en"),
    ("Ich möchte bitte mit einem Mitarbeiter sprechen, der Bot hilft mir nicht und das ist nicht gut.", "de"),
    ("Je voudrais parler à un conseiller, le service ne fonctionne plus depuis ce matin.", "fr"),
    ("Hola, quiero hablar con una persona. El sistema no funciona desde ayer.", "es"),
    ("Olá, preciso de ajuda: nossa API está fora do ar desde hoje e não funciona.", "pt"),
    ("Il servizio non funziona più e non è possibile accedere, grazie per l'aiuto.", "it"),
    ("Ik wil graag met een medewerker spreken, het platform werkt niet en we zijn boos.", "nl"),
])
def test_a_few_sentences_are_enough_to_tell_the_language(text, language):
    assert guess_language(text) == language


@pytest.mark.parametrize("text", ["Refund", "OK thanks", "Export CSV PDF 500 error", ""])
def test_too_little_text_gets_no_guess(text):
    assert guess_language(text) is None


def test_no_word_counts_for_two_languages():
    seen = [word for words in FUNCTION_WORDS.values() for word in words]
    assert len(seen) == len(set(seen))


def test_the_help_desk_locale_wins_over_the_guess():
    german = "Ich möchte bitte mit einem Mitarbeiter sprechen, das ist nicht gut und wir warten seit Tagen."
    told = ticket_from_mapping({"id": "1", "subject": "x", "description": german,
                                "requester": {"name": "A", "locale": "fr-FR"}})
    untold = ticket_from_mapping({"id": "2", "subject": "x", "description": german})
    assert ticket_language(told) == "fr"
    assert ticket_language(untold) == "de"


def test_english_is_not_reported_as_a_guess():
    english = ticket_from_mapping({"id": "3", "subject": "x", "description":
                                   "Hi, our invoices show two charges for the same plan. Can you please check this?"})
    assert ticket_language(english) is None
