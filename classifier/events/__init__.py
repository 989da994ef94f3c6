"""Events: what a page reports and when: its headline and the date of the reported event.

``extract_title`` and ``extract_date`` work on one article's text (standard library only; the
``Predictor`` calls them for every record); ``date_agreement`` scores predicted dates against
labeled ones (the ``date`` column, see LABELING.md "Date").

Names whose modules import heavy libraries (mirror-copy detection with datasketch, about a
second to import) belong in the ``lazy_names`` mapping below, served on first use, so that
labelling an article never imports them.
"""

from .._lazy import lazy_names
from ._dates import date_agreement, extract_date
from ._titles import extract_title

__all__ = ["date_agreement", "extract_date", "extract_title"]

__getattr__, __dir__ = lazy_names(__name__, {}, globals())
