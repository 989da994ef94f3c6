"""Label scraped Chinese education news articles with their topic and region.

>>> import classifier
>>> model = classifier.load()  # the shipped model
>>> [record] = model.predict(["全市义务教育工作座谈会在镇江丹阳市召开。"])  # one record per text
>>> record["region"], record["city"]
('江苏省', '镇江市')
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__
from .errors import ClassifierError, InputError, ModelError
from .labels import DEFAULT_TOPICS, NATIONAL, PREDICTION_FIELDS, PROVINCES, REGIONS, TOPICS
from .normalize import normalize

# Public names served from their modules on first use, so that `import classifier` stays
# cheap: scikit-learn is imported only by what needs it.
_LAZY = {
    "load": "model",
    "Predictor": "model",
    "save": "model",
    "ArticleClassifier": "model",
    "TopicClassifier": "topic",
    "RegionResolver": "region",
    "find_places": "region",
    "tokenize": "segment",
    "train": "training",
    "iter_records": "io",
    "read_labeled": "io",
    "predict_records": "batch",
    "predict_dask": "batch",
    "run_batch": "batch",
}

__all__ = [
    "NATIONAL",
    "PREDICTION_FIELDS",
    "PROVINCES",
    "REGIONS",
    "TOPICS",
    "DEFAULT_TOPICS",
    "ClassifierError",
    "InputError",
    "ModelError",
    "normalize",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
