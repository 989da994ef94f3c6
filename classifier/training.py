"""Build a model from labeled files: read, cross-validate (scores kept in the file), fit, save."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.base import clone

from ._progress import QUIET, Progress
from .errors import InputError
from .evaluation import SmallTopicWarning, cross_validate_summary, read_labeled_files, warn_small_topics
from .labels import parse_topics
from .model import ArticleClassifier, save, with_topics

__all__ = ["SmallTopicWarning", "train"]


def train(
    data: Sequence[str | Path] | str | Path,
    out: str | Path | None = None,
    *,
    labels_csv: str | Path | None = None,
    cv: int = 5,
    estimator: ArticleClassifier | None = None,
    random_state: int = 0,
    topics: Sequence[str] | str | None = None,
    label_column: str = "topic",
    progress: Progress = QUIET,
) -> ArticleClassifier:
    """Fit a model on labeled data; with ``out``, write it there with its metadata.

    The model learns the topics present in ``data`` (default topics first, then the others
    sorted), or the declared ``topics`` (``"a,b,c"`` or a sequence, in that column order;
    a label outside them is an InputError naming the file and line). ``label_column`` is
    the field read as the topic (e.g. ``corrected_topic`` of a hand-corrected prediction
    file). Topics with fewer than ``evaluation.SMALL_TOPIC`` articles raise a ``SmallTopicWarning``.

    With ``cv`` ≥ 2, grouped cross-validated scores are computed first and stored in the
    model's metadata (``metadata_["cv_scores"]``), so a model file says how good it is.
    """
    if isinstance(data, (str, Path)):
        data = [data]
    declared = parse_topics(topics, "--topics") if topics is not None else None
    records = read_labeled_files(data, labels_csv, topics=declared, label_column=label_column, progress=progress)
    counts = Counter(r["topic"] for r in records)
    absent = [t for t in declared or () if not counts[t]]
    if absent:
        raise InputError(f"--topics: no training article has topic(s) {', '.join(absent)}")
    warn_small_topics(counts, cv)
    texts = [r["text"] for r in records]
    estimator = with_topics(estimator, declared)
    scores = None
    if cv >= 2:
        scores = cross_validate_summary(estimator, texts, records, cv=cv, random_state=random_state, progress=progress)
    with progress.stage("fitting", total=1, unit="model") as step:
        model = clone(estimator).fit(texts, records)
        step.advance()
    meta: dict[str, Any] = {
        "training_sources": [Path(p).name for p in data],
        "label_column": label_column,
        "topic_counts": {t: counts[t] for t in (str(c) for c in model.classes_)},
        "cue_words": _cue_words(model),
        "cv_scores": scores,
    }
    if out is not None:
        with progress.stage("saving", total=1, unit="file") as step:
            save(model, out, **meta)
            step.advance()
    model.metadata_ = meta
    return model


def _cue_words(model: ArticleClassifier) -> dict[str, list[str]] | str:
    """The learned cue words of each topic; ``"guide"`` (the hand-written ones), ``"layout"``
    (none, the Q&A layout alone) or ``"off"`` (no cue block)."""
    groups = getattr(model.topic_, "cue_groups_", None)
    if not getattr(model.topic_, "cue_weight", 0):
        return "off"
    if groups == ():
        return "layout"
    return "guide" if groups is None else {name: list(words) for name, words in groups}
