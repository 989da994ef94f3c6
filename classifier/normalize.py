"""Scrape debris → clean simplified text: ``normalize(text) -> str``.

Steps, in order (each leaves nothing for an earlier one to redo, so the whole is
idempotent; a property test checks it on arbitrary Unicode):

1. characters: lone surrogates, control, format (zero-width, bidi, BOM), private-use
   characters and U+FFFD removed; ``\r\n``, ``\r``, U+2028 → ``\n``; tab → space;
2. width: full-width ASCII → ASCII, U+3000 → space, CJK compatibility ideographs and
   Kangxi radicals → unified ideographs (the safe part of NFKC). So ``，：；（）`` become
   ``,:;()`` as in most of the corpus, while ``。、“”《》`` stay;
3. stray HTML tags (block tags → line break) and ``&nbsp;`` removed;
4. mojibake: the scrape lost a byte of a GBK stream and decoded the rest one byte out of
   step, leaving ``?`` + a pinyin-gloss tail + shifted pairs (``為大家?guī)砹私逃炕A``,
   ``全國31個?。▍^(qū)、市)``). Such a run (recognised by the ``?`` plus a gloss tail,
   doubled ``??``, a ``!。、,:;`` or box char, or a lone latin letter before Han text)
   is re-encoded as GBK, shifted back one byte and decoded again; kept when that gives
   frequent characters, else dropped. A lone ``?`` before normal text is a question mark
   and stays;
5. pinyin glosses after Han characters removed (``義務(wù)`` → ``義務``);
6. traditional → simplified (OpenCC ``t2s``);
7. doubled and mixed punctuation collapsed to its strongest mark
   (``,,`` → ``,``; ``,。`` → ``。``; ``,、`` → ``、``);
8. whitespace runs → one space, spaces between two Han characters removed, lines
   stripped, empty lines dropped (line breaks kept: one paragraph a line);
9. debris lines dropped: spam link lines, breadcrumbs, image names, markdown images,
   bare URLs, copyright / ICP / 公网安备 / 声明 / 来源 footers, related-reading lists,
   view counters, share / print / font-size widgets, editor lines. Rules are line-level
   and only fire on short lines, so body sentences that mention 来源 or a date stay.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

from .errors import InputError

__all__ = ["normalize"]

_T2S = opencc.OpenCC("t2s")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿê"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿê"

# --- 1. characters ---------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")


# Control (except \t \n \r), format (zero-width, bidi, BOM, soft hyphen), private-use
# (undecodable scrape bytes) and tag / supplementary private-use characters.
_JUNK_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\xad\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffd\ue000-\uf8ff\U000e0000-\U000e007f\U000f0000-\U0010ffff]"
)
_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029]")


_HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]{0,10})(?:[ \t][^<>\n]{0,200})?/?>")
_BLOCK_TAGS = frozenset(
    [
        "br",
        "p",
        "div",
        "li",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "section",
        "article",
    ]
)


def _tag(match: re.Match[str]) -> str:
    return "\n" if match.group(1).lower() in _BLOCK_TAGS else ""


def _clean_chars(text: str) -> str:
    text = _SURROGATES.sub("", text).replace("\r\n", "\n")
    text = _LINE_BREAKS.sub("\n", text)
    text = _JUNK_CHARS.sub("", text)
    return text.replace("\t", " ")


def _strip_markup(text: str) -> str:
    """Drop stray HTML tags and ``&nbsp;`` left in scraped text."""
    if "<" in text:
        n = 1
        while n:  # "<<p>p>" needs two passes
            text, n = _HTML_TAG.subn(_tag, text)
    return text.replace("&nbsp;", " ")


# --- 2. mojibake -----------------------------------------------------------
# What happened (see tests/test_normalize.py): the page's GBK byte stream lost
# one byte, so the following bytes were decoded in pairs one byte out of step
# until an ASCII byte realigned them; the char that lost its byte became "?",
# pairs that fell outside GBK were dropped or became "?", and a pinyin-gloss
# tail ("qū)") was often left after the "?".  Undo: re-encode the run as GBK,
# drop its first byte, decode again.

_MOJIBAKE = re.compile(
    rf"(?<=[{_HAN})])(?P<q>[?\ufffd]+)(?P<tail>[{_PINYIN}]{{1,6}}\))?"
    rf"(?P<run>(?:[^\x00-\x7f\s{_PINYIN}]|!){{0,12}})(?P<sync>[@-~](?=[{_HAN}(]))?"
)
# After a real question mark come text or closing quotes, never these.
# (Any of ,、:;。 stays one of them when doubled punctuation collapses later.)
_ODD_START = re.compile(r"[!。、,:;\u2500-\u25ff]")


@functools.lru_cache(maxsize=65536)
def _common_level(char: str) -> int:
    """2: frequent (GB2312 level 1) or CJK punctuation; 1: GB2312 level 2; 0: rare.

    Full-width ！？） count as rare: narrowed, they would start a new mojibake match.
    """
    if char in "（，、。：；“”‘’《》〈〉【】「」…—·":
        return 2
    try:
        code = _T2S.convert(char).encode("gb2312")
    except UnicodeEncodeError:
        return 0
    if len(code) != 2:
        return 0
    return 2 if 0xB0 <= code[0] <= 0xD7 else 1


def _plausible(chars: str, extra_bad: int = 0) -> bool:
    """True when at least 80 % of the chars are frequent ones and none is rare."""
    if not chars:
        return False
    levels = [_common_level(c) for c in chars]
    if 0 in levels:
        return False
    return levels.count(2) >= 0.8 * (len(chars) + extra_bad)


def _realign(run: str, sync: str) -> str:
    """Decode the GBK bytes of ``run`` one byte later; '' when impossible."""
    try:
        # "!" here is mostly a full-width "！" (bytes A3 A1) narrowed by an earlier tool.
        data = run.replace("!", "！").encode("gbk") + sync.encode("ascii")
    except UnicodeEncodeError:
        return ""
    data = data[1:]
    if len(data) % 2:
        data = data[:-1]
    out = []
    for i in range(0, len(data), 2):
        try:
            out.append(data[i : i + 2].decode("gbk"))
        except UnicodeDecodeError:
            return ""
    return "".join(out)


def _fix_mojibake(match: re.Match[str]) -> str:
    q, tail, run, sync = match["q"], match["tail"] or "", match["run"], match["sync"] or ""
    after = match.end("tail") if tail else match.end("q")
    odd_next = bool(_ODD_START.match(match.string, after))
    certain = bool(tail) or len(q) > 1 or odd_next or bool(sync and not run)
    if not certain:
        # A lone "?" before Han text is mostly a real question mark: left alone (and a
        # decision on Han chars would change once t2s has run, breaking idempotency).
        return match.group(0)
    repaired = _realign(run, sync) if run else ""
    repaired_ok = _plausible(repaired) and repaired != run
    orig_ok = _plausible(run, extra_bad=1 if sync else 0)
    if repaired_ok:
        return repaired
    if orig_ok:
        return run + sync
    return ""


def _repair_mojibake(text: str) -> str:
    if "?" not in text and "\ufffd" not in text:
        return text
    while True:  # a fix can bring a following "?" next to a Han char; each pass shrinks text
        fixed = _MOJIBAKE.sub(_fix_mojibake, text)
        if fixed == text:
            return text
        text = fixed


# --- 3. pinyin glosses -----------------------------------------------------

# Written to start with the bracket (not the look-behind) so that re scans fast for it.
_GLOSS = re.compile(
    rf"[(（](?<=[{_HAN}][(（])[{_PINYIN}]*[{_TONED}][{_PINYIN}]*[)）]"
    rf"(?:[(（][{_PINYIN}]*[{_TONED}][{_PINYIN}]*[)）])*"
)

# --- 4. width --------------------------------------------------------------


def _build_width_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for lo, hi in ((0x2F00, 0x2FD6), (0xF900, 0xFB00), (0x2F800, 0x2FA20)):
        for cp in range(lo, hi):
            nf = unicodedata.normalize("NFKC", chr(cp))
            if len(nf) == 1 and nf != chr(cp):
                table[cp] = nf
    return table


_WIDTH_TABLE = _build_width_table()
_WIDE = re.compile("[\u3000\uff01-\uff5e\u2f00-\u2fd5\uf900-\ufaff\U0002f800-\U0002fa1f]")


def _narrow(text: str) -> str:
    return _WIDE.sub(lambda m: _WIDTH_TABLE.get(ord(m.group(0)), m.group(0)), text)


# --- 6. punctuation --------------------------------------------------------

_PUNCT_RANK = {",": 0, "、": 1, ":": 2, ";": 3, "。": 4}
_PUNCT_RUN = re.compile(r"[,、:;。](?:[^\S\n]*[,、:;。])+")


def _strongest(match: re.Match[str]) -> str:
    return max((c for c in match.group(0) if c in _PUNCT_RANK), key=_PUNCT_RANK.__getitem__)


# --- 7. whitespace ---------------------------------------------------------

# After steps 1-2 the only whitespace left besides "\n" and " " are these.
_WS = "\x0b\x0c\x1c-\x1f\xa0\u1680\u2000-\u200a\u202f\u205f"
_ODD_SPACE = re.compile(f"[{_WS}]")
_MULTI_SPACE = re.compile(" {2,}")
_HAN_SPACE = re.compile(rf" (?<=[{_HAN}] )(?=[{_HAN}])")
_LINE_EDGES = re.compile(r"^(?:[|\s]|\?+(?=\S))+|[|\s]+$")

# --- 8. debris lines -------------------------------------------------------

_IMAGE_MD = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK_MD = re.compile(r"\[([^\]\n]*)\]\((?:https?://|/|\.{0,2}/?[\w\-]+/)[^)\n]*\)")
_IMAGE_FILE = re.compile(r"^[\w\-. ()]{0,40}[. ](?:jpe?g|png|gif|webp|bmp|svg)$", re.IGNORECASE)
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S*$", re.IGNORECASE)
_URL_IN_LINE = re.compile(r"https?://|www\.[\w-]+\.", re.IGNORECASE)
_MAX_LINK_LINE = 60  # a line this short that carries a URL is a link or an advert, not body text
_BREADCRUMB = re.compile(r"(?:当前|您的|您当前的|所在|现在)(?:位置|位置是)\s*[:>]")
_CRUMB_SEP = re.compile(r"\s*(?:>>?|»|›|→)\s*")
_FOOTER = re.compile(
    r"ICP|公网安备|网安备|版权所有|版权归|all rights reserved|copyright|©|免责声明|版权声明|"
    r"^\W*声明\s*[:]|技术支持\s*[:]|联系删除|请联系删除|不得转载|转载请注明|请注明出处|"
    r"未经.{0,12}授权|百度统计|网站地图|^\W*(?:主办|承办|协办)单位\s*[:]|^\W*(?:notice|disclaimer)\s*:",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"(?:^\W*|\s)(?:文章|本文|稿件|信息|新闻|图片|内容|资料)?(?:来源|出处|稿源)\s*[:]|^\W*(?:上一篇|下一篇)|"
    r"^\W*(?:责任编辑|编辑|责编|审核|校对|编审|作者|撰稿|供稿|摄影|记者)\s*[:]|"
    r"责任编辑|(?:发布|更新|发表)(?:时间|日期)\s*[:]|^\W*(?:时间|日期)\s*[:]\s*\d{4}[年\-/.]"
)
_WORDY = re.compile(r"\w")
_CRUMB_HINT = re.compile(r"位置|>|»|›|→")
_SITE_RIGHTS = re.compile(r"转载|版权|授权|侵权|免责")
_COUNTER = re.compile(r"(?:围观|阅读|浏览|点击|访问|人气)(?:量|数|次数)?\s*(?::\s*\d+|\d+\s*次)")
_DATE_LINE = re.compile(
    r"^\W*(?:(?:日期|时间|发布日期|发布时间)\s*[:]\s*)?"
    r"[\d\s\-/.:年月日时分秒]{6,}\W*$"
)
_STAMP_START = re.compile(r"^(?:时间\s*[:]\s*)?\d{4}(?:年\d{1,2}月\d{1,2}日|-\d{1,2}-\d{1,2})\s*\d{1,2}:\d{2}")
_DATETIME = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*\d{1,2}:\d{2}")
_WIDGETS = re.compile(
    r"(?:字号|字体|默认|超大|打印本页|打印正文|打印|关闭窗口|关闭|收藏|分享到|分享|转发|点赞|评论|"
    r"微信|微博|qq空间|扫一扫在手机打开当前页|扫一扫|二维码|返回顶部|上一篇|下一篇|"
    r"app下载|the end|论文部分内容阅读|部分内容阅读|我要投稿|我要纠错|手机版|手机浏览|电脑版|pc版|公众号|"
    r"放大|缩小|浏览字号|站内搜索|热门搜索|搜索|搜本站|首页|无障碍|长者专区|用户名|密码|登录|注册|验证码|"
    r"在线阅读|分享按钮|网站标识码|大|中|小|en|[\W\d_])*",
    re.IGNORECASE,
)
# Literal words one of which every match of _FOOTER / _SOURCE contains: a cheap gate,
# since those alternations are slow to search.
_FOOTER_GATE = (
    "icp",
    "公网安备",
    "网安备",
    "版权",
    "©",
    "声明",
    "技术支持",
    "删除",
    "转载",
    "出处",
    "授权",
    "统计",
    "网站地图",
    "单位",
    "notice",
    "disclaimer",
    "copyright",
    "rights reserved",
)
_SOURCE_GATE = (
    "来源",
    "出处",
    "稿源",
    "上一篇",
    "下一篇",
    "编辑",
    "责编",
    "审核",
    "校对",
    "编审",
    "作者",
    "撰稿",
    "供稿",
    "摄影",
    "记者",
    "时间",
    "日期",
)
_RELATED_HEAD = re.compile(
    r"^\W*(?:【[^】]*】)?\W*(?:相关|推荐|延伸|热门|热点|更多|精彩|最新|猜你)"
    r"(?:阅读|新闻|文章|推荐|链接|资讯|专题|喜欢)\W*$|^\W*(?:新闻|文章|频道|内容|编辑)推荐\W*$|"
    r"^\W*(?:友情链接|大家都在看|网友评论|热门评论|用户评论|关注此文用户还关注)\W*$|^\W*\w{0,6}更多\s*>*\W*$"
)
_LIST_ITEM = re.compile(r"^[•·\-*●◆■□▪►]|(?:\.\.\.|…)$|\d{2}-\d{2}$")
_PIPES = re.compile(r"\s*[|｜]\s*")

_MAX_META = 80  # a debris line longer than this is treated as body text


def _is_spam_links(line: str) -> bool:
    parts = [p for p in _PIPES.split(line) if p]
    return len(parts) >= 3 and all(len(p) <= 20 for p in parts)


def _is_breadcrumb(line: str) -> bool:
    if len(line) > _MAX_META:
        return False
    if _BREADCRUMB.search(line):
        return True
    seps = _CRUMB_SEP.findall(line)
    if len(seps) < 2:
        return False
    parts = [p for p in _CRUMB_SEP.split(line) if p]
    return "首页" in line or all(len(p) <= 10 for p in parts)


def _is_widget_line(line: str) -> bool:
    """A short line made only of share / print / font-size / login widget words."""
    if len(line) > 40:
        return False
    if len(line) <= 30 and ("扫一扫" in line or "二维码" in line or "扫码" in line):
        return True
    return _WIDGETS.fullmatch(line) is not None


def _footer(line: str) -> bool:
    low = line.lower()
    return any(map(low.__contains__, _FOOTER_GATE)) and _FOOTER.search(line) is not None


def _source(line: str) -> bool:
    return any(map(line.__contains__, _SOURCE_GATE)) and _SOURCE.search(line) is not None


def _is_debris(line: str) -> bool:
    n = len(line)
    if n > 250:  # only body text is that long, or a spam line of links
        return "|" in line and _is_spam_links(line)
    if not _WORDY.search(line):
        return True
    if line[0] in "hHwW" and _URL_LINE.match(line):
        return True
    if n <= _MAX_LINK_LINE and _URL_IN_LINE.search(line):
        return True
    if n <= 50 and _IMAGE_FILE.match(line):
        return True
    if "|" in line and _is_spam_links(line):
        return True
    if n <= _MAX_META and _CRUMB_HINT.search(line) and _is_breadcrumb(line):
        return True
    if n <= 200 and _footer(line):
        return True
    if ("本网" in line or "本站" in line) and _SITE_RIGHTS.search(line):
        return True
    if n <= _MAX_META and (_source(line) or _COUNTER.search(line) or _DATE_LINE.match(line)):
        return True
    if (line[0].isdigit() or line[0] == "时") and _STAMP_START.match(line):
        return True
    return n <= 40 and (_DATETIME.search(line) is not None or _is_widget_line(line))


def _clean_line(line: str) -> str:
    if "](" in line:
        line = _IMAGE_MD.sub("", line)
        line = _LINK_MD.sub(r"\1", line)
    # Leading "??" is where the scrape lost an indent of U+3000; "|" are table borders.
    line = line.strip()
    if line and (line[0] in "|?" or line[-1] == "|"):
        line = _LINE_EDGES.sub("", line)
    return line


def _drop_debris(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_related = False
    for line in lines:
        if len(line) <= 40 and _RELATED_HEAD.match(line):
            in_related = True
            continue
        if in_related:
            if (len(line) <= 40 and not line.endswith("。")) or _LIST_ITEM.search(line):
                continue
            in_related = False
        if not _is_debris(line):
            out.append(line)
            continue
        meta = _SOURCE.search(line) if _source(line) else None
        if meta and len(re.findall(rf"[{_HAN}]", line[: meta.start()])) >= 8:
            head = line[: meta.start()].strip()
            if not _is_debris(head):
                out.append(head)
    return out


# --- all -------------------------------------------------------------------


def normalize(text: str) -> str:
    """Return the clean simplified text of a scraped article (never raises on a ``str``)."""
    if not isinstance(text, str):
        raise InputError(f"normalize(): text must be a str, got {type(text).__name__}")
    text = _strip_markup(_narrow(_clean_chars(text)))
    repaired = _repair_mojibake(text)
    if repaired != text:
        text = _narrow(repaired)
    text = _GLOSS.sub("", text)
    text = _T2S.convert(text)
    text = _PUNCT_RUN.sub(_strongest, text)
    text = _ODD_SPACE.sub(" ", text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    text = _HAN_SPACE.sub("", text)
    lines = [_clean_line(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    return "\n".join(_drop_debris(lines))
