"""Re-ranking full-text candidates: the duplicate first, scores 0..1, and features that match a plain reference."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest

from sidecar.intelligence.similarity import rerank, similarity_signals
from sidecar.intelligence.similarity.features import (
    STOP_WORDS,
    char_ngram_hashes,
    tfidf_cosines,
    word_hashes,
)


@dataclass(frozen=True)
class Past:
    """A candidate as search returns it (only what the re-ranker reads, plus an id)."""

    external_id: str
    subject: str
    text: str


def past(external_id: str, subject: str, body: str = "") -> Past:
    return Past(external_id, subject, f"{subject}\n{body}")


POOL = [
    past("1", "Invoice shows wrong VAT", "The invoice for October charges 21% VAT."),
    past("2", "App crashes on startup after update", "Since version 4.2 the iOS app crashes when it starts."),
    past("3", "Cannot reset password", "The reset e-mail never arrives."),
    past("4", "Dashboard loads slowly", "The analytics dashboard takes a minute to load."),
]


def ids(ranked) -> list[str]:
    return [candidate.external_id for candidate, _ in ranked]


def test_the_same_problem_in_other_words_comes_first():
    query = "iOS app crashed at start-up\nAfter updating to 4.2 the app crashes immediately when starting."

    ranked = rerank(query, POOL, query_subject="iOS app crashed at start-up")

    assert ids(ranked)[0] == "2"


def test_scores_are_between_0_and_1_best_first():
    ranked = rerank("Invoice VAT wrong\nOctober invoice has the wrong VAT", POOL, query_subject="Invoice VAT wrong")

    scores = [score for _, score in ranked]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert ids(ranked)[0] == "1"


def test_a_ticket_identical_to_a_candidate_scores_1():
    ranked = rerank(POOL[2].text, POOL, query_subject=POOL[2].subject)

    assert ids(ranked)[0] == "3"
    assert ranked[0][1] == pytest.approx(1.0)


def test_a_single_candidate_still_gets_a_real_score():
    ranked = rerank("CSV export returns error 500\nThe CSV export gives a 500 error.",
                    [past("1", "Export to CSV fails")])

    assert 0.1 < ranked[0][1] < 1.0


def test_no_candidates_and_empty_queries_are_fine():
    assert rerank("anything", []) == []
    ranked = rerank("", POOL, query_subject="")
    assert ids(ranked) == ["1", "2", "3", "4"]  # nothing to go on: the full-text order stays
    assert all(score == 0.0 for _, score in ranked)


def test_without_a_query_subject_the_first_line_stands_in():
    ranked = rerank("Cannot reset password\nno e-mail arrives", POOL)

    assert ids(ranked)[0] == "3"


def test_a_candidate_without_subject_is_not_ranked_down_for_it():
    no_subject = Past("5", "", "Password reset e-mail never arrives, cannot reset password")
    ranked = rerank("Cannot reset password\nThe reset e-mail never arrives", [POOL[0], no_subject, POOL[3]],
                    query_subject="Cannot reset password")

    assert ids(ranked)[0] == "5"


def test_subject_weight_moves_the_balance():
    query, subject = "Dashboard slow\nThe October invoice page is slow", "Dashboard slow"

    by_text = rerank(query, POOL, query_subject=subject, subject_weight=0.0)
    by_subject = rerank(query, POOL, query_subject=subject, subject_weight=1.0)

    assert ids(by_subject)[0] == "4"
    assert ids(by_text)[0] == "1"


def test_the_embedding_cosine_joins_the_mean_with_an_equal_say():
    query, subject = "Dashboard slow\nThe October invoice page is slow", "Dashboard slow"
    signals = similarity_signals(query, POOL, query_subject=subject)
    cosines = np.array([0.2, 0.9, 0.5, 0.1])

    ranked = dict((c.external_id, score) for c, score in rerank(query, POOL, query_subject=subject, embedding=cosines))

    expected = (signals.text + signals.subject + cosines) / 3.0
    assert [ranked[c.external_id] for c in POOL] == pytest.approx(list(expected))


def test_a_candidate_without_a_stored_vector_keeps_the_mean_of_the_other_two():
    query, subject = "Cannot reset password\nThe reset e-mail never arrives", "Cannot reset password"
    without = dict((c.external_id, s) for c, s in rerank(query, POOL, query_subject=subject))
    cosines = np.array([0.0, 0.0, np.nan, 0.0])  # "3" has no vector yet; the others look unrelated

    ranked = rerank(query, POOL, query_subject=subject, embedding=cosines)

    assert ids(ranked)[0] == "3"
    assert dict((c.external_id, s) for c, s in ranked)["3"] == pytest.approx(without["3"])
    assert all(not math.isnan(score) for _, score in ranked)


def test_negative_embedding_cosines_count_as_no_similarity():
    query, subject = "Invoice VAT wrong\nOctober invoice has the wrong VAT", "Invoice VAT wrong"

    zero = rerank(query, POOL, query_subject=subject, embedding=np.zeros(len(POOL)))
    negative = rerank(query, POOL, query_subject=subject, embedding=np.full(len(POOL), -0.7))

    assert [s for _, s in negative] == pytest.approx([s for _, s in zero])


def test_signals_are_one_per_candidate():
    signals = similarity_signals("app crashes", POOL, query_subject="app crashes")

    assert signals.text.shape == signals.subject.shape == (len(POOL),)


# A plain-Python reference for the vectorised features: counts per feature, then TF-IDF cosines.
_WORD = re.compile(r"[^\W_]+")


def reference_words(text: str) -> Counter:
    counts = Counter(_WORD.findall(text.lower()))
    for word in set(STOP_WORDS) & set(counts):
        del counts[word]
    return counts


def reference_ngrams(text: str, sizes=(3, 4, 5)) -> Counter:
    normalised = " " + " ".join(_WORD.findall(text.lower())) + " "
    return Counter(normalised[i:i + n] for n in sizes for i in range(len(normalised) - n + 1))


def reference_cosines(query: Counter, documents: list[Counter]) -> np.ndarray:
    pool = [query, *documents]
    frequency = Counter(feature for counts in pool for feature in counts)
    idf = {feature: math.log((2 + len(pool)) / (1 + df)) for feature, df in frequency.items()}

    def vector(counts):
        return {feature: (1 + math.log(count)) * idf[feature] for feature, count in counts.items()}

    def norm(v):
        return math.sqrt(sum(x * x for x in v.values()))

    q = vector(query)
    out = []
    for counts in documents:
        d = vector(counts)
        denominator = norm(q) * norm(d)
        out.append(sum(w * d.get(f, 0.0) for f, w in q.items()) / denominator if denominator else 0.0)
    return np.array(out)


TEXTS = [
    "SeaMonkey 2.53.7 crashes on start-up (macOS 13 Ventura)",
    "Crash at startup on macOS Ventura, version 2.53.7.1",
    "Überweisung fehlgeschlagen: Fehler E-4031 bei café-Zahlung",
    "İstanbul office: ﬁle upload fails with ERR_UPLOAD_TOO_LARGE",
    "日本語のチケット：ログインできません",
    "emoji 🎉 in the subject, and the the the repeated words",
    "",
    "a b c",
]


@pytest.mark.parametrize("query", TEXTS[:3])
def test_vectorised_word_cosines_match_the_reference(query):
    expected = reference_cosines(reference_words(query), [reference_words(t) for t in TEXTS])

    actual = tfidf_cosines(*word_hashes([query, *TEXTS]), len(TEXTS) + 1)

    assert actual == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("query", TEXTS[:3])
def test_vectorised_ngram_cosines_match_the_reference(query):
    expected = reference_cosines(reference_ngrams(query), [reference_ngrams(t) for t in TEXTS])

    actual = tfidf_cosines(*char_ngram_hashes([query, *TEXTS]), len(TEXTS) + 1)

    assert actual == pytest.approx(expected, abs=1e-12)


def test_word_features_are_the_words_without_function_words():
    rows, hashes = word_hashes(["The app crashes", "the the"])

    assert list(rows) == [0, 0]  # "app", "crashes"; the second text is only function words
    assert len(set(hashes)) == 2
