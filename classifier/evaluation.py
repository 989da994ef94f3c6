"""Evaluation: grouped cross-validation, metrics, calibration, robustness and reports."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from .normalize import normalize

_NON_HAN = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


def _shingles(text: str, k: int) -> set[int]:
    s = _NON_HAN.sub("", normalize(text))
    return {zlib.crc32(s[i:i + k].encode()) for i in range(max(len(s) - k + 1, 1))}


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.5, k: int = 5) -> np.ndarray:
    """Group ids such that texts whose k-shingle containment is >= threshold share a group.

    Containment (|A∩B| / min(|A|,|B|)) rather than Jaccard, so that a mirror copy that
    kept only part of the article, or added debris, still joins its original.
    """
    sets = [_shingles(t, k) for t in texts]
    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Candidate pairs share at least one of a few sampled shingles (a cheap LSH).
    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(sets):
        for h in sorted(s)[:8]:
            buckets.setdefault(h, []).append(i)
    pairs = {(a, b) for ids in buckets.values() for a in ids for b in ids if a < b}
    for a, b in pairs:
        sa, sb = sets[a], sets[b]
        if len(sa & sb) / max(min(len(sa), len(sb)), 1) >= threshold:
            parent[find(a)] = find(b)
    roots = [find(i) for i in range(len(sets))]
    _, groups = np.unique(roots, return_inverse=True)
    return groups
