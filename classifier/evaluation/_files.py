"""Evaluation from files: read labeled sources (with progress), the seed articles, and
:func:`run_evaluation`, what ``classifier evaluate`` calls (report keys: ``_protocol``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.base import clone

from .._progress import QUIET, Progress
from ..io import find_labels_csv, read_labeled
from ..labels import DEFAULT_TOPICS
from ._crossval import _default_estimator
from ._protocol import evaluate, seed_loo, warn_small_topics
from ._report import write_report


def read_labeled_files(
    paths: Sequence[str | Path],
    labels_csv: str | Path | None = None,
    *,
    topics: Sequence[str] | None = None,
    label_column: str = "topic",
    progress: Progress = QUIET,
    what: str = "reading",
) -> list[dict[str, Any]]:
    """:func:`classifier.io.read_labeled` of ``paths``, shown as the progress stage ``what``."""
    with progress.stage(what, total=len(paths), unit="source") as step:
        out = read_labeled(
            paths,
            labels_csv,
            topics=topics,
            label_column=label_column,
            on_source=lambda p: step.status(Path(p).name),
        )
        step.advance(len(paths), f"{len(out)} articles")
    return out


def load_seed_records(seeds_dir: str | Path = "seeds", labels_csv: str | Path | None = None) -> list[dict[str, Any]]:
    """The labeled seed articles of ``seeds_dir`` (default ``./seeds``), labeled by ``labels_csv``
    (default: ``labels.csv`` in the folder, else ``../labels/<folder name>.csv``); [] when absent."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        return []
    if labels_csv is None:
        labels_csv = find_labels_csv(seeds_dir)
        if labels_csv is None:
            return []
    return read_labeled([seeds_dir], labels_csv=labels_csv)


def run_evaluation(
    data_paths: Sequence[str | Path] | str | Path,
    model: Any = None,
    cv: int | None = None,
    *,
    labels_csv: str | Path | None = None,
    report_dir: str | Path | None = None,
    loo_seeds: bool = True,
    robustness: bool = True,
    learning_curve: bool = True,
    baselines: bool = True,
    train_paths: Sequence[str | Path] | None = None,
    estimator: Any = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    seeds_dir: str | Path = "seeds",
    label_column: str = "topic",
    topics: Sequence[str] | None = None,
    progress: Progress = QUIET,
) -> dict[str, Any]:
    """Evaluate on labeled files and return the report (written to ``report_dir`` when given).

    - ``cv`` given: grouped ``cv``-fold cross-validation of a fresh model (``estimator``, or
      an unfitted clone of ``model``, or ``ArticleClassifier()``);
    - ``train_paths`` given: fit on them, test on ``data_paths`` (train-on-A/test-on-B);
    - otherwise: the fitted ``model`` (a path, a fitted model, or None for the shipped one)
      tested on ``data_paths``.
    ``loo_seeds`` adds the leave-one-out over the seed articles of ``seeds_dir`` (in cv mode;
    default ``./seeds``, labeled by ``../labels/seeds.csv`` beside it).
    ``label_column`` is the field read as the gold topic (e.g. ``corrected_topic``); gold
    topics may be any labels. ``topics`` declares the topic set of a fresh model (cv and
    train-test modes; labels outside it are an InputError). ``progress`` shows the stages.
    """
    from ..model import load

    if isinstance(data_paths, (str, Path)):
        data_paths = [data_paths]

    def read(paths: Sequence[str | Path], what: str) -> list[dict[str, Any]]:
        return read_labeled_files(
            paths, labels_csv, topics=topics, label_column=label_column, progress=progress, what=what
        )

    records = read(data_paths, "reading")
    if cv is not None:  # the data is the training data too
        warn_small_topics(Counter(r["topic"] for r in records), cv)
    sources = [Path(p).name for p in data_paths]
    model_name = None
    if cv is not None or train_paths is not None:
        if estimator is None and model is not None:
            fitted = load(model) if isinstance(model, (str, Path)) else model
            # A scikit-learn model is refitted with its own parameters; a prediction-only
            # Predictor (the shipped file) carries none, so a default ArticleClassifier is fitted.
            if hasattr(fitted, "get_params"):
                estimator = clone(fitted)
        estimator = estimator if estimator is not None else _default_estimator()
        if topics is not None:
            from ..model import with_topics

            estimator = with_topics(estimator, topics)
    common: dict[str, Any] = dict(
        baselines=baselines,
        robustness=robustness,
        learning_curve=learning_curve,
        n_bootstrap=n_bootstrap,
        seed=seed,
        progress=progress,
    )
    if cv is not None:
        report = evaluate(estimator, records, cv=cv, **common)
    elif train_paths is not None:
        train_records = read(train_paths, "reading training data")
        warn_small_topics(Counter(r["topic"] for r in train_records))
        report = evaluate(estimator, records, train_records=train_records, **common)
    else:
        if isinstance(model, (str, Path)):
            model_name = str(model)
        else:
            model_name = "shipped" if model is None else type(model).__name__
        fitted = load(model) if model is None or isinstance(model, (str, Path)) else model
        report = evaluate(fitted, records, prefit=True, **common)
    report["setup"]["sources"] = sources
    report["setup"]["model"] = model_name
    # The seeds are labeled with the default topics: their LOO says nothing of another set.
    if loo_seeds and cv is not None and set(report["setup"]["topics"]) <= set(DEFAULT_TOPICS):
        seeds = load_seed_records(seeds_dir)
        if seeds:
            seed_texts = {s["text"] for s in seeds}
            extra = [r for r in records if r["text"] not in seed_texts]
            report["seed_loo"] = {
                "with_data": seed_loo(estimator, seeds, extra, progress=progress, what="seed LOO (with data)"),
                "seeds_only": seed_loo(estimator, seeds, progress=progress, what="seed LOO (seeds only)"),
            }
    if report_dir is not None:
        with progress.stage("report and plots", total=1, unit="report") as step:
            write_report(report, report_dir)
            step.advance()
    return report
