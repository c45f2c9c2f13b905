"""The semantic layer's mechanics, with a small stand-in embedder so each decision is predictable.

The stand-in embeds a text as its bag of words (hashed, unit length): sentences sharing words are near.
What the real model understands is measured by `sidecar eval categories` and tested in
test_semantic_meaning.py; here: pieces, the classifier, evidence, damping and the caches.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

import numpy as np
import pytest

from sidecar.intelligence.message import MessageView, sentence_end, sentence_start
from sidecar.intelligence.semantic.examples import LABELS, read_examples
from sidecar.intelligence.semantic.layer import (
    CHURN_MIN_PROBABILITY,
    MIN_PROBABILITY,
    Fitted,
    Reading,
    SemanticLayer,
    _findings_for,
    _sentence_is_a_reason,
    automatic_messages,
    char_ngrams,
    fit_examples,
    ngram_features,
)
from sidecar.intelligence.semantic.sentences import is_prose, message_pieces, sentence_of
from sidecar.intelligence.signals import detect_signals
from sidecar.intelligence.ticket import ticket_from_mapping


class BagOfWords:
    """Hashed word counts, unit length; counts how many texts it was asked to embed."""

    name = "bag-of-words"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9']+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


EXAMPLES = [
    ("asks_for_human", "please let me talk to a real person now"),
    ("asks_for_human", "connect me with a human agent please"),
    ("asks_for_human", "i want to talk to a person on your team"),
    ("asks_for_human", "can a real human agent call me"),
    ("outage", "the payment page fails for every customer since the upgrade"),
    ("outage", "the payment page is down for all our customers"),
    ("outage", "every customer sees errors on the payment page"),
    ("outage", "checkout is down and failing for everyone"),
    ("resolved_or_thanks", "thanks for fixing the outage it works now"),
    ("resolved_or_thanks", "thank you it is fixed and everything works again"),
    ("resolved_or_thanks", "thanks it works now all fixed"),
    ("resolved_or_thanks", "many thanks the problem is solved"),
    ("small_talk", "hope all is well with you"),
    ("small_talk", "hope you are well"),
    ("small_talk", "hi team hope all is well"),
    ("small_talk", "have a lovely weekend"),
]


@pytest.fixture()
def layer(tmp_path):
    path = tmp_path / "examples.jsonl"
    path.write_text("\n".join(json.dumps({"label": label, "text": text}) for label, text in EXAMPLES), encoding="utf-8")
    return SemanticLayer(BagOfWords(), read_examples(path), cache_dir=tmp_path / "cache")


def ticket(text, **extra):
    return ticket_from_mapping({"id": "1", "subject": "", "description": text, **extra}, default_source="zendesk")


def test_a_contrast_word_starts_a_new_piece_so_politeness_does_not_dilute_what_follows():
    view = MessageView.of("description", "customer",
                          "Hope all is well, low priority, but the payment page fails for everyone. Thanks!")
    pieces = message_pieces(view)
    assert [p.text for p in pieces if not p.whole] == [
        "Hope all is well, low priority", "but the payment page fails for everyone.", "Thanks!"]
    assert [p.text for p in pieces if p.whole] == [view.text], "a short message is read whole too"


def test_an_abbreviation_ends_no_sentence_for_the_layer_or_the_rules():
    text = "Could you let us refund several payments at once, e.g. when we cancel a class? Version 6.4 is fine."
    view = MessageView.of("description", "customer", text)
    sentences = [p.text for p in message_pieces(view) if not p.whole and not p.clause]
    assert sentences == ["Could you let us refund several payments at once, e.g. when we cancel a class?",
                         "Version 6.4 is fine."]
    at = text.index("cancel")
    assert text[sentence_start(text, at):sentence_end(text, at)].startswith("Could you let us refund")


def test_a_date_before_a_lower_case_word_ends_no_sentence_but_a_number_before_a_capital_does():
    text = "Die Abrechnung muss am 25.11. an die Bank übergeben werden. Betroffen sind 431. Alle anderen nicht."
    view = MessageView.of("description", "customer", text)
    sentences = [p.text for p in message_pieces(view) if not p.whole and not p.clause]
    assert sentences == ["Die Abrechnung muss am 25.11. an die Bank übergeben werden.", "Betroffen sind 431.",
                         "Alle anderen nicht."]
    at = text.index("Bank")
    assert text[sentence_start(text, at):sentence_end(text, at)].startswith("Die Abrechnung muss am 25.11.")


def test_only_prose_is_read_and_a_quoted_or_bulleted_line_starts_a_new_piece():
    text = ("> <!-- @public_url: https://example.test/issues/1 -->\n> **Browser / Version**: Acme 2.53.18\n"
            "> The export page is blank for everyone.\n"
            "at com.example.Export.run(Export.java:42)\n- second bullet, still prose here\n"
            "and this hard-wrapped line goes on")
    pieces = [p.text for p in message_pieces(MessageView.of("description", "customer", text)) if not p.whole]
    assert "The export page is blank for everyone." in pieces
    assert not any("public_url" in p or "Export.java" in p for p in pieces), pieces
    assert "second bullet, still prose here and this hard-wrapped line goes on" in pieces


@pytest.mark.parametrize("text, prose", [
    ("agent pls", True), ("Thanks!", True), ("about 3,200 invoices are wrong", True), ("Error 500 on checkout", True),
    ("मुझे किसी इंसान से बात करनी है", True), ("**Description**: Items are misaligned", True),
    ("unknown --> <!-- @public_url:", False), ("at com.foo.Bar.run(Bar.java:42)", False),
    ("2026-12-01 10:02:03 ERROR [main] c.e.Service - refused db-01:5432", False), ("HTTP 502 502 502", False),
])
def test_prose_is_mostly_words_in_any_script(text, prose):
    assert is_prose(text) is prose


def test_pieces_keep_their_place_in_the_message_for_quoting():
    text = "First line here.\nSecond one; third part"
    view = MessageView.of("comment 2", "customer", text)
    pieces = [p for p in message_pieces(view) if not p.whole]
    assert [text[p.start:p.end] for p in pieces] == ["First line here.", "Second one;", "third part"]
    assert pieces[1].contains("comment 2", pieces[1].start, pieces[1].end)
    assert not pieces[1].contains("description", pieces[1].start, pieces[1].end)


def test_a_reason_is_reported_under_its_rule_signal_quoting_the_sentence_and_the_example(layer):
    text = "Hope all is well. The payment page fails for every customer since the upgrade."
    findings = layer.refine(ticket(text), [])
    outage = [f for f in findings if f.signal == "outage"]
    assert len(outage) == 1
    assert outage[0].category == "bug_incident"
    assert outage[0].strength > 0.5
    assert outage[0].evidence.startswith('description: "The payment page fails for every customer since the upgrade."')
    assert 'reads as outage, like "the payment page fails for every customer since the upgrade"' in outage[0].evidence
    assert not any(f.signal == "asks_for_human" for f in findings)


def test_a_subject_beside_a_message_is_not_read_as_a_request_but_a_lone_chat_line_is(layer):
    beside = layer.refine(ticket("hope you are well", subject="connect me with a human agent please"), [])
    assert not any(f.signal == "asks_for_human" for f in beside)
    alone = layer.refine(ticket("", subject="connect me with a human agent please"), [])
    assert any(f.signal == "asks_for_human" for f in alone)


def test_resolved_talk_damps_the_rules_findings_in_that_sentence_only(layer):
    text = "Thanks for fixing the payment page outage, it works now. The payment page is down for all our customers."
    t = ticket(text)
    rules = detect_signals(t, now=None)
    outage_rules = [f for f in rules if f.signal == "outage"]
    assert len(outage_rules) >= 1, "the rules see both mentions of an outage"
    refined = layer.refine(t, rules)
    first_sentence_end = text.index("now.") + 4
    for before, after in zip(rules, refined, strict=False):  # refined: the rules' findings, then new ones
        if before.span and before.span[2] <= first_sentence_end and before.signal == "outage":
            assert after.strength == pytest.approx(before.strength * 0.25)
        elif before.span and before.span[1] > first_sentence_end:
            # Untouched, or superseded by the semantic reading of the same sentence (one reason per sentence).
            assert after.strength == before.strength or (
                after.strength == 0.0 and any(f.span is None and f.category == before.category for f in refined))


def test_an_unsure_reading_reports_nothing():
    (piece,) = message_pieces(MessageView.of("description", "customer", "The payment page fails for every customer."))
    sure = Reading(piece=piece, group="bug_incident", probability=0.9, label="outage", example="x")
    (finding,) = _findings_for(sure)
    assert finding.strength == pytest.approx(0.9)
    assert _findings_for(replace(sure, probability=MIN_PROBABILITY - 0.01)) == []
    small_talk = replace(sure, group="small_talk", label="small_talk")
    assert _findings_for(small_talk) == [], "pleasantries are not a signal"


def test_a_threat_to_leave_must_read_surely_to_count():
    (piece,) = message_pieces(MessageView.of("description", "customer", "We are looking at other vendors now."))
    reading = Reading(piece=piece, group="high_value_customer", probability=CHURN_MIN_PROBABILITY, label="churn_threat",
                      example="x")
    assert [f.signal for f in _findings_for(reading)] == ["churn_threat"]
    assert _findings_for(replace(reading, probability=CHURN_MIN_PROBABILITY - 0.01)) == []
    assert MIN_PROBABILITY < CHURN_MIN_PROBABILITY


def test_a_message_is_automatic_when_read_whole_or_in_half_its_sentences_so():
    view = MessageView.of("comment 2", "customer", "I am away until Monday. Mail is not read. Call Ana for invoices.")
    pieces = [p for p in message_pieces(view) if not p.whole]
    assert len(pieces) == 3

    def read(*labels):
        return [Reading(piece=p, group=label, probability=0.95, label=label, example="x")
                for p, label in zip(pieces, labels, strict=True)]

    assert set(automatic_messages(read("auto_reply", "auto_reply", "context"))) == {"comment 2"}
    assert automatic_messages(read("auto_reply", "context", "context")) == {}
    whole = Reading(piece=replace(pieces[0], start=0, end=len(view.text), whole=True), group="auto_reply",
                    probability=0.95, label="auto_reply", example="x")
    assert set(automatic_messages([*read("context", "context", "context"), whole])) == {"comment 2"}


def test_one_customers_data_shown_to_another_is_a_security_incident_and_a_defect():
    (piece,) = message_pieces(MessageView.of("description", "customer", "Customers see each other's invoices."))
    exposure = Reading(piece=piece, group="compliance_security", probability=0.8, label="data_exposure", example="x")
    assert {(f.signal, f.category) for f in _findings_for(exposure)} == {
        ("security_breach", "compliance_security"), ("security_vulnerability", "bug_incident")}
    takeover = replace(exposure, label="security_breach")
    assert [(f.signal, f.category) for f in _findings_for(takeover)] == [("security_breach", "compliance_security")]


def test_character_ngrams_and_their_weights_match_scikit_learns_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["wanna spk to a persn", "mujhe kisi insaan se baat karni hai", "Refund   me NOW"]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(texts)
    assert sorted(set(char_ngrams(texts[2]))) == sorted(vectorizer.build_analyzer()(texts[2]))
    mine = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True).fit(texts)
    expected = mine.transform([texts[0]]).toarray()[0]
    columns, values = ngram_features(texts[0], mine.vocabulary_, mine.idf_)
    got = np.zeros_like(expected)
    got[columns] = values
    assert np.allclose(got, expected, atol=1e-6)


def test_the_fitted_classifier_is_cached_as_plain_arrays_and_reloads_to_the_same_readings(layer, tmp_path):
    pieces = message_pieces(MessageView.of("description", "customer", "checkout is failing for all our customers"))
    first = layer.read(pieces)
    (cached,) = list((tmp_path / "cache").glob("semantic-bag-of-words-*.npz"))
    np.load(cached, allow_pickle=False).close()  # no pickled objects inside
    again = SemanticLayer(BagOfWords(), layer.examples, cache_dir=tmp_path / "cache")
    assert isinstance(again.fitted(), Fitted)
    assert again.embedder.encoded == 0, "the examples were not embedded again"
    assert again.read(pieces)[0].probability == pytest.approx(first[0].probability, abs=1e-6)
    assert fit_examples(BagOfWords(), layer.examples).embedding_weights.shape == again.fitted().embedding_weights.shape


def test_a_long_message_is_not_read_whole():
    view = MessageView.of("description", "customer", "A sentence that says something. " * 20)
    assert not any(p.whole for p in message_pieces(view))


def test_each_text_is_embedded_once_and_the_cache_keeps_no_text(layer):
    layer.fitted()
    before = layer.embedder.encoded
    t = ticket("Connect me with a human agent please. Connect me with a human agent please.")
    layer.refine(t, [])
    layer.refine(t, [])
    assert layer.embedder.encoded - before == 2, "the sentence once, and the message read whole once"
    assert all(isinstance(key, bytes) and len(key) == 16 for key in layer._readings)


def test_a_sentence_in_another_language_has_its_own_classifier_and_english_keeps_the_first(layer, tmp_path):
    layer.refine(ticket("The payment page is down for all our customers."), [])
    assert layer._fitted[True] is None, "English alone never fits the second classifier"
    layer.refine(ticket("Seit heute Morgen ist die Zahlungsseite für alle unsere Kunden nicht erreichbar."), [])
    assert layer._fitted[True] is not None
    assert len(layer._fitted[True].examples) == len(EXAMPLES), "nearest examples are the examples as written"
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2  # both cached


def test_the_examples_file_is_checked_line_by_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"label": "asks_for_human", "text": "a person please"}\n{"label": "nonsense", "text": "x"}\n',
                    encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_examples(path)


def test_the_bundled_examples_cover_every_label_in_several_languages():
    examples = read_examples()
    counts = {label: examples.labels.count(label) for label in LABELS}
    assert min(counts.values()) >= 30, counts
    assert len(set(examples.texts)) == len(examples.texts)


def test_a_short_message_is_also_read_in_its_clauses():
    text = "Our checkout has been down since noon, get an engineer on the phone right now"
    pieces = message_pieces(MessageView.of("description", "customer", text))
    assert [p.text for p in pieces if not p.clause and not p.whole] == [text]
    assert [p.text for p in pieces if p.clause] == [
        "Our checkout has been down since noon", "get an engineer on the phone right now"]
    assert all(sentence_of(p, pieces).text == text for p in pieces if p.clause)


def test_a_comma_cuts_only_between_two_clauses_of_several_words_and_only_in_a_short_message():
    few = message_pieces(MessageView.of("description", "customer", "Hi team, the export fails every night"))
    assert not any(p.clause for p in few), "'Hi team' is no clause"
    long_text = ("The export to our data warehouse fails every night, the job log shows a timeout. " * 6).strip()
    assert not any(p.clause for p in message_pieces(MessageView.of("description", "customer", long_text)))


def test_a_clause_counts_only_inside_a_sentence_that_reads_as_a_reason():
    text = "Thanks for getting the scanners back online, the service has been fine since then"
    pieces = message_pieces(MessageView.of("description", "customer", text))
    clause = next(p for p in pieces if p.clause)
    sentence = sentence_of(clause, pieces)
    assert not _sentence_is_a_reason(clause, pieces, {id(sentence): "resolved_or_thanks"})
    assert _sentence_is_a_reason(clause, pieces, {id(sentence): "outage"})


def test_two_reasons_in_one_line_are_both_found(layer):
    text = "the payment page is down for all our customers, connect me with a human agent please"
    signals = {f.signal for f in layer.refine(ticket(text), []) if f.strength > 0}
    assert {"outage", "asks_for_human"} <= signals


@pytest.mark.parametrize(
    "closing",
    ["Kind regards,\nMartina Keller\nHead of Legal | Northwind GmbH",
     "Mit freundlichen Grüßen\nJochen Weber\nWeber Steuerberatung\n--\n"
     "Diese E-Mail kann vertrauliche Informationen enthalten.",
     "Best,\nAnna\nThis email and any attachments are confidential and may be privileged.",
     "This message is confidential and intended only for the addressee.",
     "Regards,\nIngrid\n\nCONFIDENTIALITY: This e-mail and any attachments may contain confidential information."],
)
def test_the_signature_and_confidentiality_notice_are_not_read(closing):
    # A title ("Head of Legal"), a company or a notice ("may be privileged") read as reasons of their own.
    text = f"The invoice lists 45 seats instead of 30.\n\nPlease correct it.\n\n{closing}"
    pieces = [p.text for p in message_pieces(MessageView.of("description", "customer", text)) if not p.whole]
    assert pieces == ["The invoice lists 45 seats instead of 30.", "Please correct it."]


def test_a_customers_own_line_marked_confidential_is_read():
    text = "Confidential: our payroll export was sent to the wrong client.\nPlease call me."
    pieces = [p.text for p in message_pieces(MessageView.of("description", "customer", text)) if not p.whole]
    assert any(p.startswith("our payroll export was sent") for p in pieces), pieces


def test_a_closing_word_on_the_first_line_is_not_a_signature():
    text = "Thanks\nbut the export still fails for everyone."
    pieces = message_pieces(MessageView.of("description", "customer", text))
    assert any("export still fails" in p.text for p in pieces)


def test_a_closing_word_followed_by_more_of_the_message_does_not_end_it():
    text = "The import is stuck.\nThanks\nAlso, the CSV export still fails for every file since Monday morning."
    pieces = [p.text for p in message_pieces(MessageView.of("description", "customer", text)) if not p.whole]
    assert any("the CSV export still fails for every file" in piece for piece in pieces)
