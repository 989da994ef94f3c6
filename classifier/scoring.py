"""TF-IDF features and calibrated linear topic scores with numpy alone.

A fitted ``TopicClassifier`` keeps its learned state here, so that predicting (and loading a
model file) never imports scikit-learn, whose import alone costs about a second of start-up.
The analyzers below are also the ones the scikit-learn vectorizers use during ``fit``, so
training and prediction share one definition of the features.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .segment import tokenize_lead

_WHITESPACE = re.compile(r"\s\s+")


def word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    """Word n-grams of ``tokens`` (joined by a space), for n in ``lo..hi``."""
    out = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of ``text`` (lower-cased, whitespace runs collapsed), n in ``lo..hi``."""
    text = _WHITESPACE.sub(" ", text.lower())
    out: list[str] = []
    for n in range(lo, hi + 1):
        out.extend(text[i:i + n] for i in range(len(text) - n + 1))
    return out


def identity(doc: list[str]) -> list[str]:
    """The analyzer of blocks whose documents are already lists of terms."""
    return doc


@dataclass
class TfidfBlock:
    """One TF-IDF feature block: vocabulary, idf weights, block weight."""

    name: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float = 1.0
    sublinear_tf: bool = True

    def vector(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and l2-normalised, weighted tf-idf values of ``terms``."""
        vocab = self.vocabulary
        counts = Counter(t for t in terms if t in vocab)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        idx = np.fromiter((vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        val = tf * self.idf[idx]
        norm = np.sqrt(val @ val)
        return idx, (val / norm * self.weight) if norm > 0 else val


@dataclass
class LinearMember:
    """A linear model, optionally followed by per-class calibrators.

    ``calibration`` is None (softmax of the scores), ``"sigmoid"`` with ``params`` of shape
    (k, 2) holding (a, b) of ``1 / (1 + exp(a·s + b))``, or ``"isotonic"`` with ``params`` a
    list of (x thresholds, y thresholds) per class.
    """

    coef: np.ndarray
    intercept: np.ndarray
    calibration: str | None = None
    params: object = None

    def scores(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        return self.coef[:, idx] @ val + self.intercept

    def proba(self, s: np.ndarray) -> np.ndarray:
        k = len(self.intercept)
        if self.calibration is None:
            e = np.exp(s - s.max())
            return e / e.sum()
        if self.calibration == "sigmoid":
            ab = np.asarray(self.params)
            p = 1.0 / (1.0 + np.exp(ab[:, 0] * s + ab[:, 1]))
        elif self.calibration == "isotonic":
            p = np.array([np.interp(s[j], x, y) for j, (x, y) in enumerate(self.params)])
        else:
            raise ValueError(f"unknown calibration {self.calibration!r}")
        total = p.sum()
        return p / total if total > 0 else np.full(k, 1.0 / k)


@dataclass
class TopicScorer:
    """The fitted state of a ``TopicClassifier``: feature blocks and calibrated linear members."""

    classes: np.ndarray
    blocks: list[TfidfBlock]
    members: list[LinearMember]
    explainer: LinearMember
    lead_chars: int = 120
    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] | None = None
    offsets: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        sizes = [len(b.vocabulary) for b in self.blocks]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    def documents(self, text: str) -> dict[str, list[str]]:
        """The terms of each block for one clean text (one jieba pass)."""
        lo, hi = self.word_ngram_range
        tokens, n_lead = tokenize_lead(text, self.lead_chars)
        docs = {"word": word_ngrams(tokens, lo, hi), "lead": word_ngrams(tokens[:n_lead], lo, hi)}
        if self.char_ngram_range:
            docs["char"] = char_ngrams(text, *self.char_ngram_range)
        return docs

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse feature vector (indices, values) of one clean text."""
        docs = self.documents(text)
        parts = [b.vector(docs[b.name]) for b in self.blocks]
        idx = np.concatenate([p[0] + off for p, off in zip(parts, self.offsets)])
        val = np.concatenate([p[1] for p in parts])
        return idx, val

    def proba_of_vector(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        return np.mean([m.proba(m.scores(idx, val)) for m in self.members], axis=0)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (n, len(classes)), for clean texts."""
        return np.array([self.proba_of_vector(*self.vector(t)) for t in texts]).reshape(len(texts), len(self.classes))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores of the explaining model, shape (n, len(classes))."""
        return np.array([self.explainer.scores(*self.vector(t)) for t in texts]).reshape(len(texts), -1)

    def feature_names(self) -> list[str]:
        names: list[str] = []
        for b in self.blocks:
            block = [""] * len(b.vocabulary)
            for term, j in b.vocabulary.items():
                block[j] = term
            names.extend(block)
        return names

    def explain(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` terms that pushed the predicted topic most (tf-idf × coefficient)."""
        idx, val = self.vector(text)
        cls = int(np.argmax(self.proba_of_vector(idx, val)))
        row = self.explainer.coef[cls]
        names = self.feature_names()
        totals: dict[str, float] = {}
        for j, v in zip(idx, val):
            c = float(v * row[j])
            if c > 0:
                term = names[j].replace(" ", "")  # a surface's word, lead and char features merge
                totals[term] = totals.get(term, 0.0) + c
        return sorted(totals.items(), key=lambda kv: -kv[1])[:k]
