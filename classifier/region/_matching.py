"""Place mentions in clean text: ``find_places`` and the cues read around them.

Place names come from ``data/divisions.tsv`` (see ``_gazetteer``).  ``find_places`` matches
every full name and alias (a two-character prefix index and dict look-ups), drops street
readings (南京路), marks names inside organisations (北京师范大学), addresses, datelines and
lines of headlines, and resolves names shared by several divisions from the other places of
the article.  It also reads a province from the abbreviation of an official document number
(甘政发〔2012〕120号), a county from the division code inside a government page's index
number (索引号), and Taiwan, Hong Kong and Macau from their own bodies and usages (立法院,
全港, 教青局).  Nothing here imports scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from ..errors import InputError
from ._gazetteer import Candidate, Division, _gazetteer

#: A place name directly followed by one of these is a street or a site, not a place of the event.
_STREET_AFTER = re.compile(r"^(?:路|街|大街|大道|巷|胡同|广场|公园|饭店|宾馆|酒店|站|机场)")
#: Variant characters of place names that a t2s conversion leaves (陜西): one for one, so
#: offsets do not move.
_FOLD = str.maketrans("陜", "陕")
_FOLD_CHARS = re.compile("[陜]")
_STREET_FIRST = frozenset("路街大巷胡广公饭宾酒站机")
#: A place name followed, within the same run of characters, by one of these names an organisation.
#: (A school named after its place is not: it is evidence of the place.)  A postcode marks an
#: author's affiliation address.
_ORG_SUFFIX = re.compile(
    r"大学|学院|师范|学报|日报|晚报|报社|电视台|广播|卫视|出版社|网|银行|集团|公司|医院|研究院|研究所|"
    r"杂志|在线|频道|新闻|基金会|协会|学会|研究中心|"
    # A sports team (山东泰山队, 上海申花俱乐部) is no place of the event.
    r"(?<!工作|服务|突击)队(?!伍)|俱乐部|足球|篮球|球队"
)
#: A dateline (新华社北京3月9日电) names where the reporter was, not the event; a postcode
#: after the name (浙江湖州 313000) makes it an author's address.
_DATELINE_AFTER = re.compile(r"^(?:\s*\d{1,2}月\d{1,2}日(?:电|讯)|[\u4e00-\u9fff]{0,6}\s*\d{6}(?!\d))")
_ORG_WINDOW = 8
_RUN_END = re.compile(r"[\s,.;:!?，。；：！？、()（）《》【】\[\]|/\"'“”]")
#: National documents are addressed to 各省、自治区、直辖市 and the 新疆生产建设兵团: the corps
#: named in that formula is an addressee, not a place of the event.
_ADDRESSEES_BEFORE = re.compile(r"直辖市|各省|省份|省区市")
_XPCC = "新疆生产建设兵团"
#: Bodies and usages that exist only in Taiwan, Hong Kong or Macau: they place an article there as
#: the region's name would (Taiwan's 立法院 and its 民国 years and 3-digit 学年度, Hong Kong's 全港 and
#: 教育署, Macau's 教青局).  Pages from there often name no place at all: "全國" in a Taiwan page
#: is Taiwan-wide.
_REGION_BODIES = (
    (
        "710000",
        re.compile(
            r"立法院|行政院|国教署|国民及学前教育署|中华民国|民国\d{2,3}年|(?<!\d)1[0-2]\d学年度|国民中小学|硬体"
        ),
    ),
    ("810000", re.compile(r"全港|本港|港府|香港特区|教育署|政府总部|港元|港币")),
    ("820000", re.compile(r"全澳|本澳|澳府|教青局|教育暨青年局|社会文化司|澳门特区|澳门元")),
)
_ANY_BODY = re.compile("|".join(r.pattern for _, r in _REGION_BODIES))
#: Regions whose city and county stay empty (the labels fill neither for Hong Kong or Macau).
_NO_SUBDIVISIONS = frozenset({"810000", "820000"})
#: Local cues that fit a county-level division by its suffix (全县 for a 县, 我区 for a 区): they
#: back a short county name (九台 in a page about 全区 work) as the province's name would.
_OWN_LEVEL_CUE = {
    suffix: re.compile(rf"[全我本该]{suffix}|{suffix}(?:委|政府|人民政府|教育局|人大|政协|长)") for suffix in "县区旗市"
}
#: A stem followed by a school word names a school (新安小学), which backs no place by itself.
_SCHOOL_AFTER = re.compile(r"小学|中学|学校|幼儿园|初中|高中|中心校")
#: A government page's index number (索引号) or an organisation's unified social credit code
#: begins with the issuing organisation's credit code, whose characters 3-8 are the code of its
#: administrative division (11370323... is an office of 沂源县, 370323).
_CREDIT_CODE = re.compile(r"(?:索引号|信息索取号|统一社会信用代码)[:：\s|]*[1-9Y][1-9](\d{6})")
#: Suffixes of a division's full name: a stem followed by another one (安新 in 贵安新区, while
#: the county is 安新县) is not that division.
_SUFFIX_CHARS = frozenset("省市区县旗州盟")
#: Cues that a place is the venue of the event.
_VENUE_AFTER = re.compile(r"^[^，。,;；\s]{0,12}?(?:召开|举行|举办|开幕|开班|启动)")
_VENUE_BEFORE = re.compile(r"(?:在|赴|到|来到|走进|深入)$")
#: Cues of a national piece.
_NATIONAL_CUES = re.compile(
    r"教育部|全国|各省|国务院|国家|中央|各地|党中央|国新办|京津冀|长三角|珠三角|粤港澳|中西部|东西部"
)
#: A routine press event of the national bodies in Beijing (a Ministry of Education press
#: conference, the 两会 press venues): about nationwide matters, whatever place it mentions.
_NATIONAL_PRESS = re.compile(
    r"教育部[^。，,]{0,8}(?:新闻发布会|发布会|新闻通气会)|国新办|部长通道|委员通道|代表通道|梅地亚|"
    r"人民大会堂|全国两会|两会(?:特别)?访谈"
)
_BEIJING = "110000"
#: Cues of a piece about one province or city written from inside it (我省, 全市, 省教育厅).
_LOCAL_CUES = re.compile(
    r"[我全本该][省市区县州]|省(?:委|政府|教育厅|人民政府|人大|政协|长)|"
    r"市(?:委|政府|教育局|人民政府|长)|自治区(?:党委|政府|人民政府|教育厅|主席)"
)
#: A line of links or headlines (three dates or clock times, or three separate bullets) is
#: debris around the article.
_LINK_LINE = re.compile(
    r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}).*?(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2})"
    r".*?(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2})|(?:(?<![·•])[·•](?![·•]).*?){3}"
)
#: Local media (攀枝花新闻网) name the place a local piece is written from.
_MEDIA_AFTER = re.compile(
    r"^[\u4e00-\u9fff]{0,4}?(?:新闻网|日报|晚报|电视台|广播电视台|融媒体|发布|政协网|人大网|政府网|教育网|党建网)"
)
#: The source line of a journal paper (广西教育·D版 2017年10期): the journal's place is not the paper's.
_JOURNAL_LINE = re.compile(r"^.{0,40}(?:19|20)\d{2}\s*年\s*(?:第\s*)?\d{1,2}\s*期.{0,20}$", re.MULTILINE)
#: A place opening a list of more places than it names (电白区等13个县).
_MANY_AFTER = re.compile(r"等(?:\d+|[两三四五六七八九十几多]+)?(?:个|地|县|区|市)")
_LEAD_CHARS = 200
_TITLE_CHARS = 80
_TAIL_SHARE = 0.2
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


class Match(NamedTuple):
    """One occurrence of a place name; sorting matches puts the one an overlap keeps first."""

    tier: int
    neg_length: int  # -len(surface): longer names first within a tier
    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]
    ambiguous: bool
    common: bool


@dataclass(frozen=True)
class Mention:
    """A place name found in a text, resolved to one division."""

    surface: str
    start: int
    end: int
    code: str
    name: str
    level: str
    province: str
    city: str  # prefecture code of the place ('' for provinces, 直辖市 districts, 省直辖县)
    kind: str  # full / short / weak / abbr (甘 in 甘政发〔2012〕1号) / body (立法院) / code (索引号): how it matched
    org: bool  # inside an organisation name (北京师范大学), an address, a dateline or a link list
    ambiguous: bool  # several divisions share the surface


def _is_org(text: str, end: int) -> bool:
    if _DATELINE_AFTER.match(text[end : end + 14]):
        return True
    window = text[end : end + _ORG_WINDOW]
    cut = _RUN_END.search(window)
    if cut:
        window = window[: cut.start()]
    return bool(_ORG_SUFFIX.search(window))


def find_places(text: str) -> list[Mention]:
    """Place mentions in clean (normalised) text, in text order, each resolved to one division."""
    if not isinstance(text, str):
        raise InputError(f"find_places: text must be str, got {type(text).__name__}")
    gz = _gazetteer()
    if _FOLD_CHARS.search(text):
        text = text.translate(_FOLD)
    found: list[Match] = []
    words = gz.boundary_words
    for end_idx, (surface, cands, tier, check, ambiguous, common) in gz.matches(text):
        n = len(surface)
        start, end = end_idx - n + 1, end_idx + 1
        if text[end : end + 1] in _STREET_FIRST and _STREET_AFTER.match(text[end : end + 3]):
            continue
        # A short name of a prefecture or county straddled by a common word is not a place.
        if check and (text[start - 1 : start + 1] in words or text[end - 1 : end + 1] in words):
            cands = tuple(c for c in cands if c.kind == "full")
            if not cands:
                continue
            tier = 0
        found.append(Match(tier, -n, start, end, surface, cands, ambiguous, common))
    # Overlapping matches: full names before short ones before weak ones, then the longest
    # (召开江西省 reads 江西省, not the county stem 开江).
    taken = bytearray(len(text))
    raw: list[Match] = []
    for match in sorted(found):
        start, end = match.start, match.end
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            raw.append(match)
    raw.sort(key=lambda r: r.start)
    repeats = Counter(r.surface for r in raw)
    # Support from mentions whose province (and city) is unambiguous and not weak.
    prov_support: Counter[str] = Counter()
    city_support: Counter[str] = Counter()
    own = []
    for match in raw:
        strong = [c for c in match.candidates if c.kind != "weak"]
        p = c = ""
        if strong and all(x.division.province == strong[0].division.province for x in strong):
            p = strong[0].division.province
            if all(x.city == strong[0].city for x in strong):
                c = strong[0].city
        prov_support[p] += 1
        city_support[c] += 1
        own.append((p, c))
    mentions: list[Mention] = []
    link_lines = _link_lines(text) if raw else []
    if raw and "期" in text:
        link_lines += [m.span() for m in _JOURNAL_LINE.finditer(text)]
    lead_end = _LEAD_CHARS
    for (_, _, start, end, surface, cands, ambiguous, common), (own_p, own_c) in zip(raw, own):
        prev = mentions[-1] if mentions and start - mentions[-1].end <= 1 else None
        best: Candidate | None = None
        best_score = -math.inf
        for cand in cands:
            div, kind, city = cand
            adjacent = prev is not None and prev.code in (div.province, div.parent)
            ps = prov_support[div.province] - (own_p == div.province)
            cs = (city_support[city] - (own_c == city)) if city else 0
            # A weak name needs the article to name its province, or its prefecture when the
            # name is also an ordinary word (资源 is a county of 桂林); a distinct county name
            # (平潭) that the article repeats needs nothing else.
            if (
                kind == "weak"
                and not adjacent
                and (ps < 1 or (common and cs < 1))
                and not (
                    surface in gz.distinct
                    and repeats[surface] > 1
                    and not _SCHOOL_AFTER.match(text, end)
                    and (text[end : end + 1] not in _SUFFIX_CHARS or div.name == surface + text[end])
                )
                and not _official_short(surface, div, start, repeats[surface], common, lead_end)
                and not (
                    surface in gz.distinct
                    and _own_level_cue(text, div.name[-1])
                    and (text[end : end + 1] not in _SUFFIX_CHARS or div.name == surface + text[end])
                )
            ):
                continue
            score = (
                100 * adjacent + 10 * cs + 3 * ps + 2 * (kind != "weak") + div.current - 0.5 * _LEVEL_RANK[div.level]
            )
            if score > best_score:
                best, best_score = cand, score
        if best is None:
            continue
        div, kind, city = best
        mentions.append(
            Mention(
                surface,
                start,
                end,
                div.code,
                div.name,
                div.level,
                div.province,
                city,
                kind,
                _is_org(text, end)
                or bool(link_lines and any(a <= start < b for a, b in link_lines))
                or (surface == _XPCC and bool(_ADDRESSEES_BEFORE.search(text, max(start - 30, 0), start))),
                ambiguous,
            )
        )
    for m in gz.doc_number.finditer(text):
        div = gz.current[gz.abbr[m.group(1)]]
        mentions.append(
            Mention(
                m.group(1), m.start(), m.start() + 1, div.code, div.name, div.level, div.code, "", "abbr", False, False
            )
        )
    if "号" in text or "代码" in text:
        for m in _CREDIT_CODE.finditer(text):
            coded = gz.current.get(m.group(1))
            if coded is not None:
                mentions.append(
                    Mention(
                        m.group(1),
                        m.start(1),
                        m.end(1),
                        coded.code,
                        coded.name,
                        coded.level,
                        coded.province,
                        gz.city_of(coded),
                        "code",
                        False,
                        False,
                    )
                )
    if _ANY_BODY.search(text):
        for code, pattern in _REGION_BODIES:
            div = gz.current[code]
            for m in pattern.finditer(text):
                mentions.append(
                    Mention(
                        m.group(), m.start(), m.end(), div.code, div.name, div.level, div.code, "", "body", False, False
                    )
                )
    mentions.sort(key=lambda m: m.start)
    return mentions


def _official_short(surface: str, div: Division, start: int, repeats: int, common: bool, lead_end: int) -> bool:
    """Whether a weak match is a county's full official name of two characters (杞县, 蠡县, 歙县)
    that a local piece writes out in its lead or repeats: strong evidence, unlike a stem."""
    return (
        surface == div.name
        and div.level == "county"
        and div.current
        and not common
        and (start < lead_end or repeats > 1)
    )


def _own_level_cue(text: str, suffix: str) -> bool:
    """Whether ``text`` is written from inside a division with this suffix (全区, 区委 for a 区)."""
    pattern = _OWN_LEVEL_CUE.get(suffix)
    return bool(pattern and pattern.search(text))


def _local_media(text: str, mentions: Sequence[Mention], local: int) -> Sequence[Mention]:
    """Mentions with local media names (攀枝花新闻网) counted as places when the piece is written
    from inside a place (``local`` cues such as 我市) and names no place otherwise."""
    if not local or any(not m.org for m in mentions):
        return mentions
    return [replace(m, org=False) if m.org and _MEDIA_AFTER.match(text[m.end : m.end + 9]) else m for m in mentions]


def _link_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of links or headlines (related reading, navigation)."""
    spans, pos = [], 0
    for line in text.split("\n"):
        # Every match holds a date or clock time ("-" or ":") or a bullet: a cheap gate first.
        if ("-" in line or ":" in line or "·" in line or "•" in line) and _LINK_LINE.search(line):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def national_cues(text: str) -> list[tuple[str, int]]:
    """(cue, position) of every national cue (教育部, 全国, 国务院 ...) in clean text."""
    return [(m.group(), m.start()) for m in _NATIONAL_CUES.finditer(text)]


def _in_list(text: str, mentions: Sequence[Mention]) -> list[bool]:
    """Whether each mention is part of one item of an enumeration (北京、上海等, 天津市和平区等)."""
    out = [False] * len(mentions)
    i = 0
    while i < len(mentions):
        # A chain of adjacent names (天津市和平区) is one item.
        j = i
        while j + 1 < len(mentions) and mentions[j + 1].start <= mentions[j].end:
            j += 1
        listed = (
            text[mentions[j].end : mentions[j].end + 1] in ("、", "等", "和", "及")
            or text[mentions[i].start - 1 : mentions[i].start] == "、"
        )
        out[i : j + 1] = [listed] * (j + 1 - i)
        i = j + 1
    return out


def _place_lists(text: str, mentions: Sequence[Mention]) -> list[tuple[bool, bool]]:
    """For each mention: whether it is listed with another place (泾阳、长武), and whether it
    opens a list of more places than it names (电白区等13个县)."""
    out = [(False, False)] * len(mentions)
    chains = []
    i = 0
    while i < len(mentions):
        j = i
        while j + 1 < len(mentions) and mentions[j + 1].start <= mentions[j].end:
            j += 1
        chains.append((i, j))
        i = j + 1
    for k, (i, j) in enumerate(chains):
        start, end = mentions[i].start, mentions[j].end
        after = text[end : end + 1]
        listed = (k + 1 < len(chains) and after in "、和及与" and mentions[chains[k + 1][0]].start == end + 1) or (
            k > 0 and text[start - 1 : start] in "、和及与" and mentions[chains[k - 1][1]].end == start - 1
        )
        many = bool(_MANY_AFTER.match(text, end))
        out[i : j + 1] = [(listed, many)] * (j + 1 - i)
    return out
