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
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, OutputLockedError, UsageError
from ..io import dumps_record, infer_format, output_columns, read_jsonl, read_output, write_csv, write_parquet
from ..labels import ERROR_FIELD, TEXT_COLUMN
from ._chunks import _model_spec, default_jobs
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


def _skip_done(records: Iterable[dict], done: Counter, summary: Summary) -> Iterator[dict]:
    for rec in records:
        key = _id_key(rec.get("id"))
        if key is not None and done[key] > 0:
            done[key] -= 1
            summary.skipped += 1
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
    drop_foreign: bool = False,
    trust_pickle: bool = False,
) -> Summary:
    """Predict every record of ``sources`` into ``out`` (stdout when None) and summarise.

    ``fmt`` is ``jsonl``, ``csv`` or ``parquet`` (default: from ``out``'s suffix; JSONL on
    stdout). ``model_path`` is a model file (None: the shipped model), ``predictor`` an already
    loaded model to use instead; a pickled model file needs ``trust_pickle``. ``dask`` is a
    scheduler address (or a ``distributed.Client``) to run the chunks on a cluster instead of
    local processes.

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
    if out is None and fmt == "parquet":
        raise InputError("Parquet output needs an output file (out), not stdout")
    jobs = default_jobs() if jobs is None else _check_int("jobs", jobs)
    chunk_size = _check_int("chunk_size", chunk_size)
    spec = _model_spec(model_path, predictor, trust_pickle)
    _check_sources(sources, out)
    summary = Summary(out=None if out is None else Path(out))
    start = time.perf_counter()
    if out is None:
        records = iter_records(sources, text_column=text_column)
        with _predicting(records, spec, jobs, chunk_size, explain, dask) as outputs:
            _write_stdout(progress(outputs, sources, quiet), fmt, summary)
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
        previous: Path | None = None
        if resume:
            if out.is_file():
                previous = out
                done.update(_id_key(r.get("id")) for r in read_output(out, fmt))
            if journal.is_file():
                done.update(_id_key(r.get("id")) for r in _read_journal(journal, repair=True))
            done.pop(None, None)
        elif journal.exists():
            journal.unlink()
        before = sum(done.values())
        records = _skip_done(iter_records(sources, text_column=text_column), done, summary)
        with _predicting(records, spec, jobs, chunk_size, explain, dask) as outputs:
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
            _finalize(out, fmt, journal, previous, foreign)
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


@contextlib.contextmanager
def _predicting(records: Iterable[dict], spec: Any, jobs: int, chunk_size: int, explain: bool, dask: Any) -> Any:
    client: Any
    client, own_client = (None, False) if dask is None else _dask_client(dask)
    try:
        if client is not None:
            yield _predict_on_client(records, spec, client, chunk_size, explain)
        else:
            yield _predict_stream(records, spec, jobs, chunk_size, explain)
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


def _write_stdout(outputs: Iterable[dict], fmt: str, summary: Summary) -> None:
    stream = sys.stdout
    if fmt == "jsonl":
        for rec in outputs:
            stream.write(dumps_record(rec) + "\n")
            _count(rec, summary)
        stream.flush()
        return
    # CSV needs every column before the first row: go through a temporary journal.
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "out.jsonl"
        _write_journal(outputs, journal, summary, 1 << 30)
        columns, topics = output_columns(read_jsonl(journal))
        write_csv(read_jsonl(journal), stream, columns, topics)
        stream.flush()


def _finalize(out: Path, fmt: str, journal: Path, previous: Path | None, drop: Counter | None = None) -> None:
    """Turn the journal (after the previous output, if any) into ``out``, atomically.

    ``drop`` counts ids whose records are left out (``--drop-foreign``).
    """
    try:
        _write_final(out, fmt, journal, previous, Counter(drop or {}))
    except OSError as exc:
        raise _output_error(out, exc) from None


def _write_final(out: Path, fmt: str, journal: Path, previous: Path | None, drop: Counter) -> None:
    if fmt == "jsonl" and previous is None and not drop:
        os.replace(journal, out)  # the rename is the cleanup: nothing to recognise on resume
        return

    def records() -> Iterator[dict]:
        if previous is not None:
            yield from _dropping(read_output(previous, fmt), drop)
        yield from _dropping(_read_journal(journal), drop)

    def faulty(recs: Iterator[dict]) -> Iterator[dict]:
        for n, rec in enumerate(recs):
            if n == 1:
                _fault("in-final-write")
            yield rec

    from ..io import atomic_write

    total = 0
    if fmt == "jsonl":
        with atomic_write(out, "w") as f:
            for rec in faulty(records()):
                f.write(dumps_record(rec) + "\n")
                total += 1
            _record_done(out, total, f)
    else:
        columns, topics = output_columns(records())
        writer = write_csv if fmt == "csv" else write_parquet
        with atomic_write(out, "w" if fmt == "csv" else "wb") as f:
            count = [0]
            writer(_counting(faulty(records()), count), f, columns, topics)
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


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL_SUFFIX)
