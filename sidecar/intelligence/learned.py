"""Learned models over an installation's own history: escalation (score) and hand-off (human_requested).

Both are a logistic regression over two kinds of features:
- the rule signals' strengths (one column per signal in scoring.DEFAULT_WEIGHTS) and the rules' own
  log-odds, so the model starts from what the rules know and learns how much each matters here;
- hashed TF-IDF word 1-2-grams and character 3-5-grams of the customer's text, so it can learn this
  installation's vocabulary (product names, error strings) and survive typos.

Hashing (no vocabulary) keeps training on 100k tickets fast and a model small. Models are stored with
pickle (see to_bytes): only load bytes this service wrote itself, since unpickling runs code.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Self, TypeVar

from sidecar.intelligence.model_envelope import dump_model, load_model
from sidecar.intelligence.scoring import (
    BASELINE,
    DEFAULT_WEIGHTS,
    RULES_MODEL_VERSION,
    combine_findings,
    rules_logit,
    rules_version,
    ticket_findings,
)
from sidecar.intelligence.signals import Finding
from sidecar.intelligence.signals.human_request import (
    ASKS_FOR_CALL_OR_CONTACT,
    ASKS_FOR_ESCALATION,
    ASKS_FOR_HUMAN,
    REJECTS_AUTOMATED_HELP,
)
from sidecar.intelligence.ticket import Ticket

log = logging.getLogger("sidecar.learned")
_WARNED: set[tuple[str, str]] = set()  # (model version, findings version) pairs already logged

MODEL_FORMAT = "sidecar-intelligence-model"
MODEL_FORMAT_VERSION = 1
TEXT_LIMIT = 4000  # characters of customer text used; long threads are mostly quoted history
ESCALATION_SIGNALS = tuple(name for name in DEFAULT_WEIGHTS if name != BASELINE)
HANDOFF_SIGNALS = (ASKS_FOR_HUMAN, REJECTS_AUTOMATED_HELP, ASKS_FOR_CALL_OR_CONTACT, ASKS_FOR_ESCALATION)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def reference_time(ticket: Ticket) -> datetime:
    """The moment a historical ticket is judged at: its last activity (so waits are not measured to today)."""
    times = [t for t in (ticket.updated_at, ticket.created_at) if t is not None]
    times.extend(c.created_at for c in ticket.comments if c.created_at is not None)
    return max(times) if times else _EPOCH


def customer_text(ticket: Ticket) -> str:
    """Everything the customer wrote, subject first, cut to TEXT_LIMIT characters."""
    return "\n".join(text for _, text in ticket.customer_messages())[:TEXT_LIMIT]


def signal_features(ticket: Ticket, names: Sequence[str],
                    combined: dict[str, tuple[float, Finding, int]] | None = None) -> list[float]:
    """Combined strength of each named rule signal, then the rules' log-odds scaled to about -1..1 (from the
    ticket's findings at its last activity, or from `combined`, the findings an assessment already made)."""
    if combined is None:
        combined = combine_findings(ticket_findings(ticket, now=reference_time(ticket))[0])
    row = [combined[name][0] if name in combined else 0.0 for name in names]
    row.append(rules_logit(combined, DEFAULT_WEIGHTS) / 5.0)
    return row


class LearnedModel:
    """A fitted text + rule-signal logistic regression; `predict_proba(ticket)` is P(positive)."""

    kind = "model"
    findings_version: str  # the rules' version, set by _fit (a model pickled before it has none)

    def __init__(self, *, signals: Sequence[str], word_vectorizer, char_vectorizer, tfidf, classifier,
                 trained_on: int, version: str) -> None:
        self.signals = tuple(signals)
        self.word_vectorizer = word_vectorizer
        self.char_vectorizer = char_vectorizer
        self.tfidf = tfidf
        self.classifier = classifier
        self.trained_on = trained_on
        self.version = version

    def text_rows(self, tickets: Sequence[Ticket]):
        """The TF-IDF rows of the customer's text (word and character n-grams), one per ticket."""
        return self.rows_of([customer_text(t) for t in tickets])

    def rows_of(self, texts: Sequence[str]):
        """The TF-IDF rows (word and character n-grams) of any texts, one per text."""
        from scipy import sparse

        text = sparse.hstack([self.word_vectorizer.transform(texts), self.char_vectorizer.transform(texts)]).tocsr()
        return self.tfidf.transform(text)

    def _matrix(self, tickets: Sequence[Ticket], combined: dict[str, tuple[float, Finding, int]] | None = None,
                text=None):
        import numpy as np
        from scipy import sparse

        _warn_if_findings_changed(self)
        text = self.text_rows(tickets) if text is None else text
        rules = np.asarray([signal_features(t, self.signals, combined) for t in tickets], dtype=float)
        return sparse.hstack([text, sparse.csr_matrix(rules)]).tocsr()

    def predict_with_findings(self, ticket: Ticket, combined: dict[str, tuple[float, Finding, int]],
                              text=None) -> float:
        """P(positive) for one ticket whose findings were combined already (an assessment's, ungated); `text` is
        its text_rows when the caller has them."""
        return float(self.classifier.predict_proba(self._matrix([ticket], combined, text))[0, 1])

    def predict_many(self, tickets: Sequence[Ticket]) -> list[float]:
        """P(positive) for each ticket, in order (faster than one at a time)."""
        if not tickets:
            return []
        return [float(p) for p in self.classifier.predict_proba(self._matrix(tickets))[:, 1]]

    def predict_proba(self, ticket: Ticket) -> float:
        """P(positive) for one ticket."""
        return self.predict_many([ticket])[0]

    def to_bytes(self) -> bytes:
        """Serialise with pickle for storage per installation (load only bytes this service wrote)."""
        return dump_model(self, format=MODEL_FORMAT, version=MODEL_FORMAT_VERSION, kind=self.kind)

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Load a model written by to_bytes; raises ValueError if the bytes are not such a model."""
        return load_model(data, cls=cls, format=MODEL_FORMAT, version=MODEL_FORMAT_VERSION, label=f"{cls.kind} model")


M = TypeVar("M", bound=LearnedModel)


class EscalationModel(LearnedModel):
    """Learned P(escalated) for a ticket; used by assess_ticket(model=...) as the score."""

    kind = "escalation"


class HandoffModel(LearnedModel):
    """Learned P(the customer asks for a human) for a ticket."""

    kind = "handoff"


def _fit(model_class: type[M], prefix: str, signals: Sequence[str], tickets: Sequence[Ticket],
         labels: Sequence[bool], *, C: float, hashed: int = 2**18,
         combined: Sequence[dict[str, tuple[float, Finding, int]]] | None = None) -> M:
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    if len(tickets) != len(labels):
        raise ValueError(f"{len(tickets)} tickets but {len(labels)} labels")
    y = np.asarray([bool(label) for label in labels], dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both positive and negative examples")
    word = HashingVectorizer(ngram_range=(1, 2), n_features=hashed, alternate_sign=False, norm=None,
                             token_pattern=r"(?u)\b\w[\w']*\b")
    char = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=hashed, alternate_sign=False,
                             norm=None)
    tfidf = TfidfTransformer(sublinear_tf=True)
    texts = [customer_text(t) for t in tickets]
    text = tfidf.fit_transform(sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr())
    rules = np.asarray([signal_features(t, signals, None if combined is None else combined[i])
                        for i, t in enumerate(tickets)], dtype=float)
    features = sparse.hstack([text, sparse.csr_matrix(rules)]).tocsr()
    # Balanced class weights: escalations and hand-offs are rare, and the rare class is the point.
    # liblinear's dual solver is the fast one when features outnumber rows; random_state makes it repeatable.
    classifier = LogisticRegression(
        C=C, class_weight="balanced", solver="liblinear", dual=True, tol=1e-3, random_state=0, max_iter=200
    )
    classifier.fit(features, y)
    digest = hashlib.sha256(classifier.coef_.tobytes() + classifier.intercept_.tobytes()).hexdigest()[:12]
    model = model_class(
        signals=signals,
        word_vectorizer=word,
        char_vectorizer=char,
        tfidf=tfidf,
        classifier=classifier,
        trained_on=len(tickets),
        version=f"{prefix}-{digest}",
    )
    model.findings_version = rules_version()
    return model



def _warn_if_findings_changed(model: LearnedModel) -> None:
    """Log once per process when a model reads findings other than those it was trained on (the semantic
    layer switched on or off, or new example sentences): its scores still come, less well founded."""
    trained = getattr(model, "findings_version", RULES_MODEL_VERSION)  # models from before the semantic layer
    now = rules_version()
    if trained != now and (model.version, now) not in _WARNED:
        _WARNED.add((model.version, now))
        log.warning("model %s was trained on findings of %s and now reads %s; retrain it (sidecar train)",
                    model.version, trained, now)


def train_escalation_model(tickets: Sequence[Ticket], labels: Sequence[bool], *, C: float = 1.0,
                           hashed: int = 2**18, signals: Sequence[str] = ESCALATION_SIGNALS,
                           combined: Sequence[dict[str, tuple[float, Finding, int]]] | None = None) -> EscalationModel:
    """Fit an escalation model on past tickets and whether each was escalated (`hashed`: columns per kind of
    n-gram; `signals`: the rule signals it reads; `combined`: each ticket's combined findings when the caller has
    them, else they are found here)."""
    return _fit(EscalationModel, "esc-lr", signals, tickets, labels, C=C, hashed=hashed, combined=combined)


def train_handoff_model(tickets: Sequence[Ticket], labels: Sequence[bool], *, C: float = 1.0) -> HandoffModel:
    """Fit a hand-off model on past tickets and whether the customer asked for a human."""
    return _fit(HandoffModel, "handoff-lr", HANDOFF_SIGNALS, tickets, labels, C=C)


class CalibratedEscalationModel(EscalationModel):
    """An escalation model whose probability is calibrated on held-out folds (Platt or isotonic).

    The base logistic regression is fitted with balanced class weights, which ranks well but inflates the
    rare class's probability; the calibrator maps its raw probability to the share of such tickets that
    were escalated, so 0.8 means about 80%.
    """

    def __init__(self, *, base: EscalationModel, calibrator, method: str, version: str) -> None:
        super().__init__(signals=base.signals, word_vectorizer=base.word_vectorizer,
                         char_vectorizer=base.char_vectorizer, tfidf=base.tfidf, classifier=base.classifier,
                         trained_on=base.trained_on, version=version)
        self.calibrator = calibrator
        self.method = method
        self.findings_version = getattr(base, "findings_version", RULES_MODEL_VERSION)

    def raw_many(self, tickets: Sequence[Ticket]) -> list[float]:
        """The base model's uncalibrated probabilities."""
        return super().predict_many(tickets)

    def predict_many(self, tickets: Sequence[Ticket]) -> list[float]:
        if not tickets:
            return []
        return calibrate(self.calibrator, self.method, self.raw_many(tickets))


def calibrate(calibrator, method: str, raw: Sequence[float]) -> list[float]:
    """Apply a fitted calibrator (see fit_calibrator) to raw probabilities."""
    import numpy as np

    x = np.asarray(raw, dtype=float)
    if method == "isotonic":
        out = calibrator.predict(x)
    else:
        out = calibrator.predict_proba(_logit(x).reshape(-1, 1))[:, 1]
    return [float(min(1.0, max(0.0, p))) for p in out]


def _logit(x):
    import numpy as np

    x = np.clip(x, 1e-6, 1 - 1e-6)
    return np.log(x / (1 - x))


ISOTONIC_MIN_ROWS = 1000  # isotonic regression needs many held-out rows; below that Platt scaling is steadier


def fit_calibrator(raw: Sequence[float], labels: Sequence[bool]):
    """(calibrator, method) mapping held-out raw probabilities to observed escalation rates."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(raw, dtype=float)
    y = np.asarray([bool(v) for v in labels], dtype=int)
    if len(x) >= ISOTONIC_MIN_ROWS:
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y), "isotonic"
    return LogisticRegression(C=1e6).fit(_logit(x).reshape(-1, 1), y), "platt"


def train_calibrated_escalation_model(tickets: Sequence[Ticket], labels: Sequence[bool], *, folds: int = 5,
                                      C: float = 1.0) -> CalibratedEscalationModel:
    """Fit the escalation model on all tickets, calibrated on out-of-fold predictions.

    Each of `folds` stratified folds is scored by a model fitted on the others (held out, so the
    calibrator sees honest probabilities); the calibrator is fitted on those, the final model on all rows.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    if len(tickets) != len(labels):
        raise ValueError(f"{len(tickets)} tickets but {len(labels)} labels")
    y = np.asarray([bool(v) for v in labels], dtype=int)
    smallest = int(min(y.sum(), len(y) - y.sum()))
    if smallest < 2:
        raise ValueError("training needs at least two examples of each class")
    folds = max(2, min(folds, smallest))
    raw = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, held_idx in splitter.split(np.zeros(len(y)), y):
        fold_model = train_escalation_model([tickets[i] for i in train_idx], [bool(y[i]) for i in train_idx], C=C)
        raw[held_idx] = fold_model.predict_many([tickets[i] for i in held_idx])
    calibrator, method = fit_calibrator(raw.tolist(), y.tolist())
    base = train_escalation_model(tickets, [bool(v) for v in y], C=C)
    return CalibratedEscalationModel(base=base, calibrator=calibrator, method=method,
                                     version=base.version.replace("esc-lr", "esc-cal", 1))
