"""Clean text → tokens: jieba with a domain dictionary, stopwords and punctuation dropped.

Segmentation is jieba's exact mode without HMM (``Tokenizer.lcut(text, HMM=False)``),
computed by ``cut`` below: the same dictionary, the same blocks, the same best path through
the same word graph, so the same pieces (a test compares them with jieba's on the corpus and
on arbitrary text), in about 0.4 of jieba's time: word log-probabilities are looked up, not
recomputed, and the graph is walked once.
"""

from __future__ import annotations

import hashlib
import marshal
import math
import os
import re
import tempfile
import threading
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba

from .errors import InputError

#: Placeholder that replaces every number token (digits, decimals, percentages).
NUM_TOKEN = "<num>"

_NUMBER = re.compile(r"^[0-9０-９]+(?:[.．,，][0-9０-９]+)*[%％]?$")
# A token is kept only if it holds at least one letter, digit or Han character.
_WORDLIKE = re.compile(r"\w")

#: Words of jieba's dictionary rarer than this (60 % of its 349k words) are left out: the
#: cross-validated scores do not move and the dictionary is half the size, so quicker to load.
MIN_FREQ = 5
_DICT_FORMAT = 2
# jieba's HMM (guessing unknown words) is not used: as accurate in cross-validation and slower.
#: Numbers become NUM_TOKEN (True) or are dropped (False).
KEEP_NUMBERS = True

#: Every word and word prefix of the dictionary → log P(word) (None for a prefix only), and
#: log P of a character that is no word: what ``cut`` looks up.
Dictionary = tuple[dict[str, float | None], float]

_DICT_LOCK = threading.Lock()
_DICTIONARY: Dictionary | None = None
_TOKENIZER_LOCK = threading.Lock()
_TOKENIZER: jieba.Tokenizer | None = None
#: Seconds spent loading the dictionary in this process (None before first use).
init_seconds: float | None = None


def _read_data(name: str) -> list[str]:
    text = resources.files("classifier").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stopword set of classifier/data/stopwords.txt."""
    return frozenset(_read_data("stopwords.txt"))


@lru_cache(maxsize=1)
def domain_terms() -> tuple[str, ...]:
    """The domain terms of classifier/data/userdict.txt, kept whole by the tokenizer."""
    return tuple(line.split()[0] for line in _read_data("userdict.txt"))


def _cache_path() -> Path:
    """Where the built dictionary is cached; the name changes with jieba, MIN_FREQ and the terms."""
    digest = hashlib.sha256(
        f"{jieba.__version__}|{MIN_FREQ}|{_DICT_FORMAT}|".encode() + "\n".join(domain_terms()).encode()
    ).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"classifier-jieba-{digest}.cache"


def _build_freq(tok: jieba.Tokenizer) -> None:
    """Fill ``tok`` from jieba's dictionary without its rare words, then add the domain terms."""
    freq: dict[str, int] = {}
    total = 0
    with open(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME), encoding="utf-8") as fh:
        for line in fh:
            word, count = line.split(" ", 2)[:2]
            count_i = int(count)
            total += count_i  # the full total keeps the kept words' probabilities unchanged
            if count_i < MIN_FREQ:
                continue
            freq[word] = count_i
            for i in range(1, len(word)):
                freq.setdefault(word[:i], 0)
    tok.FREQ, tok.total, tok.initialized = freq, total, True
    for word in domain_terms():
        tok.add_word(word, tok.suggest_freq(word, tune=False))


def _log_probabilities(tok: jieba.Tokenizer) -> Dictionary:
    """The ``Dictionary`` of a built jieba tokenizer."""
    # The very expressions jieba's calc() evaluates, so the floats are the same bits.
    logtotal = math.log(tok.total)
    return {w: (math.log(f) - logtotal if f else None) for w, f in tok.FREQ.items()}, math.log(1) - logtotal


def _read_cache(path: Path) -> Dictionary | None:
    """The cached dictionary, or None when absent, foreign or unreadable."""
    try:
        with open(path, "rb") as fh:
            if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                return None  # planted by another user of a shared temp dir: do not trust it
            words, values, unknown = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(words, str) and isinstance(values, list) and isinstance(unknown, float)):
        return None
    keys = words.split("\n")
    if len(keys) != len(values):
        return None
    return dict(zip(keys, values)), unknown


def _write_cache(path: Path, table: Dictionary) -> None:
    logp, unknown = table
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        with os.fdopen(fd, "wb") as fh:
            # Words joined in one string load about four times faster than a marshalled dict.
            fh.write(marshal.dumps(("\n".join(logp), list(logp.values()), unknown)))
        os.replace(tmp, path)  # atomic: concurrent processes never read a half-written cache
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)  # a read-only or foreign temp dir only costs a rebuild next time


def dictionary() -> Dictionary:
    """The process-wide segmentation dictionary: jieba's, minus rare words, plus the domain terms.

    Loaded once per process from a cache in the temp dir (about 0.05 s); only the first run on
    a machine builds it (about 1 s).
    """
    global _DICTIONARY, init_seconds
    found = _DICTIONARY
    if found is not None:
        return found
    with _DICT_LOCK:
        if _DICTIONARY is None:
            start = time.perf_counter()
            path = _cache_path()
            found = _read_cache(path)
            if found is None:
                found = _log_probabilities(get_tokenizer())
                _write_cache(path, found)
            _DICTIONARY = found
            init_seconds = time.perf_counter() - start
        return _DICTIONARY


def get_tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer with the same dictionary (the user's global jieba is untouched).

    ``cut`` does not need it; it is what jieba's own cut runs on, for comparisons, and what
    the dictionary is built from.  Built once per process, on first use (about 0.7 s).
    """
    global _TOKENIZER
    tok = _TOKENIZER
    if tok is not None:
        return tok
    with _TOKENIZER_LOCK:
        if _TOKENIZER is None:
            tok = jieba.Tokenizer()
            _build_freq(tok)
            _TOKENIZER = tok
        return _TOKENIZER


def _keep(token: str, stop: frozenset[str]) -> str | None:
    if token in stop or not _WORDLIKE.search(token):
        return None
    if _NUMBER.match(token):
        return NUM_TOKEN if KEEP_NUMBERS else None
    return token.lower()


# jieba pieces repeat a lot: their kept form (or None) is remembered, up to a bound.
_KEPT: dict[str, str | None] = {}
_KEPT_MAX = 200_000


def _kept(piece: str) -> str | None:
    try:
        return _KEPT[piece]
    except KeyError:
        tok = _keep(piece, stopwords())
        if len(_KEPT) < _KEPT_MAX:
            _KEPT[piece] = tok
        return tok


_HAN = jieba.re_han_default  # runs of Han characters, ASCII letters and digits, a few symbols
_SKIP = jieba.re_skip_default  # line breaks and white space, kept as pieces of their own
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # jieba.re_eng


def _cut_block(block: str, out: list[str], logp: dict[str, float | None], unknown: float) -> None:
    """Append the pieces of the most probable path through ``block``'s word graph to ``out``.

    jieba's ``__cut_DAG_NO_HMM``: the best path from each position backwards (ties go to the
    longer word, as jieba's ``max`` over (score, end) does), then single ASCII letters and
    digits along the path are glued back together.
    """
    n = len(block)
    score = [0.0] * (n + 1)
    end = list(range(1, n + 2))
    for start in range(n - 1, -1, -1):
        best = None
        stop = start + 1
        frag = block[start]
        while frag in logp:
            lp = logp[frag]
            if lp is not None:
                s = lp + score[stop]
                if best is None or s >= best:
                    best, end[start] = s, stop
            if stop >= n:
                break
            stop += 1
            frag = block[start:stop]
        score[start] = unknown + score[start + 1] if best is None else best
    x, buf = 0, ""
    while x < n:
        y = end[x]
        piece = block[x:y]
        if y - x == 1 and piece in _ASCII_ALNUM:
            buf += piece
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(piece)
        x = y
    if buf:
        out.append(buf)


def cut(text: str) -> list[str]:
    """All pieces of ``text`` as jieba's ``lcut(text, HMM=False)`` cuts it (nothing dropped;
    their concatenation is ``text``)."""
    if not isinstance(text, str):
        raise InputError(f"tokenize: text must be a str, got {type(text).__name__}")
    logp, unknown = _DICTIONARY or dictionary()
    out: list[str] = []
    # split() with a group alternates text between runs (even places) and the runs (odd).
    for i, block in enumerate(_HAN.split(text)):
        if i & 1:
            _cut_block(block, out, logp, unknown)
        elif len(block) == 1:  # mostly one punctuation mark: one piece, space or not
            out.append(block)
        elif block:
            for part in _SKIP.split(block):
                if _SKIP.match(part):
                    out.append(part)
                else:
                    out.extend(part)
    return out


def tokenize(text: str) -> list[str]:
    """Tokens of clean ``text``: domain terms whole; stopwords, punctuation, space dropped; numbers → NUM_TOKEN."""
    return [tok for tok in map(_kept, cut(text)) if tok is not None]


def tokenize_lead(text: str, lead_chars: int) -> tuple[list[str], int]:
    """``tokenize(text)`` and how many of those tokens start within the first ``lead_chars`` characters."""
    pieces = cut(text)
    kept = _KEPT
    try:
        mapped = list(map(kept.__getitem__, pieces))
    except KeyError:
        mapped = [kept[piece] if piece in kept else _kept(piece) for piece in pieces]
    n_start = pos = 0  # pieces that start within the lead
    for piece in pieces:
        if pos >= lead_chars:
            break
        pos += len(piece)
        n_start += 1
    head = mapped[:n_start]
    # Kept tokens are never empty (they hold a word character), so filter(None) drops only None.
    return list(filter(None, mapped)), len(head) - head.count(None)
