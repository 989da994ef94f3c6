"""Streaming, parallel and Dask prediction over record streams, and the batch output files.

Records come from :func:`classifier.io.iter_records`: ``{"id", "text", <pass-through>}`` or
``{"id", "error"}``. Every input record gives exactly one output record, in input order:
the input's columns without the text, then :data:`classifier.labels.PREDICTION_FIELDS`, or
the input's error record unchanged; a record whose prediction fails gets an ``error`` field.

Output files (``run_batch(out=...)``):

* JSONL: one JSON object per line, ``topic_proba`` a nested object.
* CSV: ``topic_proba`` flattened to one column per topic, ``proba_<topic>`` (e.g.
  ``proba_supervision_visit``); ``explain`` and non-string pass-through values as JSON;
  missing values are empty cells. Columns: ``id``, pass-through columns (first-seen order),
  ``topic``, ``proba_*``, region fields, ``explain`` (with ``explain=True``), ``error``.
* Parquet: same columns as JSONL, ``topic_proba`` a struct column, pass-through columns as
  strings (non-string values as JSON); written in row groups of :data:`ROW_GROUP_SIZE`.

An input column that has the name of an output field (``topic``, ``region``, ...) is kept
as ``input_<name>`` so that a labelled file can be predicted without losing its labels.

Writing and resuming: records are appended, flushed every chunk, to the journal
``<out>.partial`` (JSONL whatever the format). At the end the journal is turned into the
requested format in a temporary file in the same folder, renamed to ``out``; an interrupted
run therefore never leaves a file under the final name, but keeps its journal. With
``resume=True`` the ids already present in ``out`` (a complete earlier output) and in the
journal (an interrupted run) are skipped, once per occurrence, error records included (run
without ``resume`` to retry them), and the final file is the earlier records followed by the
new ones: the input order when the earlier run covered a prefix of the same input.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from .errors import ClassifierError, InputError, ModelError
from .labels import ERROR_FIELD, PREDICTION_FIELDS, REGION_FIELDS, TEXT_COLUMN, TOPICS

#: Output formats written by :func:`run_batch`.
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
#: Prefix of the flattened ``topic_proba`` columns in CSV (and Dask dataframe) output.
PROBA_PREFIX = "proba_"
#: Field holding ``model.explain(text)`` when ``explain=True``.
EXPLAIN_FIELD = "explain"
#: Suffix of the journal kept beside the output while a run is in progress.
PARTIAL_SUFFIX = ".partial"
#: Rows per Parquet row group.
ROW_GROUP_SIZE = 10_000

_SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                   ".parquet": "parquet", ".pq": "parquet"}
_OUTPUT_FIELDS = frozenset((*PREDICTION_FIELDS, ERROR_FIELD, EXPLAIN_FIELD))
_WARMUP_TEXT = "教育部督导组到校开展义务教育优质均衡发展督导评估。"


# ----------------------------------------------------------------------------- models


def default_jobs() -> int:
    """Number of cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _model_spec(model: Any) -> Any:
    """A picklable description of the model: None (shipped), an absolute path, or a model."""
    if model is None:
        return None
    if isinstance(model, (str, os.PathLike)):
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelError(f"model {str(model)!r}: no such file")
        return path.resolve()
    if callable(getattr(model, "predict", None)):
        return model
    raise ModelError(f"model {model!r}: expected a path to a model file or an object with predict()")


_MODELS: dict[tuple, Any] = {}


def _get_model(spec: Any) -> Any:
    """The model for ``spec``, loaded and warmed up once per process."""
    if spec is not None and not isinstance(spec, Path):
        return spec
    key: tuple = ("shipped",)
    if spec is not None:
        st = spec.stat()
        key = (str(spec), st.st_mtime_ns, st.st_size)
    model = _MODELS.get(key)
    if model is None:
        from .predictor import load  # the scikit-learn-free model: fast start, small workers

        model = load(spec)
        _warm_up(model)
        _MODELS.clear()  # one model per process is what a batch needs
        _MODELS[key] = model
    return model


def _warm_up(model: Any) -> None:
    # Loads jieba's dictionary now rather than inside the first timed chunk.
    try:
        model.predict([_WARMUP_TEXT])
    except Exception:  # noqa: BLE001 - a broken model shows up as per-record errors
        pass


# ----------------------------------------------------------------------------- one chunk


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _passthrough(record: dict) -> dict:
    """The record's columns without its text, output field names prefixed with ``input_``."""
    return {(f"input_{k}" if k in _OUTPUT_FIELDS else k): v
            for k, v in record.items() if k != TEXT_COLUMN}


def _describe(record: dict) -> str:
    rid = record.get("id")
    return f"record {rid!r}" if rid is not None else "record"


def _failure(exc: BaseException) -> str:
    return f"prediction failed: {type(exc).__name__}: {exc}"


def _predict_chunk(model: Any, chunk: Sequence[dict], explain: bool = False) -> list[dict]:
    """Output records for one chunk of input records (never raises for a bad record)."""
    out: list[dict | None] = [None] * len(chunk)
    todo: list[int] = []
    for i, rec in enumerate(chunk):
        if ERROR_FIELD in rec:
            out[i] = rec
        elif not isinstance(rec.get(TEXT_COLUMN), str):
            found = type(rec.get(TEXT_COLUMN)).__name__
            out[i] = {**_passthrough(rec),
                      ERROR_FIELD: f"{_describe(rec)}: text is {found}, expected a string"}
        else:
            todo.append(i)
    texts = [chunk[i][TEXT_COLUMN] for i in todo]
    try:
        preds = model.predict(texts) if texts else []
        if len(preds) != len(texts):
            raise RuntimeError(f"model returned {len(preds)} predictions for {len(texts)} texts")
    except Exception:  # noqa: BLE001 - isolate the record(s) that fail
        preds = []
        for text in texts:
            try:
                preds.extend(model.predict([text]))
            except Exception as exc:  # noqa: BLE001
                preds.append(exc)
    for i, pred in zip(todo, preds):
        rec = _passthrough(chunk[i])
        if isinstance(pred, BaseException):
            rec[ERROR_FIELD] = f"{_describe(chunk[i])}: {_failure(pred)}"
        else:
            rec.update((field, pred.get(field)) for field in PREDICTION_FIELDS)
            if explain:
                try:
                    rec[EXPLAIN_FIELD] = model.explain(chunk[i][TEXT_COLUMN])
                except Exception as exc:  # noqa: BLE001
                    rec[ERROR_FIELD] = f"{_describe(chunk[i])}: explain failed: {exc}"
        out[i] = rec
    return out  # type: ignore[return-value]


# ----------------------------------------------------------------------------- local pool

_WORKER: dict[str, Any] = {}
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _worker_init(spec: Any) -> None:
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
    block = (spec is None or isinstance(spec, Path)) and "pandas" not in sys.modules
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


def _worker_run(chunk: list[dict], explain: bool) -> list[dict]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return _predict_chunk(_WORKER["model"], chunk, explain)


def _chunked(records: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def _check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name}={value!r}: expected an integer >= {minimum}")
    return value


def predict_records(records: Iterable[dict], model: str | Path | Any | None = None, *,
                    jobs: int | None = None, chunk_size: int = 256,
                    explain: bool = False) -> Iterator[dict]:
    """Yield one output record per input record, lazily and in input order.

    ``model`` is a model file (None: the shipped model) that each worker process loads once;
    an already loaded model object (picklable) is accepted too. ``jobs`` processes (default:
    all cores; 1 runs in this process) work on chunks of ``chunk_size`` records, at most two
    chunks per process in flight, so memory stays flat whatever the input size.
    """
    jobs = default_jobs() if jobs is None else _check_int("jobs", jobs)
    chunk_size = _check_int("chunk_size", chunk_size)
    spec = _model_spec(model)
    return _predict_stream(records, spec, jobs, chunk_size, explain)


def _predict_stream(records: Iterable[dict], spec: Any, jobs: int, chunk_size: int,
                    explain: bool) -> Iterator[dict]:
    chunks = _chunked(records, chunk_size)
    head = list(islice(chunks, 2))
    if jobs == 1 or len(head) < 2:  # one chunk: a pool would only add its start-up time
        model = _get_model(spec)
        for chunk in chain(head, chunks):
            yield from _predict_chunk(model, chunk, explain)
        return
    methods = multiprocessing.get_all_start_methods()
    # forkserver: workers start from a clean process, not a fork of one that may run threads.
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=(spec,))
    pending: deque = deque()
    try:
        for chunk in chain(head, chunks):
            pending.append(pool.submit(_worker_run, chunk, explain))
            if len(pending) >= 2 * jobs:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)


def _result(future: Any) -> list[dict]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ClassifierError(f"a worker process died (out of memory?): {exc}") from exc


# ----------------------------------------------------------------------------- Dask


def _dask_client(dask: Any) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ClassifierError("dask is not installed: pip install 'classifier[dask]'") from exc
    if isinstance(dask, Client):
        return dask, False
    if not isinstance(dask, str) or not dask:
        raise InputError(f"dask={dask!r}: expected a scheduler address such as tcp://host:8786")
    try:
        return Client(dask, timeout="30s"), True
    except (OSError, TimeoutError) as exc:
        raise InputError(f"dask scheduler {dask!r}: cannot connect: {exc}") from exc


def _dask_chunk(model: Any, chunk: list[dict], explain: bool) -> list[dict]:
    _warm_once(model)
    return _predict_chunk(model, chunk, explain)


_WARMED: set[int] = set()


def _warm_once(model: Any) -> None:
    if id(model) not in _WARMED:
        _warm_up(model)
        _WARMED.add(id(model))


def _predict_on_client(records: Iterable[dict], spec: Any, client: Any, chunk_size: int,
                       explain: bool) -> Iterator[dict]:
    """The chunks of :func:`predict_records`, run on a Dask cluster, in input order."""
    model = _get_model(spec)
    # One copy of the model per worker, shared by every task on that worker.
    model_future = client.scatter(model, broadcast=True, hash=False)
    in_flight = 2 * max(sum(client.nthreads().values()), 1)
    pending: deque = deque()
    try:
        for chunk in _chunked(records, chunk_size):
            pending.append(client.submit(_dask_chunk, model_future, chunk, explain, pure=False))
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        model_future.release()


def _dask_bag_partition(items: Iterable[Any], model: Any, text_column: str,
                        explain: bool, chunk_size: int) -> list[dict]:
    out: list[dict] = []
    for chunk in _chunked(items, chunk_size):
        bare = [not isinstance(item, dict) for item in chunk]
        recs = [{TEXT_COLUMN: item} if b else _rename_text(item, text_column)
                for item, b in zip(chunk, bare)]
        out.extend(_dask_chunk(model, recs, explain))
    return out


def _rename_text(record: dict, text_column: str) -> dict:
    if text_column == TEXT_COLUMN or text_column not in record:
        return record
    rec = {k: v for k, v in record.items() if k != text_column}
    rec[TEXT_COLUMN] = record[text_column]
    return rec


def _dataframe_columns(columns: Sequence[str], text_column: str, explain: bool) -> list[str]:
    kept = [c if c not in _OUTPUT_FIELDS or c == text_column else f"input_{c}" for c in columns]
    new = ["topic", *(PROBA_PREFIX + t for t in TOPICS), *REGION_FIELDS]
    return [*kept, *new, *([EXPLAIN_FIELD] if explain else []), ERROR_FIELD]


def _dask_df_partition(df: Any, model: Any, text_column: str, explain: bool,
                       chunk_size: int) -> Any:
    import pandas as pd

    columns = _dataframe_columns(list(df.columns), text_column, explain)
    rows: list[dict] = []
    records = ({TEXT_COLUMN: t} for t in df[text_column].tolist())
    for chunk in _chunked(records, chunk_size):
        for rec in _dask_chunk(model, chunk, explain):
            row = {k: v for k, v in rec.items() if k != "topic_proba"}
            for topic, p in (rec.get("topic_proba") or {}).items():
                row[PROBA_PREFIX + topic] = p
            if EXPLAIN_FIELD in row:
                row[EXPLAIN_FIELD] = json.dumps(row[EXPLAIN_FIELD], ensure_ascii=False,
                                                default=_json_default)
            rows.append(row)
    pred = pd.DataFrame(rows, index=df.index, columns=columns[len(df.columns):])
    kept = df.rename(columns={c: f"input_{c}" for c in df.columns
                              if c in _OUTPUT_FIELDS and c != text_column})
    out = pd.concat([kept, pred], axis=1)
    for column in pred.columns:
        if column.startswith(PROBA_PREFIX):
            out[column] = out[column].astype("float64")
        else:
            out[column] = out[column].astype(object)
    return out


def predict_dask(data: Any, model: str | Path | Any | None = None, *,
                 text_column: str = TEXT_COLUMN, explain: bool = False,
                 chunk_size: int = 256) -> Any:
    """Predict over a Dask bag or dataframe; returns the same kind of collection, lazily.

    A bag of strings gives prediction dicts; a bag of records (dicts with ``text_column``)
    gives the output records of :func:`predict_records`. A dataframe gives its own columns
    (labels renamed ``input_<name>``) followed by ``topic``, ``proba_<topic>``, the region
    fields and ``error``. The model is loaded here and sent to each worker once (scattered
    to every worker when a distributed client is active, else as one graph node).
    """
    import dask

    chunk_size = _check_int("chunk_size", chunk_size)
    loaded = _get_model(_model_spec(model))
    model_ref: Any = dask.delayed(loaded, traverse=False)
    try:
        from distributed import default_client

        model_ref = dask.delayed(default_client().scatter(loaded, broadcast=True, hash=False))
    except (ImportError, ValueError):
        pass  # no distributed client: the graph node is computed once per worker
    if hasattr(data, "map_partitions") and hasattr(data, "columns"):
        if text_column not in data.columns:
            raise InputError(f"dask dataframe: no column {text_column!r} "
                             f"(columns: {list(data.columns)})")
        import pandas as pd

        columns = _dataframe_columns(list(data.columns), text_column, explain)
        meta = pd.DataFrame({c: pd.Series(dtype="float64" if c.startswith(PROBA_PREFIX) else object)
                             for c in columns[len(data.columns):]})
        kept = data._meta.rename(columns={c: f"input_{c}" for c in data.columns
                                          if c in _OUTPUT_FIELDS and c != text_column})
        meta = pd.concat([kept, meta], axis=1)
        return data.map_partitions(_dask_df_partition, model_ref, text_column, explain,
                                   chunk_size, meta=meta)
    if hasattr(data, "map_partitions"):
        return data.map_partitions(_dask_bag_partition, model_ref, text_column, explain,
                                   chunk_size)
    raise InputError(f"predict_dask: expected a dask bag or dataframe, got {type(data).__name__}")


# ----------------------------------------------------------------------------- output files


def infer_format(out: str | Path | None, fmt: str | None = None) -> str:
    """The output format: ``fmt`` when given, else from ``out``'s suffix (JSONL for stdout)."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
        return fmt
    if out is None:
        return "jsonl"
    found = _SUFFIX_FORMATS.get(Path(out).suffix.lower())
    if found is None:
        raise InputError(f"output {str(out)!r}: cannot tell the format from the suffix "
                         f"(use .jsonl, .csv or .parquet, or name the format)")
    return found


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL_SUFFIX)


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=_json_default)


def _columns(records: Iterable[dict]) -> tuple[list[str], list[str]]:
    """(columns in output order, topics of topic_proba) over all records."""
    seen: dict[str, None] = {}
    topics: dict[str, None] = dict.fromkeys(TOPICS)
    for rec in records:
        seen.update(dict.fromkeys(rec))
        proba = rec.get("topic_proba")
        if isinstance(proba, dict):
            topics.update(dict.fromkeys(proba))
    tail = [*PREDICTION_FIELDS, EXPLAIN_FIELD, ERROR_FIELD]
    head = ["id", *(c for c in seen if c not in tail and c != "id")]
    present = [c for c in tail if c in seen]
    return head + present, list(topics)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _dumps(value)


def write_csv(records: Iterable[dict], path_or_file: str | Path | IO[str],
              columns: Sequence[str], topics: Sequence[str]) -> None:
    """Write records as CSV with ``topic_proba`` flattened to ``proba_<topic>`` columns."""
    import csv

    header: list[str] = []
    for col in columns:
        if col == "topic_proba":
            header.extend(PROBA_PREFIX + t for t in topics)
        else:
            header.append(col)
    own = not hasattr(path_or_file, "write")
    f = open(path_or_file, "w", encoding="utf-8", newline="") if own else path_or_file
    try:
        writer = csv.writer(f)
        writer.writerow(header)
        for rec in records:
            row = []
            for col in columns:
                if col == "topic_proba":
                    proba = rec.get(col) or {}
                    row.extend("" if proba.get(t) is None else repr(float(proba[t]))
                               for t in topics)
                else:
                    row.append(_cell(rec.get(col)))
            writer.writerow(row)
    finally:
        if own:
            f.close()


def _parquet_schema(columns: Sequence[str], topics: Sequence[str]) -> Any:
    import pyarrow as pa

    fields = []
    for col in columns:
        if col == "topic_proba":
            fields.append(pa.field(col, pa.struct([pa.field(t, pa.float64()) for t in topics])))
        else:
            fields.append(pa.field(col, pa.string()))
    return pa.schema(fields)


def write_parquet(records: Iterable[dict], path_or_file: str | Path | IO[bytes],
                  columns: Sequence[str], topics: Sequence[str]) -> None:
    """Write records as Parquet, :data:`ROW_GROUP_SIZE` rows per row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(columns, topics)

    def row(rec: dict) -> dict:
        out = {}
        for col in columns:
            value = rec.get(col)
            if col == "topic_proba":
                out[col] = None if value is None else {t: value.get(t) for t in topics}
            else:
                out[col] = None if value is None else _cell(value)
        return out

    with pq.ParquetWriter(path_or_file, schema) as writer:
        for group in _chunked(records, ROW_GROUP_SIZE):
            writer.write_table(pa.Table.from_pylist([row(r) for r in group], schema=schema))


def read_output(path: str | Path, fmt: str | None = None) -> Iterator[dict]:
    """Read back records written by :func:`run_batch` (JSONL, CSV or Parquet), in file order.

    CSV and Parquet give the pass-through values as strings; empty CSV cells are dropped.
    """
    path = Path(path)
    fmt = infer_format(path, fmt)
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "csv":
        return _read_csv(path)
    return _read_parquet(path)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {n} is not valid JSON: {exc}") from exc


def _read_csv(path: Path) -> Iterator[dict]:
    import csv

    csv.field_size_limit(2**31 - 1)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rec: dict = {}
            proba: dict = {}
            for key, value in row.items():
                if key is None or value == "" or value is None:
                    continue
                if key.startswith(PROBA_PREFIX):
                    proba[key[len(PROBA_PREFIX):]] = float(value)
                elif key == EXPLAIN_FIELD:
                    rec[key] = json.loads(value)
                else:
                    rec[key] = value
            if proba:
                rec["topic_proba"] = proba
            yield _ordered(rec)


def _read_parquet(path: Path) -> Iterator[dict]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches():
        for row in batch.to_pylist():
            rec = {k: v for k, v in row.items() if v is not None}
            if EXPLAIN_FIELD in rec:
                rec[EXPLAIN_FIELD] = json.loads(rec[EXPLAIN_FIELD])
            yield rec


def _ordered(rec: dict) -> dict:
    tail = [*PREDICTION_FIELDS, EXPLAIN_FIELD, ERROR_FIELD]
    out = {k: v for k, v in rec.items() if k not in tail}
    out.update((k, rec[k]) for k in tail if k in rec)
    return out


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
    return _read_jsonl(path)


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
        return (f"{self.records:,} records, {self.errors:,} errors{skipped} in "
                f"{self.seconds:.1f} s ({self.rate:,.0f} records/s){where}")


def _id_key(value: Any) -> str | None:
    return None if value is None else str(value)


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


def _progress(records: Iterator[dict], sources: Any, quiet: bool, summary: Summary) -> Iterator[dict]:
    stream = sys.stderr
    if quiet or stream is None or not getattr(stream, "isatty", lambda: False)():
        yield from records
        return
    from tqdm import tqdm

    bar = tqdm(total=_estimate_total(sources), initial=0, unit=" rec", file=stream,
               mininterval=0.5, dynamic_ncols=True, smoothing=0.05)
    try:
        for rec in records:
            yield rec
            bar.update(1)
    finally:
        bar.close()


def run_batch(sources: Any, out: str | Path | None = None, fmt: str | None = None,
              model: str | Path | Any | None = None, jobs: int | None = None,
              resume: bool = False, quiet: bool = False, explain: bool = False,
              dask: Any = None, text_column: str = TEXT_COLUMN,
              chunk_size: int = 256) -> Summary:
    """Predict every record of ``sources`` into ``out`` (stdout when None) and summarise.

    ``fmt`` is ``jsonl``, ``csv`` or ``parquet`` (default: from ``out``'s suffix; JSONL on
    stdout). ``dask`` is a scheduler address (or a ``distributed.Client``) to run the chunks
    on a cluster instead of local processes. See the module docstring for the file formats,
    atomic writing and ``resume``.
    """
    from .io import iter_records

    fmt = infer_format(out, fmt)
    if resume and out is None:
        raise InputError("resume needs an output file (out): stdout cannot be resumed")
    if out is None and fmt == "parquet":
        raise InputError("Parquet output needs an output file (out), not stdout")
    jobs = default_jobs() if jobs is None else _check_int("jobs", jobs)
    chunk_size = _check_int("chunk_size", chunk_size)
    spec = _model_spec(model)
    summary = Summary(out=None if out is None else Path(out))
    start = time.perf_counter()

    done: Counter = Counter()
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
                done.update(_id_key(r.get("id")) for r in read_output(out, fmt))
            if journal.is_file():
                done.update(_id_key(r.get("id")) for r in _read_journal(journal, repair=True))
            done.pop(None, None)
        elif journal.exists():
            journal.unlink()

    records = _skip_done(iter_records(sources, text_column=text_column), done, summary)
    client, own_client = (None, False) if dask is None else _dask_client(dask)
    try:
        if client is not None:
            outputs = _predict_on_client(records, spec, client, chunk_size, explain)
        else:
            outputs = _predict_stream(records, spec, jobs, chunk_size, explain)
        outputs = _progress(outputs, sources, quiet, summary)
        if out is None:
            _write_stdout(outputs, fmt, summary)
        else:
            _write_journal(outputs, journal, summary, chunk_size)
            _finalize(out, fmt, journal, previous)
    finally:
        if own_client:
            client.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _count(rec: dict, summary: Summary) -> None:
    summary.records += 1
    if ERROR_FIELD in rec:
        summary.errors += 1


def _write_journal(outputs: Iterable[dict], journal: Path, summary: Summary,
                   flush_every: int) -> None:
    with open(journal, "a", encoding="utf-8") as f:
        for n, rec in enumerate(outputs, 1):
            f.write(_dumps(rec) + "\n")
            _count(rec, summary)
            if n % flush_every == 0:
                f.flush()
        f.flush()
        os.fsync(f.fileno())  # the journal may be renamed into place as the output


def _write_stdout(outputs: Iterable[dict], fmt: str, summary: Summary) -> None:
    stream = sys.stdout
    if fmt == "jsonl":
        for rec in outputs:
            stream.write(_dumps(rec) + "\n")
            _count(rec, summary)
        stream.flush()
        return
    # CSV needs every column before the first row: go through a temporary journal.
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "out.jsonl"
        _write_journal(outputs, journal, summary, 1 << 30)
        columns, topics = _columns(_read_jsonl(journal))
        write_csv(_read_jsonl(journal), stream, columns, topics)
        stream.flush()


def _finalize(out: Path, fmt: str, journal: Path, previous: Path | None) -> None:
    """Turn the journal (after the previous output, if any) into ``out``, atomically."""
    if fmt == "jsonl" and previous is None:
        os.replace(journal, out)
        return

    def records() -> Iterator[dict]:
        if previous is not None:
            yield from read_output(previous, fmt)
        yield from _read_jsonl(journal)

    from .io import atomic_write

    if fmt == "jsonl":
        with atomic_write(out, "w") as f:
            for rec in records():
                f.write(_dumps(rec) + "\n")
    else:
        columns, topics = _columns(records())
        writer = write_csv if fmt == "csv" else write_parquet
        with atomic_write(out, "w" if fmt == "csv" else "wb") as f:
            writer(records(), f, columns, topics)
    journal.unlink()


__all__ = ["EXPLAIN_FIELD", "FORMATS", "PARTIAL_SUFFIX", "PROBA_PREFIX", "Summary", "default_jobs",
           "infer_format", "predict_dask", "predict_records", "read_output", "run_batch",
           "write_csv", "write_parquet"]
