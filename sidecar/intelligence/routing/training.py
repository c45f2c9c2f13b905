"""Training the router: features of past tickets, out-of-fold calibration of the temperature and the
abstention gate, and the final fit (the model itself, and how it routes, is learned_router.py).

How it works is told in learned_router's module docstring; this module is the "fit" half of it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sidecar.intelligence.routing import gate as router_gate
from sidecar.intelligence.routing.embeddings import make_embedder
from sidecar.intelligence.routing.learned_router import (
    CHAR_LIMIT,
    KNN_BOOST,
    PARALLEL_ROWS,
    TEXT_LIMIT,
    RouterModel,
    _content_space,
    _gate_inputs,
    _known_share,
    _linear_input,
    _SimilarityIndex,
    _softmax,
    _tokens,
)


def _fit_linear(features, labels: np.ndarray, n_classes: int, *, C: float, random_state: int,
                workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(weights n_features x n_classes float32, intercepts) of a one-vs-rest linear SVM.

    One-vs-rest problems are independent, so with workers=2 the classes are split in two halves, each
    fitted against a merged "rest" label in its own process.
    """
    present = np.unique(labels)
    weights = np.zeros((features.shape[1], n_classes), dtype=np.float32)
    # Classes absent from this fit keep a score below any real one-vs-rest margin.
    intercepts = np.full(n_classes, -10.0, dtype=np.float32)
    if len(present) < 2:
        intercepts[present] = 1.0
        return weights, intercepts
    halves = [present] if workers < 2 or len(present) < 6 else [present[: len(present) // 2],
                                                                 present[len(present) // 2:]]
    jobs = [(features, labels, chunk, C, random_state) for chunk in halves]
    for classes, coef, bias in _run_parallel(_fit_one_vs_rest, jobs, workers=workers):
        weights[:, classes] = coef.T
        intercepts[classes] = bias
    return weights, intercepts


def _fit_fold(features, labels: np.ndarray, n_classes: int, options: dict[str, Any]):
    """_fit_linear with positional arguments, for a worker process."""
    return _fit_linear(features, labels, n_classes, **options)


def _fit_one_vs_rest(features, labels: np.ndarray, chunk: np.ndarray, C: float, random_state: int):
    """(classes, coef, intercept) of a LinearSVC for the classes in chunk, each against all other rows."""
    from sklearn.svm import LinearSVC

    rest = -1
    target = np.where(np.isin(labels, chunk), labels, rest)
    # Dual coordinate descent, tol 1e-2: the same banking77 accuracy as the defaults, in a third less time at 100k.
    svm = LinearSVC(C=C, dual=True, tol=1e-2, random_state=random_state, max_iter=2000).fit(features, target)
    coef, bias = svm.coef_, svm.intercept_
    if len(svm.classes_) == 2:
        coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
    keep = svm.classes_ != rest
    return svm.classes_[keep], coef[keep].astype(np.float32), bias[keep].astype(np.float32)


def _run_parallel(function, jobs: list[tuple], *, workers: int) -> list:
    """function(*job) for each job, in worker processes when there are several workers and several jobs."""
    if workers < 2 or len(jobs) < 2:
        return [function(*job) for job in jobs]
    from joblib import Parallel, delayed

    # Processes, not threads: liblinear seeds one process-wide random generator, so threads sharing it
    # would make training (and so the version hash) depend on timing.
    return Parallel(n_jobs=workers, backend="loky")(delayed(function)(*job) for job in jobs)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the log-loss of out-of-fold scores."""
    from scipy.optimize import minimize_scalar

    if len(truth) == 0:
        return 5.0
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        z = scores * math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, truth]))

    return math.exp(minimize_scalar(loss, bounds=(math.log(0.1), math.log(200.0)), method="bounded").x)


def _per_group_sample(labels: np.ndarray, rows: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """At most `cap` of `rows` per label, chosen at random (bounds the similarity index and route time)."""
    keep = []
    for label in np.unique(labels[rows]):
        members = rows[labels[rows] == label]
        keep.append(members if len(members) <= cap else rng.choice(members, cap, replace=False))
    return np.sort(np.concatenate(keep)) if keep else rows[:0]


def _clean_group(group: str | None) -> str | None:
    if group is None:
        return None
    group = str(group).strip()
    return group or None


def train_router(
    texts: Sequence[str],
    groups: Sequence[str | None],
    *,
    C: float = 0.5,
    max_lost: float = 0.015,
    folds: int = 5,
    holdout_groups: float = 0.1,
    calibration_rows: int = 10_000,
    max_rows_per_group: int = 1000,
    examples_per_group: int = 150,
    embedding_model: str | None = None,
    random_state: int = 0,
) -> RouterModel:
    """Learn a router from past tickets' texts and the group that handled each (None: no known team)."""
    if len(texts) != len(groups):
        raise ValueError(f"{len(texts)} texts but {len(groups)} groups")
    if not 0.0 <= max_lost < 1.0:
        raise ValueError("max_lost must be in [0, 1)")
    rng = np.random.default_rng(random_state)
    names, kept_texts, labels, has_oos = _labelled(texts, groups, max_rows_per_group, rng)
    data, word, char, content, embedder = _training_data(kept_texts, labels, len(names), has_oos, embedding_model)
    options: dict[str, Any] = {"C": C, "random_state": random_state}
    calibration = _calibrate(data, folds=folds, holdout_groups=holdout_groups, calibration_rows=calibration_rows,
                             max_rows_per_group=max_rows_per_group, examples_per_group=examples_per_group,
                             max_lost=max_lost, rng=rng, options=options)
    every = np.arange(len(labels))
    fit_rows = _per_group_sample(labels, every, max_rows_per_group, rng)
    weights, intercepts = _fit_linear(data.linear[fit_rows], labels[fit_rows], data.n_classes,
                                      workers=2 if len(fit_rows) >= PARALLEL_ROWS else 1, **options)
    examples = _per_group_sample(labels, np.flatnonzero(labels < len(names)), examples_per_group, rng)
    return RouterModel(
        groups=names, word_vectorizer=word, char_vectorizer=char, content_vectorizer=content, embedder=embedder,
        weights=weights,
        intercepts=intercepts, has_out_of_scope=has_oos, knn_boost=data.knn_boost,
        index=data.index(examples), word_index=data.word_index(examples),
        out_of_scope_index=data.out_of_scope_index(every, max_rows_per_group, rng),
        trained_on=len(texts),
        settings={"C": C, "max_lost": max_lost, "folds": folds, "holdout_groups": holdout_groups,
                  "calibration_rows": calibration_rows, "max_rows_per_group": max_rows_per_group,
                  "examples_per_group": examples_per_group, "embedding_model": embedding_model},
        **calibration,
    )


def _labelled(texts: Sequence[str], groups: Sequence[str | None], max_rows_per_group: int,
              rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray, bool]:
    """(group names, texts kept, their labels (n_groups: out of scope), whether there are out-of-scope rows)."""
    clean = [_clean_group(g) for g in groups]
    names = sorted({g for g in clean if g is not None})
    if not names:
        raise ValueError("training needs tickets with a group")
    kept_texts = [str(t or "")[:TEXT_LIMIT] for t in texts]
    position = {name: i for i, name in enumerate(names)}
    labels = np.array([position[g] if g is not None else len(names) for g in clean], dtype=np.int64)
    # Twice max_rows_per_group tickets of a group are more than training reads of it (the final fit takes
    # max_rows_per_group, calibration its share of calibration_rows): vectorising the rest of a 100k
    # history would only cost time. Smaller groups keep every ticket.
    kept = _per_group_sample(labels, np.arange(len(labels)), 2 * max_rows_per_group, rng)
    if len(kept) < len(labels):
        kept_texts, labels = [kept_texts[i] for i in kept], labels[kept]
    return names, kept_texts, labels, any(g is None for g in clean)


def _training_data(texts: list[str], labels: np.ndarray, n_groups: int, has_oos: bool,
                   embedding_model: str | None) -> tuple[_TrainingData, Any, Any, Any, Any]:
    """The features every ticket gets once (word and character TF-IDF, embeddings on demand, content words),
    with the fitted vectorisers and the embedder."""
    from scipy import sparse  # scikit-learn and scipy load when a router is trained, not when one routes
    from sklearn.feature_extraction.text import TfidfVectorizer

    # min_df 2 drops one-off tokens (typos, ids) once there is enough text for them to be noise.
    min_df = 2 if len(texts) >= 2000 else 1
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df, max_features=200_000,
                           token_pattern=r"(?u)\b\w[\w']*\b", dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=min_df,
                           max_features=300_000, dtype=np.float32)
    features = sparse.hstack([word.fit_transform(texts), char.fit_transform([t[:CHAR_LIMIT] for t in texts])],
                             format="csr")
    features *= np.float32(1 / math.sqrt(2))
    embedder = make_embedder(embedding_model) if embedding_model else None
    if embedder is not None and hasattr(embedder, "fit"):
        embedder.fit(texts)  # static vectors weigh word pieces by their rarity in this history
    # Embedded on first use: training reads at most max_rows_per_group tickets per group and
    # calibration_rows in all, so at 100k tickets most are never embedded (the encoder is the slow part).
    embeddings = _LazyEmbeddings(embedder, texts) if embedder is not None else None
    content = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True, norm=None, dtype=np.float32)
    data = _TrainingData(
        linear=_LinearRows(features, embeddings) if embeddings is not None else features,
        embeddings=embeddings,
        content=content.fit_transform(texts).tocsr(),
        labels=labels, n_groups=n_groups, has_oos=has_oos,
        knn_boost=KNN_BOOST if embeddings is not None else 0.0,
    )
    return data, word, char, content, embedder


class _LazyEmbeddings:
    """Training tickets' embeddings, computed for the rows asked for and kept: rows[...] like an array."""

    def __init__(self, embedder: Any, texts: Sequence[str]):
        self.embedder = embedder
        self.texts = texts
        self.vectors: np.ndarray | None = None
        self.done = np.zeros(len(texts), dtype=bool)

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, rows) -> np.ndarray:
        rows = np.arange(len(self.texts))[rows]  # any index (array, slice) as row numbers
        missing = np.unique(rows[~self.done[rows]])
        if len(missing):
            encoded = self.embedder.encode([self.texts[i] for i in missing])
            if self.vectors is None:
                self.vectors = np.zeros((len(self.texts), encoded.shape[1]), dtype=np.float32)
            self.vectors[missing] = encoded
            self.done[missing] = True
        if self.vectors is None:  # nothing asked for yet
            return np.zeros((len(rows), 0), dtype=np.float32)
        return self.vectors[rows]


class _LinearRows:
    """The classifier's input rows (TF-IDF features beside embeddings), built for the rows asked for."""

    def __init__(self, features, embeddings: _LazyEmbeddings):
        self.features = features
        self.embeddings = embeddings

    def __getitem__(self, rows):
        return _linear_input(self.features[rows], self.embeddings[rows])


@dataclass
class _TrainingData:
    """Everything training computes once per ticket, shared by the folds and the final fit."""

    linear: Any  # classifier input rows (indexable by row numbers)
    embeddings: Any  # sentence embeddings by row (_LazyEmbeddings), or None
    content: Any  # content-word TF-IDF rows, unnormalised
    labels: np.ndarray  # group index; n_groups for out of scope
    n_groups: int
    has_oos: bool
    knn_boost: float

    @property
    def n_classes(self) -> int:
        return self.n_groups + (1 if self.has_oos else 0)

    def vectors(self, rows: np.ndarray):
        """Similarity vectors of training tickets (all their words are known)."""
        if self.embeddings is not None:
            return self.embeddings[rows]
        return self.word_vectors(rows)

    def word_vectors(self, rows: np.ndarray):
        """Content-word vectors of training tickets (unit length; all their words are known)."""
        if len(rows) == 0:
            return self.content[rows]
        from sklearn.preprocessing import normalize

        return normalize(self.content[rows])

    def word_index(self, rows: np.ndarray) -> _SimilarityIndex | None:
        """With embeddings, the tickets' index in content-word space as well (None without: it is the index)."""
        if self.embeddings is None:
            return None
        return _SimilarityIndex(self.word_vectors(rows), self.labels[rows], self.n_groups)

    def queries(self, rows: np.ndarray, seen_by: np.ndarray) -> tuple[Any, np.ndarray, Any]:
        """(similarity vectors, known share, content-word space) of tickets as a model trained on rows seen_by
        would see them."""
        content = self.content[rows]
        seen = np.zeros(content.shape[1], dtype=np.float32)
        seen[np.unique(self.content[seen_by].indices)] = 1.0
        visible = content.multiply(seen[None, :]).tocsr()
        total = np.asarray(content.multiply(content).sum(axis=1)).ravel()
        known_mass = np.asarray(visible.multiply(visible).sum(axis=1)).ravel()
        known = _known_share(visible, np.maximum(total - known_mass, 0.0))
        words = _content_space(visible, known)
        space = self.embeddings[rows] if self.embeddings is not None else words
        return space, known, words

    def index(self, rows: np.ndarray) -> _SimilarityIndex:
        return _SimilarityIndex(self.vectors(rows), self.labels[rows], self.n_groups)

    def out_of_scope_index(self, rows: np.ndarray, cap: int, rng: np.random.Generator) -> _SimilarityIndex | None:
        if not self.has_oos:
            return None
        oos = rows[self.labels[rows] == self.n_groups]
        oos = _per_group_sample(self.labels, oos, cap, rng) if len(oos) else oos
        return _SimilarityIndex(self.vectors(oos), np.zeros(len(oos), dtype=np.int64), 1)


def _calibrate(data: _TrainingData, *, folds: int, holdout_groups: float, calibration_rows: int,
               max_rows_per_group: int, examples_per_group: int, max_lost: float, rng: np.random.Generator,
               options: dict[str, Any]) -> dict[str, Any]:
    """Out-of-fold temperature, gate weights and threshold (see learned_router's module docstring)."""
    rows, plans = _fold_plans(data.labels, data.n_groups, folds=folds, holdout_groups=holdout_groups,
                              calibration_rows=calibration_rows, max_rows_per_group=max_rows_per_group, rng=rng)
    # Process start-up costs about a second: worth it only when the folds themselves take longer.
    workers = 2 if rows >= PARALLEL_ROWS else 1
    fitted = _run_parallel(_fit_fold, [(data.linear[p[0]], data.labels[p[0]], data.n_classes, options)
                                       for p in plans], workers=workers)
    pending = [_score_fold(data, plan, weights, intercepts, max_rows_per_group=max_rows_per_group,
                           examples_per_group=examples_per_group, rng=rng)
               for plan, (weights, intercepts) in zip(plans, fitted, strict=True)]
    in_scope = [(raw[kind == 1], true[kind == 1]) for raw, *_rest, kind, true in pending]
    temperature = _fit_temperature(
        np.vstack([r for r, _ in in_scope]) if in_scope else np.zeros((0, data.n_classes)),
        np.concatenate([t for _, t in in_scope]) if in_scope else np.zeros(0, dtype=np.int64))
    inputs, kinds, correct = [], [], []
    for raw, by_group, top3, oos_best, known, word_similarities, kind, true in pending:
        gate_inputs, top = _gate_inputs(_softmax(raw, temperature), by_group, top3, data.has_oos, oos_best, known,
                                        word_similarities)
        use = kind >= 0
        inputs.append(gate_inputs[use])
        kinds.append(kind[use])
        correct.append(((top == true) & (kind == 1))[use])
    inputs_all = np.vstack(inputs)
    kinds_all = np.concatenate(kinds)
    correct_all = np.concatenate(correct)
    pseudo_share = router_gate.choose_pseudo_share(inputs_all, kinds_all, correct_all, max_lost)
    gate_mean, gate_scale, gate_weights, threshold = router_gate.fit(inputs_all, kinds_all, correct_all, max_lost,
                                                                     pseudo_share)
    return {"temperature": temperature, "gate_mean": gate_mean, "gate_scale": gate_scale,
            "gate_weights": gate_weights, "threshold": threshold}


def _fold_plans(labels: np.ndarray, n_groups: int, *, folds: int, holdout_groups: float, calibration_rows: int,
                max_rows_per_group: int, rng: np.random.Generator,
                ) -> tuple[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """How many rows calibration reads, and per fold: (training rows, scored in-scope rows, rows of the
    groups this fold holds out as pseudo out of scope)."""
    rows = np.arange(len(labels))
    if len(rows) > calibration_rows:
        # Calibration needs thousands of examples, not all of them: this keeps 100k tickets fast.
        rows = np.sort(rng.choice(rows, calibration_rows, replace=False))
    folds = max(2, min(folds, len(rows)))
    fold_of = np.empty(len(labels), dtype=np.int64)
    fold_of[rows] = rng.permutation(len(rows)) % folds
    group_order = rng.permutation(n_groups)
    per_fold = max(1, int(round(holdout_groups * n_groups)))
    if n_groups - per_fold < 2:
        per_fold = 0  # too few groups to hide one and still have a choice left
    plans = []
    for k in range(folds):
        held = [int(group_order[(k * per_fold + j) % n_groups]) for j in range(per_fold)]
        held_mask = np.isin(labels[rows], held)
        train_rows = _per_group_sample(labels, rows[(fold_of[rows] != k) & ~held_mask], max_rows_per_group, rng)
        test_rows = rows[(fold_of[rows] == k) & ~held_mask]
        pseudo_rows = rows[held_mask]
        if len(pseudo_rows) > max(len(test_rows), 1):
            pseudo_rows = np.sort(rng.choice(pseudo_rows, max(len(test_rows), 1), replace=False))
        if len(train_rows) and len(test_rows) + len(pseudo_rows):
            plans.append((train_rows, test_rows, pseudo_rows))
    return len(rows), plans


def _score_fold(data: _TrainingData, plan: tuple[np.ndarray, np.ndarray, np.ndarray], weights: np.ndarray,
                intercepts: np.ndarray, *, max_rows_per_group: int, examples_per_group: int,
                rng: np.random.Generator) -> tuple:
    """One fold's out-of-fold evidence: raw scores, similarities, known share, and each scored row's kind."""
    train_rows, test_rows, pseudo_rows = plan
    labels, n_groups = data.labels, data.n_groups
    scored = np.concatenate([test_rows, pseudo_rows])
    in_train = train_rows[labels[train_rows] < n_groups]
    space, known, words = data.queries(scored, seen_by=train_rows)
    examples = _per_group_sample(labels, in_train, examples_per_group, rng)
    by_group, top3 = data.index(examples).similarities(space)
    word_index = data.word_index(examples)
    word_similarities = word_index.similarities(words) if word_index is not None else None
    raw = np.asarray(data.linear[scored] @ weights) + intercepts
    raw[:, :n_groups] += data.knn_boost * by_group
    oos_best = None
    if data.has_oos:
        oos_index = data.out_of_scope_index(train_rows, max_rows_per_group, rng)
        if oos_index is None:  # cannot happen: has_oos means out-of-scope rows to index
            raise RuntimeError("no out-of-scope index")
        oos_best = oos_index.similarities(space)[0][:, 0]
    seen = np.zeros(data.n_classes, dtype=bool)
    seen[np.unique(labels[train_rows])] = True
    # Kind of each scored row: 1 in scope (its group known to this fold's model), 0 out of scope,
    # 2 pseudo out of scope (its group held out), -1 unusable (its group has no rows in this fold).
    kind = np.where(labels[scored] == n_groups, 0, np.where(np.isin(scored, pseudo_rows), 2, 1))
    kind = np.where((kind == 1) & ~seen[labels[scored]], -1, kind)
    return raw, by_group, top3, oos_best, known, word_similarities, kind, labels[scored]
