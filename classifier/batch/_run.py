"""run_batch: records in, an output file (or stdout) out, resumable."""

from __future__ import annotations

import contextlib
import functools
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

from ..errors import InputError, UsageError
from ..io import OUTPUT_FORMATS, dumps_record, infer_format, output_columns, read_jsonl, read_output, write_output
from ..labels import ERROR_FIELD, TEXT_COLUMN
from ._chunks import RESUMED_KEY, _model_spec, assign_duplicates, default_jobs
from ._dask import _dask_client, _predict_on_client
from ._journal import (
    DONE_SUFFIX,
    LOCK_SUFFIX,
    PARTIAL_SUFFIX,
    _finalize,
    _forget_finished_journal,
    _id_key,
    _output_error,
    _OutputLock,
    _partial_path,
    _read_journal,
    _remove_stale_temps,
)
from ._local import _check_int, _predict_stream

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


def progress(records: Iterable[dict], sources: Any, quiet: bool) -> Iterator[dict]:
    """``records``, with a progress bar on stderr when it is a terminal (and not ``quiet``)."""
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
    drop_foreign: bool = False,
    trust_pickle: bool = False,
) -> Summary:
    """Predict every record of ``sources`` into ``out`` (stdout when None) and summarise.

    ``fmt`` is one of :data:`classifier.io.FORMATS` (``jsonl``, ``json``, ``csv``, ``tsv``,
    ``xlsx``, ``parquet``; default: from ``out``'s suffix, JSONL on stdout). ``keep_text`` copies
    each record's text into its output (last field), so that a corrected output file is training
    data; ``bom`` starts CSV/TSV output with a UTF-8 byte-order mark (for Excel). ``model_path``
    is a model file (None: the shipped model), ``predictor`` an already loaded model to use
    instead; a pickled model file needs ``trust_pickle``. ``dask`` is a scheduler address (or a
    ``distributed.Client``) to run the chunks on a cluster instead of local processes.

    ``mirrors`` (``classifier.events.MirrorDetector()``; ``classifier predict`` passes one
    unless ``--no-dedup``) adds ``duplicate_of``: "" for the first copy of an article in the
    input, else that copy's id, the same with any ``jobs`` or on Dask.
    With ``resume`` the texts of the records already written are read again from the input
    (their signatures only, no prediction) so that new records still point at earlier copies.

    The output is written atomically, under an exclusive lock (``<out>.lock``); records go to a
    journal (``<out>.partial``) first, so that ``resume`` continues an interrupted run: records
    whose id is already in ``out`` or the journal are skipped. Resume means the same job: done
    records whose id is not in the input are refused (:class:`UsageError`) unless
    ``drop_foreign``, which drops them. A run that read no records leaves an existing ``out``
    as it was. Missing inputs and an ``out`` that is one of the inputs raise :class:`UsageError`;
    a failing write raises :class:`OutputError` (the journal keeps what was done).
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
    model_spec = _model_spec(model_path, predictor, trust_pickle)
    _check_sources(sources, out)
    summary = Summary(out=None if out is None else Path(out))
    start = time.perf_counter()
    predicting = functools.partial(
        _predicting, spec=model_spec, jobs=jobs, chunk_size=chunk_size, explain=explain, dask=dask, mirrors=mirrors
    )

    if out is None:
        with predicting(_with_text_of(iter_records(sources, text_column=text_column), keep_text)) as outputs:
            _write_stdout(progress(outputs, sources, quiet), fmt, summary, bom)
        summary.seconds = time.perf_counter() - start
        return summary

    out = Path(out)
    if out.is_dir():
        raise UsageError(f"output {str(out)!r} is a folder, expected a file name")
    if not out.parent.is_dir():
        raise UsageError(f"output {str(out)!r}: folder {str(out.parent)!r} does not exist")
    with _OutputLock(out):
        _remove_stale_temps(out)
        journal = _partial_path(out)
        _forget_finished_journal(out, fmt, journal)
        done: Counter = Counter()
        failed: Counter = Counter()
        previous: Path | None = None
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
        before = sum(done.values())
        own = [out.with_name(out.name + suffix) for suffix in ("", PARTIAL_SUFFIX, DONE_SUFFIX, LOCK_SUFFIX)]
        records: Iterator[dict] = _skip_done(
            iter_records(sources, text_column=text_column, skip=own), done, summary, mirrors is not None, failed
        )
        with predicting(_with_text_of(records, keep_text)) as outputs:
            _write_journal(progress(outputs, sources, quiet), journal, summary, chunk_size)
        foreign = +done  # done records whose id the input no longer has
        if foreign and not drop_foreign:
            examples = ", ".join(repr(k) for k in list(foreign)[:3])
            raise UsageError(
                f"--resume: {sum(foreign.values())} records in {out} (or its journal) have ids that are not in "
                f"this input (e.g. {examples}): this is not the same job. Run again with --resume --drop-foreign "
                "to drop them, or write to another --out (the records labelled now are kept in the journal)"
            )
        if before + summary.records == 0 and not foreign and out.exists():
            journal.unlink()  # nothing read: never replace an existing output
        else:
            _finalize(out, fmt, journal, previous, foreign, bom)
    summary.seconds = time.perf_counter() - start
    return summary


def _check_sources(sources: Any, out: str | Path | None) -> None:
    """Missing top-level inputs, or an output that is one of them, are usage errors."""
    if sources is None:
        return
    items = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    for source in items:
        if not isinstance(source, (str, os.PathLike)) or str(source) == "-":
            continue
        if not os.path.lexists(source):
            raise UsageError(f"input {str(source)!r}: no such file or folder")
        if out is not None and os.path.exists(out):
            with contextlib.suppress(OSError):
                if os.path.samefile(source, out):
                    raise UsageError(f"--out {str(out)!r} is one of the inputs: writing it would destroy the input")


def _with_text_of(records: Iterator[dict], keep_text: bool) -> tuple[Iterator[dict], Iterator[dict] | None]:
    """(records, their copies for ``_with_text``) when ``keep_text``, else (records, None)."""
    if not keep_text:  # the texts wait only while their chunks are being predicted
        return records, None
    a, b = tee(records)
    return a, b


@contextlib.contextmanager
def _predicting(
    streams: tuple[Iterator[dict], Iterator[dict] | None],
    *,
    spec: Any,
    jobs: int,
    chunk_size: int,
    explain: bool,
    dask: Any,
    mirrors: Any,
) -> Any:
    """Output records of ``streams`` (records, their copies for ``keep_text``), duplicates assigned."""
    records, inputs = streams
    client: Any
    client, own_client = (None, False) if dask is None else _dask_client(dask)
    try:
        if client is not None:
            outputs = _predict_on_client(records, spec, client, chunk_size, explain, mirrors)
        else:
            outputs = _predict_stream(records, spec, jobs, chunk_size, explain, mirrors)
        outputs = assign_duplicates(outputs, mirrors)
        if inputs is not None:
            outputs = _with_text(outputs, inputs)
        yield outputs
    finally:
        if own_client:
            client.close()


def _count(rec: dict, summary: Summary) -> None:
    summary.records += 1
    if ERROR_FIELD in rec:
        summary.errors += 1


def _write_journal(outputs: Iterable[dict], journal: Path, summary: Summary, flush_every: int) -> None:
    try:
        f = open(journal, "a", encoding="utf-8")
    except OSError as exc:
        raise _output_error(journal, exc, started=False) from None
    try:
        with f:
            for n, rec in enumerate(outputs, 1):
                f.write(dumps_record(rec) + "\n")
                _count(rec, summary)
                if n % flush_every == 0:
                    f.flush()
            f.flush()
            os.fsync(f.fileno())  # the journal may be renamed into place as the output
    except OSError as exc:
        raise _output_error(journal, exc) from None


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


def _with_text(outputs: Iterable[dict], inputs: Iterable[dict]) -> Iterator[dict]:
    """Output records with their input's text added last (``keep_text``); one output per input, in order
    (inputs re-read on resume only for the mirror index have no output)."""
    for rec, source in zip(outputs, (s for s in inputs if not s.get(RESUMED_KEY))):
        text = source.get(TEXT_COLUMN)
        if isinstance(text, str) and TEXT_COLUMN not in rec:
            rec = {**rec, TEXT_COLUMN: text}
        yield rec
