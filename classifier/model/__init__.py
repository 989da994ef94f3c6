"""The article model: the ``Predictor`` a model file holds, model files, and the estimator.

Loading a model (``load``, ``Predictor``, ``load_artifact``) needs numpy only;
``ArticleClassifier`` and ``save`` import scikit-learn and are loaded on first use.
"""

from .._lazy import lazy_names
from ._convert import convert_model
from ._format import is_npz, load_npz, overlap_count, save_npz, sha256_file, text_hashes
from ._persistence import digest_path, load_artifact, save_artifact
from ._predictor import Predictor, default_model_path, load

__all__ = [
    "ArticleClassifier",
    "Predictor",
    "convert_model",
    "data_fingerprint",
    "default_model_path",
    "digest_path",
    "is_npz",
    "load_npz",
    "overlap_count",
    "save_npz",
    "sha256_file",
    "text_hashes",
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
