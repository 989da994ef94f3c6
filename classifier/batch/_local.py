"""Prediction over a record stream in this process or a local process pool."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ..errors import ClassifierError, InputError
from ..io import chunked
from ._chunks import TrustedPath, _get_model, _model_spec, _predict_chunk, assign_duplicates, default_jobs

# ----------------------------------------------------------------------------- local pool

_WORKER: dict[str, Any] = {}
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _die_with_parent(parent: int) -> None:
    """Make this worker exit when the process that started the pool dies, even by SIGKILL.

    Linux: ``PR_SET_PDEATHSIG`` (the forkserver is the direct parent, and it exits with the run);
    everywhere: a daemon thread that checks every second that ``parent`` is still alive.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass

    def watch() -> None:
        while _alive(parent):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="classifier-parent-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")  # a zombie is dead
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _worker_init(spec: Any, parent: int | None = None) -> None:
    if parent is not None:
        _die_with_parent(parent)
    # N processes on N cores: a BLAS thread pool per process would only oversubscribe them.
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    # scikit-learn imports pandas whenever it is installed (~1 s and ~60 MB per process);
    # a worker that only predicts lists of str never needs it, so keep it out.
    block = (spec is None or isinstance(spec, (Path, TrustedPath))) and "pandas" not in sys.modules
    if block:
        sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        try:
            _WORKER["model"] = _get_model(spec)
        except ImportError:
            if not block:
                raise
            del sys.modules["pandas"]
            _WORKER["model"] = _get_model(spec)
        _WORKER.pop("error", None)
    except BaseException as exc:  # noqa: BLE001 - re-raised with the first chunk
        _WORKER["error"] = exc


def _worker_run(chunk: list[dict], explain: bool, mirrors: Any = None) -> list[dict]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return _predict_chunk(_WORKER["model"], chunk, explain, mirrors)


def _check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name}={value!r}: expected an integer >= {minimum}")
    return value


def predict_records(
    records: Iterable[dict],
    model_path: str | Path | None = None,
    *,
    predictor: Any = None,
    jobs: int | None = None,
    chunk_size: int = 256,
    explain: bool = False,
    mirrors: Any = None,
    trust_pickle: bool = False,
) -> Iterator[dict]:
    """Yield one output record per input record, lazily and in input order.

    ``model_path`` is a model file (None: the shipped model) that each worker process loads
    once; ``predictor`` an already loaded model object (picklable) to use instead. ``jobs`` processes (default:
    all cores; 1 runs in this process) work on chunks of ``chunk_size`` records, at most two
    chunks per process in flight, so memory stays flat whatever the input size. ``mirrors``
    (``classifier.events.MirrorDetector()``) adds ``duplicate_of``: the workers compute each
    record's mirror signature, this process assigns the field in input order, so any ``jobs``
    gives the same values. A pickled (joblib) model file is loaded only with ``trust_pickle``
    (loading a pickle can run code).
    """
    jobs = default_jobs() if jobs is None else _check_int("jobs", jobs)
    chunk_size = _check_int("chunk_size", chunk_size)
    spec = _model_spec(model_path, predictor, trust_pickle)
    return assign_duplicates(_predict_stream(records, spec, jobs, chunk_size, explain, mirrors), mirrors)


def _predict_stream(
    records: Iterable[dict], spec: Any, jobs: int, chunk_size: int, explain: bool, mirrors: Any = None
) -> Iterator[dict]:
    chunks = chunked(records, chunk_size)
    head = list(islice(chunks, 2))
    if jobs == 1 or len(head) < 2:  # one chunk: a pool would only add its start-up time
        model = _get_model(spec)
        for chunk in chain(head, chunks):
            yield from _predict_chunk(model, chunk, explain, mirrors)
        return
    methods = multiprocessing.get_all_start_methods()
    # forkserver: workers start from a clean process, not a fork of one that may run threads.
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=(spec, os.getpid()))
    pending: deque = deque()
    try:
        for chunk in chain(head, chunks):
            pending.append(pool.submit(_worker_run, chunk, explain, mirrors))
            if len(pending) >= 2 * jobs:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    finally:
        if pending:  # interrupted or failed: the chunks in flight are not wanted, stop the workers now
            _terminate(pool)
        pool.shutdown(wait=not pending, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    procs = getattr(pool, "_processes", None) or {}
    for proc in list(procs.values()):
        try:
            proc.terminate()
        except (OSError, AttributeError):  # pragma: no cover - already gone
            pass


def _result(future: Any) -> list[dict]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ClassifierError(f"a worker process died (out of memory?): {exc}") from exc
