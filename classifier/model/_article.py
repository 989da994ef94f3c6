"""The article model to train: normalise once, then the topic estimator and the region resolver.

Fitting builds a ``predictor.Predictor`` (numpy state only), which ``predict`` uses and
``save`` writes; ``classifier.load`` returns it without importing scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, check_texts
from ..labels import REGION_FIELDS, check_label
from ..normalize import normalize
from ..region import RegionResolver
from ..topic import TopicClassifier
from ._format import save_npz, text_hashes
from ._predictor import Predictor


def _labels(y: Any) -> list[dict[str, str]]:
    """Training labels (dicts, or rows of ``labels.LABEL_FIELDS`` values) as dicts of every label field."""
    return [check_label(item, f"y[{i}]", known=False)._asdict() for i, item in enumerate(y)]


def data_fingerprint(texts: Sequence[str], y: Sequence[Mapping[str, str]]) -> str:
    """SHA-256 over the training texts and labels, independent of their order."""
    items = sorted(
        hashlib.sha256(json.dumps([t, dict(lab)], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        for t, lab in zip(texts, y)
    )
    return hashlib.sha256("".join(items).encode()).hexdigest()


class ArticleClassifier(BaseEstimator):
    """Topic and region of scraped articles.

    Parameters
    ----------
    topic : TopicClassifier or None, default=None
        Unfitted topic estimator (None: ``TopicClassifier()``); its ``normalize`` is turned
        off because the article is normalised once here.
    region : RegionResolver or None, default=None
        Unfitted region resolver (None: ``RegionResolver()``), same convention.

    Attributes
    ----------
    topic_ : TopicClassifier
        The fitted topic estimator.
    region_ : RegionResolver
        The fitted region resolver.
    classes_ : ndarray of str
        The topics, in the column order of ``predict_proba`` (the topic model's ``classes_``).
    n_train_ : int
        Number of training articles.
    fingerprint_ : str
        SHA-256 of the training texts and labels (``data_fingerprint``).
    predictor_ : Predictor
        The fitted state without scikit-learn, which ``predict`` uses and ``save`` writes.

    Examples
    --------
    >>> from classifier.model import ArticleClassifier
    >>> from classifier.topic import TopicClassifier
    >>> X = ["江苏省督导组到学校开展督导评估。", "浙江省督导组反馈督导评估意见。",
    ...      "全国教育工作座谈会在北京召开。", "教育部召开全国校长座谈会。"]
    >>> y = [{"topic": "supervision_visit", "region": "江苏省"}, {"topic": "supervision_visit", "region": "浙江省"},
    ...      {"topic": "symposium", "region": "全国"}, {"topic": "symposium", "region": "全国"}]
    >>> model = ArticleClassifier(topic=TopicClassifier(min_df=1)).fit(X, y)
    >>> [record] = model.predict(["江苏省督导组开展督导评估。"])
    >>> record["topic"], record["region"]
    ('supervision_visit', '江苏省')
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "topic": [HasMethods(["fit", "predict_proba"]), None],
        "region": [HasMethods(["fit", "predict"]), None],
    }

    def __init__(self, *, topic: TopicClassifier | None = None, region: RegionResolver | None = None):
        self.topic = topic
        self.region = region

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Sequence[str], y: Any) -> ArticleClassifier:
        """Fit on raw texts and their labels (dicts with topic, region, city, county)."""
        texts = check_texts(X)
        labels = _labels(y)
        if len(texts) != len(labels):
            raise InputError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        clean = [normalize(t) for t in texts]
        topic = clone(self.topic) if self.topic is not None else TopicClassifier()
        region = clone(self.region) if self.region is not None else RegionResolver()
        self.topic_ = topic.set_params(normalize=False).fit(clean, [r["topic"] for r in labels])
        self.region_ = region.set_params(normalize=False).fit(clean, labels)
        self.classes_ = self.topic_.classes_
        self.n_train_ = len(texts)
        self.fingerprint_ = data_fingerprint(texts, labels)
        self.predictor_ = Predictor(
            self.topic_.scorer_, self.region_.ranker_, train_hashes=text_hashes(clean, clean=True)
        )
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Topic probabilities, columns in ``classes_`` order (the topic model's ``classes_``)."""
        check_is_fitted(self)
        return self.predictor_.predict_proba(X)

    def predict(self, X: Sequence[str]) -> list[dict[str, Any]]:
        """One prediction record per text: topic, topic_proba and the region fields."""
        check_is_fitted(self)
        return self.predictor_.predict(X)

    def score(self, X: Sequence[str], y: Any) -> float:
        """Topic accuracy (so that ``cross_val_score`` and ``GridSearchCV`` work)."""
        gold = [r["topic"] for r in _labels(y)]
        pred = [r["topic"] for r in self.predict(X)]
        return float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0

    def explain(self, text: str, k: int = 10) -> dict[str, Any]:
        """The prediction for one text with the terms and place mentions that decided it."""
        check_is_fitted(self)
        return self.predictor_.explain(text, k=k)


def with_topics(estimator: ArticleClassifier | None, topics: Sequence[str] | None) -> ArticleClassifier:
    """An unfitted copy of ``estimator`` (None: ``ArticleClassifier()``) whose topic model
    learns the declared ``topics`` (None: the labels of the training data)."""
    est = clone(estimator) if estimator is not None else ArticleClassifier()
    if topics is not None:
        topic = est.topic if est.topic is not None else TopicClassifier()
        est.set_params(topic=clone(topic).set_params(topics=tuple(topics)))
    return est


def save(model: ArticleClassifier, path: str | Path, **metadata: Any) -> Path:
    """Write a fitted model's predictor (and its SHA-256 beside it) atomically, with metadata.

    The file is in the ``.npz`` format (arrays + JSON, no pickle: loading it runs no code), with
    the fingerprints of the training articles (``text_hashes``); name it ``*.npz``.
    """
    check_is_fitted(model)
    return save_npz(
        model.predictor_,
        path,
        {
            "topics": [str(c) for c in model.classes_],
            "region_fields": list(REGION_FIELDS),
            "n_train": model.n_train_,
            "training_data_sha256": model.fingerprint_,
            **metadata,
        },
        train_hashes=model.predictor_.train_hashes_,
    )
