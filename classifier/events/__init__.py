"""Events: what a page reports and when, and which pages are copies of one article.

``extract_title`` and ``extract_date`` work on one article's text (the ``Predictor`` calls them
for every record); ``date_agreement`` scores predicted dates against labeled ones (the ``date``
column, see LABELING.md "Date"). Mirror copies: ``signature(clean_text)`` in the workers,
``MirrorIndex.add(id, signature)`` in input order in the parent, giving each record's
``duplicate_of`` (``classifier.labels.DUPLICATE_FIELD``); ``MirrorDetector`` bundles both for
``classifier.batch.run_batch(mirrors=...)``.
"""

from ._date_agreement import date_agreement
from ._dates import extract_date
from ._mirrors import MirrorDetector, MirrorIndex, MirrorSignature, find_mirrors, signature
from ._titles import extract_title

__all__ = [
    "MirrorDetector",
    "MirrorIndex",
    "MirrorSignature",
    "date_agreement",
    "extract_date",
    "extract_title",
    "find_mirrors",
    "signature",
]
