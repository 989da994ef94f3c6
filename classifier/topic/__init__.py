"""The topic of an article: features, the numpy scorer, the scikit-learn estimator, a baseline.

``TopicClassifier`` and ``textbook_baseline`` import scikit-learn and are loaded on first use;
the features and the ``TopicScorer`` a saved model predicts with need numpy only.
"""

from .._lazy import lazy_names
from ._features import (
    CUE_SCALE,
    CUES,
    GUIDE_CUES,
    GUIDE_RULES,
    N_CUES,
    CueTable,
    FeatureSpec,
    GuideRule,
    char_ngrams,
    cue_row,
    cue_table,
    guide_row,
    learn_cues,
    word_ngrams,
)
from ._scorer import LinearMember, TfidfBlock, TopicScorer

__all__ = [
    "CUES",
    "CUE_SCALE",
    "GUIDE_CUES",
    "N_CUES",
    "CueTable",
    "FeatureSpec",
    "GUIDE_RULES",
    "GuideRule",
    "LinearMember",
    "TextbookPredictor",
    "TfidfBlock",
    "TopicClassifier",
    "TopicScorer",
    "char_ngrams",
    "cue_row",
    "cue_table",
    "guide_row",
    "learn_cues",
    "textbook_baseline",
    "word_ngrams",
]

__getattr__, __dir__ = lazy_names(
    __name__,
    {"TopicClassifier": "._estimator", "textbook_baseline": "._baseline", "TextbookPredictor": "._baseline"},
    globals(),
)
