"""A threat to leave is said in words: the layer's churn reading needs one in its sentence or its English gloss."""
from __future__ import annotations

import pytest

from sidecar.intelligence.semantic.cues import says_it


@pytest.mark.parametrize("sentence", [
    "If this isn't fixed by Friday we'll start moving to another provider.",
    "We are evaluating alternatives.",
    "Our renewal is in doubt after this month.",
    "We will not renew the contract unless this is fixed.",
    "Agar ye theek nahi hua toh hum contract renew nahi karenge.",
    "Management is reconsidering the whole relationship.",
    "This is the last straw.",
])
def test_a_threat_to_leave_names_leaving(sentence):
    assert says_it("churn_threat", sentence, sentence)


@pytest.mark.parametrize("sentence", [
    "We're ready to proceed with the renewal in principle.",
    "If it's coming this year I'll hold off on looking at workarounds.",
    "We'll need to correct the payouts and reissue statements.",
])
def test_a_sentence_near_one_in_topic_is_not_one(sentence):
    assert not says_it("churn_threat", sentence, sentence)


def test_the_english_gloss_counts_and_other_labels_need_no_words():
    assert says_it("churn_threat", "notre direction envisage de partir", "our management considers of leave")
    assert says_it("outage", "nothing loads", "nothing loads")


def test_an_unsure_neighbour_of_a_threat_gives_no_churn_reading(assess):
    assessment = assess("Quick one: is an Amazon Business punchout catalog on your roadmap? If it's coming this year "
                        "I'll hold off on looking at workarounds.", organization={"tier": "enterprise"})
    assert not assessment.categories, assessment.signals
