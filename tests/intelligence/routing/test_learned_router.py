"""The learned router: routes paraphrases to the team that handled similar tickets, abstains off-topic."""
from __future__ import annotations

import pytest

from sidecar.intelligence.routing.embeddings import (
    BUNDLED_MINILM,
    BUNDLED_STATIC,
    bundled_model_installed,
)
from sidecar.intelligence.routing.learned_router import RouterModel, ticket_text
from sidecar.intelligence.routing.training import train_router
from sidecar.intelligence.ticket import ticket_from_mapping

HISTORY = {
    "billing": [
        "I was charged twice for my subscription this month, please refund the duplicate charge.",
        "Can I get a refund for the annual plan? We cancelled after two weeks.",
        "Our invoice shows the wrong amount, we are on the 20 seat plan not 50 seats.",
        "The credit card payment failed and now the account says past due.",
        "Please send a copy of the invoice with our VAT number on it.",
        "We were billed after we cancelled the subscription, we want our money back.",
        "How do I update the credit card used for billing?",
        "The renewal charge is higher than the price we agreed, please correct the invoice.",
        "Refund request: duplicate payment on order 4411.",
        "Why was my card charged a prorated amount when we added seats?",
        "Our bank statement shows a charge from you that we do not recognise.",
        "Please switch us from monthly to annual billing and credit the difference.",
        "The receipt for last month's payment is missing from the billing page.",
        "We need the invoice addressed to our finance department, not to me.",
        "You charged sales tax although we are tax exempt, please refund it.",
    ],
    "platform": [
        "The dashboard returns a 502 error for every user since this morning.",
        "API requests are timing out, our integration is down.",
        "Webhooks stopped firing after your deploy last night.",
        "The app is extremely slow, pages take a minute to load.",
        "We get 500 internal server error when exporting reports.",
        "Login page is down, nobody on our team can sign in, outage?",
        "Sync job has been stuck in pending for six hours.",
        "Data import crashes halfway with a timeout error.",
        "Your status page says operational but the service is down for us.",
        "Scheduled jobs are failing with error 503 service unavailable.",
        "Search returns no results at all since the upgrade, it looks broken.",
        "The mobile app crashes on launch after the latest release.",
        "Attachments fail to upload with a network error.",
        "Error rate spiked and the service is unstable for all our users.",
        "Reports show stale data, the nightly sync did not run.",
    ],
    "legal": [
        "Please delete all personal data you hold about me under GDPR.",
        "We need a signed data processing agreement (DPA) before rollout.",
        "Do you have a SOC 2 report and a security questionnaire we can review?",
        "Where is customer data stored? We need EU data residency for compliance.",
        "A user requested a copy of their personal data, a subject access request.",
        "Our legal team needs your list of subprocessors and the privacy policy.",
        "Is the platform HIPAA compliant and will you sign a BAA?",
        "We suspect a data breach, an unknown user accessed our records.",
        "Please confirm how long you retain our data after contract termination.",
        "Can you review our redlines to the master services agreement?",
        "Our privacy officer asks whether you are GDPR compliant and where the DPA is.",
        "We need your security and compliance documentation for our audit.",
        "Please sign our NDA before we share the contract details.",
        "Can you confirm encryption at rest for our personal data?",
        "We received a legal hold notice and must preserve all records.",
    ],
    "sales": [
        "We'd like a quote for 200 seats on the enterprise plan.",
        "Can we schedule a demo for our leadership team next week?",
        "What discounts do you offer for nonprofits or annual commitments?",
        "We want to upgrade from the team plan to enterprise, who should we talk to?",
        "Is there a trial of the premium tier we can evaluate?",
        "Please send pricing for adding the analytics add-on for 30 users.",
        "We are comparing vendors, can your account executive call us?",
        "How much would it cost to expand our contract to a second business unit?",
        "Do you offer volume pricing for more than 1000 users?",
        "Interested in purchasing licenses for our new office in Berlin.",
        "Can you send a proposal with pricing for three years?",
        "Our procurement team wants a quote before the end of the quarter.",
        "Looking to buy more seats, what would the price be?",
        "Could your sales team walk us through the enterprise features?",
        "We are evaluating your product and want to talk about a pilot.",
    ],
}
OFF_TOPIC = [
    "What's the weather going to be like in Paris tomorrow?",
    "Give me a good recipe for chocolate cake.",
    "Can you recommend a good hotel in Rome?",
]


def _training():
    texts = [text for team in HISTORY.values() for text in team]
    groups = [name for name, team in HISTORY.items() for _ in team]
    return texts, groups


@pytest.fixture(scope="module", params=[None, BUNDLED_STATIC, BUNDLED_MINILM],
                ids=["tfidf", "tfidf+static-minilm", "tfidf+minilm"])
def router(request) -> RouterModel:
    """Both feature sets the product ships must route and abstain the same way on these tickets."""
    if request.param and not bundled_model_installed():
        pytest.skip("the embeddings extra is not installed")
    texts, groups = _training()
    return train_router(texts, groups, embedding_model=request.param)


@pytest.mark.parametrize("text, team", [
    ("You charged our card two times, we need one of the payments refunded.", "billing"),
    ("Wrong total on the latest invoice, please fix it.", "billing"),
    ("Everything is down, getting 502 bad gateway errors on the dashboard.", "platform"),
    ("The API keeps timing out since your deploy.", "platform"),
    ("Under GDPR I want my personal data erased.", "legal"),
    ("Can you send us your DPA and SOC 2 report for our security review?", "legal"),
    ("How much for 500 seats on the enterprise plan? Need a quote.", "sales"),
    ("We would like a demo and pricing for the premium tier.", "sales"),
])
def test_routes_paraphrases_to_the_team_that_handled_them(router, text, team):
    decision = router.route(text)
    assert decision.group == team, decision
    assert not decision.abstained
    assert decision.ranked[0][0] == team
    assert team in decision.reason


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_abstains_on_tickets_unlike_any_teams_work(router, text, request):
    if text == OFF_TOPIC[0] and router.settings["embedding_model"] == BUNDLED_STATIC:
        # A known limit, kept visible: with 60 past tickets the static vectors find "what will the weather be
        # like" close to "what would the price be" and the gate lets it through (on banking77 they abstain on
        # 76% of off-domain tickets, TF-IDF alone on 41%).
        request.applymarker(pytest.mark.xfail(strict=True, reason="static vectors, 60-ticket history"))
    decision = router.route(text)
    assert decision.abstained, decision
    assert decision.group is None
    assert "unlike" in decision.reason


def test_rank_gives_k_groups_best_first_with_probabilities(router):
    ranked = router.rank("Refund the duplicate charge on my card", k=3)
    assert len(ranked) == 3
    assert ranked[0][0] == "billing"
    probabilities = [p for _, p in ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities) and sum(probabilities) <= 1.0 + 1e-6
    assert len(router.rank("anything", k=10)) == 4  # never more than the groups it knows


def test_model_knows_its_groups_and_version(router):
    assert router.groups == ("billing", "legal", "platform", "sales")
    assert router.version.startswith("router-") and len(router.version) == len("router-") + 12
    texts, groups = _training()
    embedding_model = router.settings["embedding_model"]
    assert train_router(texts, groups, embedding_model=embedding_model).version == router.version  # same history
    assert train_router(texts[1:], groups[1:], embedding_model=embedding_model).version != router.version


def test_round_trip_keeps_decisions_and_version(router):
    restored = RouterModel.from_bytes(router.to_bytes())
    assert restored.version == router.version
    for text in ["Refund my duplicate charge", "Service is down with 503 errors", OFF_TOPIC[0]]:
        assert restored.route(text) == router.route(text)


def test_from_bytes_rejects_what_it_did_not_write():
    with pytest.raises(ValueError):
        RouterModel.from_bytes(b"not a model")
    import pickle

    with pytest.raises(ValueError):
        RouterModel.from_bytes(pickle.dumps({"format": "something-else"}))


def test_tickets_without_a_group_are_learned_from_but_never_predicted():
    texts, groups = _training()
    off_topic_history = ["Can you recommend a good hotel in Rome?", "What time does the football game start?",
                         "Tell me a joke about cats.", "How tall is the Eiffel tower?",
                         "What is the capital of Australia?", "Play some jazz music please."]
    model = train_router(texts + off_topic_history, groups + [None] * len(off_topic_history))
    assert model.groups == ("billing", "legal", "platform", "sales")
    assert model.route("I was charged twice, refund one payment please.").group == "billing"
    decision = model.route("Which hotel in Paris has the best view of the Eiffel tower?")
    assert decision.abstained and decision.group is None
    assert all(group is not None for group, _ in decision.ranked)


def test_predict_many_matches_route(router):
    texts = ["Invoice has the wrong VAT number", "Webhooks are failing", OFF_TOPIC[1]]
    batch, single = router.predict_many(texts), [router.route(text) for text in texts]
    # The same decisions; a transformer encodes a padded batch a few float32 ulps differently from one text.
    assert [(d.group, d.abstained, [g for g, _ in d.ranked]) for d in batch] == \
        [(d.group, d.abstained, [g for g, _ in d.ranked]) for d in single]
    for one, other in zip(batch, single, strict=True):
        assert one.confidence == pytest.approx(other.confidence, abs=1e-4)
        assert one.similarity == pytest.approx(other.similarity, abs=1e-4)
    assert router.predict_many([]) == []


def test_ticket_text_is_subject_description_and_customer_comments():
    ticket = ticket_from_mapping({
        "id": "1", "subject": "Refund", "description": "Charged twice",
        "comments": [{"author": "agent", "body": "Looking into it"}, {"author": "customer", "body": "Any news?"}],
    })
    assert ticket_text(ticket) == "Refund\nCharged twice\nAny news?"


def test_training_rejects_bad_input():
    with pytest.raises(ValueError, match="texts but"):
        train_router(["a", "b"], ["billing"])
    with pytest.raises(ValueError, match="group"):
        train_router(["a", "b"], [None, None])


def test_a_large_history_is_sampled_per_group_and_still_counted():
    texts, groups = _training()  # 15 tickets per group
    model = train_router(texts, groups, max_rows_per_group=5)  # reads at most 10 per group
    assert model.trained_on == len(texts)
    assert model.route("I was charged twice, refund one payment please.").group == "billing"
    assert model.route("The API keeps timing out since your deploy.").group == "platform"
