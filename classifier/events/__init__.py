"""Events: what a page reports and when: its headline and the date of the reported event.

``extract_title`` and ``extract_date`` work on one article's text; ``date_agreement`` scores
predicted dates against labeled ones (the ``date`` column, see LABELING.md "Date").
"""

from ._dates import date_agreement, extract_date
from ._titles import extract_title

__all__ = ["date_agreement", "extract_date", "extract_title"]
