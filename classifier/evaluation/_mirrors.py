"""A planted mirror-copy set built from labeled articles, and link precision and recall on it.

Planted copies of the articles, each with one to three of: traditional script, pinyin
glosses (on the traditional text, as mirror pages paste them: ``義務(wù)``), spam header lines
(and the seeds' kind: the start of the body repeated and cut off with "..."), copyright /
related-reading footers, truncation to 60 %, another article's navigation lines merged
around the text. Planted non-copies: the articles' own templated reports of different
provinces (shingle containment ≥ 0.4 between articles labeled with different regions),
their same-event write-ups by different outlets (same region and same day, containment
< 0.5), and the same release rewritten for another province (its province names swapped;
in half of them one figure changed too).

Ground truth: an article and its copies form one cluster; a rewrite is a cluster of its
own. The records are shuffled; the expected ``duplicate_of`` of a record is the id of its
cluster's first record in that order, "" for that record itself. Nothing here is stored:
the set is rebuilt from the corpus at run time (``benchmarks/mirrors.py``,
``tests/test_mirrors.py``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from ..labels import PROVINCES
from ..normalize import normalize
from ._perturbations import append_footers, insert_pinyin, prepend_spam, to_traditional

#: Ways a planted copy differs from its article.
COPY_TRANSFORMS: tuple[str, ...] = ("traditional", "glosses", "spam", "footer", "truncate", "navigation")

_SENTENCE = re.compile("[,，。;；!！?？]")
_HEADERS = (
    "当前位置:首页 > 新闻中心 > 行业动态",
    "发布时间:2024-11-23 12:14:16 来源:环球聚焦传媒网 阅读:316",
    "更全更新信息实报!热点",
)
_MENU = "首页 | 新闻 | 教育 | 政务公开 | 互动交流 | 专题专栏"


@dataclass
class PlantedMirrors:
    """Records in stream order (``id``, ``text``, ``kind``, ``source``) and the truth about them."""

    records: list[dict] = field(default_factory=list)
    #: record id -> cluster name (an article and its copies share one).
    cluster: dict[str, str] = field(default_factory=dict)
    #: Templated reports of different provinces among the articles (id pairs).
    templated_pairs: list[tuple[str, str]] = field(default_factory=list)
    #: Same-event write-ups by different outlets among the articles (id pairs).
    same_event_pairs: list[tuple[str, str]] = field(default_factory=list)

    def expected(self) -> list[str]:
        """Expected ``duplicate_of`` of each record, in stream order."""
        first: dict[str, str] = {}
        out = []
        for rec in self.records:
            name = self.cluster[rec["id"]]
            out.append(first.get(name, ""))
            first.setdefault(name, rec["id"])
        return out


@dataclass
class MirrorScores:
    """Link figures: a link is a record's ``duplicate_of`` pointing at an earlier record."""

    links: int
    correct_links: int
    expected_links: int
    found_links: int
    #: Share of records whose ``duplicate_of`` is exactly the expected first copy's id.
    exact: float
    #: Links into the record's own cluster / links made.
    precision: float
    #: Records with an earlier copy that got a link into their cluster / such records.
    recall: float


def mirror_scores(planted: PlantedMirrors, predicted: Sequence[str]) -> MirrorScores:
    """Link precision and recall of ``predicted`` ``duplicate_of`` values (stream order)."""
    expected = planted.expected()
    links = correct = found = exact = 0
    for rec, pred, want in zip(planted.records, predicted, expected):
        same = bool(pred) and planted.cluster.get(pred) == planted.cluster[rec["id"]]
        links += bool(pred)
        correct += same
        found += bool(want) and same
        exact += pred == want
    n_expected = sum(bool(w) for w in expected)
    return MirrorScores(
        links,
        correct,
        n_expected,
        found,
        exact / max(len(expected), 1),
        correct / links if links else 1.0,
        found / n_expected if n_expected else 1.0,
    )


def _shingles(text: str, k: int = 5) -> set[str]:
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def find_templated(
    articles: Sequence[dict], clean: Sequence[str] | None = None, min_containment: float = 0.4
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(templated pairs of different regions, same-event pairs of different outlets) among
    labeled articles; ``clean``: their normalised texts when already at hand."""
    clean = [normalize(a["text"]) for a in articles] if clean is None else clean
    sh = [_shingles(c) for c in clean]
    templated, same_event = [], []
    for i, j in combinations(range(len(articles)), 2):
        a, b = articles[i], articles[j]
        if not sh[i] or not sh[j]:
            continue
        cont = len(sh[i] & sh[j]) / min(len(sh[i]), len(sh[j]))
        if cont >= min_containment and a["region"] != b["region"]:
            templated.append((a["id"], b["id"]))
        elif len(a.get("date") or "") >= 7 and a["date"] == b.get("date") and a["region"] == b["region"]:
            if cont < 0.5:
                same_event.append((a["id"], b["id"]))
    return templated, same_event


class _Copier:
    def __init__(self, articles: Sequence[dict], rng: random.Random) -> None:
        self.articles = articles
        self.rng = rng

    def spam(self, text: str) -> str:
        text = prepend_spam(text, n_lines=self.rng.randint(1, 2), seed=self.rng.randrange(1 << 30))
        lines = self.rng.sample(_HEADERS, self.rng.randint(0, 2))
        if self.rng.random() < 0.5:  # the seeds' kind: the start of the body repeated, cut off
            lines.append(text.split("\n", 2)[-1].replace("\n", "")[:100] + "...")
        return "\n".join([*lines, text])

    def footer(self, text: str) -> str:
        titles = [o["text"].strip().split("\n")[0][:30] for o in self.rng.sample(list(self.articles), 3)]
        return append_footers(text) + "\n相关阅读:\n" + "\n".join(titles)

    def navigation(self, text: str) -> str:
        other = self.rng.choice(self.articles)["text"].split("\n")
        nav = [s for s in (line.strip() for line in other) if s and len(s) < 25 and not _SENTENCE.search(s)][:8]
        return "\n".join([_MENU, *nav[:4], text, *(nav[4:] or [_MENU])])

    def copy(self, text: str, transforms: Sequence[str]) -> str:
        if "truncate" in transforms:
            text = text[: int(len(text) * 0.6)]
        if "traditional" in transforms or "glosses" in transforms:
            text = to_traditional(text)
        if "glosses" in transforms:
            text = insert_pinyin(text, rate=0.5, seed=self.rng.randrange(1 << 30))
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
    """``text`` with province ``region`` replaced by ``other`` (full and short names); with
    ``change_figure`` one number (1-999) raised too."""
    text = text.replace(region, other).replace(_short_name(region), _short_name(other))
    numbers = list(re.finditer(r"(?<!\d)([1-9]\d{0,2})(?!\d)", text)) if change_figure else []
    if numbers:
        m = rng.choice(numbers)
        text = text[: m.start()] + str(int(m.group()) + rng.randint(1, 9)) + text[m.end() :]
    return text


def planted_mirror_set(
    articles: Sequence[dict], *, seed: int = 0, copied: int = 200, rewrites: int = 40
) -> PlantedMirrors:
    """The planted set from labeled ``articles`` (``id``, ``text``, ``region``, ``date``):
    ``copied`` of them get one or two copies, ``rewrites`` a rewrite for another province."""
    articles = list(articles)
    rng = random.Random(seed)
    copier = _Copier(articles, rng)
    planted = PlantedMirrors()
    clean = [normalize(a["text"]) for a in articles]
    planted.templated_pairs, planted.same_event_pairs = find_templated(articles, clean)
    records = []
    for a in articles:
        records.append({"id": a["id"], "text": a["text"], "kind": "article", "source": a["id"]})
        planted.cluster[a["id"]] = a["id"]
    for n, a in enumerate(rng.sample(articles, min(copied, len(articles)))):
        for k in range(1 + n % 2):
            transforms = rng.sample(COPY_TRANSFORMS, rng.choice((1, 1, 2, 3)))
            cid = f"{a['id']}~copy{k}"
            kind = "copy:" + "+".join(sorted(transforms))
            records.append({"id": cid, "text": copier.copy(a["text"], transforms), "kind": kind, "source": a["id"]})
            planted.cluster[cid] = a["id"]
    # Rewrites: the province must be named in the first half of the body, else a copy of the
    # source cut to 60 % is, letter for letter, also a cut copy of the rewrite. Rewritten from
    # the clean text (the raw one may be in traditional script).
    provinces = [p for p in PROVINCES if p not in ("台湾省", "香港特别行政区", "澳门特别行政区")]
    eligible = [
        (a, c)
        for a, c in zip(articles, clean)
        if a.get("region") in provinces and _short_name(a["region"]) in _body_half(c)
    ]
    for n, (a, c) in enumerate(rng.sample(eligible, min(rewrites, len(eligible)))):
        other = rng.choice([p for p in provinces if p != a["region"]])
        rid = f"{a['id']}~rewrite"
        text = rewrite_for_province(c, a["region"], other, rng, n % 2 == 1)
        records.append({"id": rid, "text": text, "kind": "rewrite", "source": a["id"]})
        planted.cluster[rid] = rid
    rng.shuffle(records)
    planted.records = records
    return planted
