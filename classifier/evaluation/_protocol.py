"""Evaluation: grouped cross-validation, metrics, calibration, robustness and reports.

Entry points: :func:`run_evaluation` (files in, report out; what ``classifier evaluate``
calls), :func:`evaluate` (records and an estimator in, report dict out),
:func:`seed_loo`, :func:`write_report`, :func:`format_summary` and
:func:`cross_validate_summary` (the compact scores stored in a model file).

Any estimator with the ``ArticleClassifier`` interface can be evaluated (``fit(X, y)`` with
``y`` label dicts, ``predict(X)`` → prediction dicts); a topic-only estimator over texts
(``predict`` → topic strings, e.g. ``topic.textbook_baseline()``) with ``target="topic"``.
Estimators are cloned, never fitted in place.

Report keys (:func:`evaluate` / :func:`run_evaluation`; a section that was not computed
is ``None``, the key is always there)::

    schema            int, bumped when a key changes meaning (now 1)
    classifier_version
    setup             {mode: "cv"|"holdout"|"train_test", n_splits, seed, n_bootstrap,
                       estimator, sources, model}
    data              {n_articles, topic_counts {topic: n}, region_counts {region: n},
                       n_groups, duplicate_groups [[id, ...] groups of >1 near-duplicates]}
    topic             figures: {n, accuracy, accuracy_ci [lo, hi], macro_f1, macro_f1_ci,
                       labels [...], per_class {label: {precision, recall, f1, support}},
                       confusion [[...]] (rows gold, columns predicted, in `labels` order)}
    region            figures, as for topic, on the province-level region
    city              {n, accuracy, accuracy_ci} over articles whose gold city is labeled
    county            {n, accuracy, accuracy_ci} over articles whose gold county is labeled
    calibration       {n_bins, bins [{lower, upper, count, confidence, accuracy}], ece,
                       coverage [{threshold, coverage, accuracy}]} of the top topic probability
    baselines         {name: {topic: figures, region: figures|None}} on the same folds;
                       names "keyword_rules", "textbook"
    robustness        {clean: scores, perturbations {name: scores + drops}}; scores =
                       {topic_accuracy, topic_macro_f1, region_accuracy}; drops =
                       {topic_macro_f1_drop, region_accuracy_drop} (clean minus perturbed)
    learning_curve    [{fraction, train_size, topic_macro_f1, topic_macro_f1_std,
                       region_accuracy, n_folds}]
    date              when records carry a ``date`` label (LABELING.md "Date"; records without
                      the key are left out): {n, n_dated, n_undated, exact, year_month,
                      no_date} (``events.date_agreement`` of the predicted ``date``) and
                      errors [{id, gold, pred}]; None when no record has the label
    seed_loo          {with_data: loo, seeds_only: loo}; loo = {n, topic_accuracy,
                       region_accuracy, rows [{id, gold_*, pred_*, confidence}], error}
    errors            [{id, gold_topic, pred_topic, gold_region, pred_region, confidence,
                       evidence {topic_terms [...], region_evidence [...]}}], most confident first

Intervals (``*_ci``) are 95% percentile-bootstrap intervals over articles (``n_bootstrap``
resamples, seeded). ``confidence`` is the top topic probability. Perturbation names are the
keys of :data:`PERTURBATIONS`, each also a public function (``to_traditional``,
``insert_pinyin``, ``prepend_spam``, ``append_footers``, ``truncate``, ``gbk_roundtrip``).
Plots (``plot_*``, :func:`report_figures`) and :func:`markdown_section` serve the notebook.

No report ever holds article text: ids, labels, numbers and evidence terms of at most
:data:`MAX_SNIPPET` characters.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._progress import QUIET, Progress
from .._version import __version__
from ..errors import InputError
from ..events import date_agreement, extract_date
from ..labels import DATE_FIELD, DEFAULT_TOPICS, LABEL_FIELDS, check_date, order_topics
from ._baselines import KeywordRules, _textbook
from ._crossval import (
    SCHEMA,
    _errors,
    _figures,
    _fit,
    _gold,
    _learning_curve,
    _oof,
    _perturb,
    _predict,
    _scores,
    grouped_folds,
    topic_order,
)
from ._grouping import near_duplicate_groups
from ._metrics import _ordered_labels, calibration
from ._perturbations import PERTURBATIONS

#: A topic with fewer training articles than this gets a warning: its figures and its
#: predictions rest on too few examples to trust.
SMALL_TOPIC = 10


class SmallTopicWarning(UserWarning):
    """A topic has too few training articles to learn or to measure reliably."""


def topic_counts_warnings(counts: Counter[str], cv: int = 0) -> list[str]:
    """Warnings about topics with fewer than ``SMALL_TOPIC`` articles (or fewer than ``cv`` folds)."""
    out = []
    for topic in order_topics(counts):
        n = counts[topic]
        if n < SMALL_TOPIC:
            extra = f"; fewer than the {cv} folds, so some test folds have none of it" if 2 <= cv and n < cv else ""
            out.append(
                f"topic {topic!r} has only {n} training article{'s' if n != 1 else ''} "
                f"(fewer than {SMALL_TOPIC}): its predictions and figures are unreliable{extra}"
            )
    return out


def warn_small_topics(counts: Counter[str], cv: int = 0) -> None:
    """Warn (:class:`SmallTopicWarning`, pointing at the caller's caller) of each topic too small to trust."""
    for message in topic_counts_warnings(counts, cv):
        warnings.warn(message, SmallTopicWarning, stacklevel=3)


def describe_data(records: Sequence[Mapping[str, Any]], groups: Sequence[int] | None = None) -> dict[str, Any]:
    """Counts per topic and region and the near-duplicate groups of labeled records (the report's ``data``)."""
    ids, texts, gold = _check_records(records, "records")
    groups_ = near_duplicate_groups(texts) if groups is None else np.asarray(groups)
    return _data_section(ids, gold, groups_, order_topics(g["topic"] for g in gold))


def _data_section(
    ids: Sequence[str], gold: list[dict[str, str]], groups: np.ndarray, topics: Sequence[str]
) -> dict[str, Any]:
    members: dict[int, list[str]] = {}
    for i, g in enumerate(groups):
        members.setdefault(int(g), []).append(str(ids[i])[:40])
    topic_counts = Counter(g["topic"] for g in gold)
    region_counts = Counter(g["region"] for g in gold)
    return {
        "n_articles": len(gold),
        "topic_counts": {t: topic_counts[t] for t in _ordered_labels(topic_counts, topics)},
        "region_counts": dict(region_counts.most_common()),
        "n_groups": len(members),
        "duplicate_groups": [m for m in members.values() if len(m) > 1],
    }


def _date_section(
    records: Sequence[Mapping[str, Any]],
    ids: Sequence[str],
    texts: Sequence[str],
    preds: Sequence[Mapping[str, Any]],
    max_errors: int,
) -> dict[str, Any] | None:
    """Agreement of predicted dates with the ``date`` labels of the records that have one."""
    rows = [i for i, r in enumerate(records) if isinstance(r.get(DATE_FIELD), str)]
    if not rows:
        return None
    gold = [check_date(records[i][DATE_FIELD], f"records[{i}] (id {ids[i]!r})") for i in rows]
    # The model's records carry the date; a topic-only estimator's do not, and dates need no model.
    pred = []
    for i in rows:
        value = preds[i].get(DATE_FIELD)
        pred.append(value if isinstance(value, str) else extract_date(texts[i]))
    section: dict[str, Any] = date_agreement(gold, pred)
    wrong = [{"id": ids[i], "gold": g, "pred": p} for i, g, p in zip(rows, gold, pred) if g != p]
    section["errors"] = wrong[:max_errors]
    return section


def _check_records(
    records: Sequence[Mapping[str, Any]], what: str
) -> tuple[list[str], list[str], list[dict[str, str]]]:
    if not records:
        raise InputError(f"{what}: no labeled records")
    for i, r in enumerate(records):
        if not isinstance(r, Mapping) or not isinstance(r.get("text"), str):
            raise InputError(f"{what}[{i}]: expected a dict with a str 'text'")
    texts = [r["text"] for r in records]
    ids = [str(r.get("id", i)) for i, r in enumerate(records)]
    return ids, texts, _gold(records, what)


def evaluate(
    estimator: Any,
    records: Sequence[Mapping[str, Any]],
    *,
    cv: int | None = 5,
    train_records: Sequence[Mapping[str, Any]] | None = None,
    prefit: bool = False,
    target: str = "records",
    baselines: bool = True,
    robustness: bool = True,
    learning_curve: bool = True,
    learning_fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    learning_folds: int = 3,
    n_bootstrap: int = 1000,
    seed: int = 0,
    max_errors: int = 50,
    groups: np.ndarray | None = None,
    progress: Progress = QUIET,
) -> dict[str, Any]:
    """The report dict (keys in the module docstring) for ``estimator`` on labeled ``records``.

    Modes: ``prefit=True`` tests the fitted ``estimator`` on ``records``; ``train_records``
    fits a clone on them and tests on ``records``; otherwise grouped ``cv``-fold
    cross-validation of clones on ``records`` (groups = :func:`near_duplicate_groups`).
    Robustness and calibration reuse the fold models; nothing is refitted per perturbation.
    The topic set (``setup.topics``: labels, columns and rows of the tables) is the model's
    (fitted classes, or the declared ``topics``), then gold labels outside it. The keyword
    rules baseline, written for the default topics, runs only when every gold topic is one.
    """
    if target not in ("records", "topic"):
        raise InputError(f"evaluate: target must be 'records' or 'topic', got {target!r}")
    ids, texts, gold = _check_records(records, "records")
    gold_topics = [g["topic"] for g in gold]
    if train_records is not None and not prefit:
        _, a_texts, a_gold = _check_records(train_records, "train_records")
        gold_topics += [g["topic"] for g in a_gold]
    topics = topic_order(estimator, gold_topics)
    if groups is None:
        groups = near_duplicate_groups(texts)
    groups = np.asarray(groups)
    perts = PERTURBATIONS if robustness else None
    baseline_models: dict[str, tuple[Any, str]] = {}
    if baselines and set(gold_topics) <= set(DEFAULT_TOPICS):
        baseline_models["keyword_rules"] = (KeywordRules(), "records")
        if not prefit and (tb := _textbook()) is not None:
            baseline_models["textbook"] = (tb, "topic")

    if prefit or train_records is not None:
        mode = "holdout" if prefit else "train_test"
        if prefit:
            model = estimator
        else:
            with progress.stage("fitting", total=1, unit="model") as step:
                model = _fit(estimator, a_texts, a_gold, target)
                step.advance()
        all_idx = np.arange(len(texts))
        folds = [(np.zeros(0, dtype=int), all_idx)]
        # A one-"fold" run: the fitted model plays the fold model.
        with progress.stage("predicting", total=1, unit="runs") as step:
            recs, proba = _predict(model, texts, topics)
            step.advance()
        perturbed = {}
        if perts:
            with progress.stage("robustness", total=len(perts), unit="runs") as step:
                for name, fn in perts.items():
                    step.status(name)
                    perturbed[name] = _predict(model, [_perturb(fn, t) for t in texts], topics)[0]
                    step.advance()
        main: dict[str, Any] = {
            "preds": recs,
            "proba": proba,
            "perturbed": perturbed,
            "models": [model],
            "fold_of": np.zeros(len(texts), dtype=int),
        }
        base_runs = {}
        if "keyword_rules" in baseline_models:
            base_runs["keyword_rules"] = _predict(KeywordRules().fit(texts), texts, topics)[0]
        if "textbook" in baseline_models:  # train_test mode only: it needs the training set
            textbook = _fit(baseline_models["textbook"][0], a_texts, a_gold, "topic")
            base_runs["textbook"] = _predict(textbook, texts, topics)[0]
        n_splits = None
    else:
        mode = "cv"
        n_splits = int(cv or 5)
        folds = grouped_folds([g["topic"] for g in gold], groups, n_splits, seed)
        main = _oof(estimator, texts, gold, folds, target, perts, topics=topics, progress=progress)
        base_runs = {
            name: _oof(est, texts, gold, folds, tgt, topics=topics, progress=progress, what=f"baseline {name}")["preds"]
            for name, (est, tgt) in baseline_models.items()
        }

    preds = main["preds"]
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "classifier_version": __version__,
        "setup": {
            "mode": mode,
            "n_splits": n_splits,
            "seed": seed,
            "n_bootstrap": n_bootstrap,
            "estimator": type(estimator).__name__,
            "sources": None,
            "model": None,
            "topics": list(topics),
        },
        "data": _data_section(ids, gold, groups, topics),
        **_figures(gold, preds, n_bootstrap, seed, topics),
        "date": _date_section(records, ids, texts, preds, max_errors),
        "calibration": None,
        "baselines": None,
        "robustness": None,
        "learning_curve": None,
        "seed_loo": None,
        "errors": None,
    }
    if main["proba"] is not None:
        report["calibration"] = calibration([g["topic"] for g in gold], main["proba"], topics)
    if base_runs:
        report["baselines"] = {}
        for name, bpreds in base_runs.items():
            fig = _figures(gold, bpreds, n_bootstrap, seed, topics)
            report["baselines"][name] = {"topic": fig["topic"], "region": fig["region"]}
    if perts:
        all_idx = np.arange(len(texts))
        clean = _scores(gold, preds, all_idx)
        rob: dict[str, Any] = {"clean": clean, "perturbations": {}}
        for name in perts:
            s = _scores(gold, main["perturbed"][name], all_idx)
            s["topic_macro_f1_drop"] = round(clean["topic_macro_f1"] - s["topic_macro_f1"], 4)
            if "region_accuracy" in s and "region_accuracy" in clean:
                s["region_accuracy_drop"] = round(clean["region_accuracy"] - s["region_accuracy"], 4)
            rob["perturbations"][name] = s
        report["robustness"] = rob
    if learning_curve and mode == "cv":
        report["learning_curve"] = _learning_curve(
            estimator,
            texts,
            gold,
            groups,
            folds,
            main,
            target,
            learning_fractions,
            learning_folds,
            seed,
            topics=topics,
            progress=progress,
        )
    report["errors"] = _errors(ids, gold, preds, main["proba"], main["models"], main["fold_of"], texts, max_errors)
    return report


def seed_loo(
    estimator: Any,
    seeds: Sequence[Mapping[str, Any]],
    extra: Sequence[Mapping[str, Any]] = (),
    *,
    target: str = "records",
    progress: Progress = QUIET,
    what: str = "seed leave-one-out",
) -> dict[str, Any]:
    """Leave-one-out over the seed articles: each seed tested by a model trained on the other
    seeds plus ``extra`` (extra articles near-duplicate to the tested seed left out)."""
    s_ids, s_texts, s_gold = _check_records(seeds, "seeds")
    e_texts = [r["text"] for r in extra]
    e_gold = _gold(extra) if extra else []
    groups = near_duplicate_groups([*s_texts, *e_texts]) if extra else np.arange(len(s_texts))
    rows: list[dict[str, Any]] = []
    topics = topic_order(estimator, [g["topic"] for g in [*s_gold, *e_gold]])
    with progress.stage(what, total=len(s_texts), unit="seeds") as step:
        error = _loo_rows(estimator, s_ids, s_texts, s_gold, e_texts, e_gold, groups, target, topics, rows, step)
    out: dict[str, Any] = {
        "n": len(rows),
        "topic_accuracy": None,
        "region_accuracy": None,
        "rows": rows,
        "error": error,
    }
    if rows and error is None:
        out["topic_accuracy"] = round(float(np.mean([r["gold_topic"] == r["pred_topic"] for r in rows])), 4)
        if target == "records":
            out["region_accuracy"] = round(float(np.mean([r["gold_region"] == r["pred_region"] for r in rows])), 4)
    return out


def _loo_rows(
    estimator: Any,
    s_ids: list[str],
    s_texts: list[str],
    s_gold: list[dict[str, str]],
    e_texts: list[str],
    e_gold: list[dict[str, str]],
    groups: np.ndarray,
    target: str,
    topics: Sequence[str],
    rows: list[dict[str, Any]],
    step: Any,
) -> str | None:
    """The rows of :func:`seed_loo` (appended to ``rows``); the error that stopped it, if any."""
    for i in range(len(s_texts)):
        keep_s = [j for j in range(len(s_texts)) if j != i and groups[j] != groups[i]]
        keep_e = [j for j in range(len(e_texts)) if groups[len(s_texts) + j] != groups[i]]
        tr_texts = [s_texts[j] for j in keep_s] + [e_texts[j] for j in keep_e]
        tr_gold = [s_gold[j] for j in keep_s] + [e_gold[j] for j in keep_e]
        try:
            model = _fit(estimator, tr_texts, tr_gold, target)
            recs, proba = _predict(model, [s_texts[i]], topics)
        except Exception as exc:  # e.g. four seeds do not cover the topics a model needs
            return f"{type(exc).__name__}: {str(exc)[:120]}"
        p = recs[0]
        rows.append(
            {
                "id": s_ids[i][:40],
                **{f"gold_{f}": s_gold[i][f] for f in LABEL_FIELDS},
                **{f"pred_{f}": str(p.get(f, "") or "") for f in LABEL_FIELDS},
                "confidence": round(float(np.max(proba[0])), 4) if proba is not None else None,
            }
        )
        step.advance()
    return None


def cross_validate_summary(
    estimator: Any,
    texts: Sequence[str],
    y: Sequence[Mapping[str, Any]],
    *,
    cv: int = 5,
    random_state: int = 0,
    n_bootstrap: int = 1000,
    progress: Progress = QUIET,
) -> dict[str, Any]:
    """Compact grouped-CV scores (for a model file's metadata): topic and region accuracy and
    macro-F1 with bootstrap intervals, folds and seed."""
    records = [{"text": t, **dict(lab)} for t, lab in zip(texts, y)]
    rep = evaluate(
        estimator,
        records,
        cv=cv,
        baselines=False,
        robustness=False,
        learning_curve=False,
        n_bootstrap=n_bootstrap,
        seed=random_state,
        max_errors=0,
        progress=progress,
    )
    out: dict[str, Any] = {"cv": cv, "seed": random_state, "grouping": "near_duplicate_groups", "n": len(records)}
    for field in ("topic", "region"):
        fig = rep[field]
        if fig:
            out[field] = {k: fig[k] for k in ("accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci")}
    if rep["topic"]:
        out["topic_per_class_f1"] = {k: v["f1"] for k, v in rep["topic"]["per_class"].items()}
    if rep["calibration"]:
        out["topic_ece"] = rep["calibration"]["ece"]
    return out
