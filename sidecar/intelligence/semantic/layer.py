"""Read what a customer means, sentence by sentence, learned from the product's example sentences.

Each sentence (or clause after a contrast) of the customer's messages is read once (cached by a hash of
its text): a logistic regression fitted on the example sentences (examples*.jsonl, about 80 per label and
a background of about 660 `context` sentences), over their embeddings beside their character n-grams,
gives it a probability per label; a category's probability is the sum over its labels. A reason found with
probability P becomes a finding of strength P under the rule signal of its likeliest label, quoting the
customer's sentence and the example sentence nearest to it. A sentence that reads as resolved talk or a
hypothetical damps the rules' findings inside it; an auto-reply silences its whole message.

Why learned over the examples rather than nearest neighbours: in 5-fold cross-validation over the
examples, the regression over embeddings puts 74% of held-out sentences in the right category, 81% with
character n-grams beside them (misspellings, Hinglish), where the nearest examples manage 57%; and its
probabilities are a strength to weigh. The nearest example still explains each decision, and adding
sentences to an examples file is the whole of teaching it something new.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import is_resolved_talk, leaves_nothing_open, says_settled
from sidecar.intelligence.routing import embeddings
from sidecar.intelligence.semantic import gloss
from sidecar.intelligence.semantic.cues import CUES, says_it
from sidecar.intelligence.semantic.examples import (
    ALSO_REASONS,
    LABELS,
    NOT_REASONS,
    REASONS,
    ExampleSet,
    bundled_examples,
)
from sidecar.intelligence.semantic.runtime import RUNTIME_ID, semantic_embedder
from sidecar.intelligence.semantic.sentences import (
    Piece,
    is_word,
    message_pieces,
    sentence_of,
    turned_by_contrast,
)
from sidecar.intelligence.signals import incident
from sidecar.intelligence.signals.billing import asks_credit_for_incident
from sidecar.intelligence.signals.finding import HYPOTHETICAL_FACTOR, RESOLVABLE_CATEGORIES, RESOLVED_FACTOR, Finding
from sidecar.intelligence.signals.low_impact import HOW_TO_QUESTION
from sidecar.intelligence.signals.settled import SETTLED_FACTOR, latest_customer_reply
from sidecar.intelligence.ticket import Ticket

log = logging.getLogger("sidecar.semantic")

# 2: sentences embedded by the int8-computing model (runtime.py); 3: each sentence alone (runtime.py),
# prose only (sentences.py), a subject damped with the resolved or hypothetical message it labels;
# 4: unsigned int8 weights, exact on every x86 CPU (runtime.py); 5: a reading in resolved talk counts a quarter,
# and a reading that loses its own category to the rules loses its second reason too (_findings_for, refine);
# 6: a customer's only message that reads whole as resolved talk, and says so in the rules' words, settles its
# matter (_settled_opening); a wish damps the rules inside it as a hypothetical does ("would be nice if we could
# refund several payments at once" asks for no refund; examples.NOT_REASONS); "e.g." ends no sentence;
# 7: a latest reply after the support side's answer that reads whole as thanks for a settled matter settles it
# (reads_settled_reply); a sentence in another language is read as the mean of its embedding and its English
# gloss's, by a classifier of its own (gloss.py, sentence_vectors, fitted_for_glosses); a churn threat needs 0.7; a
# message is automatic only as a whole or in half its sentences (automatic_messages);
# 8: a churn reading needs a word of leaving in its sentence or its gloss (cues.py); a German or Dutch compound is
# glossed as its two known words (gloss.compound_gloss); a malfunction only the layer reads, in a message the rules
# read as a how-to question with no fault of their own, counts as a hypothetical (asking_the_way)
LAYER_VERSION = "semantic-8"
AUTO_REPLY = "auto_reply"
REGULARISATION = 64.0  # logistic regression C, chosen by 5-fold cross-validation over the examples
# Words (sentences.is_word): "User Agent:", "Browser / Version**:" are no sentence; bare chat requests
# ("agent pls") are the rules' short-request check.
MIN_WORDS = 3
MIN_PROBABILITY = 0.5  # a reading less likely than not yields no finding (the category threshold of the rules)
# Resolved / hypothetical talk damps the rules only when clearly so: at 0.5 an unsure reading in another language
# ("... macht sein Recht auf Löschung geltend, bitte löschen Sie alles." as thanks, 0.52) silenced the rules'
# erasure request; 0.6 changed no figure of the own set, the probe or seamonkey (0.7 lost own-set rows).
DAMP_MIN_PROBABILITY = 0.6
# A threat to leave is said in so many words, and it makes any customer an at-risk one (high_value_customer): an
# unsure reading is more often a sentence near one than a threat. On probe6 (2026-12-07) the readings of 0.5-0.7
# were "we're flying blind right now", "we are thinking of doing the upgrade", "we also need all old product URLs
# redirected" (moving to us), wrong in all 5 tickets they changed; the own set had none. 0.8 changed nothing more.
CHURN_MIN_PROBABILITY = 0.7
AUTO_REPLY_MIN_PROBABILITY = 0.8  # an auto-reply silences its whole message: only when it is clearly one
# A customer's only message settles its own matter ("just confirming the refund landed, thanks for sorting it
# out") when it reads as resolved talk as a whole this surely and the rules' resolution words agree (settled.py).
# 0.85 since 2026-12-07 (0.9 before): readings move by a few hundredths with each set of examples added (14 more
# resolved-talk examples took "Just confirming the refund of $1,200 landed on our card this morning. Thanks ..."
# from 0.91 to 0.89), and the rules' resolution words must agree anyway; no figure of the own set, probe6,
# seamonkey or bitext changed.
SETTLED_OPENING_PROBABILITY = 0.85
SETTLED_REPLY_PROBABILITY = 0.9  # ... and a short latest reply after the support side's answer (reads_settled_reply)
CACHE_SIZE = 50_000  # sentences' readings kept (a few MB); keys are hashes, never the customer's text
NGRAMS = (2, 4)  # character n-gram lengths beside the embedding
# What each label's probability counts towards: a reason's category, or the not-reason itself.
GROUPS = tuple(REASONS[label][1] if label in REASONS else label for label in LABELS)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one piece of a message reads as: the likeliest group (category or not-reason), its probability,
    its likeliest label, and the example sentence of that label nearest to the piece."""

    piece: Piece
    group: str
    probability: float
    label: str
    example: str


@dataclass(frozen=True)
class Fitted:
    """What fitting on the examples produced: their embeddings, the character n-grams' columns and inverse
    document frequencies, and the regression's weights (embedding part, n-gram part) and intercepts."""

    examples: np.ndarray
    ngrams: dict[str, int]
    idf: np.ndarray
    embedding_weights: np.ndarray
    ngram_weights: np.ndarray
    intercepts: np.ndarray

    def save(self, path: Path) -> None:
        """Write to an .npz file (plain arrays: loading it runs no code), whole or not at all."""
        partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(partial, examples=self.examples, ngrams=np.asarray(sorted(self.ngrams, key=self.ngrams.__getitem__)),
                 idf=self.idf, embedding_weights=self.embedding_weights, ngram_weights=self.ngram_weights,
                 intercepts=self.intercepts)
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> Fitted:
        """Read a file written by save."""
        with np.load(path, allow_pickle=False) as data:
            return cls(examples=data["examples"], ngrams={str(g): i for i, g in enumerate(data["ngrams"])},
                       idf=data["idf"], embedding_weights=data["embedding_weights"],
                       ngram_weights=data["ngram_weights"], intercepts=data["intercepts"])


class SemanticLayer:
    """Sentence embeddings read by a classifier fitted on the product's example sentences (module docstring)."""

    def __init__(self, embedder, examples: ExampleSet, *, cache_dir: Path | None = None):
        self.embedder = embedder
        self.examples = examples
        self.cache_dir = cache_dir
        # The version says which examples it learned from and, when it is not the int8 model the layer ships
        # with (semantic/runtime.py: a machine without `onnx`), which model reads the sentences.
        model = "" if embedder.name == RUNTIME_ID else f"+{embedder.name}"
        # The glossaries change what a sentence in another language reads as, so they are named too.
        self.version = f"{LAYER_VERSION}:{examples.digest[:8]}-g{gloss.glossary_digest()[:6]}{model}"
        self._labels = np.asarray([LABELS.index(label) for label in examples.labels])
        self._groups = sorted(set(GROUPS))
        self._group_of_label = np.asarray([self._groups.index(group) for group in GROUPS])
        self._fitted: dict[bool, Fitted | None] = {False: None, True: None}  # by "for glossed sentences"
        self._readings: OrderedDict[bytes, tuple[int, float, int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def fitted(self) -> Fitted:
        """The classifier over the examples: from the model cache, or fitted now (seconds) and cached."""
        return self._load_or_fit(glossed=False)

    def fitted_for_glosses(self) -> Fitted:
        """The classifier for sentences in another language: fitted on the examples as written and, beside them, on
        the other-language examples as they are read (fit_examples)."""
        return self._load_or_fit(glossed=True, embedded=self.fitted().examples)

    def _load_or_fit(self, *, glossed: bool, embedded: np.ndarray | None = None) -> Fitted:
        with self._lock:
            fitted = self._fitted[glossed]
            if fitted is not None:
                return fitted
            path = None
            if self.cache_dir is not None:
                # Named by everything the fit depends on: a new model, example set, glossary or setting refits.
                fit = f"{LAYER_VERSION}-c{REGULARISATION:g}-n{NGRAMS[0]}{NGRAMS[1]}"
                if glossed:
                    fit += f"-g{gloss.glossary_digest()}"
                path = self.cache_dir / f"semantic-{_safe(self.embedder.name)}-{fit}-{self.examples.digest}.npz"
            if path is not None and path.exists():
                fitted = Fitted.load(path)
            else:
                fitted = fit_examples(self.embedder, self.examples, glossed=glossed, embedded=embedded)
                if path is not None:
                    try:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        fitted.save(path)
                    except OSError as exc:  # a read-only home: fitted again by the next process
                        log.warning("cannot cache the semantic layer in %s (%s)", path.parent, exc.strerror or exc)
            self._fitted[glossed] = fitted
            return fitted

    def read(self, pieces: Sequence[Piece]) -> list[Reading]:
        """Each piece's likeliest group with its probability, likeliest label and nearest example; each
        distinct text is embedded and classified once per process (cached by a hash of the text)."""
        # Each piece's English gloss (itself when it is English or of no clear language); the key covers both.
        message_language: dict[int, str | None] = {}
        for piece in pieces:
            if id(piece.view) not in message_language:
                message_language[id(piece.view)] = gloss.guess(piece.view.text)
        read_as = [gloss.english_gloss(piece.text, gloss.language_of(piece.text, message_language[id(piece.view)]))
                   for piece in pieces]
        keys = [hashlib.blake2b(f"{piece.text}\0{text}".encode(), digest_size=16).digest()
                for piece, text in zip(pieces, read_as, strict=True)]
        with self._lock:
            known = {key: self._readings[key] for key in keys if key in self._readings}
            for key in known:
                self._readings.move_to_end(key)
        missing = list(dict.fromkeys(key for key in keys if key not in known))
        if missing:
            text_of = {key: (piece.text, text) for key, piece, text in zip(keys, pieces, read_as, strict=True)}
            fresh = self._classify([text_of[key][0] for key in missing], [text_of[key][1] for key in missing])
            with self._lock:
                for key, reading in zip(missing, fresh, strict=True):
                    known[key] = self._readings[key] = reading
                while len(self._readings) > CACHE_SIZE:
                    self._readings.popitem(last=False)
        readings = []
        for key, piece in zip(keys, pieces, strict=True):
            group, probability, label, example = known[key]
            readings.append(Reading(piece=piece, group=self._groups[group], probability=probability,
                                    label=LABELS[label], example=self.examples.texts[example]))
        return readings

    def _classify(self, texts: Sequence[str], read_as: Sequence[str]) -> list[tuple[int, float, int, int]]:
        fitted = self.fitted()
        glossed = self.fitted_for_glosses() if any(a != b for a, b in zip(texts, read_as, strict=True)) else fitted
        vectors = sentence_vectors(self.embedder, texts, read_as)
        logits = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for row, (text, english) in enumerate(zip(texts, read_as, strict=True)):
            reader = glossed if text != english else fitted  # a sentence in another language: its own classifier
            logits[row] = vectors[row] @ reader.embedding_weights.T + reader.intercepts
            columns, values = ngram_features(text, reader.ngrams, reader.idf)
            if len(columns):
                logits[row] += values @ reader.ngram_weights[:, columns].T
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        by_group = np.zeros((len(texts), len(self._groups)), dtype=np.float64)
        np.add.at(by_group.T, self._group_of_label, probabilities.T)
        out = []
        for row in range(len(texts)):
            group = int(np.argmax(by_group[row]))
            members = np.flatnonzero(self._group_of_label == group)
            label = int(members[np.argmax(probabilities[row, members])])
            same_label = np.flatnonzero(self._labels == label)
            example = int(same_label[np.argmax(fitted.examples[same_label] @ vectors[row])])
            out.append((group, float(by_group[row, group]), label, example))
        return out

    def refine(self, ticket: Ticket, findings: Sequence[Finding]) -> list[Finding]:
        """The rules' findings, damped inside sentences that read as resolved, hypothetical or automatic,
        plus a finding for each sentence whose meaning is a reason (or a wish, or a how-to question)."""
        pieces = customer_pieces(ticket)
        readings = self.read(pieces)
        # Only a sentence damps: a whole message reading as resolved may still hold "but Y is broken"; and not
        # the part before a "but", which the rest of its sentence turns against ("you said the outage was fixed,
        # but the site went down again": the rules' reading of the whole sentence stands).
        damping = [(r.piece, NOT_REASONS[r.label][0]) for r in readings
                   if not r.piece.whole and not r.piece.clause and not turned_by_contrast(r.piece)
                   and r.label in NOT_REASONS and NOT_REASONS[r.label][0] < 1.0
                   and r.probability >= (AUTO_REPLY_MIN_PROBABILITY if r.label == AUTO_REPLY else DAMP_MIN_PROBABILITY)]
        # An automatic reply is a whole message: its "for anything urgent, call Tomasz" asks for nothing.
        automatic = automatic_messages(readings)
        damping.extend((Piece(view, 0, len(view.text)), 0.0) for view in automatic.values())
        refined = [_damped(finding, damping) for finding in findings]
        subject_factor = _subject_damping(readings, refined)
        if subject_factor is not None:
            refined = [replace(f, strength=f.strength * subject_factor)
                       if f.span is not None and f.span[0].where == "subject" else f for f in refined]
        how_to_messages = asking_the_way(refined)
        read_in_sentences: set[tuple[str, str | None]] = set()  # (message, category) a sentence already gave
        label_of = {id(r.piece): r.label for r in readings}
        for reading in readings:
            if not speaks_for_itself(reading.piece, pieces) or reading.piece.view.where in automatic:
                continue
            if reading.piece.clause and not _sentence_is_a_reason(reading.piece, pieces, label_of):
                continue
            # The one bug reading a how-to question damps (asking_the_way).
            asks_how = reading.label == incident.MALFUNCTION and reading.piece.view.where in how_to_messages
            for number, finding in enumerate(_findings_for(reading)):
                if asks_how:
                    finding = replace(finding, strength=round(finding.strength * HYPOTHETICAL_FACTOR, 3))
                key = (reading.piece.view.where, finding.category)
                if reading.piece.whole and key in read_in_sentences:
                    continue  # the whole message says again what one of its sentences said
                read_in_sentences.add(key)
                # The rules' own findings of the category in this sentence: one reason per sentence is counted,
                # the stronger reading of it, so a sentence is neither counted twice nor quoted twice.
                same = [i for i, f in enumerate(refined) if f.category == finding.category and f.category is not None
                        and f.span is not None and reading.piece.contains(f.span[0].where, f.span[1], f.span[2])]
                if any(refined[i].strength <= 0.0 for i in same) or any(
                        refined[i].strength >= finding.strength for i in same):
                    # The rules read the phrase and set it aside (negated, narrative: negation beats meaning), or
                    # read it more surely. When that is the reading's own category, the rules' reading of the
                    # sentence wins and the reading's second reason goes with it ("exercises the right to
                    # erasure" is a privacy request, not data shown to a stranger and so no bug).
                    if number == 0:
                        break
                    continue
                for i in same:
                    refined[i] = replace(refined[i], strength=0.0)
                refined.append(finding)
        if _settled_opening(ticket, readings):
            refined = [replace(f, strength=f.strength * SETTLED_FACTOR) for f in refined]
        return refined

    def reads_settled_reply(self, ticket: Ticket) -> bool:
        """True when the customer's latest reply reads, whole, as thanks for a matter that is over ("Received,
        thanks a lot!", "checked five of them, all correct now") and leaves nothing open: settled.py then settles
        it after the support side's answer, as it does the rules' "got it, thanks"."""
        latest = latest_customer_reply(ticket)
        if latest is None or not leaves_nothing_open(latest):
            return False
        readings = self.read(message_pieces(latest))
        whole = [r for r in readings if r.piece.whole] or [r for r in readings if not r.piece.clause]  # one sentence
        return bool(whole) and all(r.label == "resolved_or_thanks" and r.probability >= SETTLED_REPLY_PROBABILITY
                                   for r in whole)


def asking_the_way(findings: Sequence[Finding]) -> set[str]:
    """The messages the rules read as a how-to question and in which they find no fault of the product: there, a
    malfunction only the layer reads is counted as a hypothetical ("Como faço para associar cada rastreador ao
    caminhão certo?", "our new drivers don't understand kilometres; can we switch to miles?" name what should work,
    they report no fault). An outage, crash or lost data read there still counts in full."""
    asking = {f.message() for f in findings if f.signal == HOW_TO_QUESTION and f.strength > 0.0 and f.span is not None}
    faults = {f.message() for f in findings if f.category == incident.CATEGORY and f.span is not None
              and f.strength >= MIN_PROBABILITY}
    return {where for where in asking - faults if where is not None}


def automatic_messages(readings: Sequence[Reading]) -> dict[str, MessageView]:
    """The messages that read as automatic replies: read whole, or (too long to read whole) in at least half of
    their sentences. Not a message with one such sentence: "we have to respond within a month of the request" in
    a processor's data-access request read as an auto-reply (0.98) and silenced the request."""
    sure = {id(r.piece) for r in readings if r.label == AUTO_REPLY and r.probability >= AUTO_REPLY_MIN_PROBABILITY}
    by_message: dict[str, list[Reading]] = {}
    for reading in readings:
        by_message.setdefault(reading.piece.view.where, []).append(reading)
    automatic = {}
    for where, own in by_message.items():
        whole = [r for r in own if r.piece.whole]
        sentences = [r for r in own if not r.piece.whole and not r.piece.clause]
        votes = whole or sentences
        if votes and sum(id(r.piece) in sure for r in votes) * 2 >= len(votes):
            automatic[where] = own[0].piece.view
    return automatic


def char_ngrams(text: str) -> list[str]:
    """Character 2-4-grams within words padded by a space, lower-cased (as scikit-learn's "char_wb")."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(NGRAMS[0], NGRAMS[1] + 1):
            if len(padded) < n:
                break
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


def ngram_features(text: str, ngrams: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text's known n-grams as (columns, TF-IDF values): 1 + log(count) times idf, unit length."""
    counts: dict[int, int] = {}
    for gram in char_ngrams(text):
        column = ngrams.get(gram)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[columns]
    return columns, (values / np.linalg.norm(values)).astype(np.float32)


def fit_examples(embedder, examples: ExampleSet, *, glossed: bool = False,
                 embedded: np.ndarray | None = None) -> Fitted:
    """Fit the classifier on the example sentences: their embeddings beside their character n-grams
    (spelling: "persn", "insaan", "reembolso" are near their examples even where the English model reads
    them poorly). `glossed`: each example in another language also a second time, as the layer reads such a
    sentence (sentence_vectors: its embedding's mean with its gloss's), for the classifier of those sentences.
    `embedded`: the examples' embeddings when already made (by the other fit)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    matrix = embedder.encode(list(examples.texts)) if embedded is None else embedded
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, dtype=np.float32)
    grams = vectorizer.fit_transform(examples.texts)
    labels = np.asarray([LABELS.index(label) for label in examples.labels])
    features = sparse.hstack([sparse.csr_matrix(matrix), grams]).tocsr()
    targets = labels
    if glossed:
        english = [gloss.english_gloss(text, gloss.language_of(text)) for text in examples.texts]
        rows = [row for row, (text, read_as) in enumerate(zip(examples.texts, english, strict=True)) if text != read_as]
        if rows:
            read = unit_mean(matrix[rows], embedder.encode([english[row] for row in rows]))  # as sentence_vectors
            features = sparse.vstack([features, sparse.hstack([sparse.csr_matrix(read), grams[rows]])]).tocsr()
            targets = np.concatenate([labels, labels[rows]])
    model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(features, targets)
    width = matrix.shape[1]
    weights = np.zeros((len(LABELS), model.coef_.shape[1]), dtype=np.float32)
    intercepts = np.full(len(LABELS), -1e9, dtype=np.float32)  # a label without examples never wins
    weights[model.classes_] = model.coef_
    intercepts[model.classes_] = model.intercept_
    return Fitted(examples=matrix, ngrams={g: int(i) for g, i in vectorizer.vocabulary_.items()},
                  idf=vectorizer.idf_.astype(np.float32), embedding_weights=weights[:, :width],
                  ngram_weights=np.ascontiguousarray(weights[:, width:]), intercepts=intercepts)


def sentence_vectors(embedder, texts: Sequence[str], glosses: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings of the texts; a text in another language is read as the mean of its own embedding
    and its English gloss's (gloss.py), and classified by the layer's second classifier (fitted_for_glosses).

    Measured 2026-12-07 on probe6 (240 B2B tickets a helper wrote that session, 40% in eight other languages; odd
    ids read, even ids only scored), other-language escalation ROC-AUC dev / holdout: 0.844 / 0.925 as written;
    0.907 / 0.957 read as the mean by the one classifier fitted on the examples as written; 0.928 / 0.989 by a
    second classifier fitted on those examples plus each other-language example read as the mean. English
    sentences keep the first classifier: fitting the one classifier on the glossed examples read the other
    languages as well but moved every English decision with them (seamonkey P1-P3 ROC-AUC 0.858 -> 0.69-0.82,
    target 0.85, whether glossed, averaged or added at weights 1, 0.5 or 0.25), and the gloss alone rather than the
    mean lost the dev half (0.842)."""
    vectors = embedder.encode(list(texts))
    glossed = [row for row, (text, english) in enumerate(zip(texts, glosses, strict=True)) if text != english]
    if glossed:
        vectors[glossed] = unit_mean(vectors[glossed], embedder.encode([glosses[row] for row in glossed]))
    return vectors


def unit_mean(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row by row, the unit-length mean of two sets of unit-length embeddings."""
    mean = first + second
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def customer_pieces(ticket: Ticket) -> list[Piece]:
    """The pieces of everything the customer wrote, subject first."""
    return [piece for where, text in ticket.customer_messages()
            for piece in message_pieces(MessageView.of(where, "customer", text))]


def speaks_for_itself(piece: Piece, pieces: Sequence[Piece]) -> bool:
    """False for a subject beside a message: a subject is a label ("Refund received", "Webhook retries")
    whose meaning the message gives; read alone it reads as the request it names. It still damps."""
    return piece.view.where != "subject" or all(other.view.where == "subject" for other in pieces)


def _subject_damping(readings: Sequence[Reading], refined: Sequence[Finding]) -> float | None:
    """How much the subject's findings are damped: a subject is the label of its message ("Refund received",
    "Breach notification"), so when every message beside it reads as resolved talk or a hypothetical, with no
    sentence leaning to a reason and no reason found in any of them, its words count as little as theirs do.
    None: not damped."""
    messages: dict[str, list[Reading]] = {}
    for reading in readings:
        if reading.piece.view.where != "subject" and not reading.piece.whole and not reading.piece.clause:
            messages.setdefault(reading.piece.view.where, []).append(reading)
    if not messages:
        return None  # a subject alone speaks for itself
    if any(f.category is not None and f.strength >= MIN_PROBABILITY and f.span is not None
           and f.span[0].where != "subject" for f in refined):
        return None  # the rules found a reason in a message that still stands
    factors = []
    for sentences in messages.values():
        if any(r.label in REASONS for r in sentences):
            return None  # a sentence leaning to a reason, however unsure: the subject may be what says it
        damping = [NOT_REASONS[r.label][0] for r in sentences if r.label in NOT_REASONS
                   and NOT_REASONS[r.label][0] < 1.0 and r.probability >= DAMP_MIN_PROBABILITY]
        if not damping:
            return None
        factors.append(min(damping))
    return max(factors)


def _settled_opening(ticket: Ticket, readings: Sequence[Reading]) -> bool:
    """True when the customer wrote nothing after an opening message that says, read whole and by the rules'
    resolution words, that its matter is over: a thank-you for a refund that landed, a confirmation that the
    corrected invoice is right. A subject such as "Refund received" then counts as little as the rest."""
    if latest_customer_reply(ticket) is not None:
        return False  # a later word settles or not (settled.py)
    whole = [r for r in readings if r.piece.whole and r.piece.view.where == "description"]
    return bool(whole) and all(r.label == "resolved_or_thanks" and r.probability >= SETTLED_OPENING_PROBABILITY
                               for r in whole) and says_settled(whole[0].piece.view)


def _sentence_is_a_reason(clause: Piece, pieces: Sequence[Piece], label_of: dict[int, str]) -> bool:
    """A clause counts only inside a sentence that reads as a reason: out of its sentence, "thanks for
    getting the scanners back online" would read as the outage it thanks us for."""
    sentence = sentence_of(clause, list(pieces))
    return sentence is not None and label_of.get(id(sentence)) in REASONS


def _findings_for(reading: Reading) -> list[Finding]:
    """The findings a reading gives: its label's reason (two for a label in ALSO_REASONS), its wish or how-to
    signal, or none (unsure, fewer than MIN_WORDS words, a not-reason without a signal)."""
    if reading.probability < MIN_PROBABILITY or sum(map(is_word, reading.piece.text.split())) < MIN_WORDS:
        return []
    if reading.label == "churn_threat" and reading.probability < CHURN_MIN_PROBABILITY:
        return []
    if reading.label in CUES and not says_it(reading.label, reading.piece.text, _gloss_of(reading.piece)):
        return []  # a threat to leave is said in words (cues.py)
    signals: list[tuple[str, str | None]]
    if reading.label in REASONS:
        signals = [REASONS[reading.label], *([ALSO_REASONS[reading.label]] if reading.label in ALSO_REASONS else [])]
    else:
        signal = NOT_REASONS[reading.label][1]
        signals = [(signal, None)] if signal is not None else []
    piece = reading.piece
    evidence = (f'{piece.view.label()}: "{piece.text}" (reads as {reading.label.replace("_", " ")}, '
                f'like "{reading.example}")')
    # A sentence the rules read as saying it is over ("was offline at noon and has been restored") counts a
    # quarter, as the rules' own findings in it do: the rules' reading of resolution words owns that decision.
    # So does an incident named as what a credit is asked for ("a service credit for the three days of downtime").
    over = is_resolved_talk(piece.view, piece.start, piece.end)
    history = asks_credit_for_incident(piece.text)
    return [Finding(signal, round(reading.probability * (
                        RESOLVED_FACTOR if (over and category in RESOLVABLE_CATEGORIES)
                        or (history and category == incident.CATEGORY) else 1.0), 3),
                    evidence=evidence, category=category, where=piece.view.where)
            for signal, category in signals]


def _gloss_of(piece: Piece) -> str:
    """The piece's English gloss, as read() reads it (itself when English or of no clear language)."""
    return gloss.english_gloss(piece.text, gloss.language_of(piece.text, gloss.guess(piece.view.text)))


def _damped(finding: Finding, damping: Sequence[tuple[Piece, float]]) -> Finding:
    if finding.span is None or not damping:
        return finding
    view, start, end = finding.span
    for piece, factor in damping:
        if piece.contains(view.where, start, end):
            return replace(finding, strength=finding.strength * factor)
    return finding


_LAYER: SemanticLayer | None = None
_LAYER_FAILED = False
_LAYER_LOCK = threading.Lock()


def semantic_enabled() -> bool:
    """True unless SIDECAR_SEMANTIC=off, and the bundled sentence model is installed."""
    return os.environ.get("SIDECAR_SEMANTIC", "on").strip().lower() != "off" and embeddings.bundled_model_installed()


def active_layer() -> SemanticLayer | None:
    """The process's semantic layer, or None when it is off or its model cannot load (the rules alone then)."""
    global _LAYER, _LAYER_FAILED
    if os.environ.get("SIDECAR_SEMANTIC", "on").strip().lower() == "off":
        return None
    if _LAYER is not None or _LAYER_FAILED:
        return _LAYER
    if not semantic_enabled():
        return None
    with _LAYER_LOCK:
        if _LAYER is None and not _LAYER_FAILED:
            try:
                layer = SemanticLayer(semantic_embedder(), bundled_examples(),
                                      cache_dir=embeddings.model_cache_dir())
                layer.fitted()
                layer.fitted_for_glosses()
                gloss.distinctive_words()  # reads the glossaries (half a second) now, at warm-up, not in a request
                _LAYER = layer
            except (embeddings.EmbeddingsUnavailable, OSError, ValueError) as exc:
                # The rules still work: log once and go on without meaning rather than fail assessments.
                log.warning("semantic layer unavailable, assessing with the rules alone: %s", exc)
                _LAYER_FAILED = True
    return _LAYER


def reset_layer() -> None:
    """Forget the process's layer (tests switch SIDECAR_SEMANTIC)."""
    global _LAYER, _LAYER_FAILED
    with _LAYER_LOCK:
        _LAYER, _LAYER_FAILED = None, False
