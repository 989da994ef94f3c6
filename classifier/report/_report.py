"""build_report: prediction files → report.html, events.csv, events.xlsx."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import SUFFIX_FORMATS, atomic_write, format_of
from ._aggregate import LOW_CONFIDENCE, Aggregates, EventStream, read_spool, spool_event
from ._html import write_html
from ._tables import write_events_csv, write_events_xlsx

#: Files written into the output folder.
REPORT_FILES: tuple[str, ...] = ("report.html", "events.csv", "events.xlsx")


@dataclass
class ReportSummary:
    """What :func:`build_report` read and wrote."""

    records: int
    errors: int
    events: int
    duplicates: int
    low_confidence: int
    orphans: int
    seconds: float
    files: list[Path] = field(default_factory=list)
    aggregates: Aggregates | None = field(default=None, repr=False)

    def __str__(self) -> str:
        where = ", ".join(str(f) for f in self.files)
        orphans = f", {self.orphans:,} copies of an event not in the input" if self.orphans else ""
        return (
            f"{self.records:,} records: {self.events:,} events, {self.duplicates:,} mirror copies, "
            f"{self.errors:,} errors skipped, {self.low_confidence:,} low-confidence events "
            f"(topic probability < {LOW_CONFIDENCE:g}){orphans}; {self.seconds:.1f} s → {where}"
        )


def _read(source: str | Path) -> Iterator[dict[str, Any]]:
    from ..io import read_output

    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source}: no such prediction file")
    try:
        yield from read_output(path)
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: cannot read as prediction output ({exc})") from exc


def build_report(
    sources: str | Path | Sequence[str | Path] | Iterable[dict[str, Any]], out_dir: str | Path
) -> ReportSummary:
    """Read prediction output and write ``report.html``, ``events.csv`` and ``events.xlsx`` into ``out_dir``.

    Parameters
    ----------
    sources
        Prediction files written by ``classifier predict`` (any of ``classifier.io.FORMATS``), read in
        order as one stream; or an iterable of prediction records.
    out_dir
        Output folder, created if missing. Each file is written atomically.

    Returns
    -------
    ReportSummary
        Counts of records, events, mirror copies, skipped errors and low-confidence events.
    """
    start = time.perf_counter()
    if isinstance(sources, (str, Path)):
        sources = [sources]
    if isinstance(sources, Sequence) and all(isinstance(s, (str, Path)) for s in sources):
        names = [str(s) for s in sources]
        for s in sources:
            if not Path(s).is_file():
                raise InputError(f"{s}: no such prediction file")
            if format_of(s) is None:
                raise InputError(
                    f"{s}: not a prediction file of a known format (suffix "
                    f"{Path(s).suffix or '(none)'!r}; expected one of {', '.join(SUFFIX_FORMATS)})"
                )
        records: Iterable[dict[str, Any]] = (rec for s in sources for rec in _read(s))
    else:
        names = ["(records)"]
        records = sources  # type: ignore[assignment]
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    stream = EventStream()
    fd, spool_name = tempfile.mkstemp(dir=out, prefix=".events.", suffix=".spool")
    try:
        with os.fdopen(fd, "w+", encoding="utf-8") as spool:
            for rec in records:
                event = stream.add(rec)
                if event is not None:
                    spool_event(spool, event)
            spool.flush()
            agg = stream.aggregates
            agg.orphans = _orphans(read_spool(spool), agg)
            generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            files = [out / name for name in REPORT_FILES]
            with atomic_write(files[0]) as fh:
                write_html(fh, read_spool(spool), agg, sources=names, generated=generated)
            write_events_csv(read_spool(spool), agg, files[1])
            write_events_xlsx(read_spool(spool), agg, files[2])
    finally:
        with contextlib.suppress(OSError):
            os.unlink(spool_name)
    return ReportSummary(
        records=agg.records,
        errors=agg.errors,
        events=agg.events,
        duplicates=agg.duplicates,
        low_confidence=agg.low_confidence,
        orphans=agg.orphans,
        seconds=time.perf_counter() - start,
        files=files,
        aggregates=agg,
    )


def _orphans(events: Iterable[Any], agg: Aggregates) -> int:
    """Copies whose ``duplicate_of`` names no event of the input."""
    if not agg.duplicate_targets:
        return 0
    targets = set(agg.duplicate_targets)
    for e in events:
        targets.discard(e.id)
    return sum(agg.duplicate_targets[t] for t in targets)
