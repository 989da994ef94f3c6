"""Prediction output files: the writers and readers of every output format (JSONL, JSON, CSV, TSV, XLSX, Parquet)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from ..labels import ERROR_FIELD, OUTPUT_FIELDS, TEXT_COLUMN, TOPIC_PROBA
from ._formats import OUTPUT_FORMATS, infer_format

#: Prefix of the flattened ``topic_proba`` columns in CSV (and Dask dataframe) output.
PROBA_PREFIX = "proba_"
#: Field holding ``model.explain(text)`` when ``explain=True``.
EXPLAIN_FIELD = "explain"


# Fields written last, in this order; the text (``keep_text``) after everything else.
_TAIL = (*OUTPUT_FIELDS, EXPLAIN_FIELD, ERROR_FIELD, TEXT_COLUMN)

#: Rows per Parquet row group.
ROW_GROUP_SIZE = 10_000


def dumps_record(record: dict) -> str:
    """One output record as a JSON line (no newline), numpy values as plain numbers."""
    return json.dumps(record, ensure_ascii=False, default=json_default)


def output_columns(records: Iterable[dict]) -> tuple[list[str], list[str]]:
    """(columns in output order, topics of topic_proba) over all records."""
    seen: dict[str, None] = {}
    topics: dict[str, None] = {}  # the model's topics, in the order of its probability columns
    for rec in records:
        seen.update(dict.fromkeys(rec))
        proba = rec.get(TOPIC_PROBA)
        if isinstance(proba, dict):
            topics.update(dict.fromkeys(proba))
    tail = _TAIL
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


def _text(value: Any) -> str:
    """A value as the text of one cell (lists and dicts as JSON)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else dumps_record(value)


def _cell(value: Any) -> str:
    """A spreadsheet cell (CSV, TSV, XLSX): text, escaped against formula injection."""
    return escape_formula(_text(value))


def _header(columns: Sequence[str], topics: Sequence[str], escape: bool = True) -> list[str]:
    header: list[str] = []
    for col in columns:
        if col == TOPIC_PROBA:
            header.extend(PROBA_PREFIX + t for t in topics)
        else:
            header.append(col)
    return [escape_formula(h) for h in header] if escape else header


def _flat_row(rec: dict, columns: Sequence[str], topics: Sequence[str], escape: bool = True) -> list[Any]:
    """One record's cells: ``topic_proba`` as floats (None when missing), the other values as text."""
    row: list[Any] = []
    for col in columns:
        if col == TOPIC_PROBA:
            proba = rec.get(col) or {}
            row.extend(None if proba.get(t) is None else float(proba[t]) for t in topics)
        else:
            row.append(_cell(rec.get(col)) if escape else _text(rec.get(col)))
    return row


def _open_text(path_or_file: str | Path | IO[str]) -> tuple[Any, bool]:
    if hasattr(path_or_file, "write"):
        return path_or_file, False
    return open(path_or_file, "w", encoding="utf-8", newline=""), True


def write_csv(
    records: Iterable[dict],
    path_or_file: str | Path | IO[str],
    columns: Sequence[str],
    topics: Sequence[str],
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> None:
    """Write records as CSV with ``topic_proba`` flattened to ``proba_<topic>`` columns.

    Text cells starting with ``= + - @``, tab or CR get a leading ``'`` (see :func:`escape_formula`).

    ``delimiter="\t"`` writes TSV. ``bom`` starts the file with a UTF-8 byte-order mark, so that
    Excel reads it as UTF-8 (without one it guesses the system code page and garbles Chinese).
    """
    import csv

    f, own = _open_text(path_or_file)
    try:
        if bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(_header(columns, topics))
        for rec in records:
            writer.writerow(
                ["" if v is None else repr(v) if isinstance(v, float) else v for v in _flat_row(rec, columns, topics)]
            )
    finally:
        if own:
            f.close()


def write_tsv(
    records: Iterable[dict],
    path_or_file: str | Path | IO[str],
    columns: Sequence[str],
    topics: Sequence[str],
    *,
    bom: bool = False,
) -> None:
    """Write records as TSV (:func:`write_csv` with tabs)."""
    write_csv(records, path_or_file, columns, topics, delimiter="\t", bom=bom)


def write_json(records: Iterable[dict], path_or_file: str | Path | IO[str]) -> None:
    """Write records as one JSON array, one record per line (so that it can be read back as a stream)."""
    f, own = _open_text(path_or_file)
    try:
        f.write("[")
        sep = "\n"
        for rec in records:
            f.write(sep + dumps_record(rec))
            sep = ",\n"
        f.write("\n]\n")
    finally:
        if own:
            f.close()


#: Characters one Excel cell holds at most.
XLSX_CELL_LIMIT = 32_767
# Characters XML 1.0, and so an .xlsx file, cannot hold.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_text(ws: Any, value: str) -> Any:
    """``value`` for a write-only openpyxl sheet ``ws``: as is, or a text cell when Excel would take it
    for a formula (``=...``) or it holds control characters, which an .xlsx file cannot (dropped)."""
    if value and (value[0] == "=" or _ILLEGAL_XML.search(value)):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=_ILLEGAL_XML.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def _xlsx_row(ws: Any, rec: dict, n: int, columns: Sequence[str], topics: Sequence[str]) -> list[Any]:
    row = _flat_row(rec, columns, topics, escape=False)  # xlsx_text keeps formulas as text
    for i, value in enumerate(row):
        if not isinstance(value, str) or not value:
            continue
        if len(value) > XLSX_CELL_LIMIT:
            raise InputError(
                f"record {rec.get('id', n)!s}: a value of {len(value):,} characters is longer than an Excel "
                f"cell holds ({XLSX_CELL_LIMIT:,}); write .jsonl, .csv or .parquet instead"
            )
        row[i] = xlsx_text(ws, value)
    return row


def write_xlsx(
    records: Iterable[dict], path_or_file: str | Path | IO[bytes], columns: Sequence[str], topics: Sequence[str]
) -> None:
    """Write records as an Excel workbook: one sheet, a header row, ``topic_proba`` flattened as in CSV.

    Text stays text (a value starting with ``=`` is not a formula); control characters, which
    the format cannot hold, are dropped. Raises InputError naming the record when a value is
    longer than an Excel cell holds (:data:`XLSX_CELL_LIMIT` characters).
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("predictions")
    ws.freeze_panes = "A2"
    ws.append([xlsx_text(ws, h) for h in _header(columns, topics, escape=False)])
    try:
        for n, rec in enumerate(records, 1):
            ws.append(_xlsx_row(ws, rec, n, columns, topics))
    except BaseException:
        with contextlib.suppress(Exception):
            ws.close()  # finish the sheet's temporary file now, not when the garbage collector finds it
        raise
    wb.save(path_or_file)


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
                out[col] = None if value is None else _text(value)
        return out

    with pq.ParquetWriter(path_or_file, schema) as writer:
        for group in chunked(records, ROW_GROUP_SIZE):
            writer.write_table(pa.Table.from_pylist([row(r) for r in group], schema=schema))


def write_output(
    records: Iterable[dict],
    path_or_file: str | Path | IO[Any],
    fmt: str,
    columns: Sequence[str] = (),
    topics: Sequence[str] = (),
    *,
    bom: bool = False,
) -> None:
    """Write records in output format ``fmt`` (see :data:`OUTPUT_FORMATS`).

    Tabular formats need ``columns`` and ``topics`` (:func:`output_columns` over all records);
    ``bom`` is for the formats that may carry one (CSV, TSV).
    """
    spec = OUTPUT_FORMATS.get(fmt)
    if spec is None:
        raise InputError(f"format {fmt!r}: expected one of {', '.join(OUTPUT_FORMATS)}")
    if bom and not spec.bom:
        raise InputError(f"a byte-order mark (--excel) is for CSV and TSV output, not {fmt}")
    writer = _WRITERS[fmt]
    if bom:
        writer(records, path_or_file, columns, topics, bom=True)
    else:
        writer(records, path_or_file, columns, topics)


def _write_jsonl(records: Iterable[dict], path_or_file: Any, *_: Any) -> None:
    f, own = _open_text(path_or_file)
    try:
        for rec in records:
            f.write(dumps_record(rec) + "\n")
    finally:
        if own:
            f.close()


def _write_json(records: Iterable[dict], path_or_file: Any, *_: Any) -> None:
    write_json(records, path_or_file)


# The writers of OUTPUT_FORMATS, by format name.
_WRITERS: dict[str, Callable[..., None]] = {
    "jsonl": _write_jsonl,
    "json": _write_json,
    "csv": write_csv,
    "tsv": write_tsv,
    "xlsx": write_xlsx,
    "parquet": write_parquet,
}


def read_output(path: str | Path, fmt: str | None = None) -> Iterator[dict]:
    """Read back records written by :func:`run_batch` (any of :data:`FORMATS`), in file order.

    CSV, TSV, XLSX and Parquet give the pass-through values as strings; empty cells are dropped.
    """
    path = Path(path)
    fmt = infer_format(path, fmt)
    return _READERS[fmt](path)


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL output file, in order."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {n} is not valid JSON: {exc}") from exc


def _read_json(path: Path) -> Iterator[dict]:
    """A JSON array: streamed when laid out one record per line (as :func:`write_json` does), else read whole."""
    with open(path, encoding="utf-8-sig") as f:
        if f.readline().strip() == "[":
            done = 0
            for n, line in enumerate(f, 2):
                item = line.strip().removesuffix(",")
                if not item or item == "]":
                    continue
                try:
                    rec = json.loads(item)
                except json.JSONDecodeError as exc:
                    if done:
                        raise InputError(f"{path}: line {n} is not a JSON object of the array: {exc}") from exc
                    break  # another layout: read the whole file below
                if not isinstance(rec, dict):
                    raise InputError(f"{path}: line {n}: expected a JSON object, not {type(rec).__name__}")
                yield rec
                done += 1
            else:
                return
        f.seek(0)
        try:
            data = json.load(f)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{path}: expected a JSON array of objects")
    yield from data


def _flat_record(items: Iterable[tuple[Any, Any]], unescape: bool = False) -> dict:
    """A record from (column, cell) pairs of a tabular file: ``proba_*`` back into ``topic_proba``."""
    rec: dict = {}
    proba: dict = {}
    for key, value in items:
        if key is None or value is None or value == "":
            continue
        key = unescape_formula(str(key)) if unescape else str(key)
        if unescape and isinstance(value, str):
            value = unescape_formula(value)
        if key.startswith(PROBA_PREFIX):
            proba[key[len(PROBA_PREFIX) :]] = float(value)
        elif key == EXPLAIN_FIELD:
            rec[key] = json.loads(value)
        else:
            rec[key] = value if isinstance(value, str) else str(value)
    if proba:
        rec[TOPIC_PROBA] = proba
    return _ordered(rec)


def _read_csv(path: Path, delimiter: str = ",") -> Iterator[dict]:
    import csv

    csv.field_size_limit(2**31 - 1)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=delimiter):
            yield _flat_record(row.items(), unescape=True)


def _read_tsv(path: Path) -> Iterator[dict]:
    return _read_csv(path, delimiter="\t")


def _read_xlsx(path: Path) -> Iterator[dict]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise InputError(f"{path}: not a readable Excel workbook ({exc})") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None) or ()
        for row in rows:
            yield _flat_record(zip(header, row))
    finally:
        wb.close()


def _read_parquet(path: Path) -> Iterator[dict]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches():
        for row in batch.to_pylist():
            rec = {k: v for k, v in row.items() if v is not None}
            if EXPLAIN_FIELD in rec:
                rec[EXPLAIN_FIELD] = json.loads(rec[EXPLAIN_FIELD])
            yield rec


# The readers of OUTPUT_FORMATS, by format name.
_READERS: dict[str, Callable[[Path], Iterator[dict]]] = {
    "jsonl": read_jsonl,
    "json": _read_json,
    "csv": _read_csv,
    "tsv": _read_tsv,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
}


def _ordered(rec: dict) -> dict:
    tail = _TAIL
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
