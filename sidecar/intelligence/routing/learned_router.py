"""The learned router: which team handled tickets like this one, or "none of them" (abstain).

How a ticket is routed
----------------------
1. Text: subject, description and the customer's comments (ticket_text), cut to TEXT_LIMIT characters.
2. Features: TF-IDF word 1-2-grams plus char_wb 2-5-grams (sublinear tf). Characters survive typos and
   product-name variants; words carry the phrases. With embedding_model=... a sentence embedding is
   appended (see routing/embeddings.py: static word-piece vectors by default, or the transformer itself),
   embedded only for the rows training reads.
3. Ranking: one-vs-rest linear SVMs (LinearSVC), at most max_rows_per_group tickets per group. On
   banking77 the SVM is as accurate as logistic regression (0.914 vs 0.917) at a tenth of the training
   time, which is what keeps 100k tickets under two minutes. Scores become probabilities through
   softmax(T * score), T fitted on out-of-fold scores (log-loss), so "0.8" means right about 80% of the
   time. With embeddings, each group's score also gets its closest past ticket's embedding similarity
   (a kNN vote: +0.25 points on banking77; none measured in TF-IDF space, so not used there).
   These features are saturated on banking77 (3-fold cross-validation on its training set, top-1, 2026-12-06):
   C 0.25 / 0.5 / 1 and embedding weight 1 / 2 / 3 all give 0.927-0.928, as do a max-pooled embedding or the
   static vectors as a further view and separate per-view SVMs averaged. A kNN weight chosen by
   cross-validation (3 rather than 1) gained 0.1-0.2 points in-scope but cost the gate 1-6 points of
   out-of-scope recall, so it stays at 1.
   A small neural head (scikit-learn's MLPClassifier, 512 or 1,024 hidden units, over the embedding) was
   tried 2026-12-07 on banking77 train -> test, top-1 before abstaining: 0.908 / 0.924 alone against 0.941
   for these SVMs, and +0.1-0.3 points averaged with them: not kept (frozen MiniLM features are the limit).
4. Abstaining: the router abstains when the ticket is unlike any team's work. An in-scope score (the
   "gate") is a weighted sum of standardised signals, each larger when the ticket looks more in scope:
     - log P(top group), the calibrated confidence;
     - similarity to the closest past ticket of the top group, and the mean of the 3 closest past tickets
       of any group. Similarity is the cosine of sentence embeddings when configured, else of content-word
       TF-IDF vectors (stop words dropped) in which words history never saw still count in the ticket's
       length: a ticket sharing one word in five with the history is 20% familiar, not a perfect match.
       With embeddings the content-word similarities are read as well (two more signals): meaning and
       familiar words are different evidence;
     - the known share: how much of the ticket's content-word weight history has seen
       ("weather", "Paris" and "tomorrow" are unseen in a help desk's history);
     - with out-of-scope history (group None): P(out-of-scope class) and how much closer the ticket is to
       its nearest in-scope past ticket than to its nearest out-of-scope one.
   The weights come from a logistic regression on out-of-fold tickets (routing/gate.py): positives are
   in-scope tickets scored by a model that knew their group; negatives are tickets of groups held out of
   that model (a team it never saw is what out of scope looks like from inside: holdout_groups of them per
   fold) and the real out-of-scope tickets, if any, sharing the negatives' weight as cross-validation over
   the real ones chooses. Weights are kept non-negative, and each keeps at least gate.GATE_WEIGHT_FLOOR
   of the largest: held-out teams are near misses from the same product, which cannot teach how far-off
   tickets look. The threshold is set on the same out-of-fold tickets: the highest gate at which at most
   max_lost (default 1.5%) of the in-scope tickets the model routes correctly would be given up. Abstaining
   on a ticket it would have misrouted costs nothing, so a weak model abstains more and a strong one less.
   Calibration uses at most calibration_rows tickets, which is plenty for a threshold and keeps 100k fast.
   Tried as further gate signals and not kept (banking77, 2026-12-06): the margin of the top group over the
   runner-up and the top group's raw score (each: out-of-scope recall +1.5 to +2.4 points on held-out teams
   but -1.1 / -2.5 on off-domain requests with embeddings, the other way round with TF-IDF alone: they move
   the gate's weight from familiarity to confidence rather than separate better), and the Mahalanobis
   distance of the embedding to the nearest group mean (recall down 0.4-3.7 points).

Models are pickled (to_bytes): only load bytes this service wrote, since unpickling runs code. A model
that uses embeddings stores where the weights are, not the weights: they must be there when it loads.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sidecar.intelligence.model_envelope import dump_model, load_model
from sidecar.intelligence.routing.embeddings import SentenceEmbedder  # noqa: F401 (lived here: old pickles)
from sidecar.intelligence.ticket import Ticket

MODEL_FORMAT = "sidecar-router-model"
MODEL_FORMAT_VERSION = 1
TEXT_LIMIT = 3000  # characters read; routing is decided by the opening of a ticket
CHAR_LIMIT = 800  # characters that get char n-grams: they cost per character (half a long ticket's route time)
EMBEDDING_WEIGHT = 2.0  # the embedding's share of the linear features (unit vector scaled); best of 0.5/1/2
PARALLEL_ROWS = 5000  # fits on at least this many rows use both cores
KNN_BOOST = 1.0  # embedding similarity to a group's closest ticket, added to its score: +0.25 points on banking77
_QUERY_CHUNK = 1024  # rows per similarity block: bounds memory at chunk x index floats


def ticket_text(ticket: Ticket) -> str:
    """The text a router reads: subject, description and what the customer wrote."""
    return "\n".join(text for _, text in ticket.customer_messages())


@dataclass(frozen=True)
class RouterDecision:
    """Where a ticket should go: a group, or None when the router abstains, with how sure and why."""

    group: str | None
    confidence: float  # calibrated probability of the top group
    ranked: tuple[tuple[str, float], ...]  # best groups first, with probabilities
    abstained: bool
    reason: str
    similarity: float = 0.0  # cosine similarity to the closest past ticket of the top group


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


class _SimilarityIndex:
    """Past tickets' unit vectors sorted by group, answering per-group nearest similarities."""

    def __init__(self, vectors, labels: np.ndarray, n_groups: int):
        order = np.argsort(labels, kind="stable")
        # Kept transposed (features x examples, CSR when sparse): query @ this is the fast orientation.
        ordered = vectors[order]
        self.vectors_t = ordered.T.tocsr() if hasattr(ordered, "tocsr") else np.ascontiguousarray(ordered.T)
        self.labels = labels[order]
        self.n_groups = n_groups
        present = np.unique(self.labels)
        self.starts = np.searchsorted(self.labels, present)
        self.present = present

    def similarities(self, queries) -> tuple[np.ndarray, np.ndarray]:
        """(n x n_groups best similarity per group, -1 where a group has no example; n mean of top 3)."""
        n = queries.shape[0]
        by_group = np.full((n, self.n_groups), -1.0, dtype=np.float32)
        top3 = np.zeros(n, dtype=np.float32)
        if self.vectors_t.shape[1] == 0:
            return by_group, top3
        for start in range(0, n, _QUERY_CHUNK):
            block = queries[start:start + _QUERY_CHUNK] @ self.vectors_t
            block = np.asarray(block.toarray() if hasattr(block, "toarray") else block, dtype=np.float32)
            by_group[start:start + block.shape[0], self.present] = np.maximum.reduceat(block, self.starts, axis=1)
            k = min(3, block.shape[1])
            top3[start:start + block.shape[0]] = np.partition(block, -k, axis=1)[:, -k:].mean(axis=1)
        return by_group, top3


def _reason(best: str, p: float, similarity: float, abstained: bool) -> str:
    if abstained:
        return (f"unlike any team's past tickets: best guess {best} at {p:.0%}, "
                f"similarity {similarity:.2f} to its closest past ticket")
    return f"like past {best} tickets: {p:.0%} probability, similarity {similarity:.2f} to the closest one"


class RouterModel:
    """A trained router: rank(text) gives groups with probabilities, route(text) decides or abstains."""

    word_index: _SimilarityIndex | None = None  # models pickled before it existed have none

    def __init__(self, *, groups: Sequence[str], word_vectorizer, char_vectorizer, content_vectorizer,
                 embedder: Any,  # an embeddings.SentenceEmbedder or StaticEmbedder, or None
                 weights: np.ndarray, intercepts: np.ndarray, has_out_of_scope: bool, knn_boost: float,
                 temperature: float,
                 index: _SimilarityIndex, out_of_scope_index: _SimilarityIndex | None,
                 word_index: _SimilarityIndex | None,
                 gate_mean: np.ndarray, gate_scale: np.ndarray, gate_weights: np.ndarray, threshold: float,
                 trained_on: int, settings: dict[str, Any]):
        self.groups = tuple(groups)
        self.word_vectorizer = word_vectorizer
        self.char_vectorizer = char_vectorizer
        self.content_vectorizer = content_vectorizer  # content words, unnormalised: familiarity and similarity
        self.embedder = embedder
        self.weights = weights  # n_features x n_classes, float32; last class is out-of-scope when present
        self.intercepts = intercepts
        self.has_out_of_scope = has_out_of_scope
        self.knn_boost = knn_boost
        self.temperature = temperature
        self.index = index
        self.out_of_scope_index = out_of_scope_index
        self.word_index = word_index  # with embeddings: the same tickets in content-word space, for the gate
        self.gate_mean = gate_mean
        self.gate_scale = gate_scale
        self.gate_weights = gate_weights
        self.threshold = threshold
        self.trained_on = trained_on
        self.settings = dict(settings)
        self.version = "router-" + self._digest()

    def _digest(self) -> str:
        digest = hashlib.sha256()
        for part in (self.weights, self.intercepts, self.gate_weights, self.gate_mean, self.gate_scale):
            digest.update(np.ascontiguousarray(part).tobytes())
        digest.update(repr((self.groups, self.temperature, self.threshold, sorted(self.settings.items()),
                            self.embedder.name if self.embedder else None)).encode())
        return digest.hexdigest()[:12]

    # -- scoring -----------------------------------------------------------------------------------

    def _features(self, texts: Sequence[str]):
        features = _text_features(self.word_vectorizer, self.char_vectorizer, texts)
        embeddings = self.embedder.encode(texts) if self.embedder is not None else None
        return features, embeddings

    def _evidence(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(probabilities over in-scope groups, top group index, gate score, similarity to top group's tickets)."""
        features, embeddings = self._features(texts)
        linear = _linear_input(features, embeddings)
        content, unseen = _tfidf(self.content_vectorizer, texts, unseen_mass=True)
        known = _known_share(content, unseen)
        space = embeddings if embeddings is not None else _content_space(content, known)
        by_group, top3 = self.index.similarities(space)
        raw = np.asarray(linear @ self.weights) + self.intercepts
        raw[:, :len(self.groups)] += self.knn_boost * by_group
        probabilities = _softmax(raw, self.temperature)
        oos_best = None
        if self.out_of_scope_index is not None:
            oos_best = self.out_of_scope_index.similarities(space)[0][:, 0]
        word_similarities = None
        if self.word_index is not None:
            word_similarities = self.word_index.similarities(_content_space(content, known))
        gate_inputs, top = _gate_inputs(probabilities, by_group, top3, self.has_out_of_scope, oos_best, known,
                                        word_similarities)
        gate = ((gate_inputs - self.gate_mean) / self.gate_scale) @ self.gate_weights
        n_groups = len(self.groups)
        return probabilities[:, :n_groups], top, gate, by_group[np.arange(len(top)), top]

    def predict_many(self, texts: Sequence[str], *, k: int = 5) -> list[RouterDecision]:
        """Route many texts at once (much faster than one at a time); one RouterDecision per text."""
        if not texts:
            return []
        texts = [text[:TEXT_LIMIT] for text in texts]
        probabilities, top, gate, similarity = self._evidence(texts)
        k = max(1, min(k, len(self.groups)))
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        decisions = []
        for row in range(len(texts)):
            ranked = tuple((self.groups[j], round(float(probabilities[row, j]), 6)) for j in order[row])
            best, p = self.groups[top[row]], float(probabilities[row, top[row]])
            abstained = bool(gate[row] < self.threshold)
            decisions.append(RouterDecision(
                group=None if abstained else best,
                confidence=p,
                ranked=ranked,
                abstained=abstained,
                reason=_reason(best, p, float(similarity[row]), abstained),
                similarity=float(similarity[row]),
            ))
        return decisions

    def rank(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """The k most probable groups for a text, best first, with calibrated probabilities."""
        return list(self.predict_many([text], k=k)[0].ranked)

    def route(self, text: str) -> RouterDecision:
        """The group for a text, or an abstention when it is unlike any group's past tickets."""
        return self.predict_many([text])[0]

    # -- storage -----------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Serialise with pickle for storage per installation (load only bytes this service wrote)."""
        return dump_model(self, format=MODEL_FORMAT, version=MODEL_FORMAT_VERSION)

    @classmethod
    def from_bytes(cls, data: bytes) -> RouterModel:
        """Load a model written by to_bytes; raises ValueError if the bytes are not such a model."""
        return load_model(data, cls=cls, format=MODEL_FORMAT, version=MODEL_FORMAT_VERSION, label="router model")


# -- training ------------------------------------------------------------------------------------------


def _tfidf(vectorizer, texts: Sequence[str], *, unseen_mass: bool = False):
    """vectorizer.transform(texts) without scikit-learn's per-call checks (about 1 ms each, most of a route).

    With unseen_mass, also each text's squared weight of terms the vectorizer never saw, at the rarest
    known term's IDF (how much of the text history cannot account for).
    """
    from collections import Counter

    from scipy import sparse

    analyze = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    idf = vectorizer.idf_
    rarest = float(idf.max()) if len(idf) else 1.0
    indptr, indices, values = [0], [], []
    unseen = np.zeros(len(texts))
    for row, text in enumerate(texts):
        # Count the strings first (C speed), then look up each distinct one once.
        counts = [(vocabulary.get(term), n) for term, n in Counter(analyze(text)).items()]
        if unseen_mass:
            unseen[row] = sum(((1.0 + math.log(n)) * rarest) ** 2 for j, n in counts if j is None)
        counts = [(j, n) for j, n in counts if j is not None]
        columns = np.fromiter((j for j, _ in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((n for _, n in counts), dtype=np.float64, count=len(counts))
        if vectorizer.sublinear_tf:
            tf = 1.0 + np.log(tf)
        weights = tf * idf[columns]
        if vectorizer.norm == "l2" and len(weights):
            weights /= np.sqrt(np.dot(weights, weights))
        order = np.argsort(columns)
        indices.append(columns[order])
        values.append(weights[order])
        indptr.append(indptr[-1] + len(columns))
    matrix = sparse.csr_matrix(
        (np.concatenate(values).astype(np.float32) if values else np.zeros(0, np.float32),
         np.concatenate(indices) if indices else np.zeros(0, np.int64), np.asarray(indptr)),
        shape=(len(texts), len(idf)))
    return (matrix, unseen) if unseen_mass else matrix


def _text_features(word_vectorizer, char_vectorizer, texts: Sequence[str]):
    from scipy import sparse

    # Each block is unit length; scaling by 1/sqrt(2) makes the row unit length, so dot = cosine.
    both = sparse.hstack([_tfidf(word_vectorizer, texts), _tfidf(char_vectorizer, [t[:CHAR_LIMIT] for t in texts])],
                         format="csr")
    return both * np.float32(1 / math.sqrt(2))


def _linear_input(features, embeddings: np.ndarray | None):
    if embeddings is None:
        return features
    from scipy import sparse

    return sparse.hstack([features, sparse.csr_matrix(embeddings * EMBEDDING_WEIGHT)], format="csr")


_TOKEN = re.compile(r"(?u)\b\w[\w']*\b")
_DIGITS = re.compile(r"\d+")


def _tokens(text: str) -> list[str]:
    """Content words of a text, digits folded ("order 4411" and "order 17" share "0"): what can be unfamiliar."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Function words are known whatever the ticket is about, so they would only dilute the share.
    return [_DIGITS.sub("0", t) for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def _known_share(content, unknown_mass: np.ndarray) -> np.ndarray:
    """Share of each text's content-word weight that history has seen (1 for a text with no content words)."""
    known = np.asarray(content.multiply(content).sum(axis=1)).ravel()
    total = known + unknown_mass
    return np.where(total > 0, known / np.maximum(total, 1e-12), 1.0)


def _content_space(content, known: np.ndarray):
    """Unit content vectors shrunk by sqrt(known share): the cosine a text would have if its unseen words
    were kept as dimensions no past ticket has. Otherwise one shared word in five reads as a perfect match."""
    from scipy import sparse

    norms = np.sqrt(np.asarray(content.multiply(content).sum(axis=1)).ravel())
    scale = np.where(norms > 0, np.sqrt(known) / np.maximum(norms, 1e-12), 0.0).astype(np.float32)
    return (sparse.diags(scale) @ content).tocsr()


def _gate_inputs(probabilities: np.ndarray, by_group: np.ndarray, top3: np.ndarray, has_out_of_scope: bool,
                 oos_best: np.ndarray | None, known: np.ndarray,
                 word_similarities: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row: [log P(top), similarity to top group, mean top-3 similarity, known share, (-P(oos), in closer by),
    (with embeddings: the top group's and top-3 similarity in content words too)]."""
    n_in = probabilities.shape[1] - (1 if has_out_of_scope else 0)
    in_scope = probabilities[:, :n_in]
    top = in_scope.argmax(axis=1)
    rows = np.arange(len(top))
    best_similarity = by_group[rows, top]
    columns = [np.log(np.maximum(in_scope[rows, top], 1e-12)), best_similarity, top3, known]
    if has_out_of_scope:
        nearest_in = by_group.max(axis=1)
        oos = oos_best if oos_best is not None else np.full(len(top), -1.0)
        # Signs are flipped so that, like the others, a larger value means "more in scope".
        columns += [-probabilities[:, -1], nearest_in - np.maximum(oos, -1.0)]
    if word_similarities is not None:
        # Embeddings say what a ticket means, words whether this history has seen such tickets: "weather
        # in Paris tomorrow" means something close to a question about prices, and shares no word with one.
        word_by_group, word_top3 = word_similarities
        columns += [word_by_group[rows, top], word_top3]
    return np.column_stack(columns).astype(np.float64), top
