"""Synthetic prediction records (as ``classifier predict`` writes them): for demos, tests and benchmarks.

Real division names and codes from classifier/data/divisions.tsv; invented titles; planted mirror
copies (``duplicate_of``), error records, hostile titles and dates of every ISO form.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..labels import PROVINCES, TOPICS

_DIVISIONS = Path(__file__).resolve().parents[1] / "data" / "divisions.tsv"
_WORDS = (
    "义务教育",
    "优质均衡",
    "督导评估",
    "座谈会",
    "推进会",
    "答记者问",
    "反馈会",
    "实地核查",
    "县域",
    "发展",
    "工作",
    "召开",
    "学校",
    "教育局",
    "经验交流",
)
_HOSTILE = ('<script>alert("x")</script>标题', "A & B <b>bold</b> 'quoted'", "=1+2 公式", "</script><!--")


def _divisions() -> dict[str, list[tuple[str, str, list[tuple[str, str]]]]]:
    """province name -> [(city, city_code, [(county, county_code)])]."""
    with open(_DIVISIONS, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["current"] == "1"]
    names = {r["code"]: r["name"] for r in rows}
    provinces: dict[str, list] = {names[r["code"]]: [] for r in rows if r["level"] == "province"}
    cities: dict[str, tuple[str, str, list]] = {}
    for r in rows:
        if r["level"] == "city" and r["province"] in names:
            entry: tuple[str, str, list] = (r["name"], r["code"], [])
            cities[r["code"]] = entry
            provinces[names[r["province"]]].append(entry)
    for r in rows:
        if r["level"] == "county" and r["parent"] in cities:
            cities[r["parent"]][2].append((r["name"], r["code"]))
    return provinces


def synthetic_predictions(
    n: int,
    seed: int = 0,
    *,
    copy_rate: float = 0.2,
    error_rate: float = 0.01,
    topics: tuple[str, ...] = TOPICS,
    hostile: bool = True,
) -> Iterator[dict[str, Any]]:
    """``n`` invented prediction records, reproducible from ``seed``.

    About ``copy_rate`` of them are mirror copies of an earlier record (``duplicate_of``) and
    ``error_rate`` error records; with ``hostile``, 1 % of titles carry HTML/script/formula text.
    """
    rng = random.Random(seed)
    divisions = _divisions()
    province_names = list(PROVINCES)
    weights = [rng.random() ** 2 + 0.02 for _ in province_names]
    earlier: list[str] = []
    for i in range(n):
        rid = f"doc-{i:07d}"
        if rng.random() < error_rate:
            yield {"id": rid, "error": f"{rid}: cannot decode as UTF-8, GB18030, Big5 or UTF-16"}
            continue
        raw = [rng.random() ** 3 for _ in topics]
        total = sum(raw)
        proba = {t: round(p / total, 4) for t, p in zip(topics, raw)}
        topic = max(proba, key=lambda t: proba[t])
        region = region_code = city = city_code = county = county_code = ""
        u = rng.random()
        if u < 0.08:
            region, region_code = "全国", "000000"
        elif u < 0.95:
            region = rng.choices(province_names, weights)[0]
            region_code = PROVINCES[region]
            choices = divisions.get(region) or []
            if choices and rng.random() < 0.7:
                city, city_code, counties = rng.choice(choices)
                if counties and rng.random() < 0.6:
                    county, county_code = rng.choice(counties)
        y = rng.randint(2012, 2024)
        m, d = rng.randint(1, 12), rng.randint(1, 28)
        date = rng.choice([f"{y}-{m:02d}-{d:02d}"] * 6 + [f"{y}-{m:02d}", f"{y}", f"--{m:02d}-{d:02d}", ""])
        title = "".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6)))
        if hostile and rng.random() < 0.01:
            title = rng.choice(_HOSTILE) + title
        dup = rng.choice(earlier) if earlier and rng.random() < copy_rate else ""
        if not dup:
            earlier.append(rid)
            if len(earlier) > 5000:
                earlier.pop(rng.randrange(len(earlier)))
        yield {
            "id": rid,
            "url": f"https://example.org/news/{i}.html",
            "title": title,
            "date": date,
            "duplicate_of": dup,
            "topic": topic,
            "topic_proba": proba,
            "region": region,
            "region_code": region_code,
            "city": city,
            "city_code": city_code,
            "county": county,
            "county_code": county_code,
        }


def write_synthetic_predictions(path: str | Path, n: int, seed: int = 0, **kwargs: Any) -> Path:
    """Write ``synthetic_predictions(n, seed, **kwargs)`` as a JSONL prediction file; return the path."""
    path = Path(path)
    with open(path, "w", encoding="utf-8") as f:
        for rec in synthetic_predictions(n, seed, **kwargs):
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path
