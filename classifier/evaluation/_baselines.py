"""Baselines the model is compared with: keyword rules, and the textbook TF-IDF + SVM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..labels import DEFAULT_TOPICS, NATIONAL, PROVINCES, TOPIC_PROBA
from ..normalize import normalize

# The keyword rules' own short cue lists, on purpose apart from ``topic.CUES``: the baseline is
# what a hand-written rule set gives (the first matching phrase decides, substrings of the raw
# text), and the reported baseline figures stay comparable across changes to the model's cues.
_QA_CUES = ("答记者问", "回答记者提问", "记者提问", "新闻发布会", "问：", "答：")
_VISIT_CUES = (
    "督导评估",
    "督导检查",
    "实地督导",
    "督导组",
    "评估认定",
    "省级督导",
    "反馈会",
    "自评汇报会",
    "实地核查",
    "检查验收",
    "督导认定",
    "检查组",
)
_MEETING_CUES = ("座谈会", "研讨会", "推进会", "现场会", "经验交流会", "论坛", "工作会议", "专题报告")
_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def _short_name(full: str) -> str:
    for suffix in _SUFFIXES:
        if full.endswith(suffix):
            return full[: -len(suffix)]
    return full


_PROVINCE_SHORT = {_short_name(name): name for name in PROVINCES}


def keyword_rules(text: str) -> dict[str, str]:
    """Topic from the cue words of LABELING.md (in its precedence order), region from the
    most-mentioned province name (``全国`` when none)."""
    clean = normalize(text)
    if any(c in clean for c in _QA_CUES):
        topic = "progress_qa"
    elif any(c in clean for c in _VISIT_CUES):
        topic = "supervision_visit"
    elif any(c in clean for c in _MEETING_CUES):
        topic = "symposium"
    else:
        topic = "other"
    counts = {full: clean.count(short) for short, full in _PROVINCE_SHORT.items()}
    best = max(counts, key=lambda name: counts[name])
    region = best if counts[best] > 0 else NATIONAL
    return {"topic": topic, "region": region}


class KeywordRules:
    """The keyword-rule baseline as an estimator: ``fit`` learns nothing."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {}

    def set_params(self, **params: Any) -> KeywordRules:
        return self

    def fit(self, X: Sequence[str], y: Any = None) -> KeywordRules:
        self.classes_ = np.array(DEFAULT_TOPICS)
        return self

    def predict(self, X: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for text in X:
            rec: dict[str, Any] = dict(keyword_rules(text))
            rec[TOPIC_PROBA] = {t: float(t == rec["topic"]) for t in DEFAULT_TOPICS}
            out.append(rec)
        return out


def _textbook() -> Any | None:
    try:
        from ..topic import textbook_baseline
    except ImportError:
        return None
    return textbook_baseline()
