"""The headline of a scraped page: ``extract_title(text) -> str``.

Meant for ``classifier.normalize`` output (simplified script, pinyin glosses and most debris
already gone), and safe on raw text (the title then keeps the page's script). The headline is
looked for among the short lines above the first body paragraph: debris lines (spam links,
site names and slogans, navigation and breadcrumbs, dates alone, 来源/作者/发布时间 lines,
widgets, labels such as 摘要) are never titles; of the rest, the longest is the headline
(shorter lines there are decks, captions and section names). A mirror page that wraps the
title in spam ("小编为大家带来了…,希望能帮助到大家") gives the title inside. Pages whose first
line is already body text have no headline: "".
"""

from __future__ import annotations

import re

__all__ = ["extract_title"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_FIVE_HAN = re.compile(r"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){5}")
_SPAM = re.compile(
    # (the look-ahead of first characters lets re skip the rest of the line fast: 4 × faster)
    r"(?=[国國精视視在无無中日欧歐亚亞少熟aA综澳科一彩开開投博娱娛凯凱bB真棋老点])(?:"
    r"国产|國產|精品|视频|視頻|在线观看|在线播放|在線|无码|無碼|中文字幕|日韩|日韓|欧美|歐美|亚洲|亞洲|少妇|熟女|[aA][vV]|"
    r"综合网|澳洲幸运|科普一下|一区二区|一區二區|彩票|开奖|開獎|投注|博彩|娱乐城|娛樂城|凯发|凱發|[bB][eE][tT]\d|真人|棋牌|"
    r"老虎机|点此进入)"
)
_META = re.compile(
    r"^\W{0,3}(?:文章|新闻|信息|稿件|图片)?(?:来源|來源|作者|编辑|編輯|责任编辑|責任編輯|记者|記者|发布|發布|时间|時間|日期|"
    r"更新|上传|上傳|点击|點擊|浏览|瀏覽|阅读|閱讀|关键词|關鍵詞|摘要|索引号|索引號|文号|文號|发文|發文|主题|主題|格式|大小|页数|頁數|"
    r"文档|文檔|编号|編號|出处|出處|热线|熱線|电话|電話|邮箱|郵箱|地址|字号|字號|分类|分類|发布机构|信息类别|公开|公開|"
    r"上一篇|下一篇|相关|相關|推荐|推薦|当前位置|當前位置|您的位置|您现在的位置|所在位置|首页|首頁)"
)
_LABEL_PREFIX = re.compile(r"^\W{0,3}(?:原?标题|原?標題|题目|題目|title)\s*[:：]\s*", re.IGNORECASE)
_NAV = re.compile(
    r">|»|›|→|\|\s*\||首页|首頁|导航|導航|登录|登錄|注册|註冊|注销|註銷|打印|收藏|分享|订阅|訂閱|字体|字體|"
    r"not found|nginx|无标题|無標題|欢迎|歡迎|版权|版權|copyright|ICP|扫一扫|二维码|APP下载|读完约|"
    r"^第\s*\d+\s*版|^P\.\s*\d+$|^\d+$",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"^[\d\s\-/.:年月日时分秒()（）星期一二三四五六日天]+$")
_SITE = re.compile(
    r"网|網|之声|之聲|在线|在線|频道|頻道|平台|日报|日報|晚报|晚報|报社|報社|新闻中心|新聞中心|客户端|客戶端"
)
_ORG_ONLY = re.compile(
    r"(?:厅|廳|局|委员会|委員會|政府|中心|学会|學會|集团|集團|研究院|基金会|基金會|学校|學校|大学|大學)$"
)
_LABEL_ONLY = re.compile(
    r"^\W*(?:摘\s*要|关键词|關鍵詞|引\s*言|前\s*言|目\s*录|目\s*錄|附件|附|正文|导读|導讀|热点|熱點|要闻|要聞)\W*$"
)
_SEPARATORS = re.compile(r"\s+[-|｜_]\s*|_|\s*-\s*(?=【)|\s-(?=\w)")
_MIRROR = re.compile(
    r"(?:为|為|给|給)大家(?:带来了|帶來了|整理了|分享了?|推荐|推薦|收集了)?(?:关于)?《?(.{6,60}?)》?[,，]\s*希望"
)
# "来源:" "编号:" "中图分类号:" … anywhere in a short line: a metadata line.
_META_LABEL = re.compile(
    r"(?:来源|來源|作者|编辑|編輯|记者|記者|时间|時間|日期|编号|編號|文号|文號|索取号|索引号|分类号|分類號|标识码|標識碼|"
    r"机构|機構|点击|點擊|浏览|瀏覽|热线|熱線|电话|電話)\s*[:：]|记者|記者|摄$|攝$|通讯员|通訊員"
)
_STARTS_WITH_DATE = re.compile(
    r"^\W{0,2}(?:\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\.\d{1,2}\.\d{4})"
)
_SECTION = re.compile(
    r"^\W{0,2}(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、])|^[(（].*[)）]$"
)
_STAMP = re.compile(r"(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}")
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńň]{1,6}\s*\)")
_AUTHOR = re.compile(r"^[□■◇●]|^[\u4e00-\u9fff]{2,4}(?:[,，、\s]+[\u4e00-\u9fff]{2,4})*$")
_REPEATED_WORD = re.compile(r"(\w\w).{1,6}\1.{1,6}\1")
_BODY_PUNCT = re.compile(r"[,，。;；]")

_MAX_HEADER_LINES = 15
_MIN_TITLE = 8
_LEAD_DATE = re.compile(r"^\W{0,2}(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日.{0,20}[,，]")
_MAX_TITLE = 60


def _clean_candidate(line: str) -> str:
    """The headline part of a header line: label, wrappers and site-name suffixes removed."""
    label = _LABEL_PREFIX.match(line)
    if label:
        line = line[label.end() :].strip()
    if line.startswith(("《", "【")) and line.endswith(("》", "】")):
        line = line[1:-1].strip()
    parts = [p.strip(" -–—|_") for p in _SEPARATORS.split(line)]
    parts = [p for p in parts if _HAN.search(p)]
    if len(parts) > 1:
        line = max(parts, key=len)
    line = re.sub(r"[-–—]?\s*【[^】]{0,6}】$|\[/?\w{0,4}/?\]$|\*$", "", line).strip()
    m = re.fullmatch(r"[^《》]{0,30}《([^《》]{6,60})》", line)  # 长府办发〔2017〕63号《…的通知》
    if m:
        line = m.group(1)
    return line


def _is_debris(line: str) -> bool:
    if _META.match(line) or _NAV.search(line) or _DATE_ONLY.match(line) or _LABEL_ONLY.match(line):
        return True
    if "。" in line or line.endswith((":", "：", ";", "；")) or "](" in line:
        return True
    if _STARTS_WITH_DATE.match(line) or _SECTION.match(line) or _STAMP.search(line):
        return True
    label = _META_LABEL.search(line)
    if label and (len(line) <= 40 or label.group(0).endswith((":", "："))):
        return True
    if len(_SPAM.findall(line)) >= 2:
        return True
    if "http" in line or "www." in line or "@" in line:
        return True
    n = len(line)
    if len(_SITE.findall(line)) >= 2 or line.endswith("入口"):
        return True
    if n <= 20 and (_SITE.search(line) or _ORG_ONLY.search(line)):
        return True
    if _AUTHOR.match(line) and n <= 16:
        return True
    # navigation: many short words separated by spaces, or one word repeated (今日南宁今日武鸣今日隆安)
    words = line.split()
    if len(words) >= 3 and all(len(w) <= 6 for w in words):
        return True
    return _REPEATED_WORD.search(line) is not None


def extract_title(text: str) -> str:
    """The page's headline, or "" when it has none.

    Parameters
    ----------
    text : str
        One article, preferably cleaned by ``classifier.normalize`` (raw text works, and the
        title then keeps the page's script and glosses).

    Returns
    -------
    str
        The headline line (8–60 characters), without site-name suffixes, labels or 《》.

    Examples
    --------
    >>> page = "首页 > 教育动态\\n某某县召开义务教育优质均衡发展推进会\\n"
    >>> extract_title(page + "5月9日，某某县召开推进会，各校校长参加会议并交流经验。")
    '某某县召开义务教育优质均衡发展推进会'
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_title(): text must be a str, got {type(text).__name__}")
    candidates: list[str] = []
    seen = 0
    for raw in text.split("\n", 40):
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > _MAX_HEADER_LINES:
            break
        if "(" in line:
            line = _GLOSS.sub("", line)
        spam = len(_SPAM.findall(line, 0, 120)) >= 2
        body = len(line) >= 40 and _BODY_PUNCT.search(line) is not None
        if not spam and (
            body or len(line) > 90 or (len(line) >= 20 and "。" in line and "摄" not in line) or _LEAD_DATE.match(line)
        ):
            if not candidates:
                m = _MIRROR.search(line[:200])
                if m:
                    return m.group(1).strip()
            break  # the body starts: the headline, if any, was above
        if spam:
            continue
        line = _clean_candidate(line)
        if not _MIN_TITLE <= len(line) <= _MAX_TITLE or not _FIVE_HAN.match(line) or _is_debris(line):
            continue
        candidates.append(line)
    if not candidates:
        return ""
    return max(candidates, key=len)
