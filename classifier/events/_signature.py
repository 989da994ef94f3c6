"""Mirror signatures: clean text → :class:`MirrorSignature`, pure and run in the workers.

Two MinHashes (datasketch's ``affine32`` scheme, computed with numpy on hashed shingles) of the
body window and of a sample of the whole body, and the body's "slots" (place names of the
shipped gazetteer and numbers, keyed by their masked context). ``_mirrors`` says what is
compared and why, and holds the index that compares signatures.
"""

from __future__ import annotations

import functools
import re
import zlib
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "BODY_PERM",
    "BODY_SAMPLE",
    "BODY_TEXT",
    "MAX_SLOTS",
    "MIN_LINE",
    "NUM_PERM",
    "SEED",
    "SHINGLE",
    "SLOT_TEXT",
    "WINDOW",
    "MirrorSignature",
    "minhash_values",
    "shingle_hashes",
    "signature",
]

#: MinHash permutations (datasketch ``affine32`` scheme, seed :data:`SEED`).
NUM_PERM = 64
#: Seed of the permutations.
SEED = 1
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
#: Most slots kept per article (the first ones of the body) and the body characters searched.
MAX_SLOTS, SLOT_TEXT = 48, 1200

_SENTENCE = re.compile("[,。;!?]")
# A mirror's teaser: the start of the body repeated and cut off.
_TEASER_ENDS = ("...", "…")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MARK = "\x00"
_U32 = np.uint32


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
