"""Which article to show next: teach (most uncertain first), audit (uniform random), disagreements."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..normalize import normalize

#: Weight of the region's uncertainty next to the topic's in the teach score.
REGION_WEIGHT = 0.5


class Scored(NamedTuple):
    """A model's prediction for one article with how unsure it is."""

    prediction: dict[str, Any]
    margin: float  # best minus second-best topic probability
    region_confidence: float  # softmax probability of the chosen region among the candidates
    uncertainty: float  # teach priority: higher is shown first


def teach_uncertainty(margin: float, region_confidence: float, region_weight: float = REGION_WEIGHT) -> float:
    """Teach priority of an article: (1 - topic margin) + ``region_weight`` · (1 - region confidence)."""
    return (1.0 - margin) + region_weight * (1.0 - region_confidence)


def topic_margin(topic_proba: Mapping[str, float]) -> float:
    """Best minus second-best topic probability (1 when there is one topic)."""
    p = sorted((float(v) for v in topic_proba.values()), reverse=True)
    return p[0] - p[1] if len(p) > 1 else 1.0


def _softmax_top(scores: Iterable[float]) -> float:
    s = [float(v) for v in scores]
    if len(s) <= 1:
        return 1.0
    top = max(s)
    z = sum(math.exp(v - top) for v in s)
    return 1.0 / z


def score_texts(model: Any, texts: Sequence[str], region_weight: float = REGION_WEIGHT) -> list[Scored]:
    """Predict ``texts`` with ``model`` (a :class:`classifier.Predictor`) and score their uncertainty.

    The region confidence comes from the model's candidate scores when it exposes them
    (``model.region.decision_scores``), else it is taken as 1.
    """
    predictions = model.predict(list(texts))
    ranker = getattr(model, "region", None)
    out = []
    for text, pred in zip(texts, predictions):
        conf = 1.0
        if ranker is not None and hasattr(ranker, "decision_scores"):
            conf = _softmax_top(ranker.decision_scores(normalize(text)).values())
        margin = topic_margin(pred["topic_proba"])
        out.append(
            Scored(pred, round(margin, 4), round(conf, 4), round(teach_uncertainty(margin, conf, region_weight), 4))
        )
    return out


def _shingles(text: str, k: int = 5) -> set[int]:
    chars = "".join(normalize(text).split())
    if len(chars) <= k:
        return {int.from_bytes(hashlib.blake2b(chars.encode(), digest_size=8).digest(), "little")}
    return {
        int.from_bytes(hashlib.blake2b(chars[i : i + k].encode(), digest_size=8).digest(), "little")
        for i in range(len(chars) - k + 1)
    }


class NearDuplicates:
    """Near-duplicate check: Jaccard similarity of 5-character shingle sets ≥ ``threshold``.

    Candidates are found through a bottom-``sketch`` MinHash index, then compared exactly.
    """

    def __init__(self, threshold: float = 0.8, sketch: int = 8):
        self.threshold = threshold
        self.sketch = sketch
        self._sets: list[set[int]] = []
        self._index: dict[int, list[int]] = defaultdict(list)

    def find(self, text: str) -> int | None:
        """Index (in order of :meth:`add`) of a kept text this one nearly duplicates, else None."""
        return self._find(_shingles(text))

    def _find(self, s: set[int]) -> int | None:
        seen: set[int] = set()
        for h in sorted(s)[: self.sketch]:
            for j in self._index.get(h, ()):
                if j in seen:
                    continue
                seen.add(j)
                other = self._sets[j]
                if len(s & other) / len(s | other) >= self.threshold:
                    return j
        return None

    def add(self, text: str) -> int:
        """Keep ``text``; return its index."""
        s = _shingles(text)
        j = len(self._sets)
        self._sets.append(s)
        for h in sorted(s)[: self.sketch]:
            self._index[h].append(j)
        return j

    def add_if_new(self, text: str) -> bool:
        """Keep ``text`` unless it nearly duplicates a kept one; True when kept."""
        s = _shingles(text)
        if self._find(s) is not None:
            return False
        j = len(self._sets)
        self._sets.append(s)
        for h in sorted(s)[: self.sketch]:
            self._index[h].append(j)
        return True


def teach_order(
    scored: Sequence[Scored],
    texts: Sequence[str],
    labeled_texts: Iterable[str] = (),
    *,
    n: int | None = None,
    threshold: float = 0.8,
) -> list[int]:
    """Indices of ``texts`` most uncertain first, skipping near-duplicates of labeled or earlier-queued ones."""
    if len(scored) != len(texts):
        raise ValueError(f"teach_order: {len(scored)} scores for {len(texts)} texts")
    dups = NearDuplicates(threshold)
    for t in labeled_texts:
        dups.add(t)
    order = sorted(range(len(texts)), key=lambda i: (-scored[i].uncertainty, i))
    out: list[int] = []
    for i in order:
        if n is not None and len(out) >= n:
            break
        if dups.add_if_new(texts[i]):
            out.append(i)
    return out


def audit_order(n_items: int, seed: int = 0, exclude: Iterable[int] = ()) -> list[int]:
    """A uniform random order of ``range(n_items)`` without ``exclude`` (reproducible by ``seed``)."""
    skip = set(exclude)
    perm = np.random.default_rng(seed).permutation(n_items)
    return [int(i) for i in perm if int(i) not in skip]


def disagreement_order(labels: Sequence[Mapping[str, Any] | None], scored: Sequence[Scored]) -> list[int]:
    """Indices whose existing label (topic or region) differs from the prediction, most confident model first."""
    out = []
    for i, (lab, s) in enumerate(zip(labels, scored)):
        if not lab or not lab.get("topic"):
            continue
        pred = s.prediction
        if lab.get("topic") != pred["topic"] or (lab.get("region") and lab.get("region") != pred["region"]):
            out.append(i)
    return sorted(out, key=lambda i: (-max(scored[i].prediction["topic_proba"].values()), i))
