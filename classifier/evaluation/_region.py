"""Region-only evaluation: out-of-fold RegionResolver predictions, their scores, and the
province accuracy and speed of off-the-shelf recognisers (cpca, jionlp) taken as they come."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..labels import NATIONAL, PROVINCES
from ..normalize import normalize
from ._grouping import near_duplicate_groups


def region_out_of_fold(
    texts: Sequence[str], labels: Sequence[dict[str, Any]], *, n_splits: int = 5, seed: int = 0, **params: Any
) -> list[dict[str, str]]:
    """Out-of-fold predictions of ``RegionResolver(**params)``, folds grouped by near-duplicates."""
    from sklearn.model_selection import GroupKFold

    from ..region import RegionResolver

    groups = near_duplicate_groups(texts)
    clean = [normalize(t) for t in texts]
    pred: list[dict[str, str]] = [{}] * len(texts)
    cv = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for train, test in cv.split(clean, groups=groups):
        model = RegionResolver(normalize=False, **params).fit([clean[i] for i in train], [labels[i] for i in train])
        for i, p in zip(test, model.predict([clean[i] for i in test])):
            pred[i] = p
    return pred


def region_scores(labels: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]]) -> dict[str, tuple[float, int]]:
    """(accuracy, n) of the province, of the city and county where labeled, and of an empty
    city or county where they are not."""

    def acc(pairs: Any) -> tuple[float, int]:
        pairs = list(pairs)
        return (float(np.mean([a == b for a, b in pairs])) if pairs else float("nan"), len(pairs))

    return {
        "province": acc((y["region"], p["region"]) for y, p in zip(labels, pred)),
        "city (labeled)": acc((y["city"], p["city"]) for y, p in zip(labels, pred) if y["city"]),
        "city empty (unlabeled)": acc(("", p["city"]) for y, p in zip(labels, pred) if not y["city"]),
        "county (labeled)": acc((y["county"], p["county"]) for y, p in zip(labels, pred) if y["county"]),
        "county empty (unlabeled)": acc(("", p["county"]) for y, p in zip(labels, pred) if not y["county"]),
    }


def _official(name: str) -> str | None:
    """The official province name for a recogniser's province string (or None)."""
    if name in PROVINCES:
        return name
    for full in PROVINCES:
        if name and (full.startswith(name) or name.startswith(full[:2])):
            return full
    return None


def _most_mentioned(provinces: Counter[str | None]) -> str:
    provinces.pop(None, None)
    return str(provinces.most_common(1)[0][0]) if provinces else NATIONAL


def cpca_region(text: str) -> str:
    """Most-mentioned province among cpca's addresses in the text, else 全国 (needs cpca)."""
    import cpca

    try:
        df = cpca.transform_text_with_addrs(text)
    except KeyError:  # cpca fails on a text with no address at all
        return NATIONAL
    return _most_mentioned(Counter(_official(p) for p in df["省"] if isinstance(p, str)))


def jionlp_region(text: str) -> str:
    """Most-mentioned province of jionlp's recognize_location, else 全国 (needs jionlp)."""
    import jionlp

    found = jionlp.recognize_location(text).get("domestic") or []
    c: Counter[str | None] = Counter()
    for loc, n in found:
        c[_official(loc.get("province") or "")] += n
    return _most_mentioned(c)


def _timed(fn: Callable[[str], str], clean: Sequence[str]) -> tuple[list[str], float]:
    fn(clean[0])  # loads the dictionaries
    t = time.perf_counter()
    out = [fn(x) for x in clean]
    return out, len(clean) / (time.perf_counter() - t)


def compare_region_recognisers(
    texts: Sequence[str], labels: Sequence[dict[str, Any]], ours: Sequence[dict[str, Any]] | None = None
) -> list[tuple[str, float, float]]:
    """(method, province accuracy, articles per second) of cpca, jionlp and RegionResolver.

    Each reads the normalised text; speed is that of the recogniser alone (its first call,
    which loads its dictionaries, not timed). RegionResolver's speed is that of a resolver
    fitted on all articles; its accuracy that of ``ours`` (out-of-fold predictions), if given.
    """
    from ..region import RegionResolver

    clean = [normalize(t) for t in texts]
    gold = [y["region"] for y in labels]
    rows = []
    for name, fn in (("cpca (most-mentioned province)", cpca_region), ("jionlp recognize_location", jionlp_region)):
        pred, speed = _timed(fn, clean)
        rows.append((name, sum(p == g for p, g in zip(pred, gold)) / len(gold), speed))
    model = RegionResolver(normalize=False).fit(clean, labels)
    _, speed = _timed(lambda x: model.predict([x])[0]["region"], clean)
    acc = (sum(p["region"] == g for p, g in zip(ours, gold)) / len(gold)) if ours is not None else float("nan")
    rows.append(("RegionResolver (grouped 5-fold CV)", acc, speed))
    return rows
