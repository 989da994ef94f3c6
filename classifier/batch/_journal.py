"""The output file of a batch run: its lock, the resume journal beside it, and the final atomic write.

A run holds ``<out>.lock``, appends records to ``<out>.partial`` (the journal), and finally
turns previous output + journal into ``out`` atomically, recording the finished record count in
``<out>.partial.done`` just before the rename so that a run killed after it is recognised.
"""

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
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import OutputError, OutputLockedError
from ..io import OUTPUT_FORMATS, output_columns, read_jsonl, read_output, write_output

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


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL_SUFFIX)


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


def _output_error(path: Path, exc: OSError, started: bool = True) -> OutputError:
    cause = exc.strerror or str(exc)
    kept = "the records labelled so far are kept; " if started else ""
    return OutputError(f"cannot write {path}: {cause}; {kept}fix that, then run again with --resume to continue")


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
