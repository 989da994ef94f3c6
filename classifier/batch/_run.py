"""run_batch: records in, an output file (or stdout) out, resumable."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import tee
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import OUTPUT_FORMATS, dumps_record, infer_format, output_columns, read_jsonl, read_output, write_output
from ..labels import ERROR_FIELD, TEXT_COLUMN
from ._chunks import RESUMED_KEY, _model_spec, assign_duplicates, default_jobs
from ._dask import _dask_client, _predict_on_client
from ._local import _check_int, _predict_stream

#: Suffix of the journal kept beside the output while a run is in progress.
PARTIAL_SUFFIX = ".partial"


def _read_journal(path: Path, repair: bool = False) -> Iterator[dict]:
    """Records of a journal; with ``repair``, cut a torn last line left by a crash first."""
    if repair:
        with open(path, "rb+") as f:
            data = f.read()
            end = len(data)
            while end:
                start = data.rfind(b"\n", 0, end - 1) + 1
                line = data[start:end]
                try:
                    if line.endswith(b"\n"):
                        json.loads(line)
                        break
                except ValueError:
                    pass
                end = start
            if end != len(data):
                f.truncate(end)
    return read_jsonl(path)


# ----------------------------------------------------------------------------- run_batch


@dataclass
class Summary:
    """What a batch run did."""

    records: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    out: Path | None = None

    @property
    def rate(self) -> float:
        """Records per second."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        skipped = f", {self.skipped:,} skipped (resume)" if self.skipped else ""
        where = f" → {self.out}" if self.out else ""
        return (
            f"{self.records:,} records, {self.errors:,} errors{skipped} in "
            f"{self.seconds:.1f} s ({self.rate:,.0f} records/s){where}"
        )


def _id_key(value: Any) -> str | None:
    return None if value is None else str(value)


def _skip_done(
    records: Iterable[dict], done: Counter, summary: Summary, reread: bool = False, failed: Counter | None = None
) -> Iterator[dict]:
    """The records not yet in the output. With ``reread`` the others still go through, marked
    :data:`RESUMED_KEY`, so that the mirror index sees every text it saw in the first run, in
    input order (``failed``: ids written as errors, which the index never saw)."""
    failed = Counter() if failed is None else failed
    for rec in records:
        key = _id_key(rec.get("id"))
        if key is not None and done[key] > 0:
            done[key] -= 1
            summary.skipped += 1
            if failed[key] > 0:  # same id, several records: the errors counted first (rare)
                failed[key] -= 1
            elif reread and isinstance(rec.get(TEXT_COLUMN), str):
                yield {"id": rec.get("id"), TEXT_COLUMN: rec[TEXT_COLUMN], RESUMED_KEY: True}
            continue
        yield rec


def _estimate_total(sources: Any) -> int | None:
    """A cheap count of the input records for the progress bar's ETA (None if unknown)."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    total = 0
    try:
        for source in sources:
            path = Path(source)
            if str(source) == "-" or not path.exists():
                return None
            if path.is_dir():
                for _, dirs, files in os.walk(path):  # hidden entries are skipped by io too
                    dirs[:] = [d for d in dirs if not d.startswith(".")]
                    total += sum(not f.startswith(".") for f in files)
            elif path.suffix.lower() in (".jsonl", ".ndjson", ".csv"):
                lines = 0
                with open(path, "rb") as f:
                    while block := f.read(1 << 20):
                        lines += block.count(b"\n")
                total += lines - (path.suffix.lower() == ".csv")
            elif path.suffix.lower() in (".parquet", ".pq"):
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows
            else:
                total += 1
    except (OSError, TypeError, ValueError):
        return None
    return total


def _progress(records: Iterator[dict], sources: Any, quiet: bool, summary: Summary) -> Iterator[dict]:
    stream = sys.stderr
    if quiet or stream is None or not getattr(stream, "isatty", lambda: False)():
        yield from records
        return
    from tqdm import tqdm

    bar = tqdm(
        total=_estimate_total(sources),
        initial=0,
        unit=" rec",
        file=stream,
        mininterval=0.5,
        dynamic_ncols=True,
        smoothing=0.05,
    )
    try:
        for rec in records:
            yield rec
            bar.update(1)
    finally:
        bar.close()


def run_batch(
    sources: Any,
    out: str | Path | None = None,
    fmt: str | None = None,
    model_path: str | Path | None = None,
    jobs: int | None = None,
    resume: bool = False,
    quiet: bool = False,
    explain: bool = False,
    dask: Any = None,
    text_column: str = TEXT_COLUMN,
    chunk_size: int = 256,
    predictor: Any = None,
    keep_text: bool = False,
    bom: bool = False,
    mirrors: Any = None,
) -> Summary:
    """Predict every record of ``sources`` into ``out`` (stdout when None) and summarise.

    ``fmt`` is one of :data:`classifier.io.FORMATS` (``jsonl``, ``json``, ``csv``, ``tsv``,
    ``xlsx``, ``parquet``; default: from ``out``'s suffix, JSONL on stdout). ``keep_text`` copies
    each record's text into its output (last field), so that a corrected output file is training
    data; ``bom`` starts CSV/TSV output with a UTF-8 byte-order mark (for Excel). ``model_path``
    is a model file (None: the shipped model), ``predictor`` an already loaded model to use
    instead. ``dask`` is a scheduler address (or a ``distributed.Client``) to run the chunks on a
    cluster instead of local processes. See the module docstring for the file formats, atomic
    writing and ``resume``.

    ``mirrors`` (``classifier.events.MirrorDetector()``; ``classifier predict`` passes one
    unless ``--no-dedup``) adds ``duplicate_of``: "" for the first copy of an article in the
    input, else that copy's id, the same with any ``jobs`` or on Dask.
    With ``resume`` the texts of the records already written are read again from the input
    (their signatures only, no prediction) so that new records still point at earlier copies.
    """
    from ..io import iter_records

    fmt = infer_format(out, fmt)
    if resume and out is None:
        raise InputError("resume needs an output file (out): stdout cannot be resumed")
    spec = OUTPUT_FORMATS[fmt]
    if out is None and spec.binary:
        raise InputError(f"{fmt} output needs an output file (out), not stdout")
    if bom and not spec.bom:
        raise InputError(f"a byte-order mark (--excel) is for CSV and TSV output, not {fmt}")
    jobs = default_jobs() if jobs is None else _check_int("jobs", jobs)
    chunk_size = _check_int("chunk_size", chunk_size)
    model_spec = _model_spec(model_path, predictor)
    summary = Summary(out=None if out is None else Path(out))
    start = time.perf_counter()

    done: Counter = Counter()
    failed: Counter = Counter()
    previous: Path | None = None
    journal: Path | None = None
    if out is not None:
        out = Path(out)
        if out.is_dir():
            raise InputError(f"output {str(out)!r} is a folder, expected a file name")
        if not out.parent.is_dir():
            raise InputError(f"output {str(out)!r}: folder {str(out.parent)!r} does not exist")
        journal = _partial_path(out)
        if resume:
            if out.is_file():
                previous = out
                for r in read_output(out, fmt):
                    done[_id_key(r.get("id"))] += 1
                    failed[_id_key(r.get("id"))] += ERROR_FIELD in r
            if journal.is_file():
                for r in _read_journal(journal, repair=True):
                    done[_id_key(r.get("id"))] += 1
                    failed[_id_key(r.get("id"))] += ERROR_FIELD in r
            done.pop(None, None)
        elif journal.exists():
            journal.unlink()

    records: Iterator[dict] = _skip_done(
        iter_records(sources, text_column=text_column), done, summary, mirrors is not None, failed
    )
    inputs: Iterator[dict] | None = None
    if keep_text:  # the texts wait only while their chunks are being predicted
        records, inputs = tee(records)
    client: Any
    client, own_client = (None, False) if dask is None else _dask_client(dask)
    try:
        if client is not None:
            outputs = _predict_on_client(records, model_spec, client, chunk_size, explain, mirrors)
        else:
            outputs = _predict_stream(records, model_spec, jobs, chunk_size, explain, mirrors)
        outputs = assign_duplicates(outputs, mirrors)
        if inputs is not None:
            outputs = _with_text(outputs, inputs)
        outputs = _progress(outputs, sources, quiet, summary)
        if out is None:
            _write_stdout(outputs, fmt, summary, bom)
        else:
            assert journal is not None  # set with out
            _write_journal(outputs, journal, summary, chunk_size)
            _finalize(out, fmt, journal, previous, bom)
    finally:
        if own_client:
            client.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _count(rec: dict, summary: Summary) -> None:
    summary.records += 1
    if ERROR_FIELD in rec:
        summary.errors += 1


def _write_journal(outputs: Iterable[dict], journal: Path, summary: Summary, flush_every: int) -> None:
    with open(journal, "a", encoding="utf-8") as f:
        for n, rec in enumerate(outputs, 1):
            f.write(dumps_record(rec) + "\n")
            _count(rec, summary)
            if n % flush_every == 0:
                f.flush()
        f.flush()
        os.fsync(f.fileno())  # the journal may be renamed into place as the output


def _write_stdout(outputs: Iterable[dict], fmt: str, summary: Summary, bom: bool = False) -> None:
    stream = sys.stdout
    if fmt == "jsonl":
        for rec in outputs:
            stream.write(dumps_record(rec) + "\n")
            _count(rec, summary)
        stream.flush()
        return
    # CSV/TSV need every column before the first row: go through a temporary journal.
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "out.jsonl"
        _write_journal(outputs, journal, summary, 1 << 30)
        columns, topics = output_columns(read_jsonl(journal)) if OUTPUT_FORMATS[fmt].tabular else ([], [])
        write_output(read_jsonl(journal), stream, fmt, columns, topics, bom=bom)
        stream.flush()


def _finalize(out: Path, fmt: str, journal: Path, previous: Path | None, bom: bool = False) -> None:
    """Turn the journal (after the previous output, if any) into ``out``, atomically."""
    if fmt == "jsonl" and previous is None:
        os.replace(journal, out)
        return

    def records() -> Iterator[dict]:
        if previous is not None:
            yield from read_output(previous, fmt)
        yield from read_jsonl(journal)

    from ..io import atomic_write

    spec = OUTPUT_FORMATS[fmt]
    columns, topics = output_columns(records()) if spec.tabular else ([], [])
    with atomic_write(out, "wb" if spec.binary else "w") as f:
        write_output(records(), f, fmt, columns, topics, bom=bom)
    journal.unlink()


def _with_text(outputs: Iterable[dict], inputs: Iterable[dict]) -> Iterator[dict]:
    """Output records with their input's text added last (``keep_text``); one output per input, in order
    (inputs re-read on resume only for the mirror index have no output)."""
    for rec, source in zip(outputs, (s for s in inputs if not s.get(RESUMED_KEY))):
        text = source.get(TEXT_COLUMN)
        if isinstance(text, str) and TEXT_COLUMN not in rec:
            rec = {**rec, TEXT_COLUMN: text}
        yield rec


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL_SUFFIX)
