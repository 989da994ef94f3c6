"""Prediction on a Dask cluster: a client, bags and dataframes."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import ClassifierError, InputError
from ..io import PROBA_PREFIX, chunked, json_default
from ..labels import ERROR_FIELD, REGION_FIELDS, TEXT_COLUMN, TOPIC_PROBA
from ._chunks import _OUTPUT_FIELDS, EXPLAIN_FIELD, _get_model, _model_spec, _predict_chunk, _warm_up
from ._local import _check_int

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


def _dask_chunk(model: Any, chunk: list[dict], explain: bool, mirrors: Any = None) -> list[dict]:
    _warm_once(model)
    return _predict_chunk(model, chunk, explain, mirrors)


_WARMED: set[int] = set()


def _warm_once(model: Any) -> None:
    if id(model) not in _WARMED:
        _warm_up(model)
        _WARMED.add(id(model))


def _predict_on_client(
    records: Iterable[dict], spec: Any, client: Any, chunk_size: int, explain: bool, mirrors: Any = None
) -> Iterator[dict]:
    """The chunks of :func:`predict_records`, run on a Dask cluster, in input order (mirror
    signatures included with ``mirrors``; ``duplicate_of`` is assigned by the caller)."""
    model = _get_model(spec)
    # One copy of the model per worker, shared by every task on that worker.
    model_future = client.scatter(model, broadcast=True, hash=False)
    in_flight = 2 * max(sum(client.nthreads().values()), 1)
    pending: deque = deque()
    try:
        for chunk in chunked(records, chunk_size):
            pending.append(client.submit(_dask_chunk, model_future, chunk, explain, mirrors, pure=False))
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        model_future.release()


def _dask_bag_partition(
    items: Iterable[Any], model: Any, text_column: str, explain: bool, chunk_size: int
) -> list[dict]:
    out: list[dict] = []
    for chunk in chunked(items, chunk_size):
        bare = [not isinstance(item, dict) for item in chunk]
        recs = [{TEXT_COLUMN: item} if b else _rename_text(item, text_column) for item, b in zip(chunk, bare)]
        out.extend(_dask_chunk(model, recs, explain))
    return out


def _rename_text(record: dict, text_column: str) -> dict:
    if text_column == TEXT_COLUMN or text_column not in record:
        return record
    rec = {k: v for k, v in record.items() if k != text_column}
    rec[TEXT_COLUMN] = record[text_column]
    return rec


def _dataframe_columns(columns: Sequence[str], text_column: str, explain: bool, topics: Sequence[str]) -> list[str]:
    kept = [c if c not in _OUTPUT_FIELDS or c == text_column else f"input_{c}" for c in columns]
    new = ["topic", *(PROBA_PREFIX + str(t) for t in topics), *REGION_FIELDS]
    return [*kept, *new, *([EXPLAIN_FIELD] if explain else []), ERROR_FIELD]


def _dask_df_partition(df: Any, model: Any, text_column: str, explain: bool, chunk_size: int) -> Any:
    import pandas as pd

    columns = _dataframe_columns(list(df.columns), text_column, explain, model.classes_)
    rows: list[dict] = []
    records = ({TEXT_COLUMN: t} for t in df[text_column].tolist())
    for chunk in chunked(records, chunk_size):
        for rec in _dask_chunk(model, chunk, explain):
            row = {k: v for k, v in rec.items() if k != TOPIC_PROBA}
            for topic, p in (rec.get(TOPIC_PROBA) or {}).items():
                row[PROBA_PREFIX + topic] = p
            if EXPLAIN_FIELD in row:
                row[EXPLAIN_FIELD] = json.dumps(row[EXPLAIN_FIELD], ensure_ascii=False, default=json_default)
            rows.append(row)
    pred = pd.DataFrame(rows, index=df.index, columns=columns[len(df.columns) :])
    kept = df.rename(columns={c: f"input_{c}" for c in df.columns if c in _OUTPUT_FIELDS and c != text_column})
    out = pd.concat([kept, pred], axis=1)
    for column in pred.columns:
        if column.startswith(PROBA_PREFIX):
            out[column] = out[column].astype("float64")
        else:
            out[column] = out[column].astype(object)
    return out


def predict_dask(
    data: Any,
    model_path: str | Path | None = None,
    *,
    predictor: Any = None,
    text_column: str = TEXT_COLUMN,
    explain: bool = False,
    chunk_size: int = 256,
) -> Any:
    """Predict over a Dask bag or dataframe; returns the same kind of collection, lazily.

    A bag of strings gives prediction dicts; a bag of records (dicts with ``text_column``)
    gives the output records of :func:`predict_records`. A dataframe gives its own columns
    (labels renamed ``input_<name>``) followed by ``topic``, ``proba_<topic>``, the region
    fields and ``error``. The model is loaded here and sent to each worker once (scattered
    to every worker when a distributed client is active, else as one graph node): ``model_path``
    (None: the shipped model) or an already loaded ``predictor``. The records get no
    ``duplicate_of``: assigning it takes one pass in input order, which ``run_batch(dask=...)``
    (``classifier predict --dask``) does.
    """
    import dask

    chunk_size = _check_int("chunk_size", chunk_size)
    loaded = _get_model(_model_spec(model_path, predictor))
    model_ref: Any = dask.delayed(loaded, traverse=False)
    try:
        from distributed import default_client

        model_ref = dask.delayed(default_client().scatter(loaded, broadcast=True, hash=False))
    except (ImportError, ValueError):
        pass  # no distributed client: the graph node is computed once per worker
    if hasattr(data, "map_partitions") and hasattr(data, "columns"):
        if text_column not in data.columns:
            raise InputError(f"dask dataframe: no column {text_column!r} (columns: {list(data.columns)})")
        import pandas as pd

        columns = _dataframe_columns(list(data.columns), text_column, explain, loaded.classes_)
        meta = pd.DataFrame(
            {
                c: pd.Series(dtype="float64" if c.startswith(PROBA_PREFIX) else object)
                for c in columns[len(data.columns) :]
            }
        )
        kept = data._meta.rename(
            columns={c: f"input_{c}" for c in data.columns if c in _OUTPUT_FIELDS and c != text_column}
        )
        meta = pd.concat([kept, meta], axis=1)
        return data.map_partitions(_dask_df_partition, model_ref, text_column, explain, chunk_size, meta=meta)
    if hasattr(data, "map_partitions"):
        return data.map_partitions(_dask_bag_partition, model_ref, text_column, explain, chunk_size)
    raise InputError(f"predict_dask: expected a dask bag or dataframe, got {type(data).__name__}")
