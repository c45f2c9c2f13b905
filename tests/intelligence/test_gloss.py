"""A sentence in another language is also read as its English word-for-word gloss (semantic/gloss.py).

Every sentence here was written for these tests.
"""
from __future__ import annotations

import numpy as np
import pytest

from sidecar.intelligence.semantic import gloss, semantic_enabled
from sidecar.intelligence.semantic.layer import sentence_vectors

GERMAN = "Seit gestern Abend können sich unsere Fahrer nicht mehr in der App anmelden."


def test_every_language_the_product_reads_has_a_glossary_of_inflected_forms():
    glossaries = gloss.glossaries()
    assert set(glossaries) == {"de", "es", "fr", "hi", "it", "nl", "pt"}
    assert all(len(entries) > 4000 for entries in glossaries.values())
    assert all(word == word.lower() and " " not in word for entries in glossaries.values() for word in entries)
    # inflected forms are their own entries: "charged" whichever form the customer wrote
    assert {gloss.glossaries()["de"][w] for w in ("abgebucht", "abbuchen")} <= {"charged", "debited", "debit",
                                                                                  "charge", "deduct", "deducted"}


def test_a_bad_glossary_line_is_named(tmp_path, monkeypatch):
    (tmp_path / "xx.tsv").write_text("gut\tgood\nkein tab here\n", encoding="utf-8")
    monkeypatch.setattr(gloss, "GLOSSARY_DIRECTORY", tmp_path)
    gloss.glossaries.cache_clear()
    try:
        with pytest.raises(ValueError, match="xx.tsv line 2"):
            gloss.glossaries()
    finally:
        monkeypatch.undo()
        gloss.glossaries.cache_clear()


def test_a_german_sentence_is_glossed_word_for_word():
    assert gloss.language_of(GERMAN) == "de"
    english = gloss.english_gloss(GERMAN, "de")
    assert english.startswith("since yesterday evening can")
    assert " not " in english and " app " in english
    assert gloss.english_gloss("Die Xqzzy-Seite lädt nicht.", "de").startswith("the Xqzzy-")  # unknown: as written


def test_an_elided_article_becomes_a_word_of_its_own():
    text = "L'export des factures échoue depuis ce matin pour toute l'équipe."
    assert gloss.english_gloss(text, gloss.language_of(text)).startswith("the export of the invoices")


@pytest.mark.parametrize("text", ["The invoice is wrong again and we were charged twice.",
                                  "please help me with the main page", "Release Notes: dead link"])
def test_english_is_read_as_written(text):
    assert gloss.english_gloss(text, gloss.language_of(text)) == text


def test_hinglish_keeps_its_english_words_and_glosses_the_hindi_ones():
    text = "mera account block ho gaya hai, please help me, paise bhi kat gaye"
    assert gloss.language_of(text) == "hi"
    english = gloss.english_gloss(text, "hi")
    assert english.startswith("my account block") and "please help me" in english
    assert "money" in english


def test_a_short_sentence_takes_its_messages_language_but_an_english_one_does_not():
    message_language = gloss.guess("Hallo, seit dem Update ist die Seite leer und wir können nicht arbeiten. "
                                   "Rechnungen fehlen. "
                                   "You will find the log attached.")
    assert message_language == "de"
    assert gloss.language_of("Rechnungen fehlen.", message_language) == "de"
    english = "You will find the log attached."
    assert gloss.english_gloss(english, gloss.language_of(english, message_language)) == english
    assert gloss.language_of("You will find it attached.", message_language) is None  # no own language: English words


def test_a_text_without_function_words_is_named_by_words_only_one_glossary_knows():
    assert gloss.guess("Rechnungen Gutschrift Abbuchung fehlgeschlagen") == "de"
    assert gloss.guess("dashboard export csv timeout") is None


class Fixed:
    name = "fixed"

    def encode(self, texts):
        rows = [np.eye(4, dtype=np.float32)[len(text) % 4] for text in texts]
        return np.asarray(rows)


def test_a_glossed_sentence_is_read_as_the_mean_of_both_embeddings_and_english_as_itself():
    vectors = sentence_vectors(Fixed(), ["abc", "abcd"], ["abc", "abcde"])
    assert np.allclose(vectors[0], np.eye(4)[3])  # not glossed: its own embedding
    assert np.allclose(vectors[1], (np.eye(4)[0] + np.eye(4)[1]) / np.sqrt(2))  # the unit-length mean


@pytest.mark.skipif(not semantic_enabled(), reason="needs the embeddings extra (the bundled model)")
def test_the_gloss_lets_the_layer_read_a_german_outage_it_missed_as_written():
    from sidecar.intelligence.semantic import active_layer

    layer = active_layer()
    ((group, probability, _, _),) = layer._classify([GERMAN], [gloss.english_gloss(GERMAN, "de")])
    ((_, as_written, _, _),) = layer._classify([GERMAN], [GERMAN])
    assert layer._groups[group] == "bug_incident" and probability >= 0.5 > as_written


def test_a_german_compound_is_read_as_its_two_known_words():
    from sidecar.intelligence.semantic.gloss import compound_gloss, glossaries
    german = glossaries()["de"]
    assert compound_gloss("datenschutzvorfall", german) == f"{german['datenschutz']} {german['vorfall']}"
    assert compound_gloss("zugangsdaten", german) is not None  # joined by a linking "s"
    assert compound_gloss("xyzqwertz", german) is None
    assert "incident" in gloss.english_gloss("Das ist ein Datenschutzvorfall.", "de")
