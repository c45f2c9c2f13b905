"""Which embeddings a router trains with, and the static word-piece vectors."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from sidecar.intelligence.routing.embeddings import (
    AUTO_TRANSFORMER_MAX_TICKETS,
    BUNDLED_MINILM,
    BUNDLED_STATIC,
    StaticEmbedder,
    bundled_model_installed,
    embedding_model_for,
)

needs_model = pytest.mark.skipif(not bundled_model_installed(), reason="the embeddings extra is not installed")


def test_off_and_explicit_settings_are_taken_as_they_are():
    assert embedding_model_for("off", tickets=10) is None
    assert embedding_model_for("/models/mine", tickets=10) == "/models/mine"
    assert embedding_model_for(BUNDLED_STATIC, tickets=10) == BUNDLED_STATIC


@needs_model
def test_auto_picks_the_transformer_for_small_histories_and_static_vectors_for_large_ones():
    assert embedding_model_for("auto", tickets=AUTO_TRANSFORMER_MAX_TICKETS) == BUNDLED_MINILM
    assert embedding_model_for("auto", tickets=AUTO_TRANSFORMER_MAX_TICKETS + 1) == BUNDLED_STATIC
    assert embedding_model_for(None, tickets=100) == BUNDLED_MINILM


@needs_model
def test_static_vectors_put_meaning_before_words():
    embedder = StaticEmbedder(BUNDLED_MINILM)
    embedder.fit(["I was charged twice", "refund my payment", "the app crashes on start", "login fails"])
    refund, money_back, crash = embedder.encode(["please refund me", "I want my money back", "the app crashed"])
    assert np.linalg.norm(refund) == pytest.approx(1.0, abs=1e-5)
    assert refund @ money_back > refund @ crash  # no word shared with either


@needs_model
def test_a_pickled_static_embedder_keeps_its_weights_not_the_vectors():
    embedder = StaticEmbedder(BUNDLED_MINILM)
    embedder.fit(["refund my payment", "login fails"])
    before = embedder.encode(["refund please"])
    data = pickle.dumps(embedder)
    assert len(data) < 1_000_000  # the 30,522 x 384 vectors (47 MB) stay in the on-disk cache
    assert np.allclose(pickle.loads(data).encode(["refund please"]), before)
