"""Review predictions in a local web app, label with active learning, and retrain from the labels.

>>> from classifier.review import LabelStore, suggest
"""

from __future__ import annotations

from .._lazy import lazy_names
from ._queue import (
    NearDuplicates,
    Scored,
    audit_order,
    disagreement_order,
    score_texts,
    teach_order,
)
from ._store import DECISION_FIELDS, MODES, LabelStore, fingerprint
from ._suggest import read_inputs, suggest

__all__ = [
    "DECISION_FIELDS",
    "MODES",
    "LabelStore",
    "NearDuplicates",
    "Scored",
    "audit_order",
    "disagreement_order",
    "fingerprint",
    "read_inputs",
    "run_review",
    "score_texts",
    "suggest",
    "teach_order",
]

# The web app needs Starlette and uvicorn (the ``review`` extra): imported on first use only.
__getattr__, __dir__ = lazy_names(__name__, {"run_review": "._app"}, globals())
