"""run_batch: records in, an output file (or stdout) out, resumable."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
import os
import re
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import tee
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, OutputLockedError, UsageError
from ..io import OUTPUT_FORMATS, dumps_record, infer_format, output_columns, read_jsonl, read_output, write_output
from ..labels import ERROR_FIELD, TEXT_COLUMN
from ._chunks import RESUMED_KEY, _model_spec, assign_duplicates, default_jobs
from ._dask import _dask_client, _predict_on_client
from ._local import _check_int, _predict_stream

#: Suffix of the journal kept beside the output while a run is in progress.
PARTIAL_SUFFIX = ".partial"
#: Suffix of the file that records, just before the final rename, how many records the finished
#: output holds: a journal left beside an output of that size is already in it.
DONE_SUFFIX = ".partial.done"
#: Suffix of the lock file beside the output (pid, host and start time of the run holding it).
LOCK_SUFFIX = ".lock"
#: Environment variable naming a point where the process kills itself (fault-injection tests).
FAULT_ENV = "CLASSIFIER_FAULT"


def _fault(point: str) -> None:
    """SIGKILL this process when ``$CLASSIFIER_FAULT`` names ``point`` (crash tests only)."""
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


class _OutputLock:
    """An exclusive ``flock`` on ``<out>.lock`` for the whole run; the file names its holder."""

    def __init__(self, out: Path):
        self.path = out.with_name(out.name + LOCK_SUFFIX)
        self.fd: int | None = None

    def __enter__(self) -> _OutputLock:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot create the lock file ({exc.strerror or exc})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise OutputError(f"{self.path}: cannot lock ({exc.strerror or exc})") from None
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another run"
                os.close(fd)
                raise OutputLockedError(
                    f"{self.path.with_suffix('')}: another run is writing this output ({holder}); "
                    "wait for it to finish, or choose another --out"
                ) from None
            # The holder before us may have removed the file after we opened it: lock the live one.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


def _remove_stale_temps(out: Path) -> None:
    """Remove the hidden temp files a run killed inside the final write left (lock held)."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"[A-Za-z0-9_]{8}\.tmp")
    with contextlib.suppress(OSError), os.scandir(out.parent) as it:
        for entry in it:
            if pattern.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _count_output(out: Path, fmt: str) -> int | None:
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(out).metadata.num_rows)
        return sum(1 for _ in read_output(out, fmt))
    except Exception:  # noqa: BLE001 - an unreadable output is not the finished one
        return None


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


_ROW_SUFFIX = re.compile(r":(\d+)$")


@functools.lru_cache(maxsize=65536)
def _real_path(path: str) -> str | None:
    try:
        return os.path.realpath(path) if path not in ("", "-") and os.path.lexists(path) else None
    except (OSError, ValueError):
        return None


def _id_key(value: Any) -> str | None:
    """The id as resume compares it: ids made of a path (``path``, ``path:line``) by the real path,
    so that ``a.jsonl`` and ``$PWD/a.jsonl`` are the same job."""
    if value is None:
        return None
    key = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    real = _real_path(key)
    if real is not None:
        return real
    m = _ROW_SUFFIX.search(key)
    if m:
        real = _real_path(key[: m.start()])
        if real is not None:
            return real + m.group(0)
    return key


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


def _forget_finished_journal(out: Path, fmt: str, journal: Path) -> None:
    """Remove a journal that a run killed between the final rename and the cleanup left behind.

    Before the rename the run records the finished output's record count in ``<out>.partial.done``:
    when ``out`` now holds that many records, the rename happened and the journal is already in it.
    """
    done_file = out.with_name(out.name + DONE_SUFFIX)
    if not done_file.exists():
        return
    try:
        expected, inode = map(int, done_file.read_text(encoding="utf-8").split()[:2])
    except (OSError, ValueError):
        expected = inode = -1
    try:
        renamed = out.stat().st_ino == inode
    except OSError:
        renamed = False
    if journal.exists() and renamed and _count_output(out, fmt) == expected:
        journal.unlink()
    done_file.unlink()


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


def _output_error(path: Path, exc: OSError, started: bool = True) -> OutputError:
    cause = exc.strerror or str(exc)
    kept = "the records labelled so far are kept; " if started else ""
    return OutputError(f"cannot write {path}: {cause}; {kept}fix that, then run again with --resume to continue")


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


def _finalize(
    out: Path, fmt: str, journal: Path, previous: Path | None, drop: Counter | None = None, bom: bool = False
) -> None:
    """Turn the journal (after the previous output, if any) into ``out``, atomically.

    ``drop`` counts ids whose records are left out (``--drop-foreign``).
    """
    try:
        _write_final(out, fmt, journal, previous, Counter(drop or {}), bom)
    except OSError as exc:
        raise _output_error(out, exc) from None


def _write_final(out: Path, fmt: str, journal: Path, previous: Path | None, drop: Counter, bom: bool) -> None:
    if fmt == "jsonl" and previous is None and not drop:
        os.replace(journal, out)  # the rename is the cleanup: nothing to recognise on resume
        return

    def records() -> Iterator[dict]:  # read twice for tabular formats: each pass drops afresh
        dropping = Counter(drop)
        if previous is not None:
            yield from _dropping(read_output(previous, fmt), dropping)
        yield from _dropping(_read_journal(journal), dropping)

    def faulty(recs: Iterator[dict]) -> Iterator[dict]:
        for n, rec in enumerate(recs):
            if n == 1:
                _fault("in-final-write")
            yield rec

    from ..io import atomic_write

    spec = OUTPUT_FORMATS[fmt]
    columns, topics = output_columns(records()) if spec.tabular else ([], [])
    with atomic_write(out, "wb" if spec.binary else "w") as f:
        count = [0]
        write_output(_counting(faulty(records()), count), f, fmt, columns, topics, bom=bom)
        _record_done(out, count[0], f)
    _fault("after-rename")
    journal.unlink()
    _fault("after-journal-cleanup")
    out.with_name(out.name + DONE_SUFFIX).unlink()


def _counting(records: Iterator[dict], count: list[int]) -> Iterator[dict]:
    """The records, counted in ``count[0]``."""
    for rec in records:
        count[0] += 1
        yield rec


def _record_done(out: Path, total: int, tmp: Any) -> None:
    """Record the finished output's record count and file (inode of the temp file renamed into place)."""
    done_file = out.with_name(out.name + DONE_SUFFIX)
    inode = os.fstat(tmp.fileno()).st_ino
    with open(done_file, "w", encoding="utf-8") as f:
        f.write(f"{total} {inode}\n")
        f.flush()
        os.fsync(f.fileno())


def _dropping(records: Iterable[dict], drop: Counter) -> Iterator[dict]:
    for rec in records:
        key = _id_key(rec.get("id"))
        if drop and key is not None and drop[key] > 0:
            drop[key] -= 1
            continue
        yield rec


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
