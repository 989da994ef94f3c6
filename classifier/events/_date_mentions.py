"""Date mentions in a text: one regular-expression pass finds every date written in it.

Forms recognised: Chinese (``2018年5月10日``, ``二〇一八年五月十日``, ``2018年5月``, ``2018年``),
numeric (``2018-05-10``, ``2018/5/10``, ``22.04.2015``, with a time of day), 民国 years and
Taiwanese numeric dates, journal issues (``2018年第2期``), month and day (``5月9日``), a day alone
(``9日``) and relative days (今天/日前/近日). ``_dates`` chooses among them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["DateMention", "collect_mentions", "iso_date", "prepare_text"]

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "〇○零一二两三四五六七八九十"
_M = rf"(?:1[0-2]|0?[1-9]|[{_CN_NUM}]{{1,2}})"
_D = rf"(?:3[01]|[12][0-9]|0?[1-9]|[{_CN_NUM}]{{1,3}})"
_DAY_END = r"(?:[日号號]|(?=\s*(?:[至到~～]|--?|—|–)\s*\d))"
_GL = r"(?:\([a-zü]{1,6}\))?"  # an untoned pinyin gloss the scraper left after 年/月/日 ("2月(yue)11日")

_CANDIDATES_SOURCE = (
    # journal issue: 2018年第2期, 2017年5期 / (2013)05-0011-06 / 2023(7):138
    rf"(?P<jy>(?:19|20)\d\d)\s*年\s*(?:第\s*)?\d{{1,2}}\s*期"
    rf"|(?<=\()(?P<jy2>(?:19|20)\d\d)\)\s*0?\d{{1,3}}\s*-\s*\d"
    rf"|(?<![\d\-])(?P<jy3>(?:19|20)\d\d)\s*\(\d{{1,2}}\)\s*:\s*\d"
    # 民国 year: 民国115年(5月10日)
    rf"|民[国國]\s*(?P<roc>\d{{1,3}}|[{_CN_NUM}百]{{1,5}})\s*年{_GL}"
    rf"(?:\s*(?P<rm>{_M})\s*月{_GL}(?:\s*(?P<rd>{_D})\s*{_DAY_END})?)?"
    # Chinese form: 2018年5月10日, 二〇一八年五月十日, 2018年5月, 2018年; ROC 3-digit year with a month
    rf"|(?<!\d)(?P<y>(?:19|20)\d\d|[〇○零一二三四五六七八九]{{4}}|1[0-2]\d(?=\s*年\s*{_M}\s*月))\s*年{_GL}"
    rf"(?:\s*(?P<m>{_M})\s*月{_GL}(?:\s*(?P<d>{_D})\s*{_DAY_END}(?P<t>\s*\d{{1,2}}[:：]\d\d)?)?)?"
    # numeric form: 2018-05-10, 2018/5/10, 2018.05.10 (+ a time)
    rf"|(?<![0-9A-Za-z/.\-_=])(?P<ny>(?:19|20)\d\d)\s?(?P<sep>[-/.])\s?(?P<nm>1[0-2]|0?[1-9])\s?(?P=sep)\s?"
    rf"(?P<nd>3[01]|[12]\d|0?[1-9])(?![\d.])(?P<nt>\s*\d{{1,2}}:\d\d)?"
    # ROC numeric, on Taiwanese pages: 115/05/10, 115-05-10 (checked in _collect)
    rf"|(?<![0-9A-Za-z/.\-_=])(?P<ty>1[0-2]\d)(?P<tsep>[-/.])(?P<tm>1[0-2]|0[1-9])(?P=tsep)(?P<td>3[01]|[12]\d|0[1-9])"
    rf"(?![\d.])(?P<tt>\s*\d{{1,2}}:\d\d)?"
    # day.month.year: 22.04.2015 19:12
    rf"|(?<![\d.])(?P<ed>3[01]|[12]\d|0?[1-9])\.(?P<em>1[0-2]|0[1-9])\.(?P<ey>(?:19|20)\d\d)(?![\d.])(?P<et>\s*\d{{1,2}}:\d\d)?"
    # month and day: 5月9日, 4月13日至14日, 11月19至24日
    rf"|(?<![\d\-—–~～至到])(?P<mm>{_M})\s*月{_GL}\s*(?P<md>{_D})\s*{_DAY_END}{_GL}"
    # relative days
    r"|(?P<rel>今天|今日|日前|近日|昨天|昨日|前不久|不久前)"
    # a day with no month: 9日上午, 21日认定
    rf"|(?<![\d月\-~～至到])(?P<bd>3[01]|[12]\d|[1-9])\s*日(?![报報])"
)
# The leading look-ahead lets re skip every position that cannot start a date (15 × faster);
# dates in Chinese numerals (二〇一八年五月十日) are looked for only in texts that have a hint of one.
_CANDIDATES = re.compile(rf"(?=[\d今日近昨前不民(])(?:{_CANDIDATES_SOURCE})")
_CANDIDATES_CN = re.compile(rf"(?=[\d〇○零一二两三四五六七八九十今日近昨前不民(])(?:{_CANDIDATES_SOURCE})")
_TAIWAN = re.compile("民[國国]|臺灣|台灣|臺北|台北|臺中|臺南|高雄|[縣县]市政府|教育部國民")
_CN_HINT = re.compile(rf"[{_CN_NUM}](?:(?<=[〇○零])[〇○零一二三四五六七八九]|\s*月)")


class DateMention(NamedTuple):
    """One date mention: its form, where it stands, and what it gives (0 where it gives nothing)."""

    kind: str  # "ymd" | "ym" | "y" | "md" | "rel" | "day" | "journal"
    start: int
    end: int
    year: int
    month: int
    day: int
    stamp: bool  # numeric with a time of day: a page stamp


def _cn_int(s: str) -> int:
    """Integer value of ASCII digits or Chinese numerals (十五, 二十一, 一〇三, 二〇一八)."""
    if s.isdigit() and s.isascii():
        return int(s)
    if "十" in s or "百" in s:
        total, cur = 0, 0
        for ch in s:
            if ch == "百":
                total += (cur or 1) * 100
                cur = 0
            elif ch == "十":
                total += (cur or 1) * 10
                cur = 0
            else:
                cur = _CN_DIGITS.get(ch, 0)
        return total + cur
    value = 0
    for ch in s:
        if ch not in _CN_DIGITS:
            return 0
        value = value * 10 + _CN_DIGITS[ch]
    return value


def _year_form(start: int, end: int, year: int, month: str | None, day: str | None, stamp: bool) -> DateMention:
    """A year with perhaps a month and a day (年 or 民国 form); a month or day out of range is dropped."""
    m = _cn_int(month) if month else 0
    d = _cn_int(day) if day else 0
    if not 1 <= m <= 12:
        m, d = 0, 0
    if not 1 <= d <= 31:
        d = 0
    return DateMention("ymd" if d else "ym" if m else "y", start, end, year, m, d, stamp)


def collect_mentions(text: str) -> list[DateMention]:
    """Every date mention of ``text`` (``prepare_text`` output), in order."""
    out: list[DateMention] = []
    pattern = _CANDIDATES_CN if _CN_HINT.search(text) else _CANDIDATES
    for mt in pattern.finditer(text):
        g = mt.group
        s, e = mt.start(), mt.end()
        if g("ny"):
            out.append(DateMention("ymd", s, e, int(g("ny")), int(g("nm")), int(g("nd")), bool(g("nt"))))
        elif g("mm"):
            m, d = _cn_int(g("mm")), _cn_int(g("md"))
            if 1 <= m <= 12 and 1 <= d <= 31:
                out.append(DateMention("md", s, e, 0, m, d, False))
        elif g("y"):
            y = _cn_int(g("y"))
            if y < 1000:
                y += 1911
            out.append(_year_form(s, e, y, g("m"), g("d"), bool(g("t"))))
        elif g("rel"):
            out.append(DateMention("rel", s, e, 0, 0, 0, False))
        elif g("bd"):
            out.append(DateMention("day", s, e, 0, 0, int(g("bd")), False))
        elif g("ty"):
            if _TAIWAN.search(text):
                out.append(DateMention("ymd", s, e, int(g("ty")) + 1911, int(g("tm")), int(g("td")), bool(g("tt"))))
        elif g("ey"):
            out.append(DateMention("ymd", s, e, int(g("ey")), int(g("em")), int(g("ed")), bool(g("et"))))
        elif g("roc"):
            out.append(_year_form(s, e, _cn_int(g("roc")) + 1911, g("rm"), g("rd"), False))
        else:
            y = int(g("jy") or g("jy2") or g("jy3"))
            out.append(DateMention("journal", s, e, y, 0, 0, False))
    return out


_GLOSS = re.compile(r"\((?<=[\u4e00-\u9fff]\()[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńň]{1,6}\)")
_WIDE_DIGIT = re.compile("[０-９]")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９：／－．", "0123456789:/-.")


def prepare_text(text: str) -> str:
    """``text`` without pinyin glosses and with ASCII digits for full-width ones (same length or shorter)."""
    if "(" in text:
        text = _GLOSS.sub("", text)
    if _WIDE_DIGIT.search(text):
        text = text.translate(_WIDE_DIGITS)
    return text


def iso_date(y: int, m: int = 0, d: int = 0) -> str:
    """ISO form of what is known of a date: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``--MM-DD`` or ""."""
    if y and m and d:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if y and m:
        return f"{y:04d}-{m:02d}"
    if y:
        return f"{y:04d}"
    if m and d:
        return f"--{m:02d}-{d:02d}"
    return ""
