"""Metrics with bootstrap intervals, and the calibration of topic probabilities."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from ..errors import InputError


def _ordered_labels(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    known = [lab for lab in order if lab in present]
    return known + sorted(present - set(known))


def _macro_f1_codes(t: np.ndarray, p: np.ndarray, n_labels: int) -> float:
    # Macro-F1 over the labels present in t or p (scikit-learn's default label set).
    cm = np.bincount(t * n_labels + p, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    present = (support + predicted) > 0
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1[present].mean()) if present.any() else 0.0


def bootstrap_ci(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    metric: str = "accuracy",
    *,
    n_resamples: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric`` ("accuracy" or "macro_f1") over articles."""
    if metric not in ("accuracy", "macro_f1"):
        raise InputError(f"bootstrap_ci: metric must be 'accuracy' or 'macro_f1', got {metric!r}")
    if len(y_true) != len(y_pred):
        raise InputError(f"bootstrap_ci: {len(y_true)} gold labels but {len(y_pred)} predictions")
    n = len(y_true)
    if n == 0:
        return (math.nan, math.nan)
    labels = sorted(set(y_true) | set(y_pred))
    code = {lab: i for i, lab in enumerate(labels)}
    t = np.array([code[v] for v in y_true])
    p = np.array([code[v] for v in y_pred])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    if metric == "accuracy":
        stats = (t == p)[idx].mean(axis=1)
    else:
        stats = np.array([_macro_f1_codes(t[row], p[row], len(labels)) for row in idx])
    lo, hi = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return (round(float(lo), 4), round(float(hi), 4))


def classification_figures(
    y_true: Sequence[str], y_pred: Sequence[str], order: Sequence[str] = (), *, n_bootstrap: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Accuracy, macro-F1 (with bootstrap intervals), per-class figures and the confusion matrix.

    The label set is every label in ``y_true`` or ``y_pred`` (scikit-learn's default), listed
    in ``order`` first.
    """
    y_true, y_pred = [str(v) for v in y_true], [str(v) for v in y_pred]
    if len(y_true) != len(y_pred):
        raise InputError(f"classification_figures: {len(y_true)} gold labels but {len(y_pred)} predictions")
    labels = _ordered_labels([*y_true, *y_pred], order)
    if not y_true:
        return {
            "n": 0,
            "accuracy": math.nan,
            "accuracy_ci": [math.nan, math.nan],
            "macro_f1": math.nan,
            "macro_f1_ci": [math.nan, math.nan],
            "labels": [],
            "per_class": {},
            "confusion": [],
        }
    prec, rec, f1, sup = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": round(float(np.mean([a == b for a, b in zip(y_true, y_pred)])), 4),
        "accuracy_ci": list(bootstrap_ci(y_true, y_pred, "accuracy", n_resamples=n_bootstrap, seed=seed)),
        "macro_f1": round(float(np.mean(f1)), 4),
        "macro_f1_ci": list(bootstrap_ci(y_true, y_pred, "macro_f1", n_resamples=n_bootstrap, seed=seed)),
        "labels": labels,
        "per_class": {
            lab: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for lab, p, r, f, s in zip(labels, prec, rec, f1, sup)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _subset_accuracy(gold: Sequence[str], pred: Sequence[str], n_bootstrap: int, seed: int) -> dict[str, Any]:
    """Accuracy over the items whose gold value is non-empty (city, county)."""
    pairs = [(g, p) for g, p in zip(gold, pred) if g]
    if not pairs:
        return {"n": 0, "accuracy": math.nan, "accuracy_ci": [math.nan, math.nan]}
    g, p = [a for a, _ in pairs], [b or "" for _, b in pairs]
    return {
        "n": len(pairs),
        "accuracy": round(float(np.mean([a == b for a, b in pairs])), 4),
        "accuracy_ci": list(bootstrap_ci(g, p, "accuracy", n_resamples=n_bootstrap, seed=seed)),
    }


def calibration(
    y_true: Sequence[str],
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    n_bins: int = 10,
    thresholds: Sequence[float] = tuple(np.round(np.arange(0.0, 1.0, 0.05), 2)),
) -> dict[str, Any]:
    """Reliability bins, expected calibration error and accuracy vs coverage of the top-class probability."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise InputError(f"calibration: proba has shape {proba.shape}, expected ({len(y_true)}, {len(classes)})")
    classes = list(classes)
    conf = proba.max(axis=1) if len(y_true) else np.zeros(0)
    pred = [classes[i] for i in proba.argmax(axis=1)] if len(y_true) else []
    correct = np.array([p == g for p, g in zip(pred, y_true)], dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        mask = which == b
        count = int(mask.sum())
        c = float(conf[mask].mean()) if count else math.nan
        a = float(correct[mask].mean()) if count else math.nan
        if count:
            ece += count / len(conf) * abs(a - c)
        bins.append(
            {
                "lower": round(float(edges[b]), 4),
                "upper": round(float(edges[b + 1]), 4),
                "count": count,
                "confidence": round(c, 4),
                "accuracy": round(a, 4),
            }
        )
    coverage = []
    for th in thresholds:
        kept = conf >= th
        coverage.append(
            {
                "threshold": float(th),
                "coverage": round(float(kept.mean()), 4) if len(conf) else math.nan,
                "accuracy": round(float(correct[kept].mean()), 4) if kept.any() else math.nan,
            }
        )
    return {"n_bins": n_bins, "bins": bins, "ece": round(ece, 4) if len(conf) else math.nan, "coverage": coverage}
