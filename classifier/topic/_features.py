"""Topic features and calibrated linear scores, computed with numpy alone.

``TopicClassifier`` (``classifier.topic``) learns with scikit-learn and keeps its fitted
state here, in a ``TopicScorer``: the documents of each feature block are built by the
functions below both when fitting and when predicting, and prediction (and so loading a
model file) never imports scikit-learn, whose import alone costs a second of start-up.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from ..segment import tokenize_lead

#: Cue words of each topic, from the label guide (../shared/LABELING.md) and general usage in
#: Chinese education news; each is a whole token of ``classifier.segment.tokenize``.  They get
#: their own small feature block (present in the lead, count in the text) so that a cue is not
#: drowned among thousands of sparse word features learnt from a couple of hundred articles.
CUES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "supervision_visit": (
            "督导",
            "督导评估",
            "督导检查",
            "实地督导",
            "督导组",
            "督导团",
            "督学",
            "总督学",
            "评估认定",
            "省级督导",
            "国家督导",
            "反馈会",
            "反馈意见",
            "意见反馈",
            "自评汇报会",
            "汇报会",
            "实地核查",
            "检查验收",
            "验收",
            "复评",
            "复核",
            "检查组",
            "评估组",
            "专家组",
            "调研",
            "视察",
            "督查",
            "暗访",
            "整改",
            "实地考察",
            "实地查看",
            "听取汇报",
            "专题询问",
            "执法检查",
            "访视",
        ),
        "symposium": (
            "座谈会",
            "研讨会",
            "推进会",
            "现场会",
            "经验交流会",
            "交流会",
            "论坛",
            "工作会议",
            "会议",
            "专题报告",
            "报告会",
            "动员会",
            "部署会",
            "大会",
            "年会",
            "峰会",
            "启动会",
            "培训会",
            "观摩会",
            "视频会",
            "电视电话会议",
            "同志",
            "讲话",
            "致辞",
            "交流发言",
            "典型发言",
            "开幕",
            "召开",
            "举行",
        ),
        "progress_qa": (
            "答记者问",
            "回答记者提问",
            "记者提问",
            "记者问",
            "新闻发布会",
            "发布会",
            "新闻通气会",
            "新闻发言人",
            "发言人",
            "答问",
            "专访",
            "访谈",
            "在线访谈",
            "记者",
            "问",
            "答",
            "获悉",
            "介绍",
            "采访",
            "接受采访",
            "提问",
            "回答",
            "做客",
            "部长通道",
            "委员通道",
            "代表通道",
        ),
        "other": (
            "通知",
            "印发",
            "名单",
            "公示",
            "公告",
            "办法",
            "实施方案",
            "实施意见",
            "指导意见",
            "报告",
            "摘要",
            "关键词",
            "统计",
            "公报",
            "研究",
            "论文",
            "参考文献",
            "评论",
            "年度报告",
            "监测报告",
        ),
    }
)
# Typical norm of a cue row on news articles: cue_weight=1 makes the block as long as a tf-idf row.
CUE_SCALE = 3.0
# Lines of a Q&A layout: "问:" / "答:" / "记者:" heads (or a bare 问 / 答 line) and question lines.
_QA_HEAD = re.compile(r"^(?:问|答|记者|主持人|[QA])\s*(?:[:：]|$)", re.MULTILINE)
_QUESTION_LINE = re.compile(r"[?？]\s*$", re.MULTILINE)

#: Cue groups as a hashable value: ``((group name, (cue word, ...)), ...)``.
CueGroups = tuple[tuple[str, tuple[str, ...]], ...]


class CueTable:
    """The cue words of some groups (one group per topic) and the layout of their cue rows.

    A cue row holds: each cue word in the lead, each cue word in the text (with ``words``),
    each group's cue words in the lead, each group's in the text, then the Q&A heads and the
    question lines (offsets ``lead_words`` ... ``question_lines``; length ``size``).
    """

    def __init__(self, groups: Mapping[str, Sequence[str]], words: bool = True):
        self.groups: Mapping[str, tuple[str, ...]] = MappingProxyType({g: tuple(t) for g, t in groups.items()})
        self.index = {term: i for i, term in enumerate(dict.fromkeys(t for terms in groups.values() for t in terms))}
        self.terms = frozenset(self.index)
        self.group_matrix = np.array(
            [[term in terms for term in self.index] for terms in self.groups.values()], dtype=np.float64
        ).reshape(len(self.groups), len(self.index))
        self.words = words
        n_words = len(self.index) if words else 0
        self.lead_words = 0
        self.text_words = self.lead_words + n_words
        self.lead_groups = self.text_words + n_words
        self.text_groups = self.lead_groups + len(self.groups)
        self.qa_heads = self.text_groups + len(self.groups)
        self.question_lines = self.qa_heads + 1
        self.size = self.question_lines + 1

    def row(self, text: str, counts: Mapping[str, int], lead: Iterable[str]) -> np.ndarray:
        """Cue features of one text from its token ``counts`` and its ``lead`` tokens."""
        n = len(self.index)
        lead_row, whole_row = np.zeros(n), np.zeros(n)
        for tok in counts.keys() & self.terms:
            whole_row[self.index[tok]] = counts[tok]
        for tok in self.terms.intersection(lead):
            lead_row[self.index[tok]] = 1
        questions = len(_QUESTION_LINE.findall(text)) if ("?" in text or "？" in text) else 0
        layout = [len(_QA_HEAD.findall(text)), questions]
        group = self.group_matrix
        # log1p everywhere: a second mention adds less than the first, and no count dwarfs the rest.
        if not self.words:
            return np.log1p(np.concatenate([group @ lead_row, group @ whole_row, layout]))
        return np.log1p(np.concatenate([lead_row, whole_row, group @ lead_row, group @ whole_row, layout]))


#: The cue table of the hand-written ``CUES`` (the default topics).
GUIDE_CUES = CueTable(CUES)
_TABLES: dict[CueGroups, CueTable] = {}


def learn_cues(
    leads: Sequence[Iterable[str]], labels: Sequence[str], k: int, min_df: int = 2, min_lift: float = 2.0
) -> CueGroups:
    """The ``k`` most discriminative lead words of each label: cue groups learned from data.

    A word's score for a label is ``p · log(p / q)``, with ``p`` and ``q`` the (smoothed)
    shares of that label's and of the other labels' leads holding it; words in fewer than
    ``min_df`` leads of the label, or fewer than ``min_lift`` times as frequent there as
    elsewhere, are left out.
    Groups follow the first-seen order of ``labels``'s distinct values.

    Examples
    --------
    >>> leads = [["督导", "学校"], ["督导", "评估"], ["座谈会", "学校"], ["座谈会", "召开"]]
    >>> learn_cues(leads, ["visit", "visit", "meeting", "meeting"], k=1)
    (('visit', ('督导',)), ('meeting', ('座谈会',)))
    """
    sets = [set(lead) for lead in leads]
    names = list(dict.fromkeys(labels))
    df: dict[str, Counter[str]] = {name: Counter() for name in names}
    sizes = Counter(labels)
    for terms, label in zip(sets, labels):
        df[label].update(terms)
    total: Counter[str] = Counter()
    for counts in df.values():
        total.update(counts)
    out = []
    n = len(labels)
    for name in names:
        n_in, n_out = sizes[name], n - sizes[name]
        scored = []
        for term, inside in df[name].items():
            if inside < min_df:
                continue
            p = (inside + 0.5) / (n_in + 1.0)
            q = (total[term] - inside + 0.5) / (n_out + 1.0)
            if p >= min_lift * q:
                scored.append((-p * np.log(p / q), term))
        out.append((name, tuple(term for _, term in sorted(scored)[:k])))
    return tuple(out)


def cue_table(groups: CueGroups | None) -> CueTable:
    """The cue table of ``groups`` (None: the hand-written ``CUES``), built once per process.

    Learned groups give group features only (how many of a class's cue words are in the lead
    and in the text): the single words are in the tf-idf blocks already, and group counts
    are what out-of-fold training rows can describe consistently (see ``TopicClassifier``).
    """
    if groups is None:
        return GUIDE_CUES
    table = _TABLES.get(groups)
    if table is None:
        table = _TABLES[groups] = CueTable(dict(groups), words=False)
    return table


_CUE_INDEX = GUIDE_CUES.index
_CUE_TERMS = GUIDE_CUES.terms


class GuideRule(NamedTuple):
    """A boundary the label guide settles: a pattern of the lead (or the whole text) and its topic."""

    name: str
    topic: str
    pattern: re.Pattern
    lead_only: bool


#: The label guide's "points that come up often" (../shared/LABELING.md), as patterns.  The
#: training articles hold few or none of these pages (dev.jsonl has no congress 调研 and no
#: hotline page), so the rules act as a prior: each match adds ``guide_weight`` to the log-odds
#: of its topic, on top of the learned scores (see ``TopicClassifier``).
GUIDE_RULES: tuple[GuideRule, ...] = (
    # Officials answering citizens on a hotline, a radio call-in or a TV 问政 programme: other.
    # (A hotline number in a page's header or footer, 新闻热线: 0571..., is no such programme.)
    GuideRule(
        "hotline", "other", re.compile(r"热线(?:电话)?(?:节目|直播|交流)|走进[^。]{0,20}热线|问政|接听|听众|来电"), True
    ),
    # An interview with an official by reporters, written as questions and answers: progress_qa ...
    GuideRule(
        "interview",
        "progress_qa",
        re.compile(
            r"答记者问|记者问|本刊记者|专访|会见传媒|与传媒|传媒谈话|答问内容|记者会|记者招待会|访谈内容|以下为访谈|"
            r"接受[^。，,]{0,12}采访|两会(?:直播间|访谈)"
        ),
        False,
    ),
    # ... and progress retold from a press conference (precedence 1 of the guide).
    GuideRule(
        "press_conference",
        "progress_qa",
        re.compile(
            r"(?:召开|举行)[^。]{0,8}(?:新闻发布会|新闻通气会|记者会|发布会)|"
            r"在[^。]{0,20}(?:新闻发布会|新闻通气会|记者会|发布会)上"
        ),
        True,
    ),
    # A people's congress or CPPCC 调研, 视察 or 专题询问 of education work: supervision_visit ...
    GuideRule(
        "congress",
        "supervision_visit",
        re.compile(r"(?:人大|政协|常委会)[^。]{0,30}?(?:调研|视察|专题询问|执法检查)|(?:专题询问|执法检查)"),
        True,
    ),
    # ... but a study tour of peers from elsewhere is not.
    GuideRule("study_tour", "symposium", re.compile(r"学习考察|考察学习|学习交流|交流学习"), True),
    # A work meeting of the jurisdiction itself (部署会, 动员会, a committee's 全体会议, 教研 activity),
    # even about inspection work, is a meeting: symposium.
    GuideRule(
        "work_meeting",
        "symposium",
        re.compile(r"部署会|动员会|部署会议|联席会议(?!制度)|全体会议|教研活动|联片教研|培训会"),
        True,
    ),
    # Outcomes without an event (lists of counties that passed, their announcement): other.
    GuideRule(
        "passed_list",
        "other",
        re.compile(
            r"公布了?[^。]{0,30}名单|榜上有名|名单的?(?:通知|公示|公告)|"
            r"(?:认定|通过)[^。]{0,30}(?:县|区)[^。]{0,10}(?:名单|的公示|的通知)|等\d+个县[^。]{0,10}(?:为|通过)"
        ),
        True,
    ),
    # Pages about what inspection is, exam and knowledge Q&A, preparation guides: other.
    GuideRule(
        "explainer",
        "other",
        re.compile(
            r"是什么[?？]|什么是|简述|试题|考点|题库|答案|第[一二三四五六七八九十百\d]+章|手册|应知应会|知识问答|"
            r"名词解释|问答题|选择题"
        ),
        True,
    ),
    # Templates, fiction and pages with no real article: other.
    GuideRule("template", "other", re.compile(r"网友上传|不代表本站观点|范文|小说|第\d+部分|章节"), False),
)
N_GUIDE = len(GUIDE_RULES)
_GUIDE_LEAD = 150


def guide_row(text: str) -> np.ndarray:
    """Which ``GUIDE_RULES`` match ``text`` (1.0 or 0.0 per rule)."""
    lead = text[:_GUIDE_LEAD]
    return np.array([1.0 if r.pattern.search(lead if r.lead_only else text) else 0.0 for r in GUIDE_RULES])


def cue_row(text: str, counts: Mapping[str, int], lead: Iterable[str]) -> np.ndarray:
    """Cue features of one text from its token ``counts`` and its ``lead`` tokens (the
    hand-written ``CUES``): per cue word and per topic group, in the lead and in the text,
    and the Q&A layout."""
    return GUIDE_CUES.row(text, counts, lead)


#: Offsets of the blocks of a cue row of the hand-written ``CUES``: each cue word in the lead,
#: each cue word in the text, each topic's cue words in the lead, each topic's in the text,
#: then the Q&A heads and the question lines.
CUE_LEAD_WORDS = GUIDE_CUES.lead_words
CUE_TEXT_WORDS = GUIDE_CUES.text_words
CUE_LEAD_GROUPS = GUIDE_CUES.lead_groups
CUE_TEXT_GROUPS = GUIDE_CUES.text_groups
CUE_QA_HEADS = GUIDE_CUES.qa_heads
CUE_QUESTION_LINES = GUIDE_CUES.question_lines
#: Length of a cue row of the hand-written ``CUES``.
N_CUES = GUIDE_CUES.size
_WHITESPACE = re.compile(r"\s\s+")


def word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    """Word n-grams of ``tokens`` (joined by a space), for n in ``lo..hi``."""
    out = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        if n == 2:
            out.extend([f"{a} {b}" for a, b in zip(tokens, tokens[1:])])
        else:
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of ``text`` (lower-cased, whitespace runs collapsed), n in ``lo..hi``."""
    text = _WHITESPACE.sub(" ", text.lower())
    out: list[str] = []
    for n in range(lo, hi + 1):
        out.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return out


def identity(doc: list[str]) -> list[str]:
    """The analyzer of vectorizers whose documents are already lists of terms."""
    return doc


@dataclass(frozen=True)
class FeatureSpec:
    """How a clean text becomes the documents of each feature block."""

    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] | None = None
    lead_chars: int = 120
    lead: bool = True
    cues: bool = True
    #: The cue words (None: the hand-written ``CUES``); learned ones are set by the estimator.
    cue_groups: CueGroups | None = None

    @property
    def cue_table(self) -> CueTable:
        """The cue table of ``cue_groups``."""
        return cue_table(self.cue_groups)

    def documents(self, text: str) -> dict[str, object]:
        """Terms of the ``word``, ``lead`` and ``char`` blocks and the ``cues`` row (one jieba pass)."""
        return self.documents_of_tokens(text, *tokenize_lead(text, self.lead_chars))

    def documents_of_tokens(self, text: str, tokens: list[str], n_lead: int) -> dict[str, object]:
        """``documents`` of a text whose ``tokenize_lead`` is already known."""
        lo, hi = self.word_ngram_range
        docs: dict[str, object] = {"word": word_ngrams(tokens, lo, hi)}
        if self.lead:
            docs["lead"] = word_ngrams(tokens[:n_lead], lo, hi)
        if self.char_ngram_range:
            docs["char"] = char_ngrams(text, *self.char_ngram_range)
        if self.cues:
            docs["cues"] = cue_table(self.cue_groups).row(text, Counter(tokens), tokens[:n_lead])
        return docs
