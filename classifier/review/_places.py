"""Autocomplete over the administrative divisions table shipped with the package."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..labels import NATIONAL, NATIONAL_CODE

_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True)
class PlaceOption:
    """One autocomplete choice: a division with its whole chain (county, city, province)."""

    label: str
    level: str
    region: str
    region_code: str
    city: str
    city_code: str
    county: str
    county_code: str


@lru_cache(maxsize=1)
def _table() -> tuple[list[tuple[PlaceOption, tuple[str, ...]]], dict[str, PlaceOption]]:
    text = (resources.files("classifier") / "data" / "divisions.tsv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text), delimiter="\t") if r["current"] == "1"]
    by_code = {r["code"]: r for r in rows}
    options: list[tuple[PlaceOption, tuple[str, ...]]] = []
    for r in rows:
        level = r["level"]
        if level not in _LEVEL_RANK:
            continue
        province = by_code.get(r["province"])
        if province is None:
            continue
        city = None
        if level == "city":
            city = r
        elif level == "county":
            parent = by_code.get(r["parent"])
            city = parent if parent is not None and parent["level"] == "city" else None
        county = r if level == "county" else None
        chain = [x["name"] for x in (county, city, province) if x is not None]
        opt = PlaceOption(
            label=" · ".join(chain),
            level=level,
            region=province["name"],
            region_code=province["code"],
            city=city["name"] if city else "",
            city_code=city["code"] if city else "",
            county=county["name"] if county else "",
            county_code=county["code"] if county else "",
        )
        aliases = tuple(a for a in (r["name"], r["strong"], r["weak"], r["abbr"]) if a)
        options.append((opt, aliases))
    national = PlaceOption(NATIONAL, "national", NATIONAL, NATIONAL_CODE, "", "", "", "")
    options.append((national, (NATIONAL, "中国", "全国")))
    return options, {o.region_code if o.level == "province" else (o.county_code or o.city_code): o for o, _ in options}


def search_places(query: str, limit: int = 12) -> list[PlaceOption]:
    """Divisions whose name or short name starts with (then contains) ``query``: exact first, larger first."""
    q = query.strip()
    if not q:
        return []
    ranked = []
    for opt, aliases in _table()[0]:
        if q in aliases:
            how = 0
        elif any(a.startswith(q) for a in aliases):
            how = 1
        elif any(q in a for a in aliases):
            how = 2
        else:
            continue
        ranked.append((how, _LEVEL_RANK.get(opt.level, -1), opt.label, opt))
    ranked.sort(key=lambda t: t[:3])
    return [t[3] for t in ranked[:limit]]
