"""The date of the reported event: ``extract_date(text) -> str`` (ISO, see LABELING.md "Date").

Meant for raw scraped text (simplified or traditional script, pinyin glosses, header and footer
lines kept); it runs on ``classifier.normalize`` output too, but much worse (dev corpus exact
agreement 0.59 against 0.93), because the publication-date lines (``发布时间:2018-05-10``,
``来源:… 2018-05-10 10:04``) that date 近日 and lend an undated event its year are debris that
``normalize`` drops.

One regular-expression pass collects every date mention (``_date_mentions``: Chinese, numeric,
Chinese-numeral, 民国, day-only, 今天/日前/近日); the rest is plain Python over those few candidates:

1. a document's signature date (a date line under the issuing body's name) or a journal
   issue (``2018年第2期``, ``(2013)05-0011``) dates the whole page;
2. the publication date: a labeled one (``发布时间``, ``日期:``) beats a time stamp beside the
   headline (``2018-05-10 10:04``), which beats a bare date line; update and upload times are not
   publication dates;
3. the event date: day-precise mentions in the body, scored by position (lead sentence, start
   of a line), nearby event words (召开, 举行, 督导, 发布会, 记者 …) and against words that make
   it the date of something else (截至, 以来, 到20xx年, 《…》 titles, schedules under 时间:);
   a day without a year takes the publication year (the year before when the month is later
   than the publication's), else a year stated in the same sentence; a bare ``18日`` takes the
   month of the dateline or publication date; 今天/日前/近日 take the publication date;
4. failing an event date: the publication date; else "".
"""

from __future__ import annotations

import bisect
import re

from ._date_mentions import DateMention, collect_mentions, iso_date, prepare_text

__all__ = ["extract_date"]
_DEBUG = False


# --- context ---------------------------------------------------------------------------

# Right before a publication date (same line): 发布时间: / 日期: / 来源:xx 2018-05-10.
_PUB_LABEL = re.compile(
    r"(?:[发發]布|[发發]表|公布|[编編]稿|[发發]文|成文|印[发發]|生成|出版|刊[发發]|[时時]\s*间|日\s*期|Date)"
    r"\s*(?:[时時]\s*间|日\s*期)?\s*[:：]?\s*[\]】]?\s*$",
    re.IGNORECASE,
)
# Right before a date that is not a publication date: 更新时间, 上传时间, 报名日期 …
_NOT_PUB_LABEL = re.compile(
    r"(?:更新|上[传傳]|修改|[访訪][问問]|下[载載]|[报報]名|公示|[调調]查|截止)\s*(?:[时時]\s*间|日\s*期)\s*[:：]?\s*\S{0,2}$"
)
# Right after a date: not the page's own ("(万方平台首次上网日期…").
_NOT_PUB_AFTER = re.compile(r"^\s*[(（]?\s*\S{0,6}(?:上网|上線|上线|更新|修改)")
# Just before a date that is the end of a period or another thing's date.
_BEFORE_BAD = re.compile(r"(?:截至|截止|到|至|直至|迄今|自|从|從)\s*(?:今年|去年|本年)?\s*$")
_BEFORE_SCHEDULE = re.compile(r"(?:[时時]\s*间|日\s*期|期限|时限|截止)\s*(?:为|是|從|从)?\s*[:：]?\s*$")
_AFTER_BAD = re.compile(r"^\s*(?:以来|以來|前后|之前|以前|前(?![往来來])|起|止|为止|為止|之后|以后|底|末|期间|期間)")
_BEFORE_FUTURE = re.compile(r"(?:将于|將於|定于|定於|计划|計劃|预计|預計|拟于|擬於|力争|力爭|目标|目標)\s*$")
# Event words after a date in its clause: the meeting, the visit, the press conference.
_EVENT_WORDS = re.compile(
    # (the look-ahead of first characters makes re skip the rest of the clause fast)
    r"(?=[召举舉开開进進督检檢调調视視考座会會发發记記通采访訪获獲了来來赴莅蒞深走出主宣表介签簽颁頒报報启啟论論研评評认認验驗复復反下印公])"
    r"(?:召[开開]|[举舉][行办辦]|[开開]展|[进進]行|督[导導]|督查|[检檢]查|[调調]研|[视視]察|考察|座[谈談]|[会會]议|[发發]布[会會]|"
    r"[记記]者|通[气氣][会會]|采[访訪]|[访訪][谈談]|[获獲]悉|了解到|来到|來到|[赴莅蒞]|深入|走[进進]|出席|主持|宣布|表示|"
    r"介[绍紹]|会上|會上|[会會]见|[会會][谈談]|[会會]商|[开開]幕|[论論][坛壇]|研[讨討]|[评評]估|[认認]定|[验驗]收|[复復][评評]|反[馈饋]|"
    r"[发發]出|[下印][发發]|公布|[发發]布|[签簽]署|[颁頒]|[报報][告道]|[举舉]办|[启啟]动|[开開]始)"
)
_CLAUSE_END = re.compile(r"[。!?！？\n]")
_DATELINE_AFTER = re.compile(r"^\s*(?:[电電][讯訊]?|[讯訊]|消息|报道|報道)")
# After a year: it dates a document or a programme, not the event ("2012年印发的", "2013年启动").
_YEAR_OF_OTHER = re.compile(
    r"\s*(?:度\s*)?(?:[印颁頒][发發]|[发發]布|出台|制定|[签簽]署|[启啟]动|[实實]施|[开開]始|提出|以[来來])"
)
_RANGE_AFTER = re.compile(r"\s*(?:[至到~～]|--?|—|–)")
_YEAR_FOR_EVENT_BAD = re.compile(r"(?:截至|截止|到|至|自|从|從|与|與|比|较|較|同|和|跟)\s*$")
# A line holding a document's issuing body, above its signature date.
_ORG_LINE = re.compile(
    r"(?:[办辦]公[室厅廳]|政府|[厅廳]|局|委[员員][会會]|委|部|院|室|中心|[学學][会會]|[协協][会會]|[团團]|[组組]|小[组組]|[会會]|校|所)\s*$"
)
_RELATED_HEAD = re.compile(
    r"^\W*(?:【[^】]*】)?\W*(?:相[关關]|推荐|推薦|延伸|[热熱][门門]|[热熱]点|更多|精彩|最新|猜你|上一篇|下一篇)"
    r"\w{0,4}\W*$|^\W*(?:相[关關]|推荐|推薦|延伸)(?:[阅閱][读讀]|新[闻聞]|文章|[链鏈]接)"
)
# A short line opening a related-reading list, found by one search from where it may start.
_RELATED_LINE = re.compile(rf"^(?=[^\n]{{0,40}}$)(?:{_RELATED_HEAD.pattern})", re.MULTILINE)
_COPYRIGHT = re.compile(r"(?=[©版cCiIpP公aA])(?:©|版[权權]|copyright|ICP|公[网網]安[备備]|all rights)", re.IGNORECASE)
_LEAD_PREFIX = re.compile(
    r"^\W{0,3}(?:【[^】]{0,10}】|\([^)]{0,20}\)|（[^）]{0,20}）|本[报報网網刊台]?[讯訊]|\S{0,16}[讯訊电電]\s|导语|導語|"
    r"[记記]者|据了解|據了解|今年|去年|\s)*"
)

_SOURCE_WORD = re.compile(r"[来來]源|稿源|出[处處]")
_MEETING_WORDS = re.compile(r"召[开開]|[举舉][行办辦]")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)")


class _Lines:
    """The lines of a text and where they start, for position → line look-ups."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        starts = []
        pos = 0
        for line in self.lines:
            starts.append(pos)
            pos += len(line) + 1
        self.starts = starts
        self.text = text

    def index(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def span(self, i: int) -> tuple[int, int]:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end


_LABEL_CHARS = frozenset("时時间間日期限")
# Cheap gates: the characters some match of _BEFORE_BAD, _AFTER_BAD, _DATELINE_AFTER needs.
_BAD_BEFORE_CHARS = frozenset("截至到直迄自从從")
_BAD_AFTER_CHARS = frozenset("以前之起止为為底末期")
_DATELINE_CHARS = frozenset("电電讯訊消报報 \t\u3000")


def _has_label_chars(before: str) -> bool:
    """True when ``before`` may end with a label such as 发布时间: or 报名日期 (a cheap gate)."""
    return not _LABEL_CHARS.isdisjoint(before)


def _in_title_brackets(line: str, col: int) -> bool:
    """True when ``col`` is inside 《…》 (a document's or a book's title) on its line."""
    opened = line.rfind("《", 0, col)
    return opened >= 0 and line.rfind("》", 0, col) < opened


# A headline naming a document or a list: the page is the document, dated by signature or publication.
_DOC_TITLE_ENDS = (
    "通知",
    "公告",
    "公示",
    "通报",
    "通報",
    "报告",
    "報告",
    "办法",
    "辦法",
    "方案",
    "规划",
    "規劃",
    "纲要",
    "綱要",
    "决定",
    "決定",
    "细则",
    "細則",
    "要点",
    "要點",
    "名单",
    "名單",
    "规定",
    "規定",
    "规程",
    "規程",
    "条例",
    "條例",
    "标准",
    "標準",
    "指引",
    "计划",
    "計劃",
    "纪录表",
    "紀錄表",
    "公报",
    "公報",
)


def _is_doc_title(line: str) -> bool:
    """True for a headline naming a document or a list (…的通知, 关于…的意见, …名单公示)."""
    line = line.rstrip(' 》"”')
    if line.endswith(_DOC_TITLE_ENDS):
        return True
    return line.endswith(("意见", "意見")) and ("关于" in line or "關於" in line or "关於" in line)


_TITLE_YEAR_BAD = re.compile(r"名[单單]|公布|公示|通[过過]|[认認]定|第.批|[统統][计計]")
_WEAK_PUB = re.compile(r"(?:更新|修改)\s*(?:[时時]\s*间|日\s*期)\s*[:：]?\s*$")


def _days_between(earlier: tuple[int, int], later: tuple[int, int]) -> int:
    """Rough days from (month, day) ``earlier`` to ``later`` in the same or the next year."""
    a = earlier[0] * 31 + earlier[1]
    b = later[0] * 31 + later[1]
    return b - a if b >= a else b + 372 - a


def extract_date(text: str) -> str:
    """The date of the event an article reports, else its publication date, in ISO form.

    Parameters
    ----------
    text : str
        One article, raw as scraped or cleaned by ``classifier.normalize``.

    Returns
    -------
    str
        ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``--MM-DD`` (a day with no year anywhere) or ""
        (no date), following the "Date" section of LABELING.md.

    Examples
    --------
    >>> extract_date("发布时间：2018-05-10 10:04\\n5月9日，全省座谈会在南京召开。")
    '2018-05-09'
    >>> extract_date("4月13日至14日，全省义务教育优质均衡发展座谈会在丹阳市召开。")
    '--04-13'
    >>> extract_date("截至6月19日，全国又有104个县通过评估认定。")
    ''
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_date(): text must be a str, got {type(text).__name__}")
    text = prepare_text(text)
    cands = collect_mentions(text)
    if not cands:
        return ""
    lines = _Lines(text)
    n = len(text)

    # The first line that reads as body text; whether a headline above it names a document;
    # where related-reading lists start.
    stop = n
    first_body = -1
    is_document = False
    title = ""
    for s, raw in zip(lines.starts, lines.lines):
        if len(raw) >= 40 and ("，" in raw or "," in raw or "。" in raw):
            first_body = s
            break
        if not is_document and 6 <= len(raw) <= 70 and "。" not in raw:
            title = title or raw.strip()
            is_document = _is_doc_title(raw)
    tail = int(n * 0.3) + 1
    if first_body >= 0 and cands[-1].start > tail:
        related = _RELATED_LINE.search(text, max(tail, first_body + 1))
        if related is not None:
            stop = related.start()

    per_line: dict[int, int] = {}
    for c in cands:
        if c.kind in ("ymd", "ym") and c.start < stop:
            li = lines.index(c.start)
            per_line[li] = per_line.get(li, 0) + 1

    # the last three lines (a source note "(教育部网站,2016-07-04)"), unless the tail is a list of stamped items
    last_lines = lines.starts[max(0, len(lines.starts) - 3)]
    tail_list = sum(1 for c in cands if c.stamp and c.start > n // 2) >= 3
    pubs: list[tuple[int, DateMention]] = []
    weak_pubs: list[DateMention] = []
    events: list[tuple[int, DateMention]] = []
    full_dates: list[DateMention] = []
    signature: DateMention | None = None
    journal: DateMention | None = None
    dateline: DateMention | None = None
    copyright_lines: dict[int, bool] = {}
    for c in cands:
        if c.start >= stop:
            break
        if c.kind == "y":  # years alone only lend a year to an event (_event_year)
            continue
        li = lines.index(c.start)
        ls, le = lines.span(li)
        line = text[ls:le]
        line_len = le - ls
        if li not in copyright_lines:
            copyright_lines[li] = line_len <= 200 and _COPYRIGHT.search(line) is not None
        if copyright_lines[li]:
            continue
        if c.kind == "journal":
            journal = journal or c
            continue
        col = c.start - ls
        before = line[max(0, col - 14) : col]
        after = line[c.end - ls : c.end - ls + 14]
        if "《" in line and _in_title_brackets(line, col):
            continue
        if c.kind in ("ymd", "ym") and per_line.get(li, 0) >= 3:
            continue  # a list of linked headlines with their dates
        labeled = _has_label_chars(before)  # cheap gate for the label look-ups below
        if labeled and _WEAK_PUB.search(before):
            weak_pubs.append(c)
            continue
        if (labeled and _NOT_PUB_LABEL.search(before)) or _NOT_PUB_AFTER.match(after):
            continue
        rest = (line[:col] + line[c.end - ls :]).strip(" \t()（）[]【】|-•·")
        if c.kind == "ymd":
            full_dates.append(c)

        # document signature: a date alone on its line, under the issuing body's name
        if c.kind == "ymd" and not c.stamp and not rest and li > 0 and signature is None:
            j = li - 1
            while j > 0 and not text[lines.starts[j] : lines.span(j)[1]].strip():
                j -= 1
            ps, pe = lines.span(j)
            prev = text[ps:pe].replace(" ", "").strip()
            if 2 <= len(prev) <= 40 and _ORG_LINE.search(prev) and "，" not in prev and "," not in prev:
                signature = c
                continue

        # publication date: in the header, or a source note on one of the last lines
        bad_before = not _BAD_BEFORE_CHARS.isdisjoint(before) and _BEFORE_BAD.search(before) is not None
        period = bad_before or _RANGE_AFTER.match(after) is not None
        if (
            c.kind in ("ymd", "ym")
            and not period
            and (c.start < max(first_body, n // 4) or (c.start >= last_lines and not tail_list))
        ):
            score = 0
            if _PUB_LABEL.search(before[-10:]):
                score += 4
            if c.stamp:
                score += 2
            if _SOURCE_WORD.search(line) and line_len <= 120:
                score += 2
            if len(rest) <= 30 and "。" not in rest:
                score += 1
            if first_body < 0 or c.start < first_body:
                score += 1
            if score >= 2 or (score >= 1 and len(rest) <= 12):
                pubs.append((score, c))
                if score >= 2:
                    continue

        # dateline: 新华社北京5月9日电, 东南网10月14日讯
        if c.kind == "md" and after[:1] in _DATELINE_CHARS and _DATELINE_AFTER.match(after):
            dateline = dateline or c
            continue

        # event date
        if is_document or c.kind not in ("ymd", "md", "ym", "day", "rel"):
            continue
        if bad_before or (after.lstrip()[:1] in _BAD_AFTER_CHARS and _AFTER_BAD.match(after)):
            continue
        if c.kind != "rel" and labeled and _BEFORE_SCHEDULE.search(before):
            continue
        clause_end = _CLAUSE_END.search(text, c.end, min(n, c.end + 80))
        clause = text[c.end : clause_end.start() if clause_end else min(n, c.end + 80)]
        prefix = line[:col]
        score = 0
        lead_line = first_body < 0 or ls <= first_body
        if lead_line:
            score += 4 if "。" not in prefix else 3
        elif c.start < n * 0.4:
            score += 1
        elif c.start > n * 0.7:
            score -= 2
        if len(prefix) <= 40 and _LEAD_PREFIX.fullmatch(prefix):
            score += 2 if lead_line else 1
        if _EVENT_WORDS.search(clause):
            score += 2
        if _BEFORE_FUTURE.search(before):
            score -= 1
        if c.kind == "ym":
            if not _MEETING_WORDS.search(clause):
                continue
            score -= 1
        elif c.kind == "day":
            score -= 1
        elif c.kind == "rel" and not lead_line:
            continue
        events.append((score, c))
        if _DEBUG:
            print("  event", score, c, repr(text[max(0, c.start - 10) : c.end + 20]))

    if signature is not None:
        return iso_date(signature.year, signature.month, signature.day)
    if journal is not None:
        return iso_date(journal.year)

    pub: DateMention | None = max(pubs, key=lambda sc: (sc[0], -sc[1].start))[1] if pubs else None
    event: DateMention | None = None
    if events:
        best_score, event = max(events, key=lambda sc: (sc[0], -sc[1].start))
        if best_score < 2:
            event = None

    if event is None:
        if pub is not None:
            return iso_date(pub.year, pub.month, pub.day)
        return iso_date(0, dateline.month, dateline.day) if dateline is not None and not is_document else ""
    if event.kind == "rel":
        if pub is not None:
            return iso_date(pub.year, pub.month, pub.day)
        if dateline is not None:
            return iso_date(0, dateline.month, dateline.day)
        # "日前获悉, … will be held in October 2024": an explicit date of the event, when one stands out
        explicit = [sc for sc in events if sc[1].kind != "rel" and sc[0] >= 3]
        if not explicit:
            return ""
        event = max(explicit, key=lambda sc: (sc[0], -sc[1].start))[1]
    if event.kind in ("ymd", "ym"):
        return iso_date(event.year, event.month, event.day)

    month, day = event.month, event.day
    if event.kind == "day":
        ref = dateline or pub
        if ref is None or not ref.month or day > (ref.day or 31):
            return iso_date(pub.year, pub.month, pub.day) if pub else ""
        month = ref.month
    return iso_date(_event_year(text, lines, cands, event, month, day, pub, weak_pubs, full_dates, title), month, day)


def _event_year(
    text: str,
    lines: _Lines,
    cands: list[DateMention],
    event: DateMention,
    month: int,
    day: int,
    pub: DateMention | None,
    weak_pubs: list[DateMention],
    full_dates: list[DateMention],
    title: str,
) -> int:
    """The year of an event dated by month and day only (0 when the text gives none)."""
    if pub is not None and pub.year:
        return pub.year - 1 if month > pub.month + 1 else pub.year
    for c in full_dates:  # the same day written in full elsewhere
        if (c.month, c.day) == (month, day):
            return c.year
    for c in weak_pubs:  # an update stamp, when the event falls just before it
        if c.month and c.day and _days_between((month, day), (c.month, c.day)) <= 14:
            return c.year
    # a year stated for the event in its own sentence, shortly after the date
    n = len(text)
    s_end_m = _CLAUSE_END.search(text, event.end, min(n, event.end + 120))
    s_end = s_end_m.start() if s_end_m else min(n, event.end + 120)
    for c in cands:
        if c.kind == "y" and event.end <= c.start < s_end:
            ls = lines.starts[lines.index(c.start)]
            if _in_title_brackets(text[ls : c.start], c.start - ls):
                continue
            if (
                _YEAR_FOR_EVENT_BAD.search(text[max(0, c.start - 4) : c.start])
                or _AFTER_BAD.match(text[c.end : c.end + 4])
                or _YEAR_OF_OTHER.match(text, c.end)
            ):
                continue
            return c.year
        if c.start >= s_end:
            break
    # the headline's year
    if title and not _TITLE_YEAR_BAD.search(title):
        m = _TITLE_YEAR.search(title)
        if m and not _AFTER_BAD.match(title[m.end() : m.end() + 4]):
            return int(m.group(1))
    return 0
