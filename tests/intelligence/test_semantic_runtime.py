"""The semantic layer's int8-computing model: derived once from the pinned model, close to it, and optional."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from sidecar.intelligence.routing import minilm_onnx
from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, OnnxEmbedder, bundled_model_installed
from sidecar.intelligence.semantic import LAYER_VERSION, SemanticLayer, runtime
from sidecar.intelligence.semantic.examples import bundled_examples

needs_model = pytest.mark.skipif(not bundled_model_installed(), reason="the embeddings extra is not installed")

SENTENCES = [
    "We were charged twice for the same invoice this month.",
    "Since this morning nobody on our team can log in.",
    "cn i pls tlk 2 a real persn",
    "Thanks, the export works again.",
    "Necesito hablar con una persona, el bot no me ayuda.",
]


@needs_model
def test_the_int8_model_is_derived_once_and_reads_sentences_as_the_float_model_does():
    path = runtime.quantized_model()
    assert path.exists() and minilm_onnx.MODEL_SHA256[:16] in path.name
    stamp = path.stat().st_mtime_ns
    assert runtime.quantized_model() == path and path.stat().st_mtime_ns == stamp  # from the cache

    quantized = runtime.QuantizedEmbedder(path).encode(SENTENCES)
    exact = OnnxEmbedder().encode(SENTENCES)
    assert quantized.shape == exact.shape == (len(SENTENCES), minilm_onnx.HIDDEN_SIZE)
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-5)
    agreement = np.einsum("ij,ij->i", quantized, exact)
    assert agreement.min() > 0.95 and agreement.mean() > 0.98  # measured: 0.994 on average (0.956 quantizing all)
    # Still a sentence model: each sentence nearest its own float embedding, not another's.
    assert list(np.argmax(quantized @ exact.T, axis=1)) == list(range(len(SENTENCES)))


@needs_model
def test_a_sentence_reads_the_same_whatever_it_is_embedded_with():
    # The int8 activations' scale is per run: batched with others, a sentence's vector moved enough to turn
    # a reading. Each text runs alone, so a ticket's score does not depend on what else was read with it.
    embedder = runtime.QuantizedEmbedder(runtime.quantized_model())
    alone = np.vstack([embedder.encode([sentence]) for sentence in SENTENCES])
    together = embedder.encode(SENTENCES + ["a much longer line of text " * 12])[:len(SENTENCES)]
    assert np.array_equal(alone, together)


@needs_model
def test_it_is_derived_only_from_the_pinned_model(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDECAR_MODEL_CACHE", str(tmp_path / "cache"))
    other = tmp_path / "model.onnx"
    other.write_bytes(b"not the pinned model")
    monkeypatch.setattr(minilm_onnx, "model_path", lambda: other)
    with pytest.raises(minilm_onnx.EmbeddingsUnavailable, match="not the pinned"):
        runtime.quantized_model()
    assert not list((tmp_path / "cache").glob("*.onnx"))


def test_without_the_onnx_package_the_layer_runs_the_float_model(monkeypatch, caplog, tmp_path):
    def no_onnx():
        raise ImportError("No module named 'onnx'")

    monkeypatch.setattr(runtime, "quantized_model", no_onnx)
    with caplog.at_level(logging.WARNING, logger="sidecar.semantic"):
        embedder = runtime.semantic_embedder()
    assert embedder.name == minilm_onnx.MODEL_ID and embedder.location == BUNDLED_MINILM
    assert "runs the float model" in caplog.text and "No module named 'onnx'" in caplog.text
    # A score read by the float model says so in its model_version.
    layer = SemanticLayer(embedder, bundled_examples())
    assert layer.version.endswith(f"+{minilm_onnx.MODEL_ID}") and layer.version.startswith(f"{LAYER_VERSION}:")
    assert not SemanticLayer(runtime.QuantizedEmbedder(tmp_path / "x.onnx"), bundled_examples()).version.count("+")


@needs_model
def test_its_integer_products_take_unsigned_weights():
    # Signed int8 weights (U8S8) saturate in 16-bit pair sums on x86 CPUs without VNNI, so a score would depend
    # on the server's CPU; unsigned ones (U8U8) are exact on every x86 CPU.
    import onnx

    graph = onnx.load(str(runtime.quantized_model())).graph
    weights = {i.name: i for i in graph.initializer}
    quantized = [node for node in graph.node if node.op_type in ("MatMulInteger", "DynamicQuantizeMatMul")]
    assert quantized, "no integer matrix products: not the int8-computing model"
    for node in quantized:
        weight = weights[node.input[1]]
        assert weight.data_type == onnx.TensorProto.UINT8, f"{node.name} takes {weight.data_type} weights"
