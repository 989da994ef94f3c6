"""Learning where an article is about: the candidate weights of a ``RegionRanker``.

``RegionResolver`` is the scikit-learn estimator: ``fit`` learns, from labeled articles, a
logistic regression that ranks each candidate province (and 全国) by province-agnostic
features of its mentions; prediction is delegated to the fitted ``RegionRanker``, which
needs numpy only."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, check_texts
from ..labels import NATIONAL_CODE, PROVINCES, check_region
from ..normalize import normalize as _normalize
from ._features import FEATURE_NAMES, candidate_features
from ._matching import find_places
from ._ranker import RegionRanker


class RegionResolver(BaseEstimator):
    """Province (or 全国), city and county of articles, from their place mentions.

    Parameters
    ----------
    normalize : bool, default=True
        Normalise raw text first (False when ``X`` is already clean text).
    C : float, default=1.0
        Inverse regularisation strength of the candidate-ranking logistic regression.
    min_count : int, default=2
        Mentions a city or county needs (outside organisation names) to be reported, unless
        it appears in the title or lead.
    dominance : float, default=0.5
        The runner-up city or county must have at most this share of the leader's mentions
        for the leader to be reported.

    Attributes
    ----------
    coef_ : ndarray of shape (len(FEATURE_NAMES),)
        Weight of each candidate feature (``classifier.region.FEATURE_NAMES``, in order) on
        raw feature values (the scaler folded in).
    intercept_ : float
        Intercept of the candidate score.
    feature_names_ : tuple of str
        The candidate features weighed, ``FEATURE_NAMES``.
    ranker_ : RegionRanker
        The fitted state, which prediction (and a saved model) uses; numpy only.

    Examples
    --------
    >>> from classifier.region import RegionResolver
    >>> X = ["江苏省教育厅在南京召开会议。", "教育部召开全国教育工作会议。",
    ...      "浙江省杭州市召开座谈会。", "国务院部署全国教育工作。"]
    >>> resolver = RegionResolver().fit(X, ["江苏省", "全国", "浙江省", "全国"])
    >>> [record] = resolver.predict(["浙江省宁波市教育局召开会议。"])
    >>> record["region"], record["region_code"]
    ('浙江省', '330000')
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "normalize": ["boolean"],
        "C": [Interval(Real, 0, None, closed="neither")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "dominance": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, *, normalize: bool = True, C: float = 1.0, min_count: int = 2, dominance: float = 0.5) -> None:
        self.normalize = normalize
        self.C = C
        self.min_count = min_count
        self.dominance = dominance

    def _clean(self, X: Sequence[str]) -> list[str]:
        texts = check_texts(X)
        return [_normalize(x) for x in texts] if self.normalize else texts

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence[str], y: Sequence[Any]) -> RegionResolver:
        """Learn the weights of the candidate features from labeled articles."""
        texts = self._clean(X)
        y = list(y)
        if len(y) != len(texts):
            raise InputError(f"y has {len(y)} labels for {len(texts)} texts")
        # Imported here: predicting needs only the learned weights, and the CLI starts faster.
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        feats: list[np.ndarray] = []
        target: list[int] = []
        for i, (text, label) in enumerate(zip(texts, y)):
            region = label.get("region") if isinstance(label, dict) else label
            code = PROVINCES.get(check_region(region, f"y[{i}]"), NATIONAL_CODE)
            codes, rows = candidate_features(text, find_places(text))
            feats.append(rows)
            target.extend(int(c == code) for c in codes)
        Z = np.vstack(feats)
        if len(set(target)) < 2:
            raise InputError("y: training articles give no correct candidate region to learn from")
        self.scaler_ = StandardScaler().fit(Z)
        self.model_ = LogisticRegression(C=self.C, max_iter=1000).fit(self.scaler_.transform(Z), target)
        self.feature_names_ = FEATURE_NAMES
        # The scaler folded into one weight vector: scoring a handful of rows then costs a
        # dot product instead of two sklearn calls per article.
        self.coef_ = self.model_.coef_[0] / self.scaler_.scale_
        self.intercept_ = float(self.model_.intercept_[0] - self.coef_ @ self.scaler_.mean_)
        self.ranker_ = RegionRanker(self.coef_, self.intercept_, self.min_count, self.dominance)
        return self

    def decision_scores(self, text: str) -> dict[str, float]:
        """Score of each candidate region (full province name or 全国) for one text."""
        check_is_fitted(self, "ranker_")
        return self.ranker_.decision_scores(self._clean([text])[0])

    def predict(self, X: Sequence[str]) -> list[dict[str, str]]:
        """One dict per text with exactly ``labels.REGION_FIELDS`` as keys ('' where unknown)."""
        check_is_fitted(self, "ranker_")
        return self.ranker_.predict(self._clean(X))

    def explain(self, text: str) -> list[dict[str, Any]]:
        """The evidence for the region of one text: its mentions, or the national cues for 全国."""
        check_is_fitted(self, "ranker_")
        return self.ranker_.explain(self._clean([text])[0])
