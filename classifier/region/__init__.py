"""The region of an article: gazetteer, place matching, candidate features, ranker, estimator.

``RegionResolver`` imports scikit-learn and is loaded on first use; finding places and the
``RegionRanker`` a saved model predicts with need numpy only.
"""

from .._lazy import lazy_names
from ._features import FEATURE_NAMES, candidate_features
from ._gazetteer import Division, divisions
from ._matching import Mention, find_places, national_cues
from ._ranker import RegionRanker

__all__ = [
    "FEATURE_NAMES",
    "Division",
    "Mention",
    "RegionRanker",
    "RegionResolver",
    "candidate_features",
    "divisions",
    "find_places",
    "national_cues",
]

__getattr__, __dir__ = lazy_names(__name__, {"RegionResolver": "._estimator"}, globals())
