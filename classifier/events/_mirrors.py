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

import functools
import re
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

__all__ = ["MirrorDetector", "MirrorIndex", "MirrorSignature", "find_mirrors", "signature"]

#: MinHash permutations (datasketch ``affine32`` scheme, seed :data:`SEED`).
NUM_PERM = 64
#: Seed of the permutations.
SEED = 1
#: LSH bands and rows per band (``BANDS * ROWS <= NUM_PERM``).
BANDS, ROWS = 21, 3
#: Characters per shingle.
SHINGLE = 5
#: Characters of body text covered by the MinHash.
WINDOW = 200
#: Shortest body line.
MIN_LINE = 16
#: Body characters read (for the body MinHash and the slots).
BODY_TEXT = 3000
#: Permutations of the body MinHash and the share of the body's shingles it samples (1 in N,
#: chosen by hash value, so two texts sample the same shingles).
BODY_PERM, BODY_SAMPLE = 32, 4
#: Least containment of one (sampled) body in the other for copies.
BODY_THRESHOLD = 0.5
#: Most slots kept per article (the first ones of the body) and the body characters searched.
MAX_SLOTS, SLOT_TEXT = 48, 1200
#: Default containment of one window in the other above which two articles are copies.
THRESHOLD = 0.8

_SENTENCE = re.compile("[,。;!?]")
# A mirror's teaser: the start of the body repeated and cut off.
_TEASER_ENDS = ("...", "…")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MARK = "\x00"
_U32 = np.uint32


# ----------------------------------------------------------------------------- signature


class MirrorSignature(NamedTuple):
    """What :class:`MirrorIndex` needs of one article (a few hundred bytes, picklable)."""

    #: MinHash of the body window's shingles, ``NUM_PERM`` uint32 values.
    hashvalues: np.ndarray
    #: Shingles (positions) in the window (0: nothing to compare, never a copy).
    size: int
    #: Sorted unique slots: ``crc32(masked context) << 32 | crc32(value)``, uint64.
    slots: np.ndarray
    #: MinHash of a sample of the whole body's shingles (the first :data:`BODY_PERM` permutations).
    body_hashvalues: np.ndarray
    #: Sampled shingles (positions) of the body.
    body_size: int

    def minhash(self) -> Any:
        """The window MinHash as a ``datasketch.LeanMinHash``."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=SEED, hashvalues=self.hashvalues, scheme="affine32")


@functools.lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutations for :data:`SEED` (a test checks them equal to
    ``datasketch.MinHash(num_perm, seed, scheme="affine32").permutations``), drawn the way it
    draws them so that workers need not import datasketch (0.4 s)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=_U32)
    return a[:, None], b[:, None]


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's finalizer, as datasketch applies it before its affine permutations.
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def shingle_hashes(text: str, codes: np.ndarray | None = None) -> np.ndarray:
    """32-bit hashes of the character :data:`SHINGLE`-grams of ``text`` (one per position);
    ``codes``: its code points when already at hand."""
    codes = _codes(text) if codes is None else codes
    n = len(codes) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=_U32)
    h = codes[:n].copy()
    for k in range(1, SHINGLE):  # polynomial hash mod 2**64
        h *= np.uint64(0x100000001B3)
        h += codes[k : k + n]
    return (h ^ (h >> np.uint64(32))).astype(_U32)


def minhash_values(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """datasketch's ``affine32`` MinHash of already hashed values (its first ``num_perm``
    permutations): ``num_perm`` uint32."""
    return _minhash_mixed(_fmix32(hashes), num_perm)


def _minhash_mixed(mixed: np.ndarray, num_perm: int) -> np.ndarray:
    a, b = _permutations()
    if len(mixed) == 0:
        return np.full(num_perm, np.iinfo(_U32).max, dtype=_U32)
    return (a[:num_perm] * mixed[None, :] + b[:num_perm]).min(axis=1)


class _Gazetteer(NamedTuple):
    table: np.ndarray  # bool, _TABLE_BITS-bit hash of two characters: some name may start so
    names: dict[str, tuple[str, ...]]  # the first two characters -> names, longest first


_TABLE_BITS = 18
_TABLE_MULT = np.uint64(0x9E3779B97F4A7C15)


def _pair_slots(codes: np.ndarray) -> np.ndarray:
    """Table slot of each pair of neighbouring code points (multiplicative hashing)."""
    pairs = codes[:-1] << np.uint64(32) | codes[1:]
    return (pairs * _TABLE_MULT) >> np.uint64(64 - _TABLE_BITS)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=_U32).astype(np.uint64)


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """The division names and unambiguous aliases (two characters or more) of the gazetteer."""
    text = (resources.files("classifier") / "data" / "divisions.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split("\t")
    # Names, and the aliases that are no common word ("weak" ones such as 和平 are left out).
    columns = [header.index(c) for c in ("name", "strong", "distinct") if c in header]
    names: set[str] = set()
    for line in lines[1:]:
        cells = line.split("\t")
        names.update(cells[i] for i in columns if i < len(cells) and len(cells[i]) >= 2)
    by_prefix: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        by_prefix.setdefault(name[:2], []).append(name)
    table = np.zeros(1 << _TABLE_BITS, dtype=bool)
    table[_pair_slots(_codes("\x00".join(by_prefix)))] = True  # the separator pairs are spare hits
    return _Gazetteer(table, {p: tuple(v) for p, v in by_prefix.items()})


def _mentions(body: str, codes: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(start, end) of the numbers and place names of ``body`` (code points ``codes``); of
    overlapping names the longest is kept (``召开江西省``: 江西省, not the county alias 开江)."""
    gaz = _gazetteer()
    spans = [m.span() for m in _NUMBER.finditer(body)]
    codes = _codes(body) if codes is None else codes
    if len(codes) < 2:
        return spans
    names = []
    for p in np.flatnonzero(gaz.table[_pair_slots(codes)]).tolist():  # a few spare hits, checked here
        for name in gaz.names.get(body[p : p + 2], ()):
            if body.startswith(name, p):
                names.append((p, p + len(name)))
                break
    taken = bytearray(len(body))
    for start, end in sorted(names, key=lambda s: (s[0] - s[1], s[0])):
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            spans.append((start, end))
    spans.sort()
    return spans


def _body(clean: str) -> str:
    """The body lines of a clean text, joined (all of it when no line qualifies)."""
    lines = [
        line
        for line in clean.split("\n")
        if len(line) >= MIN_LINE and _SENTENCE.search(line) and not line.endswith(_TEASER_ENDS)
    ]
    return "".join(lines) if lines else clean.replace("\n", "")


def _slots(body: str, codes: np.ndarray | None = None) -> np.ndarray:
    """Sorted unique ``crc32(masked context) << 32 | crc32(value)`` of the first slots."""
    spans = _mentions(body, codes)[:MAX_SLOTS]
    if not spans:
        return np.zeros(0, dtype=np.uint64)
    pieces, i = [], 0
    for start, end in spans:
        pieces.append(body[i:start])
        i = end
    pieces.append(body[i:])
    masked = _MARK.join(pieces)
    slots: set[int] = set()
    p = -1
    for start, end in spans:
        p = masked.index(_MARK, p + 1)
        key = zlib.crc32(masked[max(p - 4, 0) : p + 3].encode("utf-8"))
        slots.add((key << 32) | zlib.crc32(body[start:end].encode("utf-8")))
    return np.array(sorted(slots), dtype=np.uint64)


def signature(clean_text: str) -> MirrorSignature:
    """The :class:`MirrorSignature` of a clean text (``classifier.normalize`` output).

    Pure and deterministic across processes (no salted ``hash``): workers compute it and the
    parent's :class:`MirrorIndex` compares it.
    """
    body = _body(clean_text)[:BODY_TEXT]
    codes = _codes(body)
    mixed = _fmix32(shingle_hashes(body, codes))
    window = mixed[:WINDOW]
    # One shingle in BODY_SAMPLE, chosen by its (mixed) hash: two texts sample the same ones.
    sample = mixed[mixed % _U32(BODY_SAMPLE) == 0]
    # Sizes count positions: a repeated shingle within 200 characters is rare.
    return MirrorSignature(
        _minhash_mixed(window, NUM_PERM),
        len(window),
        _slots(body[:SLOT_TEXT], codes[:SLOT_TEXT]),
        _minhash_mixed(sample, BODY_PERM),
        len(sample),
    )


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

    def add(self, record_id: Any, sig: MirrorSignature | None) -> str:
        """``""`` when this record is the first copy of its article (it is then indexed), else
        the id of that first copy. ``None`` (a record without text) is never a copy; a record
        without id (``None``) can be a copy but is not indexed, as nothing could point at it."""
        if sig is None or not sig.size:
            return ""
        keys = _band_keys(sig.hashvalues) if self.lsh == "compact" else None
        found = self.candidates(sig, keys)
        if found:
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
        if record_id is not None:
            self._insert(record_id, sig, keys)
        return ""

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
