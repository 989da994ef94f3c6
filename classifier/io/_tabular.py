"""Readers of tabular files: JSONL, JSON, CSV/TSV, Parquet and XLSX, streamed row by row."""

from __future__ import annotations

import codecs
import csv
import io as _stdio
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ._compressed import _inner_suffix, _open_input, _Prepended, _read_input_bytes
from ._decode import _BOMS, _detect, decode_bytes
from ._records import _error, _make_record, _path_name, _text_column_hint

#: Largest single JSONL line (bytes); longer lines give an error record.
MAX_LINE_BYTES = 64 * 1024 * 1024


def _decode_line(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(raw, where)


def _parse_json_line(raw: bytes, where: str, default_id: str, text_column: str) -> dict[str, Any]:
    try:
        line = _decode_line(raw, where)
    except InputError as exc:
        return _error(default_id, str(exc))
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return _error(default_id, f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
    except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, [[[[...]]]]
        return _error(default_id, f"{where}: unreadable JSON ({type(exc).__name__}: {str(exc)[:100]})")
    if not isinstance(obj, dict):
        return _error(default_id, f"{where}: a JSON {type(obj).__name__}, not an object")
    return _make_record(obj, default_id, text_column, where)


def _iter_lines(fh: BinaryIO) -> Iterator[tuple[bytes | None, int]]:
    """(line, size) per line; ``None`` for a line over MAX_LINE_BYTES (skipped in chunks)."""
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            size = len(raw)
            while True:
                chunk = fh.readline(1024 * 1024)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield None, size
            continue
        yield raw, len(raw)


def _iter_jsonl_stream(
    fh: BinaryIO, name: str, text_column: str, first: bytes = b"", lineno: int = 0
) -> Iterator[dict[str, Any]]:
    lines: Iterable[tuple[bytes | None, int]] = _iter_lines(fh)
    if first:
        lines = _chain_first(first, lines)
    for raw, size in lines:
        lineno += 1
        where = f"{name}:{lineno}"
        if raw is None:
            yield _error(where, f"{where}: line of {size} bytes is over the limit of {MAX_LINE_BYTES} bytes")
            continue
        if raw.startswith(codecs.BOM_UTF8):  # also after `cat a.jsonl b.jsonl`
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        yield _parse_json_line(raw, where, where, text_column)


def _chain_first(first: bytes, rest: Iterable[tuple[bytes | None, int]]) -> Iterator[tuple[bytes | None, int]]:
    yield first, len(first)
    yield from rest


def _iter_jsonl(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    with _open_input(path) as fh:
        yield from _iter_jsonl_stream(fh, _path_name(path), text_column)


def _iter_json(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    name = _path_name(path)
    try:
        text = decode_bytes(_read_input_bytes(path), name)
    except InputError as exc:
        yield _error(name, str(exc))
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # Not one JSON document: perhaps JSON Lines with a .json name.
        yield from _iter_jsonl(path, text_column)
        return
    except (ValueError, RecursionError) as exc:
        yield _error(name, f"{name}: unreadable JSON ({type(exc).__name__}: {str(exc)[:100]})")
        return
    if isinstance(data, dict):
        yield _make_record(data, name, text_column, name)
    elif isinstance(data, list):
        for i, obj in enumerate(data, 1):
            where = f"{name}:{i}"
            if isinstance(obj, dict):
                yield _make_record(obj, where, text_column, where)
            else:
                yield _error(where, f"{where}: a JSON {type(obj).__name__}, not an object")
    else:
        yield _error(name, f"{name}: a JSON {type(data).__name__}, not an object or an array of objects")


def _sniff_encoding(head: bytes, source: str) -> str:
    """Encoding of a streamed text file, from its first bytes."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return {
                "utf-8": "utf-8-sig",
                "utf-16-le": "utf-16",
                "utf-16-be": "utf-16",
                "utf-32-le": "utf-32",
                "utf-32-be": "utf-32",
            }[enc]
    # The head may end inside a multi-byte char: a few trailing bytes are ignored.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    decode_bytes(head, source)  # raises InputError for binary / undecodable
    return _detect(head) or "gb18030"


class _LineTooLong(Exception):
    """A CSV line over MAX_LINE_BYTES, skipped without being held whole."""

    def __init__(self, size: int):
        self.size = size


def _bounded_lines(fh: _stdio.TextIOBase, counter: list[int]) -> Iterator[str]:
    """Lines of ``fh``; a line over MAX_LINE_BYTES chars is skipped in pieces and raised as _LineTooLong."""
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        counter[0] += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(("\n", "\r")):
            size = len(line)
            while piece := fh.readline(1024 * 1024):
                size += len(piece)
                if piece.endswith(("\n", "\r")):
                    break
            raise _LineTooLong(size)
        yield line


def _iter_csv(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    name = _path_name(path)
    with _open_input(path) as raw:
        head = raw.read(65536)
        if not head.strip():
            yield _error(name, f"{name}: empty file")
            return
        try:
            encoding = _sniff_encoding(head, name)
        except InputError as exc:
            yield _error(name, str(exc))
            return
        fh = _stdio.TextIOWrapper(
            _stdio.BufferedReader(_Prepended(head, raw)), encoding=encoding, errors="replace", newline=""
        )
        delimiter = "\t" if _inner_suffix(path) == ".tsv" else ","
        _raise_csv_field_limit()
        physical = [0]  # physical lines read so far
        lines = _bounded_lines(fh, physical)
        try:
            fields = next(csv.reader(lines, delimiter=delimiter), [])
        except (csv.Error, _LineTooLong) as exc:
            yield _error(name, f"{name}: unreadable CSV header ({exc})")
            return
        if text_column not in fields:
            yield _no_column(name, "CSV", text_column, fields)
            return
        row = 0
        while True:
            # A fresh reader after a skipped over-long line: it resumes at the next line.
            reader = csv.DictReader(lines, fieldnames=fields, delimiter=delimiter)
            while True:
                try:
                    obj = next(reader)
                except StopIteration:
                    return
                except _LineTooLong as exc:
                    row += 1
                    where = f"{name}:{row}"
                    yield _error(where, f"{where}: CSV line of {exc.size} chars is over the limit of {MAX_LINE_BYTES}")
                    lines = _bounded_lines(fh, physical)
                    break
                except csv.Error as exc:
                    row += 1
                    where = f"{name}:{row}"
                    yield _error(where, f"{where}: bad CSV row ({exc})")
                    continue
                row += 1
                where = f"{name}:{row}"
                obj.pop(None, None)  # cells beyond the header
                yield _make_record({k: ("" if v is None else v) for k, v in obj.items()}, where, text_column, where)


def _raise_csv_field_limit() -> None:
    limit = MAX_LINE_BYTES
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _no_column(name: str, what: str, text_column: str, columns: Sequence[str]) -> dict[str, Any]:
    """The error record of a table (``what``: CSV, Parquet file, first sheet) without the text column."""
    return _error(name, f"{name}: {what} has no {text_column!r} column{_text_column_hint(columns)}")


def _iter_parquet(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = _path_name(path)
    bad = (OSError, ValueError, pa.ArrowException)
    try:
        pf = pq.ParquetFile(path)
        columns = pf.schema_arrow.names
    except bad as exc:
        yield _error(name, f"{name}: not a readable Parquet file ({exc})")
        return
    if text_column not in columns:
        yield _no_column(name, "Parquet file", text_column, columns)
        return
    row = 0
    batches = pf.iter_batches(batch_size=1024)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except bad as exc:
            where = f"{name}:{row + 1}"
            yield _error(where, f"{where}: unreadable Parquet data from this row on ({exc})")
            return
        for obj in batch.to_pylist():
            row += 1
            where = f"{name}:{row}"
            yield _make_record(obj, where, text_column, where)


def _iter_xlsx(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    name = _path_name(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        yield _error(name, f"{name}: not a readable Excel workbook ({type(exc).__name__}: {exc})")
        return
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [None if h is None else str(h) for h in next(rows, None) or ()]
        if text_column not in header:
            yield _no_column(name, "first sheet", text_column, [h for h in header if h])
            return
        for row_number, values in enumerate(rows, 2):
            if all(v is None for v in values):
                continue
            where = f"{name}:{row_number}"
            obj = {h: ("" if v is None else v) for h, v in zip(header, values) if h is not None}
            yield _make_record(obj, where, text_column, where)
    finally:
        wb.close()
