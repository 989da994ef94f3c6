"""Planted mirror-copy test set, built from the dev corpus at run time (never stored).

Planted copies of dev articles, each with one to three of: traditional script (OpenCC
``s2t``), pinyin glosses after the characters the script changed (``義務(wù)``), spam header
lines, copyright / related-reading / editor footers, truncation to 60 %, another page's
navigation merged around the text. Planted non-copies: the dev corpus's own templated
reports of different provinces (found by shingle containment ≥ 0.4 between articles labelled
with different regions), its same-event write-ups by different outlets (same region and
same event date, different text), and the same release rewritten for another province
(province name swapped, and in half of them one figure changed).

Ground truth: every dev article, every rewrite and every copy belongs to one cluster (an
article and its copies); the records are shuffled, so the expected ``duplicate_of`` of a
record is the id of its cluster's first record in the stream, "" for that record itself.

Used by ``benchmarks/mirrors.py`` and ``tests/test_mirrors.py``; needs ``pypinyin``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

# ``../shared/corpus`` beside the checkout; a git worktree one level further down finds it too.
CORPUS = next(
    (
        p / "shared" / "corpus"
        for p in Path(__file__).resolve().parents[1].parents[:2]
        if (p / "shared" / "corpus").is_dir()
    ),
    Path(__file__).resolve().parents[1].parent / "shared" / "corpus",
)
CORPUS_FILES = ("dev.jsonl", "dev_round2.jsonl")
TRANSFORMS = ("traditional", "glosses", "spam", "footer", "truncate", "navigation")

_SENTENCE = re.compile("[,，。;；!！?？]")


@dataclass
class PlantedSet:
    """Records in stream order and the truth about them."""

    records: list[dict] = field(default_factory=list)  # {"id", "text", "kind", "source"}
    cluster: dict[str, str] = field(default_factory=dict)  # id -> cluster name
    templated_pairs: list[tuple[str, str]] = field(default_factory=list)
    same_event_pairs: list[tuple[str, str]] = field(default_factory=list)

    def expected(self) -> list[str]:
        """Expected ``duplicate_of`` per record, in stream order."""
        first: dict[str, str] = {}
        out = []
        for rec in self.records:
            c = self.cluster[rec["id"]]
            out.append(first.get(c, ""))
            first.setdefault(c, rec["id"])
        return out


@dataclass
class Scores:
    """Link figures: a link is a record's ``duplicate_of`` pointing at an earlier record."""

    links: int
    correct_links: int
    expected_links: int
    found_links: int
    exact: float
    precision: float
    recall: float


def score(planted: PlantedSet, predicted: Sequence[str]) -> Scores:
    """Precision: predicted links whose target is in the record's cluster; recall: records
    with an earlier copy that got a link into their cluster; exact: ``duplicate_of`` equal
    to the expected first copy's id."""
    expected = planted.expected()
    links = correct = found = exact = 0
    for rec, pred, want in zip(planted.records, predicted, expected):
        same = bool(pred) and planted.cluster.get(pred) == planted.cluster[rec["id"]]
        links += bool(pred)
        correct += same
        found += bool(want) and same
        exact += pred == want
    n_expected = sum(bool(w) for w in expected)
    return Scores(
        links,
        correct,
        n_expected,
        found,
        exact / max(len(expected), 1),
        correct / links if links else 1.0,
        found / n_expected if n_expected else 1.0,
    )


def load_corpus(root: Path = CORPUS) -> list[dict]:
    """The labelled dev articles (both rounds)."""
    out = []
    for name in CORPUS_FILES:
        path = root / name
        if path.exists():
            out.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return out


def _shingles(text: str, k: int = 5) -> set[str]:
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def find_templated(
    articles: Sequence[dict], clean: Sequence[str], min_containment: float = 0.4
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(templated pairs of different regions, same-event pairs of different outlets)."""
    sh = [_shingles(c) for c in clean]
    templated, same_event = [], []
    for i, j in combinations(range(len(articles)), 2):
        a, b = articles[i], articles[j]
        if not sh[i] or not sh[j]:
            continue
        cont = len(sh[i] & sh[j]) / min(len(sh[i]), len(sh[j]))
        if cont >= min_containment and a["region"] != b["region"]:
            templated.append((a["id"], b["id"]))
        elif (
            a.get("date")
            and len(a["date"]) >= 7
            and a["date"] == b.get("date")
            and a["region"] == b["region"]
            and cont < 0.5
        ):
            same_event.append((a["id"], b["id"]))
    return templated, same_event


# ----------------------------------------------------------------------------- transforms

_SPAM = (
    "热门搜索:技术资讯 气缸厂家 免费服务热线 010-00000000",
    "当前位置:首页 > 新闻中心 > 行业动态",
    "发布时间:2024-11-23 12:14:16 来源:环球聚焦传媒网 阅读:316",
    "更全更新信息实报!热点",
    "免费邮箱注册 | 新闻热线:1377711070",
    "【推荐】最新资讯 每日更新 立即关注",
)
_FOOTERS = (
    "版权所有 © 2024 教育资讯网 京ICP备12345678号-1",
    "声明:本文来源于网络,如有侵权请联系删除。",
    "责任编辑:王明",
    "关于我们 | 联系我们 | 网站地图 | 免责声明",
    "京公网安备 11010502030000号",
)
_MENU = "首页 | 新闻 | 教育 | 政务公开 | 互动交流 | 专题专栏"


class _Maker:
    def __init__(self, articles: Sequence[dict], rng: random.Random) -> None:
        import opencc
        import pypinyin

        self._s2t = opencc.OpenCC("s2t")
        self._pinyin = pypinyin
        self.articles = articles
        self.rng = rng

    def traditional(self, text: str) -> str:
        return self._s2t.convert(text)

    def glosses(self, simplified: str, traditional: str) -> str:
        if len(simplified) != len(traditional):  # s2t is one char to one char in practice
            return traditional
        out = []
        for s, t in zip(simplified, traditional):
            out.append(t)
            if s != t and self.rng.random() < 0.8:
                syllable = self._pinyin.pinyin(s, style=self._pinyin.Style.TONE)[0][0]
                if any(c in "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ" for c in syllable):
                    out.append(f"({syllable})")
        return "".join(out)

    def spam(self, text: str) -> str:
        lines = self.rng.sample(_SPAM, self.rng.randint(1, 3))
        if self.rng.random() < 0.5:  # the seeds' kind: the start of the body repeated, cut off
            lines.append(text.replace("\n", "")[:100] + "...")
        return "\n".join([*lines, text])

    def footer(self, text: str) -> str:
        others = self.rng.sample(list(self.articles), 3)
        related = ["相关阅读:", *(o["text"].strip().split("\n")[0][:30] for o in others)]
        return "\n".join([text, *self.rng.sample(_FOOTERS, 2), *related])

    def truncate(self, text: str) -> str:
        return text[: int(len(text) * 0.6)]

    def navigation(self, text: str) -> str:
        other = self.rng.choice(self.articles)["text"].split("\n")
        nav = [
            line.strip() for line in other if line.strip() and len(line.strip()) < 25 and not _SENTENCE.search(line)
        ][:8]
        top = [_MENU, *nav[:4]]
        bottom = nav[4:] or [_MENU]
        return "\n".join([*top, text, *bottom])

    def copy(self, text: str, transforms: Sequence[str]) -> str:
        simplified = text
        if "truncate" in transforms:
            text = simplified = self.truncate(text)
        if "glosses" in transforms:
            text = self.glosses(simplified, self.traditional(simplified))
        elif "traditional" in transforms:
            text = self.traditional(text)
        for name in ("spam", "footer", "navigation"):
            if name in transforms:
                text = getattr(self, name)(text)
        return text


def _short_name(full: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if full.endswith(suffix):
            return full[: -len(suffix)]
    return full


def _body_half(clean: str) -> str:
    body = "".join(line for line in clean.split("\n") if len(line) >= 16 and _SENTENCE.search(line))
    return body[: len(body) // 2]


def rewrite_for_province(text: str, region: str, other: str, rng: random.Random, change_figure: bool) -> str:
    """``text`` with province ``region`` replaced by ``other`` (full and short names)."""
    text = text.replace(region, other).replace(_short_name(region), _short_name(other))
    if change_figure:
        numbers = list(re.finditer(r"(?<!\d)([1-9]\d{0,2})(?!\d)", text))
        if numbers:
            m = rng.choice(numbers)
            text = text[: m.start()] + str(int(m.group()) + rng.randint(1, 9)) + text[m.end() :]
    return text


def build(
    articles: Sequence[dict] | None = None, *, seed: int = 0, copied: int = 200, rewrites: int = 40
) -> PlantedSet:
    """The planted set: ``copied`` articles get one or two copies; ``rewrites`` province rewrites."""
    from classifier.labels import PROVINCES
    from classifier.normalize import normalize

    articles = list(load_corpus() if articles is None else articles)
    rng = random.Random(seed)
    maker = _Maker(articles, rng)
    planted = PlantedSet()
    clean = [normalize(a["text"]) for a in articles]
    planted.templated_pairs, planted.same_event_pairs = find_templated(articles, clean)
    records = []
    for a in articles:
        records.append({"id": a["id"], "text": a["text"], "kind": "article", "source": a["id"]})
        planted.cluster[a["id"]] = a["id"]
    # Copies: each transform is used about equally often, alone and in combinations.
    for n, a in enumerate(rng.sample(articles, min(copied, len(articles)))):
        for k in range(1 + (n % 2)):
            transforms = rng.sample(TRANSFORMS, rng.choice((1, 1, 2, 3)))
            cid = f"{a['id']}~copy{k}"
            records.append(
                {
                    "id": cid,
                    "text": maker.copy(a["text"], transforms),
                    "kind": "copy:" + "+".join(sorted(transforms)),
                    "source": a["id"],
                }
            )
            planted.cluster[cid] = a["id"]
    # Rewrites for another province: only where the release's sentences name the province (a
    # page whose only change is its headline is the same text, a copy).
    provinces = [p for p in PROVINCES if p not in ("台湾省", "香港特别行政区", "澳门特别行政区")]
    # The province must be named in the first half of the body: else a copy of the source
    # truncated to 60 % is, letter for letter, also a truncated copy of the rewrite. Rewritten
    # from the clean text (the raw one may be in traditional script).
    eligible = [
        (a, c)
        for a, c in zip(articles, clean)
        if a["region"] in provinces and _short_name(a["region"]) in _body_half(c)
    ]
    for n, (a, c) in enumerate(rng.sample(eligible, min(rewrites, len(eligible)))):
        other = rng.choice([p for p in provinces if p != a["region"]])
        rid = f"{a['id']}~rewrite"
        records.append(
            {
                "id": rid,
                "text": rewrite_for_province(c, a["region"], other, rng, n % 2 == 1),
                "kind": "rewrite",
                "source": a["id"],
            }
        )
        planted.cluster[rid] = rid
    rng.shuffle(records)
    planted.records = records
    return planted
