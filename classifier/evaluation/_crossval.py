"""Fitting and predicting any estimator on grouped folds: out-of-fold predictions, learning curve."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from .._progress import QUIET, Progress
from ..errors import InputError
from ..labels import REGIONS, TOPIC_PROBA, check_label, order_topics
from ._metrics import _subset_accuracy, classification_figures

SCHEMA = 1
#: Longest string copied from an article into a report (evidence terms, place names).
MAX_SNIPPET = 18
#: Label fields of a gold record.


def _gold(records: Sequence[Mapping[str, Any]], what: str = "records") -> list[dict[str, str]]:
    return [check_label(r, f"{what}[{i}] (id {r.get('id')!r})", known=False)._asdict() for i, r in enumerate(records)]


def _fit(estimator: Any, texts: list[str], gold: list[dict[str, str]], target: str) -> Any:
    model = clone(estimator)
    if target == "topic":
        return model.fit(texts, [g["topic"] for g in gold])
    return model.fit(texts, gold)


def topic_order(estimator: Any, gold_topics: Sequence[str]) -> tuple[str, ...]:
    """The topic set of an evaluation, in column order: the model's (fitted ``classes_``, or
    declared ``topics`` of an unfitted one), then gold labels outside it (default topics
    first, then sorted)."""
    classes = getattr(estimator, "classes_", None)
    if classes is None and hasattr(estimator, "get_params"):
        params = estimator.get_params()
        classes = params.get("topic__topics", params.get("topics"))
    base = tuple(str(c) for c in classes) if classes is not None else ()
    return base + order_topics(set(gold_topics) - set(base))


def _predict(model: Any, texts: list[str], topics: Sequence[str]) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Prediction records (at least ``topic``) and topic probabilities in ``topics`` order (or None)."""
    if not texts:
        return [], np.zeros((0, len(topics)))
    raw = model.predict(texts)
    records: list[dict[str, Any]] = [dict(r) if isinstance(r, Mapping) else {"topic": str(r)} for r in raw]
    if all(TOPIC_PROBA in r for r in records):
        proba = np.array([[float(r[TOPIC_PROBA].get(t, 0.0)) for t in topics] for r in records])
    elif hasattr(model, "predict_proba"):
        p = np.asarray(model.predict_proba(texts))
        classes = [str(c) for c in model.classes_]
        proba = np.zeros((len(texts), len(topics)))
        for j, c in enumerate(classes):
            if c in topics:
                proba[:, list(topics).index(c)] = p[:, j]
    else:
        proba = None
    return records, proba


# Fields of a place mention worth showing in an error report, when the resolver gives them.
_EVIDENCE_KEYS = ("surface", "name", "level", "code", "weight", "score")


def _explain(model: Any, text: str) -> dict[str, Any]:
    if not hasattr(model, "explain"):
        return {}
    try:
        exp = model.explain(text)
    except Exception as exc:  # evidence is a nicety; an explain failure must not sink the report
        return {"error": type(exc).__name__}
    if not isinstance(exp, Mapping):
        exp = {"topic_terms": exp}
    terms = []
    for item in exp.get("topic_terms", []) or []:
        term = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(term, str) and term:
            terms.append(term[:MAX_SNIPPET])
    evidence: list[Any] = []
    for item in exp.get("region_evidence", []) or []:
        if isinstance(item, Mapping):
            short = {
                k: v
                for k, v in item.items()
                if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) <= MAX_SNIPPET)
            }
            compact = {k: short[k] for k in _EVIDENCE_KEYS if k in short}
            evidence.append(compact or short)
        elif isinstance(item, str):
            evidence.append(item[:MAX_SNIPPET])
    return {"topic_terms": terms[:8], "region_evidence": evidence[:5]}


def grouped_folds(
    topics: Sequence[str], groups: Sequence[int] | np.ndarray, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """StratifiedGroupKFold splits on topic: no group on both sides of a fold."""
    n_groups = len(set(groups))
    if n_splits < 2 or n_groups < n_splits:
        raise InputError(f"cv={n_splits}: need 2 <= cv <= number of article groups ({n_groups})")
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has only k members"
        return [(tr, te) for tr, te in cv.split(np.zeros(len(topics)), list(topics), list(groups))]


def _perturb(fn: Callable[[str], str], text: str) -> str:
    # A perturbed file that can no longer be read counts as an empty article, not as a crash.
    try:
        return fn(text)
    except InputError:
        return ""


def _oof(
    estimator: Any,
    texts: list[str],
    gold: list[dict[str, str]],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    target: str,
    perturbations: Mapping[str, Callable[[str], str]] | None = None,
    *,
    topics: Sequence[str],
    progress: Progress = QUIET,
    what: str = "cross-validation",
) -> dict[str, Any]:
    """Out-of-fold predictions (and of each perturbation, with the same fold models)."""
    n = len(texts)
    preds: list[dict[str, Any] | None] = [None] * n
    proba = np.full((n, len(topics)), np.nan)
    perturbed: dict[str, list[dict[str, Any] | None]] = {name: [None] * n for name in perturbations or {}}
    models, fold_of = [], np.full(n, -1)
    with progress.stage(what, total=len(folds), unit="folds") as step:
        for f, (tr, te) in enumerate(folds):
            step.status(f"fold {f + 1}/{len(folds)}")
            model = _fit(estimator, [texts[i] for i in tr], [gold[i] for i in tr], target)
            models.append(model)
            recs, p = _predict(model, [texts[i] for i in te], topics)
            for j, i in enumerate(te):
                preds[i] = recs[j]
                fold_of[i] = f
                if p is not None:
                    proba[i] = p[j]
            step.advance()
    if perturbations:
        with progress.stage("robustness", total=len(perturbations) * len(folds), unit="runs") as step:
            for name, fn in perturbations.items():
                for model, (_, te) in zip(models, folds):
                    step.status(name)
                    precs, _ = _predict(model, [_perturb(fn, texts[i]) for i in te], topics)
                    for j, i in enumerate(te):
                        perturbed[name][i] = precs[j]
                    step.advance()
    has_proba = not np.isnan(proba).any()
    return {
        "preds": preds,
        "proba": proba if has_proba else None,
        "perturbed": perturbed,
        "models": models,
        "fold_of": fold_of,
    }


def _scores(gold: list[dict[str, str]], preds: Sequence[Any], idx: Sequence[int] | np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    gt = [gold[i]["topic"] for i in idx]
    pt = [str(preds[i].get("topic", "")) for i in idx]
    out = {
        "topic_accuracy": round(float(np.mean([a == b for a, b in zip(gt, pt)])), 4),
        "topic_macro_f1": round(float(f1_score(gt, pt, average="macro", zero_division=0)), 4),
    }
    if all("region" in preds[i] for i in idx):
        out["region_accuracy"] = round(float(np.mean([gold[i]["region"] == preds[i]["region"] for i in idx])), 4)
    return out


class _Curve(NamedTuple):
    """What each point of the learning curve fits and scores."""

    estimator: Any
    texts: list[str]
    gold: list[dict[str, str]]
    groups: np.ndarray
    full: Mapping[str, Any]  # the out-of-fold predictions of the whole training folds
    target: str
    topics: Sequence[str]


def _learning_curve(
    estimator: Any,
    texts: list[str],
    gold: list[dict[str, str]],
    groups: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    full: Mapping[str, Any],
    target: str,
    fractions: Sequence[float],
    max_folds: int,
    seed: int,
    *,
    topics: Sequence[str],
    progress: Progress = QUIET,
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    use = list(folds)[:max_folds]
    curve = _Curve(estimator, texts, gold, groups, full, target, topics)
    rows: list[dict[str, Any]] = []
    with progress.stage("learning curve", total=len(fractions), unit="sizes") as step:
        for frac in fractions:
            step.status(f"{frac:.0%} of the training folds")
            row = _curve_point(curve, use, frac, rng)
            if row is not None:
                rows.append(row)
            step.advance()
    return rows


def _curve_point(
    curve: _Curve, use: Sequence[tuple[np.ndarray, np.ndarray]], frac: float, rng: np.random.Generator
) -> dict[str, Any] | None:
    """One point of the learning curve (``frac`` of the training folds); None when no fold could be fitted."""
    texts, gold, groups = curve.texts, curve.gold, curve.groups
    f1s, regs, sizes = [], [], []
    for tr, te in use:
        preds: list[Any]
        if frac >= 1.0:
            preds = curve.full["preds"]
            sub = tr
        else:
            order = rng.permutation(np.unique(groups[tr]))
            sizes_by_group = Counter(groups[tr])
            chosen, total = set(), 0
            for g in order:
                if total >= frac * len(tr):
                    break
                chosen.add(g)
                total += sizes_by_group[g]
            sub = np.array([i for i in tr if groups[i] in chosen])
            try:
                model = _fit(curve.estimator, [texts[i] for i in sub], [gold[i] for i in sub], curve.target)
            except Exception:  # too few examples or classes for this estimator at this size
                continue
            recs, _ = _predict(model, [texts[i] for i in te], curve.topics)
            preds = [None] * len(texts)
            for j, i in enumerate(te):
                preds[i] = recs[j]
        s = _scores(gold, preds, te)
        f1s.append(s["topic_macro_f1"])
        if "region_accuracy" in s:
            regs.append(s["region_accuracy"])
        sizes.append(len(sub))
    if not f1s:
        return None
    return {
        "fraction": float(frac),
        "train_size": int(round(np.mean(sizes))),
        "topic_macro_f1": round(float(np.mean(f1s)), 4),
        "topic_macro_f1_std": round(float(np.std(f1s)), 4),
        "region_accuracy": round(float(np.mean(regs)), 4) if regs else None,
        "n_folds": len(f1s),
    }


def _default_estimator() -> Any:
    from ..model import ArticleClassifier

    return ArticleClassifier()


def _region_order() -> list[str]:
    return list(REGIONS)


def _figures(
    gold: list[dict[str, str]],
    preds: Sequence[Mapping[str, Any]],
    n_bootstrap: int,
    seed: int,
    topics: Sequence[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "topic": classification_figures(
            [g["topic"] for g in gold],
            [str(p.get("topic", "")) for p in preds],
            topics,
            n_bootstrap=n_bootstrap,
            seed=seed,
        ),
        "region": None,
        "city": None,
        "county": None,
    }
    if preds and all("region" in p for p in preds):
        out["region"] = classification_figures(
            [g["region"] for g in gold],
            [str(p["region"]) for p in preds],
            _region_order(),
            n_bootstrap=n_bootstrap,
            seed=seed,
        )
        for field in ("city", "county"):
            out[field] = _subset_accuracy(
                [g[field] for g in gold], [str(p.get(field, "") or "") for p in preds], n_bootstrap, seed
            )
    return out


def _errors(
    ids: Sequence[str],
    gold: list[dict[str, str]],
    preds: Sequence[Mapping[str, Any]],
    proba: np.ndarray | None,
    models: Sequence[Any],
    fold_of: np.ndarray,
    texts: list[str],
    limit: int,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, (g, p) in enumerate(zip(gold, preds)):
        wrong_topic = g["topic"] != p.get("topic")
        wrong_region = "region" in p and g["region"] != p.get("region")
        if not (wrong_topic or wrong_region):
            continue
        conf = float(np.max(proba[i])) if proba is not None else math.nan
        rows.append(
            {
                "id": str(ids[i])[:40],
                "gold_topic": g["topic"],
                "pred_topic": str(p.get("topic", "")),
                "gold_region": g["region"],
                "pred_region": str(p.get("region", "")),
                "confidence": round(conf, 4),
                "_i": i,
            }
        )
    rows.sort(key=lambda r: -r["confidence"] if not math.isnan(r["confidence"]) else 0.0)
    rows = rows[:limit]
    for r in rows:
        i = r.pop("_i")
        r["evidence"] = _explain(models[fold_of[i]], texts[i]) if fold_of[i] >= 0 else {}
    return rows
