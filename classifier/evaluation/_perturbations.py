"""Perturbations of article text for the robustness section (each deterministic)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

_S2T = None


def to_traditional(text: str) -> str:
    """The text in traditional script (OpenCC s2t)."""
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


# Tone-marked pinyin of common characters in education news, simplified and traditional forms,
# as scraped pages paste it ("義務(wù)"); a small table avoids a pinyin dependency.
_PINYIN = {
    "教": "jiào",
    "育": "yù",
    "督": "dū",
    "导": "dǎo",
    "導": "dǎo",
    "评": "píng",
    "評": "píng",
    "估": "gū",
    "义": "yì",
    "義": "yì",
    "务": "wù",
    "務": "wù",
    "均": "jūn",
    "衡": "héng",
    "发": "fā",
    "發": "fā",
    "展": "zhǎn",
    "学": "xué",
    "學": "xué",
    "校": "xiào",
    "会": "huì",
    "會": "huì",
    "议": "yì",
    "議": "yì",
    "座": "zuò",
    "谈": "tán",
    "談": "tán",
    "研": "yán",
    "讨": "tǎo",
    "討": "tǎo",
    "检": "jiǎn",
    "檢": "jiǎn",
    "查": "chá",
    "验": "yàn",
    "驗": "yàn",
    "收": "shōu",
    "县": "xiàn",
    "縣": "xiàn",
    "市": "shì",
    "省": "shěng",
    "区": "qū",
    "區": "qū",
    "国": "guó",
    "國": "guó",
    "家": "jiā",
    "政": "zhèng",
    "府": "fǔ",
    "工": "gōng",
    "作": "zuò",
    "组": "zǔ",
    "組": "zǔ",
    "反": "fǎn",
    "馈": "kuì",
    "饋": "kuì",
    "记": "jì",
    "記": "jì",
    "者": "zhě",
    "问": "wèn",
    "問": "wèn",
    "答": "dá",
    "新": "xīn",
    "闻": "wén",
    "聞": "wén",
    "布": "bù",
    "现": "xiàn",
    "現": "xiàn",
    "场": "chǎng",
    "場": "chǎng",
    "推": "tuī",
    "进": "jìn",
    "進": "jìn",
    "经": "jīng",
    "經": "jīng",
    "交": "jiāo",
    "流": "liú",
    "师": "shī",
    "師": "shī",
    "生": "shēng",
    "质": "zhì",
    "質": "zhì",
    "量": "liàng",
    "优": "yōu",
    "優": "yōu",
    "办": "bàn",
    "辦": "bàn",
    "城": "chéng",
    "乡": "xiāng",
    "鄉": "xiāng",
    "农": "nóng",
    "農": "nóng",
    "村": "cūn",
    "标": "biāo",
    "標": "biāo",
    "准": "zhǔn",
    "準": "zhǔn",
    "建": "jiàn",
    "设": "shè",
    "設": "shè",
    "改": "gǎi",
    "革": "gé",
    "长": "zhǎng",
    "長": "zhǎng",
    "园": "yuán",
    "園": "yuán",
    "前": "qián",
    "普": "pǔ",
    "惠": "huì",
    "领": "lǐng",
    "領": "lǐng",
}


def insert_pinyin(text: str, rate: float = 0.3, seed: int = 0) -> str:
    """Pinyin glosses pasted after some common characters, as scraped pages do: 義務(wù)."""
    rng = random.Random(seed)
    out = []
    for ch in text:
        out.append(ch)
        if ch in _PINYIN and rng.random() < rate:
            out.append(f"({_PINYIN[ch]})")
    return "".join(out)


_SPAM_LINES = (
    "【推广】点击领取免费资料 http://spam.example.com/go?id={n}",
    "热门推荐：www.example.net/hot/{n}.html 立即查看",
    "扫码关注公众号，回复{n}获取更多资讯 https://example.org/qr",
    "友情链接：http://links.example.cn/{n} | 网站地图 | 联系我们",
)


def prepend_spam(text: str, n_lines: int = 3, seed: int = 0) -> str:
    """Spam link lines put before the article."""
    rng = random.Random(seed)
    lines = [rng.choice(_SPAM_LINES).format(n=rng.randint(100, 999)) for _ in range(n_lines)]
    return "\n".join(lines) + "\n" + text


_FOOTER = (
    "\n相关阅读：\n· 某市召开教育工作座谈会\n· 省教育厅督导组到我县检查指导\n· 教育部新闻发布会答记者问"
    "\n版权所有 © 2020 示例教育网 京ICP备00000000号 京公网安备11000002000000号"
    "\n免责声明：本站转载文章仅供参考，如有侵权请联系删除。"
)


def append_footers(text: str) -> str:
    """A "related reading" list (with other topics' cue words) and copyright footers appended."""
    return text + _FOOTER


def truncate(text: str, n_chars: int = 300) -> str:
    """Only the first ``n_chars`` characters."""
    return text[:n_chars]


def gbk_roundtrip(text: str) -> str:
    """The text written as a GBK file and read back through ``classifier.io.decode_bytes``."""
    from ..io import decode_bytes

    return decode_bytes(text.encode("gbk", errors="replace"), "<gbk perturbation>")


#: The perturbations of the robustness section, by name.
PERTURBATIONS: Mapping[str, Callable[[str], str]] = {
    "traditional": to_traditional,
    "pinyin_glosses": insert_pinyin,
    "spam_links": prepend_spam,
    "footers": append_footers,
    "first_300_chars": truncate,
    "gbk_file": gbk_roundtrip,
}
