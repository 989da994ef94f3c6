"""Near-duplicate groups of articles (mirror copies), so that grouped folds never split them."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ..normalize import normalize

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def _shingle_set(text: str, k: int) -> set[int]:
    # Han characters only: ASCII boilerplate (English disclaimers, URLs) and numbers say
    # nothing about whether two articles are the same article.
    s = _NOT_HAN.sub("", normalize(text))
    return {zlib.crc32(s[i : i + k].encode()) for i in range(len(s) - k + 1)}


def near_duplicate_groups(
    texts: Sequence[str],
    threshold: float = 0.8,
    k: int = 5,
    *,
    min_shingles: int = 20,
    max_df: float = 0.05,
    sketch: int = 8,
) -> np.ndarray:
    """Group ids such that near-duplicate texts (mirror copies of one article) share a group.

    Two texts are near-duplicates when the containment |A∩B| / min(|A|, |B|) of their
    k-character shingle sets (Han characters of the normalised text) is >= ``threshold``,
    so that a mirror copy that kept only part of the article, or added debris, joins its
    original, while articles written from one template (0.6-0.7 containment) stay apart.
    Texts with fewer than ``min_shingles`` shingles join only near-identical ones (Jaccard
    >= ``threshold``). Shingles found in more than max(10, ``max_df`` · n) texts are
    boilerplate (site footers, navigation) and ignored.

    Candidate pairs share one of the ``sketch`` smallest shingle hashes of a text
    (bottom-k sketch), so the work grows with the number of candidate pairs, not n².
    """
    if not 0 < threshold <= 1:
        raise InputError(f"near_duplicate_groups: threshold must be in (0, 1], got {threshold}")
    sets = [_shingle_set(t, k) for t in texts]
    n = len(sets)
    df: Counter[int] = Counter(h for s in sets for h in s)
    limit = max(10, int(max_df * n))
    common = {h for h, c in df.items() if c > limit}
    if common:
        sets = [s - common for s in sets]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(sets):
        for h in sorted(s)[:sketch]:
            buckets.setdefault(h, []).append(i)
    pairs = {(a, b) for ids in buckets.values() for j, a in enumerate(ids) for b in ids[j + 1 :]}
    for a, b in pairs:
        sa, sb = sets[a], sets[b]
        inter = len(sa & sb)
        small = min(len(sa), len(sb))
        if small >= min_shingles:
            similar = inter / small >= threshold
        else:
            similar = inter / max(len(sa | sb), 1) >= threshold
        if similar:
            parent[find(a)] = find(b)
    roots = [find(i) for i in range(n)]
    _, groups = np.unique(np.asarray(roots, dtype=int), return_inverse=True)
    return groups.astype(int)
