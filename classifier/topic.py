"""Topic model: TF-IDF and cue features of segmented clean text + a linear model with probabilities."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import jieba
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .errors import InputError
from .labels import TOPICS
from .normalize import normalize as normalize_text
from .segment import tokenize_lead

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

_MODELS = ("logreg", "svm")

#: Cue words of each topic, from the label guide (../shared/LABELING.md) and general usage in
#: Chinese education news; each is a whole token of ``classifier.segment.tokenize``.  They get
#: their own small feature block (present in the lead, count in the text) so that a cue is not
#: drowned among thousands of sparse word features learnt from a couple of hundred articles.
CUES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "supervision_visit": (
        "督导", "督导评估", "督导检查", "实地督导", "督导组", "督导团", "督学", "总督学", "评估认定",
        "省级督导", "国家督导", "反馈会", "反馈意见", "意见反馈", "自评汇报会", "汇报会", "实地核查",
        "检查验收", "验收", "复评", "复核", "检查组", "评估组", "专家组", "调研", "视察", "督查",
        "暗访", "整改", "实地考察", "实地查看", "听取汇报",
    ),
    "symposium": (
        "座谈会", "研讨会", "推进会", "现场会", "经验交流会", "交流会", "论坛", "工作会议", "会议",
        "专题报告", "报告会", "动员会", "部署会", "大会", "年会", "峰会", "启动会", "培训会", "观摩会",
        "视频会", "电视电话会议", "同志", "讲话", "致辞", "交流发言", "典型发言", "开幕", "召开", "举行",
    ),
    "progress_qa": (
        "答记者问", "回答记者提问", "记者提问", "记者问", "新闻发布会", "发布会", "新闻通气会",
        "新闻发言人", "发言人", "答问", "专访", "访谈", "在线访谈", "记者", "问", "答", "获悉", "介绍",
        "采访", "接受采访", "提问", "回答", "询问", "专题询问", "做客", "直播间", "部长通道", "委员通道",
        "代表通道",
    ),
    "other": (
        "通知", "印发", "名单", "公示", "公告", "办法", "实施方案", "实施意见", "指导意见", "报告",
        "摘要", "关键词", "统计", "公报", "研究", "论文", "参考文献", "评论", "年度报告", "监测报告",
    ),
})
_CUE_INDEX = {term: i for i, term in enumerate(dict.fromkeys(t for terms in CUES.values() for t in terms))}
# Typical norm of a cue row on news articles: cue_weight=1 makes the block as long as a tf-idf row.
_CUE_SCALE = 3.0
_CUE_GROUP = np.array([[term in terms for term in _CUE_INDEX] for terms in CUES.values()], dtype=np.float64)
# Lines of a Q&A layout: "问:" / "答:" / "记者:" heads (or a bare 问 / 答 line) and question lines.
_QA_HEAD = re.compile(r"^(?:问|答|记者|主持人|[QA])\s*(?:[:：]|$)", re.MULTILINE)
_QUESTION_LINE = re.compile(r"[?？]\s*$", re.MULTILINE)
_CALIBRATIONS = ("sigmoid", "isotonic", None)


def _check_texts(X: object, name: str = "X") -> list[str]:
    if isinstance(X, (str, bytes)):
        raise InputError(f"{name}: expected a sequence of texts, got a single {type(X).__name__}")
    try:
        texts = list(X)  # type: ignore[call-overload]
    except TypeError:
        raise InputError(f"{name}: expected a sequence of texts, got {type(X).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"{name}[{i}]: expected str, got {type(t).__name__}")
    return texts


def _ngrams(tokens: list[str], lo: int, hi: int) -> list[str]:
    out = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _identity(doc: list[str]) -> list[str]:
    return doc


def _cue_row(text: str, tokens: list[str], n_lead: int) -> np.ndarray:
    """Cue features of one text: per cue word and per topic group, in the lead and in the text."""
    n = len(_CUE_INDEX)
    lead, whole = np.zeros(n), np.zeros(n)
    for pos, tok in enumerate(tokens):
        j = _CUE_INDEX.get(tok)
        if j is not None:
            whole[j] += 1
            if pos < n_lead:
                lead[j] = 1
    layout = [len(_QA_HEAD.findall(text)), len(_QUESTION_LINE.findall(text))]
    # log1p everywhere: a second mention adds less than the first, and no count dwarfs the rest.
    return np.log1p(np.concatenate([lead, whole, _CUE_GROUP @ lead, _CUE_GROUP @ whole, layout]))


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Topic of an education news article from TF-IDF features of its segmented clean text.

    Parameters
    ----------
    normalize : bool
        Normalise ``X`` first (raw scraped text); False when ``X`` is already clean.
    word_ngram_range : tuple of int
        Word n-gram range over the jieba tokens.
    char_ngram_range : tuple of int or None
        Character n-gram range over the clean text; None for no character features.
    lead_chars : int
        Length of the lead (title and first sentences) whose words get their own features.
    title_weight : float
        Weight of the lead block relative to the whole-text blocks; 0 for none.
    cue_weight : float
        Weight of the cue block (``CUES`` words in the lead and the text, Q&A layout); 0 for none.
    min_df, max_features, sublinear_tf
        Passed to each ``TfidfVectorizer``.
    model : {"logreg", "svm"}
        Multinomial logistic regression, or a linear SVM.
    C : float
        Inverse regularisation strength of the linear model.
    calibration : {"sigmoid", "isotonic", None}
        Probability calibration by ``CalibratedClassifierCV``; None uses the model's own
        probabilities (softmax of the decision function for the SVM).
    calibration_cv : int
        Folds of the calibration (lowered to the smallest class count when needed).
    class_weight : "balanced" or None
    random_state : int

    The defaults are the configuration chosen by ``scripts/select_topic.py`` (grouped CV):
    multinomial logistic regression, whose own probabilities had a lower cross-validated
    log-loss than sigmoid- or isotonic-calibrated variants.

    Attributes
    ----------
    classes_ : ndarray of str
        The topics seen in ``fit``, in ``labels.TOPICS`` order (then any other label, sorted).
        Note that sklearn's ``log_loss`` assumes sorted columns: reorder before calling it.
    vectorizers_ : list of (name, TfidfVectorizer, weight)
        The fitted tf-idf blocks ("word", "lead", "char"); the cue block follows them.
    estimator_ : the fitted model behind ``predict_proba``.
    linear_ : the fitted linear model behind ``decision_function`` and ``explain``.
    """

    def __init__(
        self,
        normalize: bool = True,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        lead_chars: int = 120,
        title_weight: float = 1.0,
        cue_weight: float = 2.0,
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        model: str = "logreg",
        C: float = 3.0,
        calibration: str | None = None,
        calibration_cv: int = 3,
        class_weight: str | None = "balanced",
        random_state: int = 0,
    ):
        self.normalize = normalize
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.lead_chars = lead_chars
        self.title_weight = title_weight
        self.cue_weight = cue_weight
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.model = model
        self.C = C
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.class_weight = class_weight
        self.random_state = random_state

    # -- features ---------------------------------------------------------------------------

    def _docs(self, X: object) -> tuple[list[str], list[list[str]], list[list[str]], np.ndarray]:
        """Clean texts, their word n-grams, their lead's word n-grams and cue rows (one jieba pass each)."""
        texts = _check_texts(X)
        clean = [normalize_text(t) for t in texts] if self.normalize else texts
        lo, hi = self.word_ngram_range
        words, leads, cues = [], [], []
        for text in clean:
            tokens, n_lead = tokenize_lead(text, self.lead_chars)
            words.append(_ngrams(tokens, lo, hi))
            leads.append(_ngrams(tokens[:n_lead], lo, hi) if self.title_weight else [])
            if self.cue_weight:
                cues.append(_cue_row(text, tokens, n_lead))
        return clean, words, leads, np.array(cues)

    def _vectorizer(self, analyzer: object = _identity, **kw: object) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=analyzer, min_df=self.min_df, max_features=self.max_features,
            sublinear_tf=self.sublinear_tf, dtype=np.float64, **kw,
        )

    def _features(self, X: object, fit: bool = False) -> sp.csr_matrix:
        clean, words, leads, cues = self._docs(X)
        inputs = {"word": words, "lead": leads, "char": clean}
        if fit:
            self.vectorizers_ = []
            specs = [("word", self._vectorizer(), 1.0)]
            if self.title_weight:
                specs.append(("lead", self._vectorizer(), float(self.title_weight)))
            if self.char_ngram_range:
                specs.append(("char", self._vectorizer("char", ngram_range=tuple(self.char_ngram_range)), 1.0))
            blocks = []
            for name, vec, weight in specs:
                try:
                    m = vec.fit_transform(inputs[name])
                except ValueError:  # empty vocabulary (e.g. no lead word reaches min_df): no block
                    continue
                self.vectorizers_.append((name, vec, weight))
                blocks.append(m * weight)
            if not blocks:
                raise InputError("X: no term occurs often enough to learn from (too little text?)")
        else:
            blocks = [vec.transform(inputs[name]) * weight for name, vec, weight in self.vectorizers_]
        if self.cue_weight:
            blocks.append(sp.csr_matrix(cues * (self.cue_weight / _CUE_SCALE)))
        return sp.hstack(blocks, format="csr")

    def _feature_names(self) -> list[str]:
        """Names of the tf-idf features (the cue block follows them)."""
        names: list[str] = []
        for _, vec, _ in self.vectorizers_:
            block = [""] * len(vec.vocabulary_)
            for term, j in vec.vocabulary_.items():
                block[j] = term
            names.extend(block)
        return names

    # -- model ------------------------------------------------------------------------------

    def _base(self) -> BaseEstimator:
        if self.model == "logreg":
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        # Imported on use, like the calibration below: keeps the predict cold start short.
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)

    def fit(self, X: Sequence[str], y: Sequence[str]) -> TopicClassifier:
        """Learn the vocabulary and the linear model from texts ``X`` and topics ``y``."""
        if self.model not in _MODELS:
            raise InputError(f"model: expected one of {_MODELS}, got {self.model!r}")
        if self.calibration not in _CALIBRATIONS:
            raise InputError(f"calibration: expected one of {_CALIBRATIONS}, got {self.calibration!r}")
        lo, hi = self.word_ngram_range
        if not 1 <= lo <= hi:
            raise InputError(f"word_ngram_range: expected (min, max) with 1 <= min <= max, got {self.word_ngram_range!r}")
        texts = _check_texts(X)
        if y is None or isinstance(y, str):
            raise InputError(f"y: expected a sequence of {len(texts)} topics, got {y!r}")
        labels = np.asarray([str(v) for v in y])
        if len(labels) != len(texts):
            raise InputError(f"y: expected {len(texts)} topics (one per text), got {len(labels)}")
        present = set(labels)
        if len(present) < 2:
            raise InputError(f"y: need at least 2 topics to learn from, got {sorted(present)}")
        # classes_ in labels.TOPICS order (then any other label, sorted) for stable columns.
        self.classes_ = np.array([t for t in TOPICS if t in present] + sorted(present - set(TOPICS)))
        index = {c: i for i, c in enumerate(self.classes_)}
        codes = np.array([index[v] for v in labels])

        features = self._features(texts, fit=True)
        base = self._base()
        min_count = int(np.bincount(codes).min())
        folds = min(self.calibration_cv, min_count)
        if self.calibration is not None and folds >= 2:
            from sklearn.calibration import CalibratedClassifierCV
            from sklearn.model_selection import StratifiedKFold

            cv = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            self.estimator_ = CalibratedClassifierCV(base, method=self.calibration, cv=cv)
            self.estimator_.fit(features, codes)
            # explain() reads the coefficients of one model fitted on all the data.
            self.linear_ = self._base().fit(features, codes)
        else:
            self.estimator_ = base.fit(features, codes)
            self.linear_ = self.estimator_
        return self

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Linear scores, one column per class in ``classes_`` order."""
        check_is_fitted(self, "estimator_")
        scores = self.linear_.decision_function(self._features(X))
        if scores.ndim == 1:  # binary: sklearn returns the positive class score only
            scores = np.column_stack([-scores, scores])
        return scores

    def _proba(self, features: sp.csr_matrix) -> np.ndarray:
        if hasattr(self.estimator_, "predict_proba"):
            return self.estimator_.predict_proba(features)
        scores = self.estimator_.decision_function(features)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Topic probabilities, shape (n, len(classes_)), columns in ``classes_`` order."""
        check_is_fitted(self, "estimator_")
        return self._proba(self._features(X))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most probable topic of each text."""
        check_is_fitted(self, "estimator_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` terms of ``text`` that pushed its predicted topic most (tf-idf × coefficient).

        Every term is a string of the clean text: a topic-wide cue feature (how many cue
        words of a topic, how many 问/答 lines) is shared out among the words that fired it.
        """
        check_is_fitted(self, "estimator_")
        if not isinstance(text, str):
            raise InputError(f"text: expected str, got {type(text).__name__}")
        clean = normalize_text(text) if self.normalize else text
        x = self._features([clean])  # normalize() is idempotent: clean text passes through unchanged
        cls = int(np.argmax(self._proba(x)[0]))
        coef = self.linear_.coef_
        row = coef[cls] if coef.shape[0] > 1 else (coef[0] if cls == 1 else -coef[0])
        contrib = x.toarray()[0] * row
        names = self._feature_names()
        totals: dict[str, float] = {}

        def add(term: str, value: float) -> None:
            totals[term] = totals.get(term, 0.0) + value

        for j, name in enumerate(names):  # word, lead and char features of one string add up
            if contrib[j]:
                surface = name.replace(" ", "")
                if surface in clean or " " not in name:
                    add(surface, float(contrib[j]))
                else:  # an n-gram bridging dropped punctuation or stopwords: shared among its words
                    words = name.split(" ")
                    for word in words:
                        add(word, float(contrib[j]) / len(words))
        if self.cue_weight:
            self._explain_cues(clean, contrib[len(names):], add)
        ranked = sorted(((t, v) for t, v in totals.items() if v > 0), key=lambda kv: -kv[1])
        return ranked[:k]

    def _explain_cues(self, clean: str, contrib: np.ndarray, add) -> None:
        """Share the cue block's contributions out among the cue words and layout marks of ``clean``."""
        terms = list(_CUE_INDEX)
        n, g = len(terms), len(CUES)
        tokens, n_lead = tokenize_lead(clean, self.lead_chars)
        whole = dict.fromkeys(terms, 0)
        lead = set()
        for pos, tok in enumerate(tokens):
            if tok in whole:
                whole[tok] += 1
                if pos < n_lead:
                    lead.add(tok)
        for j, term in enumerate(terms):
            add(term, float(contrib[j] + contrib[n + j]))
        for gi, members in enumerate(CUES.values()):
            for weights, value in ((dict.fromkeys((m for m in members if m in lead), 1), contrib[2 * n + gi]),
                                   ({m: whole[m] for m in members if whole[m]}, contrib[2 * n + g + gi])):
                total = sum(weights.values())
                for term, w in weights.items():
                    add(term, float(value) * w / total)
        for found, value in ((_QA_HEAD.findall(clean), contrib[2 * n + 2 * g]),
                             (_QUESTION_LINE.findall(clean), contrib[2 * n + 2 * g + 1])):
            for mark in found:
                add(mark.strip(), float(value) / len(found))


def _jieba_lcut(text: str) -> list[str]:
    # A module function, not the bound jieba.lcut: clone() deep-copies params and the global
    # tokenizer holds a lock.
    return jieba.lcut(text)


def textbook_baseline() -> Pipeline:
    """TF-IDF over plain ``jieba.lcut`` tokens (global jieba, no normalising) + LinearSVC."""
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    return Pipeline([
        ("tfidf", TfidfVectorizer(tokenizer=_jieba_lcut, token_pattern=None)),
        ("svm", LinearSVC()),
    ])
