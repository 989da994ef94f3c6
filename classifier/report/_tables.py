"""One row per event: events.csv (UTF-8 with BOM) and events.xlsx."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..io import XLSX_CELL_LIMIT, atomic_write, xlsx_text
from ._aggregate import Aggregates, Event

#: Columns of events.csv and events.xlsx, in order.
EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "region",
    "region_code",
    "city",
    "city_code",
    "county",
    "county_code",
    "topic",
    "confidence",
    "low_confidence",
    "copies",
    "title",
    "url",
)


def event_row(event: Event, agg: Aggregates) -> list[Any]:
    """The values of one event in :data:`EVENT_COLUMNS` order."""
    return [
        event.id,
        event.date,
        event.region,
        event.region_code,
        event.city,
        event.city_code,
        event.county,
        event.county_code,
        event.topic,
        round(event.confidence, 4),
        event.low_confidence,
        agg.copies_of(event.id),
        event.title,
        event.url,
    ]


def write_events_csv(events: Iterable[Event], agg: Aggregates, path: str | Path) -> int:
    """Write events as CSV in UTF-8 with a BOM (so Excel detects the encoding); return the rows written."""
    n = 0
    with atomic_write(path, encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(EVENT_COLUMNS)
        for event in events:
            row = event_row(event, agg)
            row[10] = "true" if row[10] else "false"
            writer.writerow(row)
            n += 1
    return n


def write_events_xlsx(events: Iterable[Event], agg: Aggregates, path: str | Path) -> int:
    """Write events as an Excel workbook (one sheet, streamed); return the rows written.

    Text is always stored as text (a title starting with ``=`` is not a formula); a value longer
    than an Excel cell holds is cut to :data:`classifier.io.XLSX_CELL_LIMIT` characters (events.csv
    has it whole).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("events")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in EVENT_COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    text_cols = [i for i, name in enumerate(EVENT_COLUMNS) if name not in ("confidence", "low_confidence", "copies")]
    n = 0
    for event in events:
        row = event_row(event, agg)
        for i in text_cols:
            row[i] = xlsx_text(ws, row[i][:XLSX_CELL_LIMIT])
        ws.append(row)
        n += 1
    with atomic_write(path, mode="wb") as f:
        wb.save(f)
    return n
