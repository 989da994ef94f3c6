"""The article model: normalise once, then the topic estimator and the region resolver."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from .errors import InputError, ModelError
from .labels import REGION_FIELDS, TOPICS
from .normalize import normalize
from .persistence import load_artifact, save_artifact
from .region import RegionResolver
from .topic import TopicClassifier

#: Label columns of a training record; ``topic`` and ``region`` are required.
LABEL_FIELDS: tuple[str, ...] = ("topic", "region", "city", "county")


def default_model_path() -> Path:
    """The model shipped inside the package."""
    return Path(str(resources.files("classifier") / "data" / "model.joblib"))


def check_texts(X: Any, what: str = "X") -> list[str]:
    """``X`` as a list of str, or an InputError saying which item is wrong."""
    if isinstance(X, (str, bytes)):
        raise InputError(f"{what}: expected a list of texts, got a single {type(X).__name__}; wrap it in a list")
    try:
        texts = list(X)
    except TypeError:
        raise InputError(f"{what}: expected a list of texts, got {type(X).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"{what}[{i}]: expected str, got {type(t).__name__}")
    return texts


def label_records(y: Any) -> list[dict[str, str]]:
    """Training labels as dicts with every ``LABEL_FIELDS`` key.

    Accepts dicts, or rows / a 2-D array whose columns are ``LABEL_FIELDS`` in order.
    """
    rows: list[dict[str, str]] = []
    for i, item in enumerate(y):
        if isinstance(item, Mapping):
            row = {k: "" if item.get(k) is None else str(item.get(k, "")) for k in LABEL_FIELDS}
        elif isinstance(item, (str, bytes)) or not isinstance(item, Iterable):
            raise InputError(f"y[{i}]: expected a dict with topic and region, got {item!r}")
        else:
            values = ["" if v is None else str(v) for v in item]
            row = dict(zip(LABEL_FIELDS, values + [""] * (len(LABEL_FIELDS) - len(values))))
        if not row["topic"] or not row["region"]:
            raise InputError(f"y[{i}]: topic and region are required, got {row}")
        rows.append(row)
    return rows


def data_fingerprint(texts: Sequence[str], y: Sequence[Mapping[str, str]]) -> str:
    """SHA-256 over the training texts and labels, independent of their order."""
    items = sorted(hashlib.sha256(json.dumps([t, dict(lab)], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
                   for t, lab in zip(texts, y))
    return hashlib.sha256("".join(items).encode()).hexdigest()


class ArticleClassifier(BaseEstimator):
    """Topic and region of scraped articles.

    Parameters
    ----------
    topic : TopicClassifier or None
        Unfitted topic estimator (default ``TopicClassifier()``); its ``normalize`` is turned
        off because the article is normalised once here.
    region : RegionResolver or None
        Unfitted region resolver (default ``RegionResolver()``), same convention.
    """

    def __init__(self, topic: TopicClassifier | None = None, region: RegionResolver | None = None):
        self.topic = topic
        self.region = region

    def fit(self, X: Sequence[str], y: Any) -> ArticleClassifier:
        """Fit on raw texts and their labels (dicts with topic, region, city, county)."""
        texts = check_texts(X)
        labels = label_records(y)
        if len(texts) != len(labels):
            raise InputError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        clean = [normalize(t) for t in texts]
        topic = clone(self.topic) if self.topic is not None else TopicClassifier()
        region = clone(self.region) if self.region is not None else RegionResolver()
        self.topic_ = topic.set_params(normalize=False).fit(clean, [r["topic"] for r in labels])
        self.region_ = region.set_params(normalize=False).fit(clean, labels)
        self.classes_ = np.array([t for t in TOPICS if t in set(self.topic_.classes_)])
        self.n_train_ = len(texts)
        self.fingerprint_ = data_fingerprint(texts, labels)
        return self

    def _proba(self, clean: list[str]) -> np.ndarray:
        proba = self.topic_.predict_proba(clean)
        order = [list(self.topic_.classes_).index(c) for c in self.classes_]
        return proba[:, order]

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Topic probabilities, columns in ``classes_`` order (``labels.TOPICS`` order)."""
        check_is_fitted(self)
        return self._proba([normalize(t) for t in check_texts(X)])

    def predict(self, X: Sequence[str]) -> list[dict[str, Any]]:
        """One prediction record per text: topic, topic_proba and the region fields."""
        check_is_fitted(self)
        return self._predict_clean([normalize(t) for t in check_texts(X)])

    def _predict_clean(self, clean: list[str]) -> list[dict[str, Any]]:
        if not clean:
            return []
        proba = self._proba(clean)
        regions = self.region_.predict(clean)
        return [
            {
                "topic": str(self.classes_[int(np.argmax(p))]),
                "topic_proba": {str(c): round(float(v), 4) for c, v in zip(self.classes_, p)},
                **{k: reg.get(k, "") for k in REGION_FIELDS},
            }
            for p, reg in zip(proba, regions)
        ]

    def score(self, X: Sequence[str], y: Any) -> float:
        """Topic accuracy (so that ``cross_val_score`` and ``GridSearchCV`` work)."""
        gold = [r["topic"] for r in label_records(y)]
        pred = [r["topic"] for r in self.predict(X)]
        return float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0

    def explain(self, text: str, k: int = 10) -> dict[str, Any]:
        """The prediction for one text with the terms and place mentions that decided it."""
        check_is_fitted(self)
        clean = normalize(check_texts([text], "text")[0])
        record = self._predict_clean([clean])[0]
        return {
            **record,
            "topic_terms": [[term, round(float(w), 4)] for term, w in self.topic_.explain(clean, k=k)],
            "region_evidence": self.region_.explain(clean),
        }


def save(model: ArticleClassifier, path: str | Path, **metadata: Any) -> Path:
    """Write a fitted model (and its SHA-256 sidecar) atomically, with its metadata."""
    check_is_fitted(model)
    return save_artifact(model, path, {
        "topics": list(TOPICS),
        "region_fields": list(REGION_FIELDS),
        "n_train": model.n_train_,
        "training_data_sha256": model.fingerprint_,
        **metadata,
    })


def load(path: str | Path | None = None) -> ArticleClassifier:
    """Load a model file (the shipped default when ``path`` is None)."""
    path = default_model_path() if path is None else Path(path)
    model, meta = load_artifact(path)
    if not isinstance(model, ArticleClassifier):
        raise ModelError(f"{path}: holds a {type(model).__name__}, not an ArticleClassifier")
    model.metadata_ = meta
    return model
