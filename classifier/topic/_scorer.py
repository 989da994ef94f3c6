"""The fitted state of a TopicClassifier and prediction from it, with numpy alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import numpy as np

from ..segment import tokenize_lead
from ._features import _GUIDE_LEAD, _QA_HEAD, _QUESTION_LINE, GUIDE_RULES, FeatureSpec, guide_row


@dataclass
class TfidfBlock:
    """One fitted TF-IDF block: vocabulary, idf weights, block weight (rows l2-normalised)."""

    name: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float = 1.0
    sublinear_tf: bool = True

    def vector(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and weighted tf-idf values of a document's ``terms``."""
        return self.vector_counts(Counter(terms))

    def vector_counts(self, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """``vector`` of a document given as term counts (in first-occurrence order)."""
        n = len(counts)
        cols = np.fromiter(map(self.vocabulary.get, counts, repeat(-1, n)), dtype=np.int64, count=n)
        known = cols >= 0
        if not known.any():
            return np.empty(0, dtype=np.int64), np.empty(0)
        idx = cols[known]
        tf = np.fromiter(counts.values(), dtype=np.float64, count=n)[known]
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        val = tf * self.idf[idx]
        norm = np.sqrt(val @ val)
        return idx, (val * (self.weight / norm)) if norm > 0 else val


@dataclass
class LinearMember:
    """A linear model, then softmax or per-class calibrators (a ``CalibratedClassifierCV`` member).

    ``calibration`` None: softmax of the scores (multinomial logistic regression).
    ``"sigmoid"``: ``params`` holds (a, b) per class of ``1 / (1 + exp(a·s + b))``;
    ``"isotonic"``: ``params`` holds (x thresholds, y thresholds) per class. ``columns`` are
    the class columns the calibrated scores go to; one calibrated score means a binary problem.
    """

    coef: np.ndarray
    intercept: np.ndarray
    calibration: str | None = None
    params: list = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    n_classes: int = 0

    def scores(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        return self.coef[:, idx] @ val + self.intercept

    def proba(self, s: np.ndarray) -> np.ndarray:
        if self.calibration is None:
            e = np.exp(s - s.max())
            return e / e.sum()
        if self.calibration == "sigmoid":
            p = np.array([1.0 / (1.0 + np.exp(a * v + b)) for v, (a, b) in zip(s, self.params)])
        else:
            p = np.array([np.interp(v, x, y) for v, (x, y) in zip(s, self.params)])
        if self.n_classes == 2 and len(p) == 1:
            return np.array([1.0 - p[0], p[0]])
        out = np.zeros(self.n_classes)
        out[self.columns] = p
        total = out.sum()
        return out / total if total > 0 else np.full(self.n_classes, 1.0 / self.n_classes)


@dataclass
class TopicScorer:
    """The fitted state of a ``TopicClassifier``, and prediction from it."""

    classes: np.ndarray
    spec: FeatureSpec
    blocks: list[TfidfBlock]
    members: list[LinearMember]
    explainer: LinearMember
    cue_scale: float = 0.0
    #: Log-odds each ``GUIDE_RULES`` match adds to each class, shape (N_GUIDE, n_classes); None: none.
    guide: np.ndarray | None = None
    n_tfidf: int = field(init=False)
    offsets: list[int] = field(init=False)

    def __post_init__(self) -> None:
        sizes = [len(b.vocabulary) for b in self.blocks]
        self.offsets = [int(o) for o in np.concatenate([[0], np.cumsum(sizes)[:-1]])] if sizes else []
        self.n_tfidf = int(sum(sizes))

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse feature vector (indices, values) of one clean text."""
        docs: dict[str, Any] = self.spec.documents(text)
        parts = [b.vector(docs[b.name]) for b in self.blocks]
        idx = [p[0] + off for p, off in zip(parts, self.offsets)]
        val = [p[1] for p in parts]
        if self.spec.cues:
            row = docs["cues"] * self.cue_scale
            nz = np.flatnonzero(row)
            idx.append(nz + self.n_tfidf)
            val.append(row[nz])
        return np.concatenate(idx), np.concatenate(val)

    def _offset(self, text: str) -> np.ndarray | float:
        """The guide rules' log-odds for one clean text (0.0 without guide rules)."""
        guide = getattr(self, "guide", None)  # models saved before the guide rules have none
        if guide is None:
            return 0.0
        row = guide_row(text)
        return row @ guide if row.any() else 0.0

    def _proba(self, idx: np.ndarray, val: np.ndarray, offset: np.ndarray | float = 0.0) -> np.ndarray:
        if len(self.members) == 1:  # the mean of one row is that row, bit for bit
            m = self.members[0]
            return m.proba(m.scores(idx, val) + offset)
        return np.mean([m.proba(m.scores(idx, val) + offset) for m in self.members], axis=0)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities of clean texts, shape (n, len(classes))."""
        out = np.empty((len(texts), len(self.classes)))
        for i, text in enumerate(texts):
            out[i] = self._proba(*self.vector(text), self._offset(text))
        return out

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores of clean texts (guide rules included), one column per class."""
        return np.array([self.explainer.scores(*self.vector(t)) + self._offset(t) for t in texts]).reshape(
            len(texts), -1
        )

    def feature_names(self) -> list[str]:
        """Names of the tf-idf features, in column order (the cue block follows them)."""
        names: list[str] = []
        for b in self.blocks:
            block = [""] * len(b.vocabulary)
            for term, j in b.vocabulary.items():
                block[j] = term
            names.extend(block)
        return names

    def explain(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` strings of ``text`` that pushed its predicted topic most (tf-idf × coefficient).

        A topic-wide cue feature (how many cue words of a topic, how many 问/答 lines) is
        shared out among the words that fired it, so every term is a string of the text.
        """
        idx, val = self.vector(text)
        offset = self._offset(text)
        cls = int(np.argmax(self._proba(idx, val, offset)))
        contrib = val * self.explainer.coef[cls, idx]
        names = self.feature_names()
        totals: dict[str, float] = {}

        def add(term: str, value: float) -> None:
            totals[term] = totals.get(term, 0.0) + value

        cues = np.zeros(self.spec.cue_table.size if self.spec.cues else 0)
        for j, c in zip(idx, contrib):
            if j >= self.n_tfidf:
                cues[j - self.n_tfidf] = c
                continue
            name = names[j]
            surface = name.replace(" ", "")
            if surface in text or " " not in name:  # word, lead and char features of one string add up
                add(surface, float(c))
            else:  # an n-gram bridging dropped punctuation or stopwords: shared among its words
                words = name.split(" ")
                for word in words:
                    add(word, float(c) / len(words))
        if self.spec.cues:
            _explain_cues(text, self.spec, cues, add)
        if self.guide is not None and not isinstance(offset, float):
            # A guide rule's prior goes to the words that matched it.
            for r, (rule, hit) in enumerate(zip(GUIDE_RULES, guide_row(text))):
                found = rule.pattern.search(text[:_GUIDE_LEAD] if rule.lead_only else text) if hit else None
                if found and self.guide[r, cls]:
                    add(found.group(), float(self.guide[r, cls]))
        ranked = sorted(((t, v) for t, v in totals.items() if v > 0), key=lambda kv: -kv[1])
        return ranked[:k]


def _explain_cues(text: str, spec: FeatureSpec, contrib: np.ndarray, add: Callable[[str, float], None]) -> None:
    """Share the cue block's contributions out among the cue words and layout marks of ``text``."""
    table = spec.cue_table
    terms = list(table.index)
    tokens, n_lead = tokenize_lead(text, spec.lead_chars)
    whole = dict.fromkeys(terms, 0)
    lead = set()
    for pos, tok in enumerate(tokens):
        if tok in whole:
            whole[tok] += 1
            if pos < n_lead:
                lead.add(tok)
    for j, term in enumerate(terms if table.words else ()):
        add(term, float(contrib[table.lead_words + j] + contrib[table.text_words + j]))
    for gi, members in enumerate(table.groups.values()):
        for weights, value in (
            (dict.fromkeys((m for m in members if m in lead), 1), contrib[table.lead_groups + gi]),
            ({m: whole[m] for m in members if whole[m]}, contrib[table.text_groups + gi]),
        ):
            total = sum(weights.values())
            for term, w in weights.items():
                add(term, float(value) * w / total)
    for found, value in (
        (_QA_HEAD.findall(text), contrib[table.qa_heads]),
        (_QUESTION_LINE.findall(text), contrib[table.question_lines]),
    ):
        for mark in found:
            add(mark.strip(), float(value) / len(found))
