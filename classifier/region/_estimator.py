"""Learning where an article is about: the candidate weights of ``places.RegionRanker``.

``RegionResolver`` is the scikit-learn estimator: ``fit`` learns, from labeled articles, a
logistic regression that ranks each candidate province (and 全国) by province-agnostic
features of its mentions; prediction is delegated to the fitted ``RegionRanker``, which
needs numpy only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, check_texts
from ..labels import NATIONAL_CODE, PROVINCES, check_region
from ..normalize import normalize as _normalize
from ._features import candidate_features
from ._matching import find_places
from ._ranker import RegionRanker


class RegionResolver(BaseEstimator):
    """Province (or 全国), city and county of articles, from their place mentions.

    Parameters
    ----------
    normalize : normalise raw text first (False when ``X`` is already clean text).
    C : inverse regularisation strength of the candidate-ranking logistic regression.
    min_count : mentions a city or county needs (outside organisation names) to be reported,
        unless it appears in the title or lead.
    dominance : the runner-up city or county must have at most this share of the leader's
        mentions for the leader to be reported.
    """

    def __init__(self, normalize: bool = True, C: float = 1.0, min_count: int = 2,
                 dominance: float = 0.5) -> None:
        self.normalize = normalize
        self.C = C
        self.min_count = min_count
        self.dominance = dominance

    def _clean(self, X: Sequence[str]) -> list[str]:
        texts = check_texts(X)
        return [_normalize(x) for x in texts] if self.normalize else texts

    def fit(self, X: Sequence[str], y: Sequence[Any]) -> "RegionResolver":
        """Learn the weights of the candidate features from labeled articles."""
        texts = self._clean(X)
        y = list(y)
        if len(y) != len(texts):
            raise InputError(f"y has {len(y)} labels for {len(texts)} texts")
        # Imported here: predicting needs only the learned weights, and the CLI starts faster.
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        feats, target = [], []
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
        self.n_features_in_ = Z.shape[1]
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
