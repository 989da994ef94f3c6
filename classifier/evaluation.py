"""Evaluation: grouped cross-validation, metrics, calibration, robustness and reports.

Entry points: :func:`run_evaluation` (files in, report out; what ``classifier evaluate``
calls), :func:`evaluate` (records and an estimator in, report dict out),
:func:`seed_loo`, :func:`write_report`, :func:`format_summary` and
:func:`cross_validate_summary` (the compact scores stored in a model file).

Any estimator with the ``ArticleClassifier`` interface can be evaluated (``fit(X, y)`` with
``y`` label dicts, ``predict(X)`` → prediction dicts); a topic-only estimator over texts
(``predict`` → topic strings, e.g. ``topic.textbook_baseline()``) with ``target="topic"``.
Estimators are cloned, never fitted in place.

Report keys (:func:`evaluate` / :func:`run_evaluation`; a section that was not computed
is ``None``, the key is always there)::

    schema            int, bumped when a key changes meaning (now 1)
    classifier_version
    setup             {mode: "cv"|"holdout"|"train_test", n_splits, seed, n_bootstrap,
                       estimator, sources, model}
    data              {n_articles, topic_counts {topic: n}, region_counts {region: n},
                       n_groups, duplicate_groups [[id, ...] groups of >1 near-duplicates]}
    topic             figures: {n, accuracy, accuracy_ci [lo, hi], macro_f1, macro_f1_ci,
                       labels [...], per_class {label: {precision, recall, f1, support}},
                       confusion [[...]] (rows gold, columns predicted, in `labels` order)}
    region            figures, as for topic, on the province-level region
    city              {n, accuracy, accuracy_ci} over articles whose gold city is labeled
    county            {n, accuracy, accuracy_ci} over articles whose gold county is labeled
    calibration       {n_bins, bins [{lower, upper, count, confidence, accuracy}], ece,
                       coverage [{threshold, coverage, accuracy}]} of the top topic probability
    baselines         {name: {topic: figures, region: figures|None}} on the same folds;
                       names "keyword_rules", "textbook"
    robustness        {clean: scores, perturbations {name: scores + drops}}; scores =
                       {topic_accuracy, topic_macro_f1, region_accuracy}; drops =
                       {topic_macro_f1_drop, region_accuracy_drop} (clean minus perturbed)
    learning_curve    [{fraction, train_size, topic_macro_f1, topic_macro_f1_std,
                       region_accuracy, n_folds}]
    seed_loo          {with_data: loo, seeds_only: loo}; loo = {n, topic_accuracy,
                       region_accuracy, rows [{id, gold_*, pred_*, confidence}], error}
    errors            [{id, gold_topic, pred_topic, gold_region, pred_region, confidence,
                       evidence {topic_terms [...], region_evidence [...]}}], most confident first

Intervals (``*_ci``) are 95% percentile-bootstrap intervals over articles (``n_bootstrap``
resamples, seeded). ``confidence`` is the top topic probability. Perturbation names are the
keys of :data:`PERTURBATIONS`, each also a public function (``to_traditional``,
``insert_pinyin``, ``prepend_spam``, ``append_footers``, ``truncate``, ``gbk_roundtrip``).
Plots (``plot_*``, :func:`report_figures`) and :func:`markdown_section` serve the notebook.

No report ever holds article text: ids, labels, numbers and evidence terms of at most
:data:`MAX_SNIPPET` characters.
"""

from __future__ import annotations

import json
import math
import random
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from ._version import __version__
from .errors import InputError
from .labels import NATIONAL, NATIONAL_CODE, PROVINCES, REGIONS, TOPICS
from .normalize import normalize

SCHEMA = 1
#: Longest string copied from an article into a report (evidence terms, place names).
MAX_SNIPPET = 18
#: Label fields of a gold record.
GOLD_FIELDS: tuple[str, ...] = ("topic", "region", "city", "county")

# --------------------------------------------------------------------------------------
# Near-duplicates
# --------------------------------------------------------------------------------------

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def _shingle_set(text: str, k: int) -> set[int]:
    # Han characters only: ASCII boilerplate (English disclaimers, URLs) and numbers say
    # nothing about whether two articles are the same article.
    s = _NOT_HAN.sub("", normalize(text))
    return {zlib.crc32(s[i:i + k].encode()) for i in range(len(s) - k + 1)}


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.8, k: int = 5, *,
                          min_shingles: int = 20, max_df: float = 0.05, sketch: int = 8) -> np.ndarray:
    """Group ids such that near-duplicate texts (mirror copies of one article) share a group.

    Two texts are near-duplicates when the containment |A∩B| / min(|A|, |B|) of their
    k-character shingle sets (Han characters of the normalised text) is >= ``threshold``,
    so that a mirror copy that kept only part of the article, or added debris, joins its
    original, while articles written from one template (0.6-0.7 containment) stay apart.
    Texts with fewer than ``min_shingles`` shingles join only near-identical ones (Jaccard
    >= ``threshold``). Shingles found in more than max(10, ``max_df`` · n) texts are
    boilerplate (site footers, navigation) and ignored.

    Candidate pairs share one of the ``sketch`` smallest shingle hashes of a text
    (bottom-k sketch), so the work grows with the number of candidate pairs, not n².
    """
    if not 0 < threshold <= 1:
        raise InputError(f"near_duplicate_groups: threshold must be in (0, 1], got {threshold}")
    sets = [_shingle_set(t, k) for t in texts]
    n = len(sets)
    df: Counter[int] = Counter(h for s in sets for h in s)
    limit = max(10, int(max_df * n))
    common = {h for h, c in df.items() if c > limit}
    if common:
        sets = [s - common for s in sets]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(sets):
        for h in sorted(s)[:sketch]:
            buckets.setdefault(h, []).append(i)
    pairs = {(a, b) for ids in buckets.values() for j, a in enumerate(ids) for b in ids[j + 1:]}
    for a, b in pairs:
        sa, sb = sets[a], sets[b]
        inter = len(sa & sb)
        small = min(len(sa), len(sb))
        if small >= min_shingles:
            similar = inter / small >= threshold
        else:
            similar = inter / max(len(sa | sb), 1) >= threshold
        if similar:
            parent[find(a)] = find(b)
    roots = [find(i) for i in range(n)]
    _, groups = np.unique(np.asarray(roots, dtype=int), return_inverse=True)
    return groups.astype(int)


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------

def _ordered_labels(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    known = [lab for lab in order if lab in present]
    return known + sorted(present - set(known))


def _macro_f1_codes(t: np.ndarray, p: np.ndarray, n_labels: int) -> float:
    # Macro-F1 over the labels present in t or p (scikit-learn's default label set).
    cm = np.bincount(t * n_labels + p, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    present = (support + predicted) > 0
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1[present].mean()) if present.any() else 0.0


def bootstrap_ci(y_true: Sequence[str], y_pred: Sequence[str], metric: str = "accuracy", *,
                 n_resamples: int = 1000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric`` ("accuracy" or "macro_f1") over articles."""
    if metric not in ("accuracy", "macro_f1"):
        raise InputError(f"bootstrap_ci: metric must be 'accuracy' or 'macro_f1', got {metric!r}")
    if len(y_true) != len(y_pred):
        raise InputError(f"bootstrap_ci: {len(y_true)} gold labels but {len(y_pred)} predictions")
    n = len(y_true)
    if n == 0:
        return (math.nan, math.nan)
    labels = sorted(set(y_true) | set(y_pred))
    code = {lab: i for i, lab in enumerate(labels)}
    t = np.array([code[v] for v in y_true])
    p = np.array([code[v] for v in y_pred])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    if metric == "accuracy":
        stats = (t == p)[idx].mean(axis=1)
    else:
        stats = np.array([_macro_f1_codes(t[row], p[row], len(labels)) for row in idx])
    lo, hi = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return (round(float(lo), 4), round(float(hi), 4))


def classification_figures(y_true: Sequence[str], y_pred: Sequence[str], order: Sequence[str] = (), *,
                           n_bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Accuracy, macro-F1 (with bootstrap intervals), per-class figures and the confusion matrix.

    The label set is every label in ``y_true`` or ``y_pred`` (scikit-learn's default), listed
    in ``order`` first.
    """
    y_true, y_pred = [str(v) for v in y_true], [str(v) for v in y_pred]
    if len(y_true) != len(y_pred):
        raise InputError(f"classification_figures: {len(y_true)} gold labels but {len(y_pred)} predictions")
    labels = _ordered_labels([*y_true, *y_pred], order)
    if not y_true:
        return {"n": 0, "accuracy": math.nan, "accuracy_ci": [math.nan, math.nan], "macro_f1": math.nan,
                "macro_f1_ci": [math.nan, math.nan], "labels": [], "per_class": {}, "confusion": []}
    prec, rec, f1, sup = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": round(float(np.mean([a == b for a, b in zip(y_true, y_pred)])), 4),
        "accuracy_ci": list(bootstrap_ci(y_true, y_pred, "accuracy", n_resamples=n_bootstrap, seed=seed)),
        "macro_f1": round(float(np.mean(f1)), 4),
        "macro_f1_ci": list(bootstrap_ci(y_true, y_pred, "macro_f1", n_resamples=n_bootstrap, seed=seed)),
        "labels": labels,
        "per_class": {lab: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                            "f1": round(float(f), 4), "support": int(s)}
                      for lab, p, r, f, s in zip(labels, prec, rec, f1, sup)},
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _subset_accuracy(gold: Sequence[str], pred: Sequence[str], n_bootstrap: int, seed: int) -> dict[str, Any]:
    """Accuracy over the items whose gold value is non-empty (city, county)."""
    pairs = [(g, p) for g, p in zip(gold, pred) if g]
    if not pairs:
        return {"n": 0, "accuracy": math.nan, "accuracy_ci": [math.nan, math.nan]}
    g, p = [a for a, _ in pairs], [b or "" for _, b in pairs]
    return {"n": len(pairs), "accuracy": round(float(np.mean([a == b for a, b in pairs])), 4),
            "accuracy_ci": list(bootstrap_ci(g, p, "accuracy", n_resamples=n_bootstrap, seed=seed))}


def calibration(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], *, n_bins: int = 10,
                thresholds: Sequence[float] = tuple(np.round(np.arange(0.0, 1.0, 0.05), 2))) -> dict[str, Any]:
    """Reliability bins, expected calibration error and accuracy vs coverage of the top-class probability."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise InputError(f"calibration: proba has shape {proba.shape}, expected ({len(y_true)}, {len(classes)})")
    classes = list(classes)
    conf = proba.max(axis=1) if len(y_true) else np.zeros(0)
    pred = [classes[i] for i in proba.argmax(axis=1)] if len(y_true) else []
    correct = np.array([p == g for p, g in zip(pred, y_true)], dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        mask = which == b
        count = int(mask.sum())
        c = float(conf[mask].mean()) if count else math.nan
        a = float(correct[mask].mean()) if count else math.nan
        if count:
            ece += count / len(conf) * abs(a - c)
        bins.append({"lower": round(float(edges[b]), 4), "upper": round(float(edges[b + 1]), 4), "count": count,
                     "confidence": round(c, 4), "accuracy": round(a, 4)})
    coverage = []
    for th in thresholds:
        kept = conf >= th
        coverage.append({"threshold": float(th), "coverage": round(float(kept.mean()), 4) if len(conf) else math.nan,
                         "accuracy": round(float(correct[kept].mean()), 4) if kept.any() else math.nan})
    return {"n_bins": n_bins, "bins": bins, "ece": round(ece, 4) if len(conf) else math.nan, "coverage": coverage}


# --------------------------------------------------------------------------------------
# Perturbations (each deterministic)
# --------------------------------------------------------------------------------------

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
    "教": "jiào", "育": "yù", "督": "dū", "导": "dǎo", "導": "dǎo", "评": "píng", "評": "píng", "估": "gū",
    "义": "yì", "義": "yì", "务": "wù", "務": "wù", "均": "jūn", "衡": "héng", "发": "fā", "發": "fā",
    "展": "zhǎn", "学": "xué", "學": "xué", "校": "xiào", "会": "huì", "會": "huì", "议": "yì", "議": "yì",
    "座": "zuò", "谈": "tán", "談": "tán", "研": "yán", "讨": "tǎo", "討": "tǎo", "检": "jiǎn", "檢": "jiǎn",
    "查": "chá", "验": "yàn", "驗": "yàn", "收": "shōu", "县": "xiàn", "縣": "xiàn", "市": "shì", "省": "shěng",
    "区": "qū", "區": "qū", "国": "guó", "國": "guó", "家": "jiā", "政": "zhèng", "府": "fǔ", "工": "gōng",
    "作": "zuò", "组": "zǔ", "組": "zǔ", "反": "fǎn", "馈": "kuì", "饋": "kuì", "记": "jì", "記": "jì",
    "者": "zhě", "问": "wèn", "問": "wèn", "答": "dá", "新": "xīn", "闻": "wén", "聞": "wén", "布": "bù",
    "现": "xiàn", "現": "xiàn", "场": "chǎng", "場": "chǎng", "推": "tuī", "进": "jìn", "進": "jìn",
    "经": "jīng", "經": "jīng", "交": "jiāo", "流": "liú", "师": "shī", "師": "shī", "生": "shēng",
    "质": "zhì", "質": "zhì", "量": "liàng", "优": "yōu", "優": "yōu", "办": "bàn", "辦": "bàn", "城": "chéng",
    "乡": "xiāng", "鄉": "xiāng", "农": "nóng", "農": "nóng", "村": "cūn", "标": "biāo", "標": "biāo",
    "准": "zhǔn", "準": "zhǔn", "建": "jiàn", "设": "shè", "設": "shè", "改": "gǎi", "革": "gé", "长": "zhǎng",
    "長": "zhǎng", "园": "yuán", "園": "yuán", "前": "qián", "普": "pǔ", "惠": "huì", "领": "lǐng", "領": "lǐng",
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
    from .io import decode_bytes
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


# --------------------------------------------------------------------------------------
# Keyword-rule baseline
# --------------------------------------------------------------------------------------

_QA_CUES = ("答记者问", "回答记者提问", "记者提问", "新闻发布会", "问：", "答：")
_VISIT_CUES = ("督导评估", "督导检查", "实地督导", "督导组", "评估认定", "省级督导", "反馈会", "自评汇报会",
               "实地核查", "检查验收", "督导认定", "检查组")
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
        self.classes_ = np.array(TOPICS)
        return self

    def predict(self, X: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for text in X:
            rec = keyword_rules(text)
            rec["topic_proba"] = {t: float(t == rec["topic"]) for t in TOPICS}
            out.append(rec)
        return out


# --------------------------------------------------------------------------------------
# Fitting and predicting any estimator
# --------------------------------------------------------------------------------------

def _gold(records: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{f: "" if r.get(f) is None else str(r.get(f, "")) for f in GOLD_FIELDS} for r in records]


def _fit(estimator: Any, texts: list[str], gold: list[dict[str, str]], target: str) -> Any:
    model = clone(estimator)
    if target == "topic":
        return model.fit(texts, [g["topic"] for g in gold])
    return model.fit(texts, gold)


def _predict(model: Any, texts: list[str]) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Prediction records (at least ``topic``) and topic probabilities in ``TOPICS`` order (or None)."""
    if not texts:
        return [], np.zeros((0, len(TOPICS)))
    raw = model.predict(texts)
    records = [dict(r) if isinstance(r, Mapping) else {"topic": str(r)} for r in raw]
    if all("topic_proba" in r for r in records):
        proba = np.array([[float(r["topic_proba"].get(t, 0.0)) for t in TOPICS] for r in records])
    elif hasattr(model, "predict_proba"):
        p = np.asarray(model.predict_proba(texts))
        classes = [str(c) for c in model.classes_]
        proba = np.zeros((len(texts), len(TOPICS)))
        for j, c in enumerate(classes):
            if c in TOPICS:
                proba[:, TOPICS.index(c)] = p[:, j]
    else:
        proba = None
    return records, proba


# Fields of a place mention worth showing in an error report, when the resolver gives them.
_EVIDENCE_KEYS = ("surface", "name", "level", "code", "weight", "score")


def _explain(model: Any, text: str) -> dict[str, Any]:
    if not hasattr(model, "explain"):
        return {}
    try:
        exp = model.explain(text)
    except Exception as exc:  # evidence is a nicety; an explain failure must not sink the report
        return {"error": type(exc).__name__}
    if not isinstance(exp, Mapping):
        exp = {"topic_terms": exp}
    terms = []
    for item in exp.get("topic_terms", []) or []:
        term = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(term, str) and term:
            terms.append(term[:MAX_SNIPPET])
    evidence = []
    for item in exp.get("region_evidence", []) or []:
        if isinstance(item, Mapping):
            short = {k: v for k, v in item.items()
                     if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) <= MAX_SNIPPET)}
            compact = {k: short[k] for k in _EVIDENCE_KEYS if k in short}
            evidence.append(compact or short)
        elif isinstance(item, str):
            evidence.append(item[:MAX_SNIPPET])
    return {"topic_terms": terms[:8], "region_evidence": evidence[:5]}


def grouped_folds(topics: Sequence[str], groups: Sequence[int], n_splits: int = 5,
                  seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """StratifiedGroupKFold splits on topic: no group on both sides of a fold."""
    n_groups = len(set(groups))
    if n_splits < 2 or n_groups < n_splits:
        raise InputError(f"cv={n_splits}: need 2 <= cv <= number of article groups ({n_groups})")
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has only k members"
        return [(tr, te) for tr, te in cv.split(np.zeros(len(topics)), list(topics), list(groups))]


def _perturb(fn: Callable[[str], str], text: str) -> str:
    # A perturbed file that can no longer be read counts as an empty article, not as a crash.
    try:
        return fn(text)
    except InputError:
        return ""


def _oof(estimator: Any, texts: list[str], gold: list[dict[str, str]],
         folds: Sequence[tuple[np.ndarray, np.ndarray]], target: str,
         perturbations: Mapping[str, Callable[[str], str]] | None = None) -> dict[str, Any]:
    """Out-of-fold predictions (and of each perturbation, with the same fold models)."""
    n = len(texts)
    preds: list[dict[str, Any] | None] = [None] * n
    proba = np.full((n, len(TOPICS)), np.nan)
    perturbed: dict[str, list[dict[str, Any] | None]] = {name: [None] * n for name in perturbations or {}}
    models, fold_of = [], np.full(n, -1)
    for f, (tr, te) in enumerate(folds):
        model = _fit(estimator, [texts[i] for i in tr], [gold[i] for i in tr], target)
        models.append(model)
        recs, p = _predict(model, [texts[i] for i in te])
        for j, i in enumerate(te):
            preds[i] = recs[j]
            fold_of[i] = f
            if p is not None:
                proba[i] = p[j]
        for name, fn in (perturbations or {}).items():
            precs, _ = _predict(model, [_perturb(fn, texts[i]) for i in te])
            for j, i in enumerate(te):
                perturbed[name][i] = precs[j]
    has_proba = not np.isnan(proba).any()
    return {"preds": preds, "proba": proba if has_proba else None, "perturbed": perturbed,
            "models": models, "fold_of": fold_of}


def _scores(gold: list[dict[str, str]], preds: Sequence[Mapping[str, Any]], idx: Sequence[int]) -> dict[str, float]:
    from sklearn.metrics import f1_score
    gt = [gold[i]["topic"] for i in idx]
    pt = [str(preds[i].get("topic", "")) for i in idx]
    out = {"topic_accuracy": round(float(np.mean([a == b for a, b in zip(gt, pt)])), 4),
           "topic_macro_f1": round(float(f1_score(gt, pt, average="macro", zero_division=0)), 4)}
    if all("region" in preds[i] for i in idx):
        out["region_accuracy"] = round(float(np.mean([gold[i]["region"] == preds[i]["region"] for i in idx])), 4)
    return out


def _learning_curve(estimator: Any, texts: list[str], gold: list[dict[str, str]], groups: np.ndarray,
                    folds: Sequence[tuple[np.ndarray, np.ndarray]], full: Mapping[str, Any], target: str,
                    fractions: Sequence[float], max_folds: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    use = list(folds)[:max_folds]
    rows = []
    for frac in fractions:
        f1s, regs, sizes = [], [], []
        for f, (tr, te) in enumerate(use):
            if frac >= 1.0:
                preds = full["preds"]
                sub = tr
            else:
                order = rng.permutation(np.unique(groups[tr]))
                sizes_by_group = Counter(groups[tr])
                chosen, total = set(), 0
                for g in order:
                    if total >= frac * len(tr):
                        break
                    chosen.add(g)
                    total += sizes_by_group[g]
                sub = np.array([i for i in tr if groups[i] in chosen])
                try:
                    model = _fit(estimator, [texts[i] for i in sub], [gold[i] for i in sub], target)
                except Exception:  # too few examples or classes for this estimator at this size
                    continue
                recs, _ = _predict(model, [texts[i] for i in te])
                preds = [None] * len(texts)
                for j, i in enumerate(te):
                    preds[i] = recs[j]
            s = _scores(gold, preds, te)
            f1s.append(s["topic_macro_f1"])
            if "region_accuracy" in s:
                regs.append(s["region_accuracy"])
            sizes.append(len(sub))
        if f1s:
            rows.append({"fraction": float(frac), "train_size": int(round(np.mean(sizes))),
                         "topic_macro_f1": round(float(np.mean(f1s)), 4),
                         "topic_macro_f1_std": round(float(np.std(f1s)), 4),
                         "region_accuracy": round(float(np.mean(regs)), 4) if regs else None,
                         "n_folds": len(f1s)})
    return rows


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------

def _default_estimator() -> Any:
    from .model import ArticleClassifier
    return ArticleClassifier()


def _textbook() -> Any | None:
    try:
        from .topic import textbook_baseline
    except ImportError:
        return None
    return textbook_baseline()


def _region_order() -> list[str]:
    return list(REGIONS)


def _figures(gold: list[dict[str, str]], preds: Sequence[Mapping[str, Any]], n_bootstrap: int,
             seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "topic": classification_figures([g["topic"] for g in gold], [str(p.get("topic", "")) for p in preds],
                                        TOPICS, n_bootstrap=n_bootstrap, seed=seed),
        "region": None, "city": None, "county": None,
    }
    if preds and all("region" in p for p in preds):
        out["region"] = classification_figures([g["region"] for g in gold], [str(p["region"]) for p in preds],
                                               _region_order(), n_bootstrap=n_bootstrap, seed=seed)
        for field in ("city", "county"):
            out[field] = _subset_accuracy([g[field] for g in gold], [str(p.get(field, "") or "") for p in preds],
                                          n_bootstrap, seed)
    return out


def _errors(ids: Sequence[str], gold: list[dict[str, str]], preds: Sequence[Mapping[str, Any]],
            proba: np.ndarray | None, models: Sequence[Any], fold_of: np.ndarray, texts: list[str],
            limit: int) -> list[dict[str, Any]]:
    rows = []
    for i, (g, p) in enumerate(zip(gold, preds)):
        wrong_topic = g["topic"] != p.get("topic")
        wrong_region = "region" in p and g["region"] != p.get("region")
        if not (wrong_topic or wrong_region):
            continue
        conf = float(np.max(proba[i])) if proba is not None else math.nan
        rows.append({"id": str(ids[i])[:40], "gold_topic": g["topic"], "pred_topic": str(p.get("topic", "")),
                     "gold_region": g["region"], "pred_region": str(p.get("region", "")),
                     "confidence": round(conf, 4), "_i": i})
    rows.sort(key=lambda r: -r["confidence"] if not math.isnan(r["confidence"]) else 0.0)
    rows = rows[:limit]
    for r in rows:
        i = r.pop("_i")
        r["evidence"] = _explain(models[fold_of[i]], texts[i]) if fold_of[i] >= 0 else {}
    return rows


def describe_data(records: Sequence[Mapping[str, Any]], groups: Sequence[int] | None = None) -> dict[str, Any]:
    """Counts per topic and region and the near-duplicate groups of labeled records (the report's ``data``)."""
    ids, texts, gold = _check_records(records, "records")
    return _data_section(ids, gold, near_duplicate_groups(texts) if groups is None else np.asarray(groups))


def _data_section(ids: Sequence[str], gold: list[dict[str, str]], groups: np.ndarray) -> dict[str, Any]:
    members: dict[int, list[str]] = {}
    for i, g in enumerate(groups):
        members.setdefault(int(g), []).append(str(ids[i])[:40])
    topic_counts = Counter(g["topic"] for g in gold)
    region_counts = Counter(g["region"] for g in gold)
    return {
        "n_articles": len(gold),
        "topic_counts": {t: topic_counts[t] for t in _ordered_labels(topic_counts, TOPICS)},
        "region_counts": dict(region_counts.most_common()),
        "n_groups": len(members),
        "duplicate_groups": [m for m in members.values() if len(m) > 1],
    }


def _check_records(records: Sequence[Mapping[str, Any]],
                   what: str) -> tuple[list[str], list[str], list[dict[str, str]]]:
    if not records:
        raise InputError(f"{what}: no labeled records")
    for i, r in enumerate(records):
        if not isinstance(r, Mapping) or not isinstance(r.get("text"), str):
            raise InputError(f"{what}[{i}]: expected a dict with a str 'text'")
        if not r.get("topic") or not r.get("region"):
            raise InputError(f"{what}[{i}] (id {r.get('id')!r}): topic and region labels are required")
    texts = [r["text"] for r in records]
    ids = [str(r.get("id", i)) for i, r in enumerate(records)]
    return ids, texts, _gold(records)


def evaluate(estimator: Any, records: Sequence[Mapping[str, Any]], *, cv: int | None = 5,
             train_records: Sequence[Mapping[str, Any]] | None = None, prefit: bool = False,
             target: str = "records", baselines: bool = True, robustness: bool = True,
             learning_curve: bool = True, learning_fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
             learning_folds: int = 3, n_bootstrap: int = 1000, seed: int = 0, max_errors: int = 50,
             groups: np.ndarray | None = None) -> dict[str, Any]:
    """The report dict (keys in the module docstring) for ``estimator`` on labeled ``records``.

    Modes: ``prefit=True`` tests the fitted ``estimator`` on ``records``; ``train_records``
    fits a clone on them and tests on ``records``; otherwise grouped ``cv``-fold
    cross-validation of clones on ``records`` (groups = :func:`near_duplicate_groups`).
    Robustness and calibration reuse the fold models; nothing is refitted per perturbation.
    """
    if target not in ("records", "topic"):
        raise InputError(f"evaluate: target must be 'records' or 'topic', got {target!r}")
    ids, texts, gold = _check_records(records, "records")
    if groups is None:
        groups = near_duplicate_groups(texts)
    groups = np.asarray(groups)
    perts = PERTURBATIONS if robustness else None
    baseline_models: dict[str, tuple[Any, str]] = {}
    if baselines:
        baseline_models["keyword_rules"] = (KeywordRules(), "records")
        if not prefit and (tb := _textbook()) is not None:
            baseline_models["textbook"] = (tb, "topic")

    if prefit or train_records is not None:
        mode = "holdout" if prefit else "train_test"
        if prefit:
            model = estimator
        else:
            _, a_texts, a_gold = _check_records(train_records, "train_records")
            model = _fit(estimator, a_texts, a_gold, target)
        all_idx = np.arange(len(texts))
        folds = [(np.zeros(0, dtype=int), all_idx)]
        # A one-"fold" run: the fitted model plays the fold model.
        recs, proba = _predict(model, texts)
        perturbed = {name: _predict(model, [_perturb(fn, t) for t in texts])[0] for name, fn in (perts or {}).items()}
        main = {"preds": recs, "proba": proba, "perturbed": perturbed, "models": [model],
                "fold_of": np.zeros(len(texts), dtype=int)}
        base_runs = {"keyword_rules": _predict(KeywordRules().fit(texts), texts)[0]} if baselines else {}
        if "textbook" in baseline_models:  # train_test mode only: it needs the training set
            base_runs["textbook"] = _predict(_fit(baseline_models["textbook"][0], a_texts, a_gold, "topic"), texts)[0]
        n_splits = None
    else:
        mode = "cv"
        n_splits = int(cv or 5)
        folds = grouped_folds([g["topic"] for g in gold], groups, n_splits, seed)
        main = _oof(estimator, texts, gold, folds, target, perts)
        base_runs = {name: _oof(est, texts, gold, folds, tgt)["preds"] for name, (est, tgt) in baseline_models.items()}

    preds = main["preds"]
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "classifier_version": __version__,
        "setup": {"mode": mode, "n_splits": n_splits, "seed": seed, "n_bootstrap": n_bootstrap,
                  "estimator": type(estimator).__name__, "sources": None, "model": None},
        "data": _data_section(ids, gold, groups),
        **_figures(gold, preds, n_bootstrap, seed),
        "calibration": None, "baselines": None, "robustness": None, "learning_curve": None,
        "seed_loo": None, "errors": None,
    }
    if main["proba"] is not None:
        report["calibration"] = calibration([g["topic"] for g in gold], main["proba"], TOPICS)
    if base_runs:
        report["baselines"] = {}
        for name, bpreds in base_runs.items():
            fig = _figures(gold, bpreds, n_bootstrap, seed)
            report["baselines"][name] = {"topic": fig["topic"], "region": fig["region"]}
    if perts:
        all_idx = list(range(len(texts)))
        clean = _scores(gold, preds, all_idx)
        rob = {"clean": clean, "perturbations": {}}
        for name in perts:
            s = _scores(gold, main["perturbed"][name], all_idx)
            s["topic_macro_f1_drop"] = round(clean["topic_macro_f1"] - s["topic_macro_f1"], 4)
            if "region_accuracy" in s and "region_accuracy" in clean:
                s["region_accuracy_drop"] = round(clean["region_accuracy"] - s["region_accuracy"], 4)
            rob["perturbations"][name] = s
        report["robustness"] = rob
    if learning_curve and mode == "cv":
        report["learning_curve"] = _learning_curve(estimator, texts, gold, groups, folds, main, target,
                                                   learning_fractions, learning_folds, seed)
    report["errors"] = _errors(ids, gold, preds, main["proba"], main["models"], main["fold_of"], texts, max_errors)
    return report


def seed_loo(estimator: Any, seeds: Sequence[Mapping[str, Any]],
             extra: Sequence[Mapping[str, Any]] = (), *, target: str = "records") -> dict[str, Any]:
    """Leave-one-out over the seed articles: each seed tested by a model trained on the other
    seeds plus ``extra`` (extra articles near-duplicate to the tested seed left out)."""
    s_ids, s_texts, s_gold = _check_records(seeds, "seeds")
    e_texts = [r["text"] for r in extra]
    e_gold = _gold(extra) if extra else []
    groups = near_duplicate_groups([*s_texts, *e_texts]) if extra else np.arange(len(s_texts))
    rows, error = [], None
    for i in range(len(s_texts)):
        keep_s = [j for j in range(len(s_texts)) if j != i and groups[j] != groups[i]]
        keep_e = [j for j in range(len(e_texts)) if groups[len(s_texts) + j] != groups[i]]
        tr_texts = [s_texts[j] for j in keep_s] + [e_texts[j] for j in keep_e]
        tr_gold = [s_gold[j] for j in keep_s] + [e_gold[j] for j in keep_e]
        try:
            model = _fit(estimator, tr_texts, tr_gold, target)
            recs, proba = _predict(model, [s_texts[i]])
        except Exception as exc:  # e.g. four seeds do not cover the topics a model needs
            error = f"{type(exc).__name__}: {str(exc)[:120]}"
            break
        p = recs[0]
        rows.append({"id": s_ids[i][:40], **{f"gold_{f}": s_gold[i][f] for f in GOLD_FIELDS},
                     **{f"pred_{f}": str(p.get(f, "") or "") for f in GOLD_FIELDS},
                     "confidence": round(float(np.max(proba[0])), 4) if proba is not None else None})
    out: dict[str, Any] = {"n": len(rows), "topic_accuracy": None, "region_accuracy": None, "rows": rows,
                           "error": error}
    if rows and error is None:
        out["topic_accuracy"] = round(float(np.mean([r["gold_topic"] == r["pred_topic"] for r in rows])), 4)
        if target == "records":
            out["region_accuracy"] = round(float(np.mean([r["gold_region"] == r["pred_region"] for r in rows])), 4)
    return out


def cross_validate_summary(estimator: Any, texts: Sequence[str], y: Sequence[Mapping[str, Any]], *, cv: int = 5,
                           random_state: int = 0, n_bootstrap: int = 1000) -> dict[str, Any]:
    """Compact grouped-CV scores (for a model file's metadata): topic and region accuracy and
    macro-F1 with bootstrap intervals, folds and seed."""
    records = [{"text": t, **dict(lab)} for t, lab in zip(texts, y)]
    rep = evaluate(estimator, records, cv=cv, baselines=False, robustness=False, learning_curve=False,
                   n_bootstrap=n_bootstrap, seed=random_state, max_errors=0)
    out: dict[str, Any] = {"cv": cv, "seed": random_state, "grouping": "near_duplicate_groups", "n": len(records)}
    for field in ("topic", "region"):
        fig = rep[field]
        if fig:
            out[field] = {k: fig[k] for k in ("accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci")}
    if rep["calibration"]:
        out["topic_ece"] = rep["calibration"]["ece"]
    return out


# --------------------------------------------------------------------------------------
# Files in, report out
# --------------------------------------------------------------------------------------

def _repo_root() -> Path:
    """The checkout holding ``seeds/`` and ``labels/seeds.csv``: the working folder or one of its
    parents (an installed package is not inside the checkout), else the package's parent."""
    cwd = Path.cwd().resolve()
    for base in (cwd, *cwd.parents, Path(__file__).resolve().parent.parent):
        if (base / "seeds").is_dir() and (base / "labels" / "seeds.csv").is_file():
            return base
    return Path(__file__).resolve().parent.parent


def read_records(paths: Sequence[str | Path] | str | Path,
                 labels_csv: str | Path | None = None) -> list[dict[str, Any]]:
    """Labeled records from JSONL/CSV files and folders of .txt files (via ``classifier.io``)."""
    from .io import read_labeled
    if isinstance(paths, (str, Path)):
        paths = [paths]
    records: list[dict[str, Any]] = []
    for path in paths:
        records.extend(read_labeled(path, labels_csv=labels_csv))
    return records


def load_seed_records(seeds_dir: str | Path | None = None,
                      labels_csv: str | Path | None = None) -> list[dict[str, Any]]:
    """The labeled seed articles (default: ``seeds/`` with ``labels/seeds.csv`` of the repo); [] when absent."""
    seeds_dir = Path(seeds_dir) if seeds_dir is not None else _repo_root() / "seeds"
    labels_csv = Path(labels_csv) if labels_csv is not None else _repo_root() / "labels" / "seeds.csv"
    if not seeds_dir.is_dir() or not labels_csv.is_file():
        return []
    return read_records([seeds_dir], labels_csv=labels_csv)


def run_evaluation(data_paths: Sequence[str | Path] | str | Path, model: Any = None, cv: int | None = None, *,
                   labels_csv: str | Path | None = None, report_dir: str | Path | None = None,
                   loo_seeds: bool = True, robustness: bool = True, learning_curve: bool = True,
                   baselines: bool = True, train_paths: Sequence[str | Path] | None = None,
                   estimator: Any = None, n_bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Evaluate on labeled files and return the report (written to ``report_dir`` when given).

    - ``cv`` given: grouped ``cv``-fold cross-validation of a fresh model (``estimator``, or
      an unfitted clone of ``model``, or ``ArticleClassifier()``);
    - ``train_paths`` given: fit on them, test on ``data_paths`` (train-on-A/test-on-B);
    - otherwise: the fitted ``model`` (a path, a fitted model, or None for the shipped one)
      tested on ``data_paths``.
    ``loo_seeds`` adds the leave-one-out over the repo's seed articles (in cv mode).
    """
    from .model import load
    records = read_records(data_paths, labels_csv)
    if isinstance(data_paths, (str, Path)):
        data_paths = [data_paths]
    sources = [Path(p).name for p in data_paths]
    model_name = None
    if cv is not None or train_paths is not None:
        if estimator is None and model is not None:
            fitted = load(model) if isinstance(model, (str, Path)) else model
            # A scikit-learn model is refitted with its own parameters; a prediction-only
            # Predictor (the shipped file) carries none, so a default ArticleClassifier is fitted.
            if hasattr(fitted, "get_params"):
                estimator = clone(fitted)
        estimator = estimator if estimator is not None else _default_estimator()
    common = dict(baselines=baselines, robustness=robustness, learning_curve=learning_curve,
                  n_bootstrap=n_bootstrap, seed=seed)
    if cv is not None:
        report = evaluate(estimator, records, cv=cv, **common)
    elif train_paths is not None:
        report = evaluate(estimator, records, train_records=read_records(train_paths, labels_csv), **common)
    else:
        if isinstance(model, (str, Path)):
            model_name = str(model)
        else:
            model_name = "shipped" if model is None else type(model).__name__
        fitted = load(model) if model is None or isinstance(model, (str, Path)) else model
        report = evaluate(fitted, records, prefit=True, **common)
    report["setup"]["sources"] = sources
    report["setup"]["model"] = model_name
    if loo_seeds and cv is not None:
        seeds = load_seed_records()
        if seeds:
            seed_texts = {s["text"] for s in seeds}
            extra = [r for r in records if r["text"] not in seed_texts]
            report["seed_loo"] = {"with_data": seed_loo(estimator, seeds, extra),
                                  "seeds_only": seed_loo(estimator, seeds)}
    if report_dir is not None:
        write_report(report, report_dir)
    return report


# --------------------------------------------------------------------------------------
# Output: summary, Markdown, JSON, plots
# --------------------------------------------------------------------------------------

def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _ci(pair: Sequence[float] | None) -> str:
    return f"[{_fmt(pair[0])}, {_fmt(pair[1])}]" if pair else ""


def _per_class_table(fig: Mapping[str, Any], md: bool) -> list[str]:
    head = ["label", "precision", "recall", "f1", "support"]
    rows = [[lab, _fmt(v["precision"]), _fmt(v["recall"]), _fmt(v["f1"]), str(v["support"])]
            for lab, v in fig["per_class"].items()]
    return _table(head, rows, md)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], md: bool) -> list[str]:
    if md:
        cell = lambda c: str(c).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
        return (["| " + " | ".join(map(cell, head)) + " |", "|" + "---|" * len(head)]
                + ["| " + " | ".join(map(cell, r)) + " |" for r in rows])
    widths = [max(_width(str(c)) for c in col) for col in zip(head, *rows)]
    fmt = lambda r: "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(r, widths))  # noqa: E731
    return [fmt(head)] + [fmt(r) for r in rows]


def _width(s: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


def _confusion_table(fig: Mapping[str, Any], md: bool, max_labels: int = 12) -> list[str]:
    labels = fig["labels"]
    cm = np.asarray(fig["confusion"])
    if len(labels) > max_labels:
        return [f"({len(labels)} labels: see the confusion PNG / report.json)"]
    short = [_display(lab) for lab in labels]
    head = ["gold \\ pred", *short]
    rows = [[short[i], *[str(v) for v in cm[i]]] for i in range(len(labels))]
    return _table(head, rows, md)


def _headline(name: str, fig: Mapping[str, Any] | None) -> str:
    if not fig:
        return f"{name}: -"
    line = f"{name}: accuracy {_fmt(fig['accuracy'])} {_ci(fig['accuracy_ci'])}"
    if "macro_f1" in fig:
        line += f"  macro-F1 {_fmt(fig['macro_f1'])} {_ci(fig['macro_f1_ci'])}"
    return line + f"  (n={fig['n']})"


def format_summary(report: Mapping[str, Any]) -> str:
    """What the terminal shows: headline figures with 95% intervals, per-class table, confusion matrix."""
    setup = report["setup"]
    mode = {"cv": f"grouped {setup['n_splits']}-fold cross-validation", "holdout": f"model {setup['model']}",
            "train_test": "train on A, test on B"}[setup["mode"]]
    sources = f" ({', '.join(setup['sources'])})" if setup.get("sources") else ""
    lines = [f"{report['data']['n_articles']} articles{sources}; {mode}; "
             f"95% bootstrap intervals", "",
             _headline("topic ", report["topic"]), _headline("region", report["region"])]
    for field in ("city", "county"):
        if report.get(field) and report[field]["n"]:
            lines.append(_headline(f"{field:6s}", report[field]))
    if report.get("calibration"):
        lines.append(f"topic expected calibration error {_fmt(report['calibration']['ece'])}")
    lines += ["", "topic per class:", *_per_class_table(report["topic"], False),
              "", "topic confusion (rows gold, columns predicted):", *_confusion_table(report["topic"], False)]
    if report.get("baselines"):
        lines += ["", "baselines on the same folds:" if setup["mode"] == "cv" else "baselines on the same articles:"]
        for name, b in report["baselines"].items():
            lines.append("  " + _headline(f"{name} topic", b["topic"]))
            if b.get("region"):
                lines.append("  " + _headline(f"{name} region", b["region"]))
    if report.get("robustness"):
        rob = report["robustness"]
        lines += ["", "robustness (drop in topic macro-F1 / region accuracy):"]
        for name, s in rob["perturbations"].items():
            drops = f"{_fmt(s['topic_macro_f1_drop']):>7s} / {_fmt(s.get('region_accuracy_drop')):>7s}"
            lines.append(f"  {name:16s} {drops}")
    if report.get("seed_loo"):
        for name, loo in report["seed_loo"].items():
            lines.append(f"seed LOO ({name}): topic {_fmt(loo['topic_accuracy'])}, region "
                         f"{_fmt(loo['region_accuracy'])} over {loo['n']} seeds"
                         + (f"  [{loo['error']}]" if loo["error"] else ""))
    return "\n".join(lines)


def _display(label: str) -> str:
    """ASCII axis label: topics as they are, regions as GB/T 2260 codes (no CJK font needed)."""
    if label in PROVINCES:
        return PROVINCES[label]
    if label == NATIONAL:
        return NATIONAL_CODE
    if label in TOPICS:
        return label
    return label if label.isascii() else f"?{zlib.crc32(label.encode()) % 1000:03d}"


def _figure(width: float = 6.0, height: float = 4.5) -> Any:
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), dpi=100)


def plot_confusion(fig_data: Mapping[str, Any], title: str, top_k: int = 15) -> Any:
    """Confusion-matrix heat map (most frequent ``top_k`` gold labels, the rest pooled as "rest")."""
    labels = list(fig_data["labels"])
    cm = np.asarray(fig_data["confusion"], dtype=int)
    if len(labels) > top_k:
        keep = sorted(np.argsort(-cm.sum(axis=1), kind="stable")[:top_k])
        rest = [i for i in range(len(labels)) if i not in keep]
        small = np.zeros((top_k + 1, top_k + 1), dtype=int)
        pos = {old: new for new, old in enumerate(keep)}
        for i in range(len(labels)):
            for j in range(len(labels)):
                small[pos.get(i, top_k), pos.get(j, top_k)] += cm[i, j]
        cm, labels = small, [labels[i] for i in keep] + ["rest"]
        del rest
    names = [_display(lab) for lab in labels]
    size = max(4.5, 0.45 * len(names) + 2)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot()
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_reliability(cal: Mapping[str, Any]) -> Any:
    """Reliability curve (accuracy vs confidence per bin) and accuracy vs coverage."""
    fig = _figure(10, 4.5)
    ax1, ax2 = fig.subplots(1, 2)
    bins = [b for b in cal["bins"] if b["count"]]
    ax1.plot([0, 1], [0, 1], ls="--", color="grey", label="perfect")
    ax1.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label="model")
    for b in bins:
        ax1.annotate(str(b["count"]), (b["confidence"], b["accuracy"]), fontsize=7, xytext=(3, -9),
                     textcoords="offset points")
    ax1.set_xlabel("top-class probability")
    ax1.set_ylabel("accuracy")
    ax1.set_title(f"reliability (ECE {_fmt(cal['ece'])})")
    ax1.legend(loc="upper left")
    cov = [c for c in cal["coverage"] if c["accuracy"] == c["accuracy"]]
    ax2.plot([c["coverage"] for c in cov], [c["accuracy"] for c in cov], marker=".")
    ax2.set_xlabel("coverage (share of articles answered)")
    ax2.set_ylabel("accuracy on answered")
    ax2.set_title("abstaining below a confidence threshold")
    ax2.invert_xaxis()
    fig.tight_layout()
    return fig


def plot_learning_curve(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Topic macro-F1 (± std over folds) and region accuracy against training-set size."""
    fig = _figure()
    ax = fig.add_subplot()
    x = [r["train_size"] for r in rows]
    y = np.array([r["topic_macro_f1"] for r in rows])
    sd = np.array([r["topic_macro_f1_std"] for r in rows])
    ax.plot(x, y, marker="o", label="topic macro-F1")
    ax.fill_between(x, y - sd, y + sd, alpha=0.2)
    if all(r["region_accuracy"] is not None for r in rows):
        ax.plot(x, [r["region_accuracy"] for r in rows], marker="s", label="region accuracy")
    ax.set_xlabel("training articles")
    ax.set_ylabel("score on held-out folds")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    ax.set_title("learning curve")
    fig.tight_layout()
    return fig


def plot_robustness(rob: Mapping[str, Any]) -> Any:
    """Bars: topic macro-F1 and region accuracy, clean and under each perturbation."""
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    names = ["clean", *rob["perturbations"]]
    rows = [rob["clean"], *rob["perturbations"].values()]
    x = np.arange(len(names))
    ax.bar(x - 0.2, [r["topic_macro_f1"] for r in rows], 0.4, label="topic macro-F1")
    if all("region_accuracy" in r for r in rows):
        ax.bar(x + 0.2, [r["region_accuracy"] for r in rows], 0.4, label="region accuracy")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylim(0, 1.2)
    ax.legend(loc="upper center", ncol=2)
    ax.set_title("robustness: same folds, perturbed test text")
    fig.tight_layout()
    return fig


def plot_region_counts(data: Mapping[str, Any]) -> Any:
    """Articles per region (GB/T 2260 codes; 000000 = national)."""
    counts = data["region_counts"]
    fig = _figure(max(6, 0.3 * len(counts) + 2), 4)
    ax = fig.add_subplot()
    names = [_display(r) for r in counts]
    ax.bar(range(len(names)), list(counts.values()))
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_ylabel("articles")
    ax.set_title("articles per region (GB/T 2260 code)")
    fig.tight_layout()
    return fig


def report_figures(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report's plots as matplotlib Figures, by PNG file name."""
    figs: dict[str, Any] = {"topic_confusion.png": plot_confusion(report["topic"], "topic")}
    if report.get("region"):
        figs["region_confusion.png"] = plot_confusion(report["region"], "region (top 15, GB/T 2260 codes)")
    if report.get("calibration"):
        figs["reliability.png"] = plot_reliability(report["calibration"])
    if report.get("learning_curve"):
        figs["learning_curve.png"] = plot_learning_curve(report["learning_curve"])
    if report.get("robustness"):
        figs["robustness.png"] = plot_robustness(report["robustness"])
    figs["region_counts.png"] = plot_region_counts(report["data"])
    return figs


def _atomic_write_text(path: Path, text: str) -> None:
    from .io import atomic_write
    with atomic_write(path, "w") as fh:
        fh.write(text)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return _json_safe(float(obj))
    return obj


def _md_data(report: Mapping[str, Any]) -> list[str]:
    data = report["data"]
    return ["## Data", "", f"{data['n_articles']} articles in {data['n_groups']} near-duplicate groups; "
            f"{len(data['duplicate_groups'])} groups hold more than one article.", "",
            *_table(["topic", "articles"], [[k, str(v)] for k, v in data["topic_counts"].items()], True), "",
            *_table(["region", "code", "articles"],
                    [[k, _display(k), str(v)] for k, v in data["region_counts"].items()], True), "",
            "![articles per region](region_counts.png)", ""]


def _md_labels(report: Mapping[str, Any], field: str) -> list[str]:
    fig = report.get(field)
    if not fig:
        return []
    out = [f"## {field.capitalize()}", "", _headline(field, fig), "", *_per_class_table(fig, True), ""]
    if len(fig["labels"]) <= 12:
        out += ["Confusion (rows gold, columns predicted):", "", *_confusion_table(fig, True), ""]
    out += [f"![{field} confusion]({field}_confusion.png)", ""]
    if field == "region":
        for sub in ("city", "county"):
            if report.get(sub) and report[sub]["n"]:
                out += [f"{sub.capitalize()} (where labeled): " + _headline(sub, report[sub]), ""]
    return out


def _md_calibration(report: Mapping[str, Any]) -> list[str]:
    cal = report.get("calibration")
    if not cal:
        return []
    return ["## Calibration", "", f"Expected calibration error of the top topic probability: {_fmt(cal['ece'])}", "",
            *_table(["bin", "count", "mean confidence", "accuracy"],
                    [[f"{b['lower']:.1f}-{b['upper']:.1f}", str(b["count"]), _fmt(b["confidence"]), _fmt(b["accuracy"])]
                     for b in cal["bins"] if b["count"]], True), "",
            "Abstaining below a confidence threshold:", "",
            *_table(["threshold", "coverage", "accuracy"],
                    [[f"{c['threshold']:.2f}", _fmt(c["coverage"]), _fmt(c["accuracy"])]
                     for c in cal["coverage"][::2]], True), "", "![reliability](reliability.png)", ""]


def _md_baselines(report: Mapping[str, Any]) -> list[str]:
    if not report.get("baselines"):
        return []
    rows = [["this model", _fmt(report["topic"]["accuracy"]), _fmt(report["topic"]["macro_f1"]),
             _ci(report["topic"]["macro_f1_ci"]), _fmt((report.get("region") or {}).get("accuracy"))]]
    rows += [[name, _fmt(b["topic"]["accuracy"]), _fmt(b["topic"]["macro_f1"]), _ci(b["topic"]["macro_f1_ci"]),
              _fmt((b.get("region") or {}).get("accuracy"))] for name, b in report["baselines"].items()]
    return ["## Baselines (same folds)", "",
            *_table(["model", "topic accuracy", "topic macro-F1", "95% interval", "region accuracy"], rows, True), ""]


def _md_robustness(report: Mapping[str, Any]) -> list[str]:
    rob = report.get("robustness")
    if not rob:
        return []
    rows = [["clean", _fmt(rob["clean"]["topic_macro_f1"]), "", _fmt(rob["clean"].get("region_accuracy")), ""]]
    rows += [[name, _fmt(s["topic_macro_f1"]), _fmt(s["topic_macro_f1_drop"]), _fmt(s.get("region_accuracy")),
              _fmt(s.get("region_accuracy_drop"))] for name, s in rob["perturbations"].items()]
    return ["## Robustness (same fold models, perturbed test text)", "",
            *_table(["text", "topic macro-F1", "drop", "region accuracy", "drop"], rows, True), "",
            "![robustness](robustness.png)", ""]


def _md_learning_curve(report: Mapping[str, Any]) -> list[str]:
    if not report.get("learning_curve"):
        return []
    return ["## Learning curve", "",
            *_table(["training articles", "topic macro-F1", "std", "region accuracy", "folds"],
                    [[str(r["train_size"]), _fmt(r["topic_macro_f1"]), _fmt(r["topic_macro_f1_std"]),
                      _fmt(r["region_accuracy"]), str(r["n_folds"])] for r in report["learning_curve"]], True), "",
            "![learning curve](learning_curve.png)", ""]


def _md_seed_loo(report: Mapping[str, Any]) -> list[str]:
    if not report.get("seed_loo"):
        return []
    out = ["## Seed articles, leave-one-out", ""]
    for name, loo in report["seed_loo"].items():
        out += [f"**{name}**: topic accuracy {_fmt(loo['topic_accuracy'])}, region accuracy "
                f"{_fmt(loo['region_accuracy'])}" + (f" (stopped: {loo['error']})" if loo["error"] else ""), ""]
        if loo["rows"]:
            out += [*_table(["seed", "gold topic", "pred topic", "gold region", "pred region", "gold city", "pred city",
                             "confidence"],
                            [[r["id"], r["gold_topic"], r["pred_topic"], r["gold_region"], r["pred_region"],
                              r["gold_city"], r["pred_city"], _fmt(r["confidence"])] for r in loo["rows"]], True), ""]
    return out


def _md_errors(report: Mapping[str, Any], limit: int = 40) -> list[str]:
    if not report.get("errors"):
        return []
    return ["## Errors (most confident first)", "",
            *_table(["id", "gold topic", "pred topic", "gold region", "pred region", "confidence", "topic terms"],
                    [[e["id"], e["gold_topic"], e["pred_topic"], e["gold_region"], e["pred_region"],
                      _fmt(e["confidence"]), " ".join(e["evidence"].get("topic_terms", [])[:5])]
                     for e in report["errors"][:limit]], True), ""]


#: Sections of :func:`markdown_section`, in report order.
SECTIONS: tuple[str, ...] = ("data", "topic", "region", "calibration", "baselines", "robustness", "learning_curve",
                             "seed_loo", "errors")


def markdown_section(report: Mapping[str, Any], section: str, images: bool = True) -> str:
    """One section of the Markdown report ("" when the report lacks it); names in ``SECTIONS``.

    ``images=False`` leaves out the links to the PNG files (for a notebook, which shows the plots).
    """
    makers: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
        "data": _md_data, "topic": lambda r: _md_labels(r, "topic"), "region": lambda r: _md_labels(r, "region"),
        "calibration": _md_calibration, "baselines": _md_baselines, "robustness": _md_robustness,
        "learning_curve": _md_learning_curve, "seed_loo": _md_seed_loo, "errors": _md_errors,
    }
    if section not in makers:
        raise InputError(f"markdown_section: unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    lines = makers[section](report)
    if not images:
        lines = [line for line in lines if not line.startswith("![")]
    return "\n".join(lines)


def format_markdown(report: Mapping[str, Any]) -> str:
    """The whole report as Markdown (summary, then every section with its tables and plots)."""
    parts = ["# Evaluation report", "", "```", format_summary(report), "```", ""]
    parts += [markdown_section(report, name) for name in SECTIONS]
    return "\n".join(p for p in parts if p is not None)


def write_report(report: Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write report.json, report.md and the PNG plots to ``out_dir``; return the paths by name."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the report folder ({exc.strerror})") from None
    paths = {"report.json": out / "report.json", "report.md": out / "report.md"}
    _atomic_write_text(paths["report.json"], json.dumps(_json_safe(report), ensure_ascii=False, indent=2) + "\n")
    _atomic_write_text(paths["report.md"], format_markdown(report) + "\n")
    for name, fig in report_figures(report).items():
        fig.savefig(out / name)
        paths[name] = out / name
    return paths
