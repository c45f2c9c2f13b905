"""The semantic layer's sentence model: all-MiniLM-L6-v2 with int8 matrix products, derived once per machine.

The layer embeds every new sentence a customer writes, which made it most of an assessment's cost (28 ms of
CPU for a demo ticket's 47 pieces). The bundled model.onnx stores int8 weights but computes in float: its
weights are cast back when the session loads. Dynamic quantization (onnxruntime.quantization, which needs
the `onnx` package) rewrites the graph so the matrix products themselves run in int8, with the
activations quantized per batch, except the six feed-forward output projections (their inputs, a GELU's
output, have the widest range in the network and lose most to one int8 scale). Decision, measured
2026-12-06 on the 2-core development machine under load, the layer refitted on the same examples for each:

| model | CPU per piece | cosine to float | own set micro-F1 | bitext F1 | seamonkey P1-P3 ROC-AUC |
|---|---|---|---|---|---|
| float (the bundled file as is) | 8.1 ms | 1 | 0.860 | 0.827 | 0.796 |
| every product int8 | 2.7 ms | 0.956 | 0.855 | 0.825 | 0.771 |
| int8 except the feed-forward outputs (this) | 4.5 ms | 0.994 | 0.855 | 0.825 | 0.795 |

It reads as the float model does for two thirds of the CPU of a fresh assessment.

Weights are unsigned (U8U8), not onnxruntime's default signed int8 (U8S8), since 2026-12-06 (`semantic-4`).
For U8S8 products, x86 CPUs without VNNI (AVX2 and plain AVX-512: most servers before 2019-2021, AMD
before Zen 4) use VPMADDUBSW, which adds pairs of products in 16 bits and saturates; CPUs with VNNI do
not. So the same ticket could read differently by the server it ran on: the same code and examples gave
the own set micro-F1 0.887 on one session's machine and 0.880 on the next (cause not proven: this machine
has VNNI and the other's flags were not recorded). U8U8 products are widened to 16 bits before they are
multiplied and are exact everywhere; what still differs between CPUs is float rounding. Measured on this
machine (AVX-512 VNNI), the own set's 282 descriptions: 7.65 -> 8.18 ms of CPU a text, cosine to the float
model 0.9947 -> 0.9949 (min 0.9859 -> 0.9861), own set micro-F1 0.880 -> 0.883. Its embeddings still
differ slightly from the float model's, so only the layer
uses it: its classifier is fitted on the same model's embeddings of the examples. Routing and similar-incident
search keep the float model, whose vectors are stored (a router's training set, the history's embeddings);
a router trained on the all-int8 model's embeddings routed worse (banking77: 0.927 against 0.931 accuracy,
out-of-scope recall 0.783 against 0.792).

The derived file lives in SIDECAR_MODEL_CACHE, named by the pinned model's digest and onnxruntime's
version (another version may quantize differently), and is made from the sha256-checked model only. It is
written whole or not at all. Without the `onnx` package, or where the cache cannot be written, the layer
uses the float model (and says so once in the log).
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sidecar.intelligence.routing import embeddings, minilm_onnx

log = logging.getLogger("sidecar.semantic")

RECIPE = "dynamic-u8u8-ffn-float"  # how the copy is derived (quantized_model): part of its file's and the layer's names
RUNTIME_ID = minilm_onnx.MODEL_ID.replace("-int8", "") + "-" + RECIPE  # the embedder's name

_lock = threading.Lock()


class QuantizedEmbedder:
    """Sentence embeddings from the int8-computing copy of the bundled model (derived on first use)."""

    def __init__(self, model: Path):
        self._encoder = minilm_onnx.Encoder(model)

    @property
    def name(self) -> str:
        """A stable name for the model and its runtime (names the layer's fitted classifier in the cache)."""
        return RUNTIME_ID

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, each text run alone.

        Alone, because the activations' int8 scale is taken over the whole batch: batched with other
        sentences, a sentence's embedding moved (cosine 0.993-0.996 to itself alone), enough to turn a
        reading near the threshold, so the same ticket could score differently with another ticket's
        sentences in the batch or in another process. One run per text costs no more here (no padding;
        7.7 against 9.0 ms of CPU a piece, 244 pieces of the own test set, 2026-12-06)."""
        return self._encoder.encode(texts, batch=1)


def semantic_embedder():
    """The layer's embedder: the int8-computing model where it can be derived, else the float model."""
    try:
        return QuantizedEmbedder(quantized_model())
    except (ImportError, OSError, ValueError) as exc:  # no `onnx`, a read-only cache, an unreadable model
        log.warning("the semantic layer runs the float model (1.5x the CPU): cannot derive its int8 copy: %s", exc)
        return embeddings.make_embedder(embeddings.BUNDLED_MINILM)


def quantized_model() -> Path:
    """The int8-computing copy of the pinned model.onnx: from the model cache, or derived now (seconds)."""
    import onnxruntime

    cache = embeddings.model_cache_dir()
    path = cache / f"minilm-{minilm_onnx.MODEL_SHA256[:16]}-{RECIPE}-ort{onnxruntime.__version__}.onnx"
    with _lock:
        if path.exists():
            return path
        source = minilm_onnx.model_path()
        minilm_onnx.verify(source)  # derived only from the pinned file
        from onnxruntime.quantization import QuantType, quantize_dynamic

        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache, prefix="minilm-derive-") as work:
            folded = Path(work) / "folded.onnx"
            # The int8 weights and their casts folded into float initialisers: the graph quantize_dynamic reads.
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
            options.optimized_model_filepath = str(folded)
            options.log_severity_level = 3
            onnxruntime.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
            partial = Path(work) / "quantized.onnx"
            quiet = _DropAdvice()
            logging.getLogger().addFilter(quiet)  # its advice to pre-process is logged at WARNING on every call
            try:
                # Unsigned weights (U8U8): with signed ones (U8S8) x86 CPUs without VNNI sum pairs of
                # products in 16 bits (VPMADDUBSW), which saturates, so a ticket's score would depend on
                # the server's CPU; U8U8 products are exact on every x86 CPU (module docstring).
                quantize_dynamic(str(folded), str(partial), weight_type=QuantType.QUInt8,
                                 nodes_to_exclude=_feed_forward_outputs(folded))
            finally:
                logging.getLogger().removeFilter(quiet)
            os.replace(partial, path)  # whole or absent: another process may be deriving the same file
        log.info("derived the semantic layer's int8 model in %s", path)
        return path


def _feed_forward_outputs(model: Path) -> list[str]:
    """The matrix products that project a layer's feed-forward activations back to the hidden size (weights
    of 1,536 x 384: wider in than out).

    Their inputs, a GELU's output, have the widest range in the network (the known outliers of BERT-like
    models), so one int8 scale per batch loses most there: kept in float, the embeddings agree with the
    float model's to cosine 0.994 instead of 0.956, for about 10% more CPU than quantizing every product."""
    import onnx

    graph = onnx.load(str(model)).graph
    shapes = {initialiser.name: list(initialiser.dims) for initialiser in graph.initializer}
    return [node.name for node in graph.node if node.op_type == "MatMul" and len(node.input) == 2
            and len(shapes.get(node.input[1], [])) == 2 and shapes[node.input[1]][0] > shapes[node.input[1]][1]]


class _DropAdvice(logging.Filter):
    """Drops onnxruntime.quantization's advice to pre-process the model (shape inference gains nothing here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()
