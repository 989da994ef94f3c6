"""The article model: the ``Predictor`` a model file holds, model files, and the estimator.

Loading a model (``load``, ``Predictor``, ``load_artifact``) needs numpy only;
``ArticleClassifier`` and ``save`` import scikit-learn and are loaded on first use.
"""

from .._lazy import lazy_names
from ._persistence import digest_path, load_artifact, save_artifact
from ._predictor import Predictor, default_model_path, load

__all__ = [
    "ArticleClassifier",
    "Predictor",
    "data_fingerprint",
    "default_model_path",
    "digest_path",
    "load",
    "load_artifact",
    "save",
    "save_artifact",
    "with_topics",
]

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "ArticleClassifier": "._article",
        "save": "._article",
        "data_fingerprint": "._article",
        "with_topics": "._article",
    },
    globals(),
)
