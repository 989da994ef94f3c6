"""Topic model: TF-IDF and cue features of segmented clean text + a linear model with probabilities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, check_texts
from ..labels import DEFAULT_TOPICS, order_topics
from ..normalize import normalize as normalize_text
from ..segment import tokenize_lead
from ._features import CUE_SCALE, GUIDE_RULES, CueGroups, CueTable, FeatureSpec, identity, learn_cues
from ._scorer import LinearMember, TfidfBlock, TopicScorer

# Folds over which the training rows of learned cue words are computed out of fold.
_CUE_FOLDS = 5


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Topic of an education news article from TF-IDF and cue features of its segmented clean text.

    Parameters
    ----------
    normalize : bool, default=True
        Normalise ``X`` first (raw scraped text); False when ``X`` is already clean.
    word_ngram_range : tuple of int, default=(1, 2)
        Word n-gram range ``(min, max)`` over the jieba tokens, ``1 <= min <= max``.
    char_ngram_range : tuple of int or None, default=None
        Character n-gram range over the clean text; None for no character features.
    lead_chars : int, default=120
        Length of the lead (title and first sentences) whose words get their own features.
    lead_weight : float, default=1.0
        Weight of the lead block relative to the whole-text blocks; 0 for none.
    cue_weight : float, default=2.0
        Weight of the cue block (cue words in the lead and the text, Q&A layout); 0 for none.
    cue_words : {"auto", "guide", "learned", "layout"}, default="auto"
        The cue words: ``"guide"`` the hand-written ``CUES`` of the default topics;
        ``"learned"`` the ``n_learned_cues`` most discriminative lead words of each class,
        chosen in ``fit`` from the training data alone (features: how many of a class's
        words are in the lead and in the text; the training rows out of fold);
        ``"layout"`` none, the Q&A layout features alone; ``"auto"`` the guide's words when
        every class is a default topic, else ``"layout"`` (which scored best of the three on
        a six-topic scheme, see the README).
    n_learned_cues : int, default=20
        Cue words learned per class (``cue_words="learned"``).
    topics : sequence of str or None, default=None
        The declared topic set, in column order: a label of ``y`` outside it is an
        InputError, and each must occur in ``y``. None: the labels of ``y`` (default topics
        first, in ``labels.DEFAULT_TOPICS`` order, then the others sorted).
    min_df : int or float, default=2
        Passed to each ``TfidfVectorizer``: terms in fewer documents (or a smaller share) are dropped.
    max_features : int or None, default=None
        Passed to each ``TfidfVectorizer``: the most frequent terms kept per block.
    sublinear_tf : bool, default=True
        Passed to each ``TfidfVectorizer``: ``1 + log(tf)`` instead of ``tf``.
    linear_model : {"logreg", "svm"}, default="logreg"
        Multinomial logistic regression, or a linear SVM.
    C : float, default=3.0
        Inverse regularisation strength of the linear model.
    calibration : {"sigmoid", "isotonic"} or None, default=None
        Probability calibration by ``CalibratedClassifierCV``; None uses the model's own
        probabilities (softmax of the decision function for the SVM).
    calibration_cv : int, default=3
        Folds of the calibration (lowered to the smallest class count when needed).
    class_weight : "balanced", dict or None, default="balanced"
        Class weights of the linear model.
    random_state : int, RandomState instance or None, default=0
        Seeds the calibration folds and the SVM.
    guide_weight : float, default=4.0
        Log-odds that a match of one of ``GUIDE_RULES`` (the label guide's settled boundaries:
        hotlines are other, congress 调研 is supervision_visit ...) adds to its topic; 0 for
        none.  A prior, not learned: the training articles hold few such pages.  Used only
        when every class is a default topic (the rules are written for those).

    The defaults are the configuration chosen by ``scripts/select_topic.py`` (grouped CV):
    multinomial logistic regression, whose own probabilities had a lower cross-validated
    log-loss than sigmoid- or isotonic-calibrated variants.

    Attributes
    ----------
    classes_ : ndarray of str
        The topics: ``topics`` in its order, or the labels seen in ``fit`` in
        ``labels.DEFAULT_TOPICS`` order (then any other label, sorted).
        Note that sklearn's ``log_loss`` assumes sorted columns: reorder before calling it.
    vectorizers_ : list of (name, TfidfVectorizer, weight)
        The fitted tf-idf blocks ("word", "lead", "char"); the cue block follows them.
    estimator_ : estimator
        The fitted model behind ``predict_proba``.
    linear_ : estimator
        The fitted linear model behind ``decision_function`` and ``explain``.
    scorer_ : TopicScorer
        The fitted state as numpy arrays, which prediction (and a saved model) uses.
    cue_groups_ : tuple or None
        The learned cue words ``((class, (word, ...)), ...)``; ``()`` with none (layout
        only); None with the guide's words.

    Examples
    --------
    >>> from classifier.topic import TopicClassifier
    >>> X = ["督导组到学校开展督导评估。", "省督导组反馈督导评估意见。",
    ...      "全市教育工作座谈会召开。", "校长座谈会在市里召开。"]
    >>> y = ["supervision_visit", "supervision_visit", "symposium", "symposium"]
    >>> clf = TopicClassifier(min_df=1).fit(X, y)
    >>> clf.classes_.tolist()
    ['supervision_visit', 'symposium']
    >>> clf.predict(["督导组开展督导评估。", "教师座谈会召开。"]).tolist()
    ['supervision_visit', 'symposium']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "normalize": ["boolean"],
        "word_ngram_range": [tuple, list],
        "char_ngram_range": [tuple, list, None],
        "lead_chars": [Interval(Integral, 1, None, closed="left")],
        "lead_weight": [Interval(Real, 0, None, closed="left")],
        "cue_weight": [Interval(Real, 0, None, closed="left")],
        "cue_words": [StrOptions({"auto", "guide", "learned", "layout"})],
        "n_learned_cues": [Interval(Integral, 1, None, closed="left")],
        "topics": [tuple, list, None],
        "min_df": [Interval(Integral, 1, None, closed="left"), Interval(RealNotInt, 0, 1, closed="both")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "sublinear_tf": ["boolean"],
        "linear_model": [StrOptions({"logreg", "svm"})],
        "C": [Interval(Real, 0, None, closed="neither")],
        "calibration": [StrOptions({"sigmoid", "isotonic"}), None],
        "calibration_cv": [Interval(Integral, 2, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": ["random_state"],
        "guide_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        normalize: bool = True,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        lead_chars: int = 120,
        lead_weight: float = 1.0,
        cue_weight: float = 2.0,
        cue_words: str = "auto",
        n_learned_cues: int = 20,
        topics: Sequence[str] | None = None,
        min_df: int | float = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        linear_model: str = "logreg",
        C: float = 3.0,
        calibration: str | None = None,
        calibration_cv: int = 3,
        class_weight: str | dict | None = "balanced",
        random_state: int | None = 0,
        guide_weight: float = 4.0,
    ):
        self.normalize = normalize
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.lead_chars = lead_chars
        self.lead_weight = lead_weight
        self.cue_weight = cue_weight
        self.cue_words = cue_words
        self.n_learned_cues = n_learned_cues
        self.topics = topics
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.linear_model = linear_model
        self.C = C
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.class_weight = class_weight
        self.random_state = random_state
        self.guide_weight = guide_weight

    # -- features ---------------------------------------------------------------------------

    def _spec(self, cue_groups: CueGroups | None = None) -> FeatureSpec:
        return FeatureSpec(
            word_ngram_range=(self.word_ngram_range[0], self.word_ngram_range[1]),
            char_ngram_range=(self.char_ngram_range[0], self.char_ngram_range[1]) if self.char_ngram_range else None,
            lead_chars=self.lead_chars,
            lead=bool(self.lead_weight),
            cues=bool(self.cue_weight),
            cue_groups=cue_groups,
        )

    def _cue_source(self, classes: Sequence[str]) -> str:
        """The cue words used for ``classes``: "guide", "learned" or "layout" (none)."""
        if self.cue_words != "auto":
            return str(self.cue_words)
        return "guide" if set(classes) <= set(DEFAULT_TOPICS) else "layout"

    def _clean(self, X: object) -> list[str]:
        texts = check_texts(X)
        return [normalize_text(t) for t in texts] if self.normalize else texts

    def _fit_features(self, texts: list[str], labels: np.ndarray) -> tuple[sp.csr_matrix, list[TfidfBlock]]:
        """Learn the cue words and tf-idf blocks on ``texts`` and return their training matrix."""
        tokenized = [tokenize_lead(t, self.lead_chars) for t in texts]
        self.cue_groups_: CueGroups | None = None
        if self._cue_source([str(c) for c in self.classes_]) == "layout":
            self.cue_groups_ = ()  # no cue words: the Q&A layout alone
        elif self._cue_source([str(c) for c in self.classes_]) == "learned":
            leads = [tokens[:n_lead] for tokens, n_lead in tokenized]
            learned = dict(learn_cues(leads, labels.tolist(), self.n_learned_cues))
            self.cue_groups_ = tuple((str(c), learned.get(str(c), ())) for c in self.classes_)
        spec = self._spec(self.cue_groups_)
        docs = [spec.documents_of_tokens(t, tokens, n_lead) for t, (tokens, n_lead) in zip(texts, tokenized)]
        if self.cue_groups_:
            oof = self._out_of_fold_cues(texts, tokenized, labels)
            for d, row in zip(docs, oof if oof is not None else ()):
                d["cues"] = row
        specs = [("word", 1.0)]
        if self.lead_weight:
            specs.append(("lead", float(self.lead_weight)))
        if self.char_ngram_range:
            specs.append(("char", 1.0))
        self.vectorizers_, blocks, mats = [], [], []
        for name, weight in specs:
            vec = TfidfVectorizer(
                analyzer=identity,
                min_df=self.min_df,
                max_features=self.max_features,
                sublinear_tf=self.sublinear_tf,
                dtype=np.float64,
            )
            try:
                m = vec.fit_transform([d[name] for d in docs])
            except ValueError:  # empty vocabulary (e.g. no lead word reaches min_df): no block
                continue
            self.vectorizers_.append((name, vec, weight))
            blocks.append(TfidfBlock(name, dict(vec.vocabulary_), vec.idf_.copy(), weight, self.sublinear_tf))
            mats.append(m * weight)
        if not mats:
            raise InputError("X: no term occurs often enough to learn from (too little text?)")
        if self.cue_weight:
            mats.append(sp.csr_matrix(np.array([d["cues"] for d in docs]) * (self.cue_weight / CUE_SCALE)))
        return sp.hstack(mats, format="csr"), blocks

    def _out_of_fold_cues(
        self, texts: list[str], tokenized: list[tuple[list[str], int]], labels: np.ndarray
    ) -> list[np.ndarray] | None:
        """Cue rows of the training texts, each from cue words learned without it (None when a
        class is too small to leave out). Words chosen because they separate the training
        texts describe those very texts too well: rows from in-sample cues would teach the
        linear model to trust the cue block more than it deserves on new text."""
        from sklearn.model_selection import StratifiedKFold

        smallest = min(Counter(labels.tolist()).values())
        n_folds = min(_CUE_FOLDS, smallest)
        if n_folds < 2:
            return None
        rows: list[np.ndarray] = [np.empty(0)] * len(texts)
        split = StratifiedKFold(n_folds, shuffle=True, random_state=self.random_state)
        leads = [tokens[:n_lead] for tokens, n_lead in tokenized]
        for train, test in split.split(np.zeros(len(texts)), labels):
            learned = dict(learn_cues([leads[i] for i in train], labels[train].tolist(), self.n_learned_cues))
            table = CueTable({str(c): learned.get(str(c), ()) for c in self.classes_}, words=False)
            for i in test:
                tokens, n_lead = tokenized[i]
                rows[i] = table.row(texts[i], Counter(tokens), tokens[:n_lead])
        return rows

    # -- model ------------------------------------------------------------------------------

    def _base(self) -> BaseEstimator:
        if self.linear_model == "logreg":
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        # Imported on use, like the calibration below: keeps the predict cold start short.
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence[str], y: Sequence[str]) -> TopicClassifier:
        """Learn the vocabulary and the linear model from texts ``X`` and topics ``y``."""
        lo, hi = self.word_ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(
                f"word_ngram_range: expected (min, max) with 1 <= min <= max, got {self.word_ngram_range!r}"
            )
        texts = self._clean(X)
        if y is None or isinstance(y, str):
            raise InputError(f"y: expected a sequence of {len(texts)} topics, got {y!r}")
        labels = np.asarray([str(v) for v in y])
        if len(labels) != len(texts):
            raise InputError(f"y: expected {len(texts)} topics (one per text), got {len(labels)}")
        present = set(labels)
        if self.topics is not None:
            declared = [str(t) for t in self.topics]
            outside = [i for i, v in enumerate(labels) if v not in declared]
            if outside:
                i = outside[0]
                raise InputError(f"y[{i}]: unknown topic {labels[i]!r} (expected one of {', '.join(declared)})")
            absent = [t for t in declared if t not in present]
            if absent:
                raise InputError(f"topics: no training article has topic(s) {', '.join(absent)}")
            classes = tuple(declared)
        else:
            # Default topics first, in labels.DEFAULT_TOPICS order (then any other, sorted): stable columns.
            classes = order_topics(present)
        if len(classes) < 2:
            raise InputError(f"y: need at least 2 topics to learn from, got {sorted(present)}")
        self.classes_ = np.array(classes)
        index = {c: i for i, c in enumerate(self.classes_)}
        codes = np.array([index[v] for v in labels])

        features, blocks = self._fit_features(texts, labels)
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
        self.scorer_ = TopicScorer(
            classes=self.classes_,
            spec=self._spec(self.cue_groups_),
            blocks=blocks,
            members=_members(self.estimator_, len(self.classes_)),
            explainer=_members(self.linear_, len(self.classes_))[0],
            cue_scale=self.cue_weight / CUE_SCALE,
            guide=self._guide_matrix(),
        )
        return self

    def _guide_matrix(self) -> np.ndarray | None:
        """Log-odds of each guide rule for each class in ``classes_`` (None when switched off).

        The rules settle boundaries between the default topics: with any other label (a
        custom set, whose ``other`` may mean something narrower) they are switched off."""
        if not self.guide_weight or not {str(c) for c in self.classes_} <= set(DEFAULT_TOPICS):
            return None
        index = {c: i for i, c in enumerate(self.classes_)}
        out = np.zeros((len(GUIDE_RULES), len(self.classes_)))
        for r, rule in enumerate(GUIDE_RULES):
            if rule.topic in index:
                out[r, index[rule.topic]] = float(self.guide_weight)
        return out

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Linear scores, one column per class in ``classes_`` order."""
        check_is_fitted(self, "scorer_")
        return self.scorer_.decision_function(self._clean(X))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Topic probabilities, shape (n, len(classes_)), columns in ``classes_`` order."""
        check_is_fitted(self, "scorer_")
        return self.scorer_.predict_proba(self._clean(X))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most probable topic of each text."""
        check_is_fitted(self, "scorer_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` strings of ``text`` that pushed its predicted topic most (tf-idf × coefficient)."""
        check_is_fitted(self, "scorer_")
        if not isinstance(text, str):
            raise InputError(f"text: expected str, got {type(text).__name__}")
        return self.scorer_.explain(self._clean([text])[0], k=k)


def _members(estimator: Any, n_classes: int) -> list[LinearMember]:
    """The linear members of a fitted model, as numpy state (see ``scoring.LinearMember``)."""
    calibrated = getattr(estimator, "calibrated_classifiers_", None)
    if calibrated is not None:
        members = []
        for cc in calibrated:
            base = cc.estimator
            if cc.method == "sigmoid":
                params = [(float(c.a_), float(c.b_)) for c in cc.calibrators]
            else:
                params = [(c.X_thresholds_.copy(), c.y_thresholds_.copy()) for c in cc.calibrators]
            members.append(
                LinearMember(
                    base.coef_.copy(),
                    base.intercept_.copy(),
                    cc.method,
                    params,
                    [int(c) for c in base.classes_],
                    n_classes,
                )
            )
        return members
    coef, intercept = estimator.coef_, np.asarray(estimator.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # binary: one score s; softmax over (-s/2, s/2) is expit(s) as in sklearn
        half = 0.5 if isinstance(estimator, LogisticRegression) else 1.0
        coef = np.vstack([-coef[0] * half, coef[0] * half])
        intercept = np.array([-intercept[0] * half, intercept[0] * half])
    return [LinearMember(np.array(coef, dtype=np.float64), intercept, n_classes=n_classes)]
