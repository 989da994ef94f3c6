"""Prediction output files: JSONL, CSV and Parquet writers, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from ..labels import ERROR_FIELD, PREDICTION_FIELDS, TOPIC_PROBA, TOPICS
from ._formats import infer_format

#: Prefix of the flattened ``topic_proba`` columns in CSV (and Dask dataframe) output.
PROBA_PREFIX = "proba_"
#: Field holding ``model.explain(text)`` when ``explain=True``.
EXPLAIN_FIELD = "explain"


#: Rows per Parquet row group.
ROW_GROUP_SIZE = 10_000


def dumps_record(record: dict) -> str:
    """One output record as a JSON line (no newline), numpy values as plain numbers."""
    return json.dumps(record, ensure_ascii=False, default=json_default)


def output_columns(records: Iterable[dict]) -> tuple[list[str], list[str]]:
    """(columns in output order, topics of topic_proba) over all records."""
    seen: dict[str, None] = {}
    topics: dict[str, None] = dict.fromkeys(TOPICS)
    for rec in records:
        seen.update(dict.fromkeys(rec))
        proba = rec.get(TOPIC_PROBA)
        if isinstance(proba, dict):
            topics.update(dict.fromkeys(proba))
    tail = [*PREDICTION_FIELDS, EXPLAIN_FIELD, ERROR_FIELD]
    head = ["id", *(c for c in seen if c not in tail and c != "id")]
    present = [c for c in tail if c in seen]
    return head + present, list(topics)


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP "CSV injection").
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(cell: str) -> str:
    """A CSV cell that spreadsheets show as text: a leading ``'`` before ``= + - @``, tab or CR.

    OWASP's advice for CSV injection. Cells that already start with ``'`` get one more, so that
    :func:`unescape_formula` gives back exactly the value written.
    """
    return "'" + cell if cell.startswith(FORMULA_CHARS) or cell.startswith("'") else cell


def unescape_formula(cell: str) -> str:
    """The value :func:`escape_formula` escaped."""
    return cell[1:] if cell.startswith("'") else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return escape_formula(dumps_record(value))


def write_csv(
    records: Iterable[dict], path_or_file: str | Path | IO[str], columns: Sequence[str], topics: Sequence[str]
) -> None:
    """Write records as CSV with ``topic_proba`` flattened to ``proba_<topic>`` columns.

    Text cells starting with ``= + - @``, tab or CR get a leading ``'`` (see :func:`escape_formula`).
    """
    import csv

    header: list[str] = []
    for col in columns:
        if col == TOPIC_PROBA:
            header.extend(escape_formula(PROBA_PREFIX + t) for t in topics)
        else:
            header.append(escape_formula(col))
    own = not hasattr(path_or_file, "write")
    f: Any = open(path_or_file, "w", encoding="utf-8", newline="") if own else path_or_file  # type: ignore[arg-type]
    try:
        writer = csv.writer(f)
        writer.writerow(header)
        for rec in records:
            row: list[str] = []
            for col in columns:
                if col == TOPIC_PROBA:
                    proba = rec.get(col) or {}
                    row.extend("" if proba.get(t) is None else repr(float(proba[t])) for t in topics)
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
        if col == TOPIC_PROBA:
            fields.append(pa.field(col, pa.struct([pa.field(t, pa.float64()) for t in topics])))
        else:
            fields.append(pa.field(col, pa.string()))
    return pa.schema(fields)


def write_parquet(
    records: Iterable[dict], path_or_file: str | Path | IO[bytes], columns: Sequence[str], topics: Sequence[str]
) -> None:
    """Write records as Parquet, :data:`ROW_GROUP_SIZE` rows per row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(columns, topics)

    def row(rec: dict) -> dict:
        out: dict[str, Any] = {}
        for col in columns:
            value = rec.get(col)
            if col == TOPIC_PROBA:
                out[col] = None if value is None else {t: value.get(t) for t in topics}
            else:
                out[col] = None if value is None else _cell(value)
        return out

    with pq.ParquetWriter(path_or_file, schema) as writer:
        for group in chunked(records, ROW_GROUP_SIZE):
            writer.write_table(pa.Table.from_pylist([row(r) for r in group], schema=schema))


def read_output(path: str | Path, fmt: str | None = None) -> Iterator[dict]:
    """Read back records written by :func:`run_batch` (JSONL, CSV or Parquet), in file order.

    CSV and Parquet give the pass-through values as strings; empty CSV cells are dropped.
    """
    path = Path(path)
    fmt = infer_format(path, fmt)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "csv":
        return _read_csv(path)
    return _read_parquet(path)


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL output file, in order."""
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
                key, value = unescape_formula(key), unescape_formula(value)
                if key.startswith(PROBA_PREFIX):
                    proba[key[len(PROBA_PREFIX) :]] = float(value)
                elif key == EXPLAIN_FIELD:
                    rec[key] = json.loads(value)
                else:
                    rec[key] = value
            if proba:
                rec[TOPIC_PROBA] = proba
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


def json_default(value: Any) -> Any:
    """``json.dumps`` default: numpy scalars and arrays as plain numbers and lists."""
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def chunked(records: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Lists of at most ``size`` consecutive records."""
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk
