"""Mirror copies: which records repeat an article seen earlier in the stream.

Two steps, split so that parallel runs give the single-process answer:

* :func:`signature` (pure, picklable result, run in the worker that predicts the record):
  clean text → :class:`MirrorSignature` (about 0.5 kB): two MinHashes of the body and its
  "slots" (place names and numbers with their masked context);
* :meth:`MirrorIndex.add` (sequential, run by the parent in input order): the id of the
  first copy of the same article, or ``""`` when the record is the first copy. Only first
  copies are indexed; the texts are never kept.

What is compared, and why:

* **Body.** Body lines are the lines with a sentence mark (``,。;!?``), at least
  :data:`MIN_LINE` characters long and not a teaser cut off with ``...``: navigation,
  breadcrumbs, spam headers, titles and most footers do not count.
* **Window MinHash → LSH candidates.** :data:`NUM_PERM` permutations over the character
  :data:`SHINGLE`-grams of the first :data:`WINDOW` body characters, banded
  (:data:`BANDS` × :data:`ROWS`). A copy truncated to 60 % keeps the start, so its window
  still matches; a MinHash of the whole text would give it a Jaccard of 0.6 or less, the
  level of releases rewritten for another province (about 0.5).
* **Verification.** The containment of the smaller window in the other (estimated from the
  MinHash Jaccard and the two shingle counts) must reach ``threshold``, and so must the
  containment of one whole body (first :data:`BODY_TEXT` characters) in the other reach
  :data:`BODY_THRESHOLD`, from a :data:`BODY_PERM`-permutation MinHash of one in
  :data:`BODY_SAMPLE` of its shingles (sampled by hash value, so two texts sample alike):
  two articles that open with the same long sentence are not copies.
* **Slots.** A release rewritten for another province has the same sentences with other
  place names and figures. Every place name (division names and unambiguous aliases of the
  shipped gazetteer, longest match) and number of the body is a slot, keyed by its masked
  context (four characters before, two after, other slots masked). Two texts sharing a slot
  key but never its value differ in a place or a figure: not copies. Copies (any script,
  debris, truncation) agree on every key they share.

Limits: a copy whose surviving body is much shorter than the window (truncated before most
of the body) may be missed; a copy truncated before the first place or figure that differs
is, letter for letter, a copy of both the original and a rewrite, and goes to whichever came
first.

The LSH and its memory. The MinHashes are datasketch's (``affine32`` scheme, seed
:data:`SEED`; :meth:`MirrorSignature.minhash` gives a ``datasketch.LeanMinHash``, a test
checks the values), computed with numpy on hashed shingles (datasketch's per-value Python
hashing would cost about a millisecond an article). The default band table is sorted numpy
runs with the same bands as ``datasketch.MinHashLSH`` (a test checks both give the same
candidates and answers), because ``MinHashLSH``'s in-memory storage keeps a Python set per
bucket and a key list per article: 6.4 kB per article measured, 1.3 GB for 200,000 distinct
articles. Here an indexed article costs (:data:`NUM_PERM` + :data:`BODY_PERM`) × 4 bytes of
MinHashes, :data:`BANDS` × 12 of band table, 12 of sizes, 8 per slot (≤ :data:`MAX_SLOTS`)
and its id: about 0.85 kB (``benchmarks/mirrors.py --scale``). ``MirrorIndex(lsh="datasketch")``
uses ``MinHashLSH`` itself.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._signature import BODY_PERM, NUM_PERM, MirrorSignature, signature

# (re-exported: tests check the MinHash values with these)
from ._signature import minhash_values as minhash_values
from ._signature import shingle_hashes as shingle_hashes

__all__ = ["MirrorDetector", "MirrorIndex", "MirrorSignature", "find_mirrors", "signature"]

#: LSH bands and rows per band (``BANDS * ROWS <= NUM_PERM``).
BANDS, ROWS = 21, 3
#: Least containment of one (sampled) body in the other for copies.
BODY_THRESHOLD = 0.5
#: Default containment of one window in the other above which two articles are copies.
THRESHOLD = 0.8

_U32 = np.uint32


# ----------------------------------------------------------------------------- verification


def _containment(equal: Any, perms: int, size_a: Any, size_b: float) -> Any:
    """Containment of the smaller set in the other from equal MinHash values and set sizes."""
    jaccard = equal / perms
    common = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return np.minimum(common / np.maximum(np.minimum(size_a, size_b), 1), 1.0)


def containment(a: MirrorSignature, b: MirrorSignature) -> tuple[float, float]:
    """Estimated share of the smaller one's shingles that the other has: (window, body)."""
    if not a.size or not b.size:
        return 0.0, 0.0
    window = _containment(np.count_nonzero(a.hashvalues == b.hashvalues), NUM_PERM, np.array(a.size), b.size)
    if not a.body_size or not b.body_size:
        return float(window), 1.0  # a body too short to sample: the window is all there is
    body = _containment(
        np.count_nonzero(a.body_hashvalues == b.body_hashvalues), BODY_PERM, np.array(a.body_size), b.body_size
    )
    return float(window), float(body)


def slot_conflicts(a: MirrorSignature, b: MirrorSignature) -> int:
    """Slot keys both texts have but never with the same value (another place or figure)."""
    if not len(a.slots) or not len(b.slots):
        return 0
    slots_a, slots_b = set(a.slots.tolist()), set(b.slots.tolist())  # ≤ MAX_SLOTS each: sets beat numpy
    shared_keys = {s >> 32 for s in slots_a} & {s >> 32 for s in slots_b}
    if not shared_keys:
        return 0
    return len(shared_keys - {s >> 32 for s in slots_a & slots_b})


def is_copy(a: MirrorSignature, b: MirrorSignature, threshold: float = THRESHOLD) -> bool:
    """True when ``a`` and ``b`` are copies of one article (see the module docstring)."""
    window, body = containment(a, b)
    return window >= threshold and body >= BODY_THRESHOLD and slot_conflicts(a, b) == 0


# ----------------------------------------------------------------------------- index


_BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _band_keys(hashvalues: np.ndarray) -> np.ndarray:
    """One uint64 per band: its ROWS values mixed with the band number. Unequal bands may
    share a key now and then (a spare candidate, then rejected); equal bands always do."""
    bands = hashvalues[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    key = _BAND_SALT.copy()
    for r in range(ROWS):
        key ^= bands[:, r]
        key *= np.uint64(0xBF58476D1CE4E5B9)
    return key


class _BandTable:
    """band key → article numbers, as sorted numpy runs merged like a binary counter."""

    _BUFFER = 2048

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._buffer: dict[int, list[int]] = {}
        self._buffered = 0

    def query(self, keys: np.ndarray) -> set[int]:
        """Article numbers stored under any of ``keys``."""
        found: set[int] = set()
        for key in self._buffer.keys() & keys.tolist():
            found.update(self._buffer[key])
        for run_keys, run_values in self._runs:
            at = np.minimum(np.searchsorted(run_keys, keys), len(run_keys) - 1)
            for i in at[run_keys[at] == keys].tolist():  # equal keys sit side by side; usually one
                key, j = run_keys[i], i
                while j < len(run_keys) and run_keys[j] == key:
                    found.add(int(run_values[j]))
                    j += 1
        return found

    def insert(self, keys: np.ndarray, value: int) -> None:
        """Store article number ``value`` under each of ``keys``."""
        for key in keys.tolist():
            self._buffer.setdefault(key, []).append(value)
        self._buffered += len(keys)
        if self._buffered >= self._BUFFER:
            self._flush()

    def _flush(self) -> None:
        items = [(k, v) for k, vs in self._buffer.items() for v in vs]
        run = (np.array([k for k, _ in items], dtype=np.uint64), np.array([v for _, v in items], dtype=np.uint32))
        self._buffer, self._buffered = {}, 0
        while self._runs and len(self._runs[-1][0]) <= len(run[0]):
            last = self._runs.pop()
            run = (np.concatenate([last[0], run[0]]), np.concatenate([last[1], run[1]]))
        order = np.argsort(run[0], kind="stable")
        self._runs.append((run[0][order], run[1][order]))

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self._runs) + self._buffered * 120  # buffer: dict + lists


class MirrorIndex:
    """Sequential mirror-copy index: :meth:`add` each record's signature in input order.

    Parameters
    ----------
    threshold : float
        Containment of the smaller body window in the other at and above which two
        articles with no conflicting place or figure are copies.
    lsh : {"compact", "datasketch"}
        Band table: sorted numpy runs (default) or ``datasketch.MinHashLSH`` with the same
        bands (same candidates, about 6 kB more per article).
    """

    _BLOCK = 1024  # rows per block of stored MinHashes

    def __init__(self, threshold: float = THRESHOLD, lsh: str = "compact") -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold={threshold!r}: expected a number in (0, 1]")
        if lsh not in ("compact", "datasketch"):
            raise ValueError(f"lsh={lsh!r}: expected 'compact' or 'datasketch'")
        self.threshold = threshold
        self.lsh = lsh
        self._ids: list[str] = []
        self._blocks: list[np.ndarray] = []  # window and body MinHashes of the indexed articles
        self._sizes = array("I")
        self._body_sizes = array("I")
        self._slots = array("Q")
        self._slot_ends = array("I")
        if lsh == "datasketch":
            from datasketch import MinHashLSH

            self._lsh: Any = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        else:
            self._lsh = _BandTable()

    def __len__(self) -> int:
        """Number of indexed articles (first copies)."""
        return len(self._ids)

    def candidates(self, sig: MirrorSignature, keys: np.ndarray | None = None) -> list[int]:
        """Numbers of the indexed articles sharing a band with ``sig`` (before verification)."""
        if self.lsh == "datasketch":
            return sorted(self._lsh.query(sig.minhash()))
        return sorted(self._lsh.query(_band_keys(sig.hashvalues) if keys is None else keys))

    def _row(self, n: int) -> np.ndarray:
        return self._blocks[n // self._BLOCK][n % self._BLOCK]

    def _stored(self, n: int) -> MirrorSignature:
        start = self._slot_ends[n - 1] if n else 0
        slots = np.array(self._slots[start : self._slot_ends[n]], dtype=np.uint64)
        row = self._row(n)
        return MirrorSignature(row[:NUM_PERM], self._sizes[n], slots, row[NUM_PERM:], self._body_sizes[n])

    def match(self, sig: MirrorSignature | None) -> str | None:
        """The id of the indexed article ``sig`` is a copy of (the most similar, then the
        earliest), else None; the index is left as it is."""
        return None if sig is None or not sig.size else self._match(sig, self._keys(sig))

    def add(self, record_id: Any, sig: MirrorSignature | None) -> str:
        """``""`` when this record is the first copy of its article (it is then indexed), else
        the id of that first copy. ``None`` (a record without text) is never a copy; a record
        without id (``None``) can be a copy but is not indexed, as nothing could point at it."""
        if sig is None or not sig.size:
            return ""
        keys = self._keys(sig)
        first = self._match(sig, keys)
        if first is not None:
            return first
        if record_id is not None:
            self._insert(record_id, sig, keys)
        return ""

    def _keys(self, sig: MirrorSignature) -> np.ndarray | None:
        return _band_keys(sig.hashvalues) if self.lsh == "compact" else None

    def _match(self, sig: MirrorSignature, keys: np.ndarray | None) -> str | None:
        found = self.candidates(sig, keys)
        if not found:
            return None
        rows = np.stack([self._row(n) for n in found])
        window = _containment(
            np.count_nonzero(rows[:, :NUM_PERM] == sig.hashvalues, axis=1),
            NUM_PERM,
            np.array([self._sizes[n] for n in found], dtype=np.float64),
            sig.size,
        )
        body_sizes = np.array([self._body_sizes[n] for n in found], dtype=np.float64)
        body = _containment(
            np.count_nonzero(rows[:, NUM_PERM:] == sig.body_hashvalues, axis=1),
            BODY_PERM,
            body_sizes,
            sig.body_size,
        )
        body[(body_sizes == 0) | (sig.body_size == 0)] = 1.0  # too short to sample: the window decides
        ok = (window >= self.threshold) & (body >= BODY_THRESHOLD)
        for i in np.argsort(-window, kind="stable").tolist():  # most similar first, then the earliest
            if ok[i] and slot_conflicts(sig, self._stored(found[i])) == 0:
                return self._ids[found[i]]
        return None

    def _insert(self, record_id: Any, sig: MirrorSignature, keys: np.ndarray | None) -> None:
        n = len(self._ids)
        if n % self._BLOCK == 0:
            self._blocks.append(np.empty((self._BLOCK, NUM_PERM + BODY_PERM), dtype=_U32))
        row = self._blocks[-1][n % self._BLOCK]
        row[:NUM_PERM] = sig.hashvalues
        row[NUM_PERM:] = sig.body_hashvalues
        self._ids.append(str(record_id))
        self._sizes.append(sig.size)
        self._body_sizes.append(sig.body_size)
        self._slots.extend(sig.slots.tolist())
        self._slot_ends.append(len(self._slots))
        if self.lsh == "datasketch":
            self._lsh.insert(n, sig.minhash(), check_duplication=False)
        else:
            self._lsh.insert(_band_keys(sig.hashvalues) if keys is None else keys, n)

    def nbytes(self) -> int:
        """Bytes held by the index: MinHashes, sizes, slots, band table and ids.

        Per article: (``NUM_PERM`` + ``BODY_PERM``) × 4 (MinHashes) + 12 (sizes, slot end) + 8 per slot
        + ``BANDS`` × 12 (band table) + the id (a Python str: 49 bytes + its length for
        ASCII ids, plus an 8-byte list slot). ``datasketch``'s table is not measured here.
        """
        ids = sum(sys.getsizeof(i) + 8 for i in self._ids)
        arrays = sum(b.nbytes for b in self._blocks) + sum(
            a.itemsize * len(a) for a in (self._sizes, self._body_sizes, self._slots, self._slot_ends)
        )
        return ids + arrays + (self._lsh.nbytes if self.lsh == "compact" else 0)


@dataclass(frozen=True)
class MirrorDetector:
    """What batch prediction needs to fill ``duplicate_of``: :meth:`signature` in the worker
    processes, :meth:`new_index` once in the parent (``run_batch(mirrors=MirrorDetector())``).

    Parameters
    ----------
    threshold : float
        See :class:`MirrorIndex`.
    """

    threshold: float = THRESHOLD

    def signature(self, clean_text: str) -> MirrorSignature:
        """:func:`signature` of a clean text."""
        return signature(clean_text)

    def new_index(self) -> MirrorIndex:
        """An empty :class:`MirrorIndex` with this threshold."""
        return MirrorIndex(self.threshold)


def find_mirrors(records: Iterable[tuple[Any, str]], threshold: float = THRESHOLD) -> Iterator[str]:
    """``duplicate_of`` for each ``(id, clean_text)`` pair, in order (one process).

    Examples
    --------
    >>> text = "12月8日,浙江省义务教育均衡发展督导检查反馈会在杭州市举行,检查组反馈了督导意见。"
    >>> other_province = text.replace("浙江省", "安徽省").replace("杭州市", "合肥市")
    >>> list(find_mirrors([("a", text), ("b", text[:30]), ("c", other_province)]))
    ['', 'a', '']
    """
    index = MirrorIndex(threshold)
    for record_id, text in records:
        yield index.add(record_id, signature(text))
