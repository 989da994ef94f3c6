"""Events: what an article reports and when: its headline, its date and, soon, its mirror copies."""

from ._dates import extract_date

__all__ = ["extract_date"]
