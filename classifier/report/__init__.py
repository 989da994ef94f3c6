"""Reports of events: prediction output → report.html, events.csv, events.xlsx.

An *event* is a prediction record whose ``duplicate_of`` is empty; its *copies* are itself and
the records whose ``duplicate_of`` is its id. Error records are counted and skipped.
"""

from __future__ import annotations

from ._aggregate import LOW_CONFIDENCE, Aggregates, Event, EventStream, aggregate, to_event, year_of
from ._browser import CHROMIUM_ARGS, chromium_path, launch_chromium
from ._report import REPORT_FILES, ReportSummary, build_report
from ._synthetic import synthetic_predictions, write_synthetic_predictions
from ._tables import EVENT_COLUMNS

__all__ = [
    "CHROMIUM_ARGS",
    "EVENT_COLUMNS",
    "LOW_CONFIDENCE",
    "REPORT_FILES",
    "Aggregates",
    "Event",
    "EventStream",
    "ReportSummary",
    "aggregate",
    "build_report",
    "chromium_path",
    "launch_chromium",
    "to_event",
    "synthetic_predictions",
    "write_synthetic_predictions",
    "year_of",
]
