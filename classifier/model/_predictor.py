"""A fitted article model ready to predict, and loading one from a model file.

``Predictor`` holds only numpy state (the topic scorer and the region ranker), so loading a
model and labelling an article never imports scikit-learn; ``ArticleClassifier.fit``
(``classifier.model``) builds it. Each record also gets the page's ``title`` and the event's
``date`` (``classifier.events``: text rules, nothing learned), so the CLI, batch runs and the
Python API all carry them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError, check_texts
from ..events import extract_date, extract_title
from ..labels import DATE_FIELD, REGION_FIELDS, TITLE_FIELD, TOPIC_PROBA
from ..normalize import normalize
from ..region import RegionRanker
from ..topic import TopicScorer
from ._format import is_npz, load_npz
from ._persistence import load_artifact


def default_model_path() -> Path:
    """The model shipped inside the package (``.npz`` format: loading it runs no code)."""
    return Path(str(resources.files("classifier") / "data" / "model.npz"))


class Predictor:
    """Topic and region of raw article texts, from a fitted model's state."""

    def __init__(
        self,
        topic: TopicScorer,
        region: RegionRanker,
        metadata: dict[str, Any] | None = None,
        train_hashes: np.ndarray | None = None,
    ):
        self.topic = topic
        self.region = region
        self.metadata_ = dict(metadata or {})
        #: ``model.text_hashes`` of the training articles (None: not recorded).
        self.train_hashes_ = train_hashes

    @property
    def classes_(self) -> np.ndarray:
        """The topics, in the column order of ``predict_proba``."""
        return self.topic.classes

    def predict_proba(self, X: Any) -> np.ndarray:
        """Topic probabilities, shape (n, 4), columns in ``classes_`` order."""
        return self.topic.predict_proba([normalize(t) for t in check_texts(X)])

    def predict(self, X: Any) -> list[dict[str, Any]]:
        """One record per text: ``topic``, ``topic_proba``, the region fields, ``title`` and ``date``."""
        texts = check_texts(X)
        return self._records([normalize(t) for t in texts], texts)

    def predict_clean(self, clean: Any, raw: Any) -> list[dict[str, Any]]:
        """``predict`` for texts already through ``classifier.normalize`` (``clean``), beside the
        texts as given (``raw``, where dates are read): a batch run that also needs the clean text
        for mirror copies normalises once."""
        clean, raw = check_texts(clean), check_texts(raw, "raw")
        if len(clean) != len(raw):
            raise ValueError(f"{len(clean)} clean texts for {len(raw)} raw ones")
        return self._records(clean, raw)

    def _records(self, clean: list[str], raw: list[str]) -> list[dict[str, Any]]:
        """Records of clean texts; dates are read from the raw texts (their publication-date lines)."""
        if not clean:
            return []
        probas = self.topic.predict_proba(clean)
        regions = self.region.predict(clean)
        names = [str(c) for c in self.classes_]
        return [
            {
                "topic": names[best],
                TOPIC_PROBA: {c: round(p, 4) for c, p in zip(names, proba)},
                **{k: region[k] for k in REGION_FIELDS},
                TITLE_FIELD: extract_title(text),
                DATE_FIELD: extract_date(original),
            }
            for best, proba, region, text, original in zip(
                probas.argmax(axis=1).tolist(), probas.tolist(), regions, clean, raw
            )
        ]

    def explain(self, text: str, k: int = 10) -> dict[str, Any]:
        """The prediction for one text, with the terms and place mentions that decided it."""
        raw = check_texts([text], "text")[0]
        clean = normalize(raw)
        return {
            **self._records([clean], [raw])[0],
            "topic_terms": [[term, round(w, 4)] for term, w in self.topic.explain(clean, k=k)],
            "region_evidence": self.region.explain(clean),
        }

    def __repr__(self) -> str:
        n = self.metadata_.get("n_train", "?")
        return f"Predictor(topics={list(self.classes_)}, trained on {n} articles)"


def load(path: str | Path | None = None, *, trusted: bool = False) -> Predictor:
    """Load a model file (the shipped default when ``path`` is None).

    ``.npz`` model files (``classifier.save``, ``classifier train``) hold arrays and JSON only and
    load without running code. A pickled (joblib) file is loaded only with ``trusted=True``.
    """
    path = default_model_path() if path is None else Path(path)
    if path.is_dir():
        raise ModelError(f"{path}: is a folder, not a model file")
    if not path.exists():
        raise ModelError(f"{path}: model file does not exist")
    if is_npz(path):
        topic, region, meta, hashes = load_npz(path)
        predictor = Predictor(topic, region, meta, hashes)
        predictor.region.check_features(str(path))
        return predictor
    model, meta = load_artifact(path, trusted=trusted)
    if not isinstance(model, Predictor):
        raise ModelError(f"{path}: holds a {type(model).__name__}, not a classifier Predictor")
    model.region.check_features(str(path))
    model.metadata_ = meta
    if not hasattr(model, "train_hashes_"):  # pickled before training hashes were kept
        model.train_hashes_ = None
    return model
