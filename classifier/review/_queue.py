"""Which article to show next: teach (most uncertain first), audit (uniform random), disagreements."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..events import MirrorIndex, signature
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


class NearDuplicates:
    """Mirror copies among the texts kept so far, by the package's mirror-copy detector
    (:class:`classifier.events.MirrorIndex` over the normalised texts), so that copies of one
    article do not fill the queue. Texts are numbered in the order they are kept.

    ``threshold`` is the detector's containment threshold (None: its default).
    """

    def __init__(self, threshold: float | None = None):
        self._index = MirrorIndex() if threshold is None else MirrorIndex(threshold)
        self._kept = 0

    def find(self, text: str) -> int | None:
        """Number of a kept text this one is a copy of, else None."""
        first = self._index.match(signature(normalize(text)))
        return None if first is None else int(first)

    def add(self, text: str) -> int:
        """Keep ``text`` (a copy of a kept text adds nothing to find); return its number."""
        self.add_if_new(text)
        return self._kept - 1

    def add_if_new(self, text: str) -> bool:
        """Keep ``text`` unless it is a copy of a kept one; True when kept."""
        if self._index.add(self._kept, signature(normalize(text))):
            return False
        self._kept += 1
        return True


def teach_order(
    scored: Sequence[Scored],
    texts: Sequence[str],
    labeled_texts: Iterable[str] = (),
    *,
    n: int | None = None,
    threshold: float | None = None,
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
