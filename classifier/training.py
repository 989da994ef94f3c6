"""Build a model from labeled files: read, cross-validate (scores kept in the file), fit, save."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sklearn.base import clone

from .evaluation import cross_validate_summary
from .io import read_labeled
from .model import ArticleClassifier, save


def train(
    data: Sequence[str | Path] | str | Path,
    out: str | Path | None = None,
    *,
    labels_csv: str | Path | None = None,
    cv: int = 5,
    estimator: ArticleClassifier | None = None,
    random_state: int = 0,
) -> ArticleClassifier:
    """Fit a model on labeled data; with ``out``, write it there with its metadata.

    With ``cv`` ≥ 2, grouped cross-validated scores are computed first and stored in the
    model's metadata (``metadata_["cv_scores"]``), so a model file says how good it is.
    """
    if isinstance(data, (str, Path)):
        data = [data]
    records = read_labeled(data, labels_csv)
    texts = [r["text"] for r in records]
    estimator = estimator if estimator is not None else ArticleClassifier()
    scores = cross_validate_summary(estimator, texts, records, cv=cv, random_state=random_state) if cv >= 2 else None
    model = clone(estimator).fit(texts, records)
    meta = {"training_sources": [Path(p).name for p in data], "cv_scores": scores}
    if out is not None:
        save(model, out, **meta)
    model.metadata_ = meta
    return model
