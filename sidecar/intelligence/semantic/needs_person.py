"""How likely a ticket needs a person, learned from labelled example tickets: a third of the assessment's score.

The rules weigh each signal by hand, and the semantic layer reads one sentence at a time; neither sees how its
findings sit together in a whole ticket (a bug named as what a credit is for, a reason word in a how-to question, a
second matter in a later reply), nor the words around them. This model does. It is the escalation model an
installation trains on its own history (learned.py: the rule signals' strengths, the rules' log-odds, and hashed
TF-IDF word and character n-grams of the customer's text, in a class-balanced logistic regression), trained on the
2,050 example tickets in `tickets/` (labelled with the categories and whether the ticket needs a person; written for
this product, see tickets/README.md) with the question "does it need a person?", and shipped in the package
(needs-person-model.npz, written by refit.py). It reads no tier or ARR signal: value is not a reason
(scoring.gate_by_reason), so the model sees value only through the rules' gated log-odds.

Only with the semantic layer. It is a third of the assessment's score (SHARE_OF_SCORE; scoring.assess_ticket); the
categories and their evidence stay the rules' and the layer's.

Why a third, measured 2026-12-07 (escalation ROC-AUC of the rules' score alone, then with the model at 0.2 / 1/3 /
0.5 of it): two sets of 200 B2B tickets helpers wrote for blind checks, 0.949 -> 0.977 / 0.980 / 0.981 and 0.917 ->
0.943 / 0.948 / 0.954; seamonkey's severity, P1-P3 0.850 -> 0.853 / 0.853 / 0.843 and P1-P2 0.654 -> 0.693 / 0.703
/ 0.710; our own short-message set 0.991 -> 0.997 / 0.998 / 0.998. A third keeps the issue tracker's P1-P3 ranking
(target 0.85) and most of the B2B gain, and an installation's weights (`PUT /v1/settings/scoring`) still move two
thirds of the score.

What came before it the same day (`needs-1`): a logistic regression over 38 numbers of the findings alone (per-
category confidences from the rules and the layer, the layer's strongest non-reason readings, the rules' score).
With the text beside the findings the same tickets teach more: blind sets 0.975 / 0.934 with needs-1, 0.980 / 0.948
with this; seamonkey P1-P2 0.574 against 0.703 (the findings alone could not rank severity); own set 0.992 / 0.998.

Tried and not kept (2026-12-07, with needs-1): a category gate, no category for a ticket the model gives below 0.4.
It added 0.004 and 0.009 to the two blind sets' category micro-F1, and silenced a real outage: "One of our clients
was charged twice and since this morning's update every invoice PDF fails with a 500 error. How do I refund the
client while you fix it?" read 0.33. A head per category deciding which categories to report: leave-one-file-out
over the example tickets micro-F1 0.790 -> 0.799, a blind set 0.845 -> 0.865, but our own set's bug_incident F1 fell
below its 0.90 target (0.914 -> 0.899). Fitted on the rules alone (no `embeddings` extra), needs-1 ranked a blind
B2B set better (0.784 -> 0.819) and seamonkey much worse (0.756 -> 0.701), so the rules stay alone there.

The model holds only for the findings it was fitted on: it names them (`fitted_for`), and a process whose rules or
layer differ (another sentence model, new examples, a rules change), or whose scikit-learn cannot read the file,
does without it and logs why. After changing either, the example tickets or the scikit-learn version, refit: `python
-m sidecar.intelligence.semantic.refit` (about two minutes); a test fails until you do.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sidecar.intelligence.signals.finding import Finding
from sidecar.intelligence.ticket import Ticket

if TYPE_CHECKING:
    from sidecar.intelligence.learned import EscalationModel

log = logging.getLogger("sidecar.semantic")

TICKETS_DIRECTORY = Path(__file__).parent / "tickets"
MODEL_FILE = Path(__file__).parent / "needs-person-model.npz"
MODEL_VERSION = "needs-2"
REGULARISATION = 1.0  # C of the logistic regression (0.3 ranked the blind sets 0.983 / 0.951 alone, 1.0 0.989 / 0.960)
# Hashed columns per kind of n-gram (words, characters): 2**15 ranks as 2**18 does on every set above (within
# 0.002) in an eighth of the bytes (a 0.56 MB archive).
HASHED_COLUMNS = 2**15
SHARE_OF_SCORE = 1.0 / 3.0  # of the assessment's score; the rules' score is the rest (module docstring)
# Probabilities kept per process, by a hash of the customer's text and the findings (never the text): a ticket
# assessed again (the sidebar reopened, a webhook) costs a lookup instead of its n-grams (about 1.7 ms).
CACHE_SIZE = 50_000


@dataclass(frozen=True)
class NeedsPersonModel:
    """The fitted model, the findings it was fitted for, and the digest of the example tickets it learned from."""

    model: EscalationModel
    fitted_for: str
    tickets_digest: str
    _cache: OrderedDict[bytes, float] = field(default_factory=OrderedDict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def version(self) -> str:
        """"needs-2:<digest of the example tickets>"."""
        return f"{MODEL_VERSION}:{self.tickets_digest[:8]}"

    def probability(self, ticket: Ticket, combined: dict[str, tuple[float, Finding, int]]) -> float:
        """P(the ticket needs a person), from its text and the findings an assessment combined (before gating)."""
        # What the model reads: the customer's words and the findings' strengths (its signal row derives from them).
        heard = "\0".join(text for _where, text in ticket.customer_messages())
        strengths = sorted((name, strength) for name, (strength, _finding, _count) in combined.items())
        key = hashlib.blake2b(f"{heard}\0{strengths!r}".encode(), digest_size=16).digest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        probability = self.model.predict_with_findings(ticket, combined)
        with self._lock:
            self._cache[key] = probability
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return probability

    def to_bytes(self) -> bytes:
        """The model as shipped: its numbers and settings in a NumPy archive (no pickle, so any scikit-learn and
        NumPy of the pinned ranges reads it, and loading it runs no code)."""
        model = self.model
        vectorizers = {kind: {k: v for k, v in vectorizer.get_params().items() if k != "dtype"}
                       for kind, vectorizer in (("word", model.word_vectorizer), ("char", model.char_vectorizer))}
        facts = {"fitted_for": self.fitted_for, "tickets": self.tickets_digest, "signals": list(model.signals),
                 "vectorizers": vectorizers, "tfidf": model.tfidf.get_params(), "trained_on": model.trained_on,
                 "version": model.version, "findings_version": model.findings_version}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, facts=np.frombuffer(json.dumps(facts).encode(), dtype=np.uint8),
                            coef=model.classifier.coef_.astype(np.float64), intercept=model.classifier.intercept_,
                            idf=model.tfidf.idf_)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> NeedsPersonModel:
        """The model from its archive (to_bytes); ValueError when the bytes are not such a model."""
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        # learned.py imports scoring, which imports this module: the model class is read when a model is loaded.
        from sidecar.intelligence.learned import EscalationModel

        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                facts = json.loads(archive["facts"].tobytes())
                coef, intercept, idf = archive["coef"], archive["intercept"], archive["idf"]
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a needs-person model: {exc}") from exc
        word, char = (HashingVectorizer(**{k: tuple(v) if k == "ngram_range" else v
                                           for k, v in facts["vectorizers"][kind].items()})
                      for kind in ("word", "char"))
        tfidf = TfidfTransformer(**facts["tfidf"])
        tfidf.idf_ = idf
        classifier = LogisticRegression()
        classifier.classes_, classifier.coef_, classifier.intercept_ = np.array([0, 1]), coef, intercept
        classifier.n_features_in_ = coef.shape[1]
        model = EscalationModel(signals=facts["signals"], word_vectorizer=word, char_vectorizer=char, tfidf=tfidf,
                                classifier=classifier, trained_on=facts["trained_on"], version=facts["version"])
        model.findings_version = facts["findings_version"]
        return cls(model=model, fitted_for=facts["fitted_for"], tickets_digest=facts["tickets"])


def example_ticket_files() -> list[Path]:
    """The labelled example tickets' files, in a fixed order."""
    return sorted(TICKETS_DIRECTORY.glob("*.jsonl"))


def tickets_digest() -> str:
    """A digest of every example ticket file (names and bytes)."""
    digest = hashlib.sha256()
    for path in example_ticket_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def bundled_model() -> NeedsPersonModel | None:
    """The shipped model, or None when it is missing or unreadable (logged; the rules' score then)."""
    try:
        return NeedsPersonModel.from_bytes(MODEL_FILE.read_bytes())
    except (OSError, ValueError, KeyError) as exc:
        log.warning("needs-person model unavailable (%s): scoring without it", exc)
        return None


_MISMATCH_LOGGED: set[str] = set()


def model_for(findings_version: str) -> NeedsPersonModel | None:
    """The shipped model when it was fitted for these rules and this layer (`findings_version`, as
    scoring.ticket_findings names them), else None, logged once per version."""
    model = bundled_model()
    if model is None or model.fitted_for == findings_version:
        return model
    if findings_version not in _MISMATCH_LOGGED:
        _MISMATCH_LOGGED.add(findings_version)
        log.warning("the needs-person model was fitted for %s, the findings here are %s: scoring without it "
                    "(refit with python -m sidecar.intelligence.semantic.refit)",
                    model.fitted_for, findings_version)
    return None
