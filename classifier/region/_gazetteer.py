"""The divisions table and its index of place names (loaded once per process)."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from ..errors import ModelError


@dataclass(frozen=True)
class Division:
    """One name of one administrative division (a division may have historical names)."""

    code: str
    name: str
    level: str  # province / city / county
    parent: str
    province: str
    current: bool


class Candidate(NamedTuple):
    """One division a place name may stand for."""

    division: Division
    kind: str  # full / short / weak: how the name matched the division
    city: str  # prefecture code of the division ('' when it has none)


class GazetteerEntry(NamedTuple):
    """What matching needs about one place name, computed once when the gazetteer loads."""

    surface: str
    candidates: tuple[Candidate, ...]  # the provinces it names, else every division it may stand for
    tier: int  # 0 full names (and provinces), 1 short names, 2 weak names: who wins an overlap
    check_boundary: bool  # a short name that a common word straddling it cancels
    ambiguous: bool  # several divisions share the name
    common: bool  # the name is also an ordinary word


class _Gazetteer:
    """The divisions table and its index of place names, loaded once per process."""

    def __init__(self) -> None:
        self.rows: list[Division] = []
        self.current: dict[str, Division] = {}
        surfaces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        text = resources.files("classifier").joinpath("data/divisions.tsv").read_text(encoding="utf-8")
        lines = text.splitlines()
        self.distinct: set[str] = set()
        abbr: dict[str, str] = {}
        for line in lines[1:]:
            code, name, level, parent, province, current, strong, weak, distinct, short = line.split("\t")
            self.distinct.update(filter(None, distinct.split("|")))
            if short:
                abbr[short] = code
            div = Division(code, name, level, parent, province, current == "1")
            i = len(self.rows)
            self.rows.append(div)
            if div.current or code not in self.current:
                self.current[code] = div
            if name not in weak.split("|"):
                surfaces[name].append((i, "full"))
            for alias in filter(None, strong.split("|")):
                surfaces[alias].append((i, "short"))
            for alias in filter(None, weak.split("|")):
                surfaces[alias].append((i, "weak"))
        words = resources.files("classifier").joinpath("data/divisions.words").read_text(encoding="utf-8")
        self.boundary_words = frozenset(words.split())
        # Every surface by name, and the lengths of the surfaces of each two-character prefix:
        # a match starts where the regex ``starts`` matches (a first character followed by a
        # second one of some surface), found with a few dict look-ups.
        self.surfaces: dict[str, GazetteerEntry] = {}
        lengths: dict[str, set[int]] = defaultdict(set)
        for surface, found in surfaces.items():
            cands = tuple(Candidate(self.rows[i], k, self.city_of(self.rows[i])) for i, k in found)
            provs = tuple(c for c in cands if c.division.level == "province" and c.kind != "weak")
            kinds = {c.kind for c in cands}
            tier = 0 if provs or "full" in kinds else 1 if "short" in kinds else 2
            # Value: what find_places needs per match, computed once here rather than per match.
            if len(surface) < 2:
                raise ModelError(f"data/divisions.tsv: place name {surface!r} is shorter than two characters")
            self.surfaces[surface] = GazetteerEntry(
                surface,
                provs or cands,
                tier,
                not provs and kinds != {"full"},
                len({c.division.code for c in cands}) > 1,
                surface in self.boundary_words,
            )
            lengths[surface[:2]].add(len(surface))
        self.prefix_lengths = {k: tuple(sorted(v)) for k, v in lengths.items()}
        self.starts = re.compile(
            "["
            + "".join(map(re.escape, sorted({k[0] for k in lengths})))
            + "](?=["
            + "".join(map(re.escape, sorted({k[1] for k in lengths})))
            + "])"
        )
        self.abbr = abbr
        # An official document number: province abbreviation, issuing-office characters, year
        # in brackets, serial (甘政发〔2012〕120号, 苏教基[2019]3号).
        self.doc_number = re.compile(
            "(["
            + "".join(sorted(abbr))
            + r"])[\u4e00-\u9fff]{1,4}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号"
        )

    def matches(self, text: str) -> list[tuple[int, GazetteerEntry]]:
        """(end index, value) of every occurrence of every surface in ``text``, overlaps included."""
        out = []
        get, lengths, n = self.surfaces.get, self.prefix_lengths.get, len(text)
        for m in self.starts.finditer(text):
            i = m.start()
            for size in lengths(text[i : i + 2], ()):
                if i + size > n:
                    break
                value = get(text[i : i + size])
                if value is not None:
                    out.append((i + size - 1, value))
        return out

    def city_of(self, div: Division) -> str:
        """Prefecture code of a division ('' when it has none)."""
        if div.level == "city":
            return div.code
        if div.level == "county":
            parent = self.current.get(div.parent)
            if parent is not None and parent.level == "city":
                return parent.code
        return ""


_GAZETTEER: _Gazetteer | None = None
_LOCK = threading.Lock()


def _gazetteer() -> _Gazetteer:
    global _GAZETTEER
    if _GAZETTEER is None:
        with _LOCK:
            if _GAZETTEER is None:
                _GAZETTEER = _Gazetteer()
    return _GAZETTEER


def divisions() -> dict[str, Division]:
    """Every division by code, under its current (or last) name."""
    return dict(_gazetteer().current)
