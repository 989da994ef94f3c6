"""Reading input: bytes → text (encodings, HTML), files/folders/stdin → records, atomic writes.

Input formats of :func:`iter_records` (one record per article, in input order):

- ``.jsonl`` / ``.ndjson``: one JSON object per line, streamed line by line; each line is
  decoded on its own (a GBK line inside a UTF-8 file is fine); blank lines are skipped;
  a line longer than :data:`MAX_LINE_BYTES` gives an error record.
- ``.json``: a JSON array of objects, or one object (read whole; at most
  :data:`MAX_FILE_BYTES`).
- ``.csv`` / ``.tsv``: streamed row by row with the ``csv`` module (encoding detected on
  the first 64 KiB); a file without the text column gives one error record naming the
  columns it has.
- ``.parquet``: streamed by row batches with pyarrow.
- ``.xlsx``: the first sheet, row by row (openpyxl, read-only), the first row as the header;
  so that a prediction file corrected in Excel (``predict --keep-text --out x.xlsx``) can be
  training data.
- ``.txt``, ``.md``, ``.html``, ``.htm`` and any other file: one article (HTML reduced to
  its text); binary, empty or undecodable files give an error record.
- folders: walked recursively in sorted name order; hidden entries (``.name``) skipped;
  every other file is read as above.
- ``-`` or ``None``: stdin; JSONL when its first non-blank line is a JSON object,
  otherwise the whole of stdin is one article with id ``-``.

A text column holding a whole HTML page is reduced to its text, as HTML files are.
Ids: the record's ``id`` column when present and not empty, else the file path (text
files) or ``path:line`` / ``path:row`` (JSONL, CSV, Parquet). Duplicate ids pass through.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io as _stdio
import json
import lzma
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..labels import ERROR_FIELD, TEXT_COLUMN
from ._decode import (
    _BOMS,
    _HTML_SUFFIXES,
    _JSONL_SUFFIXES,
    MAX_FILE_BYTES,
    _detect,
    decode_bytes,
)
from ._html import html_to_text, looks_like_html

#: Largest single JSONL line (bytes); longer lines give an error record.
MAX_LINE_BYTES = 64 * 1024 * 1024

_SURROGATE = re.compile("[\ud800-\udfff]")

#: Suffixes of compressed files; the compression itself is recognised by content.
_COMPRESSED_SUFFIXES = frozenset((".gz", ".gzip", ".bz2", ".xz", ".zst"))
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _compression(head: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or ``zstd`` when ``head`` starts a compressed stream."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if head.startswith(_ZSTD_MAGIC):
        return "zstd"
    return None


class _Prepended(_stdio.RawIOBase):
    """A binary stream: ``head`` (bytes already read), then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if len(self._head):
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._rest.close()
        super().close()


def _open_input(path: Path) -> BinaryIO:
    """``path`` opened for reading, decompressed when its content is gzip, bzip2 or xz.

    Works on pipes too: the first bytes are read once, never seeked back to.
    """
    fh: Any = open(path, "rb")
    try:
        head = fh.read(16)
        kind = _compression(head)
        stream: Any = _Prepended(head, fh)
        if kind == "gzip":
            stream = gzip.GzipFile(fileobj=_stdio.BufferedReader(stream), mode="rb")
        elif kind == "xz":
            stream = lzma.LZMAFile(_stdio.BufferedReader(stream), mode="rb")
        elif kind == "bzip2":
            stream = bz2.BZ2File(_stdio.BufferedReader(stream), mode="rb")
        elif kind == "zstd":
            try:
                import zstandard
            except ImportError:
                raise InputError(
                    f"{path}: Zstandard-compressed; decompress it first (zstd -d) or `pip install zstandard`"
                ) from None
            stream = zstandard.ZstdDecompressor().stream_reader(stream)
        return _stdio.BufferedReader(_Closing(stream, fh)) if kind else _stdio.BufferedReader(stream)
    except BaseException:
        fh.close()
        raise


class _Closing(_stdio.RawIOBase):
    """A decompressing stream that also closes the file under it."""

    def __init__(self, stream: Any, fh: Any):
        self._stream = stream
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._fh.close()
            super().close()


def _inner_suffix(path: Path) -> str:
    """The suffix naming the format: ``a.jsonl.gz`` -> ``.jsonl``."""
    if path.suffix.lower() in _COMPRESSED_SUFFIXES:
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


def _read_input_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The (decompressed) bytes of a file read whole, at most ``limit``."""
    with _open_input(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{path}: file larger than {limit // (1024 * 1024)} MiB")
    return data


#: Deepest nesting of lists / objects a pass-through value may have; deeper gives an error record
#: (decided at read time, so the result does not depend on --jobs).
MAX_DEPTH = 64


class _TooDeep(Exception):
    pass


def _clean_value(value: Any, depth: int = 0) -> Any:
    """Pass-through values with lone surrogates replaced (keys and nested values too), so that
    they can be written out; raises _TooDeep past MAX_DEPTH levels of nesting."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, (dict, list, tuple)):
        if depth >= MAX_DEPTH:
            raise _TooDeep
        if isinstance(value, dict):
            return {_clean_value(str(k)): _clean_value(v, depth + 1) for k, v in value.items()}
        return [_clean_value(v, depth + 1) for v in value]
    return value


def _path_name(path: str | Path) -> str:
    """A path as text that can be written out: undecodable bytes of a file name as ``\\xNN``."""
    name = str(path)
    if _SURROGATE.search(name):
        try:
            return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", name)
    return name


def _error(rid: Any, message: str) -> dict[str, Any]:
    return {"id": rid, "error": message}


def _make_record(obj: dict[str, Any], default_id: str, text_column: str, where: str) -> dict[str, Any]:
    """Record from one row/object: id, text, pass-through columns; or an error record."""
    rid = obj.get("id")
    if rid is None or rid == "":
        rid = default_id
    try:
        rid = _clean_value(rid)
    except _TooDeep:
        return _error(default_id, f"{where}: 'id' is nested deeper than {MAX_DEPTH} levels")
    if text_column not in obj:
        return _error(rid, f"{where}: no {text_column!r} field{_text_column_hint([str(k) for k in obj])}")
    text = obj[text_column]
    if not isinstance(text, str):
        kind = "null" if text is None else type(text).__name__
        return _error(rid, f"{where}: {text_column!r} is {kind}, not a string")
    if not text.strip():
        return _error(rid, f"{where}: {text_column!r} is empty")
    if "<" in text and looks_like_html(text):  # a scraped page stored whole in the column
        text = html_to_text(text)
        if not text.strip():
            return _error(rid, f"{where}: {text_column!r} is an HTML page without visible text")
    record: dict[str, Any] = {"id": rid, "text": _SURROGATE.sub("", text)}
    for key, value in obj.items():
        if key not in ("id", text_column, "text"):
            # an input column named like the error field must not mark the record as failed
            column = _clean_value(f"input_{key}" if key == ERROR_FIELD else key)
            try:
                record[column] = _clean_value(value)
            except _TooDeep:
                return _error(rid, f"{where}: field {column!r} is nested deeper than {MAX_DEPTH} levels")
    return record


#: Column names that usually hold the article text, best first.
_TEXT_LIKE = ("text", "content", "body", "article", "正文", "内容", "全文", "文本", "html", "desc")


def _text_column_hint(columns: Sequence[str]) -> str:
    """`` (columns: a, b); name the text column with --text-column COLUMN``, best guess first."""
    if not columns:
        return " (it has no columns)"
    guess = next((c for like in _TEXT_LIKE for c in columns if like in str(c).lower()), next(iter(columns)))
    shown = ", ".join(map(str, list(columns)[:20])) + (", ..." if len(columns) > 20 else "")
    return f" (columns: {shown}); name the text column with --text-column, e.g. --text-column {guess}"


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
            yield _error(name, f"{name}: CSV has no {text_column!r} column{_text_column_hint(fields)}")
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
        yield _error(name, f"{name}: Parquet file has no {text_column!r} column{_text_column_hint(columns)}")
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
            yield _error(
                name, f"{name}: first sheet has no {text_column!r} column{_text_column_hint([h for h in header if h])}"
            )
            return
        for row_number, values in enumerate(rows, 2):
            if all(v is None for v in values):
                continue
            where = f"{name}:{row_number}"
            obj = {h: ("" if v is None else v) for h, v in zip(header, values) if h is not None}
            yield _make_record(obj, where, text_column, where)
    finally:
        wb.close()


def _iter_text_file(path: Path) -> Iterator[dict[str, Any]]:
    name = _path_name(path)
    try:
        data = _read_input_bytes(path)
        text = decode_bytes(data, name)
        if path.suffix.lower() in _HTML_SUFFIXES or looks_like_html(text):
            text = html_to_text(text)
            if not text.strip():
                raise InputError(f"{name}: HTML page without visible text")
        yield {"id": name, "text": _SURROGATE.sub("", text)}
    except FileNotFoundError:
        yield _error(name, f"{name}: no such file")
    except InputError as exc:
        yield _error(name, str(exc))


def _iter_file(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    suffix = _inner_suffix(path)
    name = _path_name(path)
    try:
        if suffix in _JSONL_SUFFIXES:
            yield from _iter_jsonl(path, text_column)
        elif suffix == ".json":
            yield from _iter_json(path, text_column)
        elif suffix in (".csv", ".tsv"):
            yield from _iter_csv(path, text_column)
        elif suffix in (".parquet", ".pq"):
            yield from _iter_parquet(path, text_column)
        elif suffix == ".xlsx":
            yield from _iter_xlsx(path, text_column)
        else:
            yield from _iter_text_file(path)
    except FileNotFoundError:
        yield _error(name, f"{name}: no such file (removed while reading?)")
    except PermissionError:
        yield _error(name, f"{name}: permission denied")
    except IsADirectoryError:
        yield _error(name, f"{name}: is a folder, not a file")
    except InputError as exc:
        yield _error(name, str(exc))
    except (EOFError, lzma.LZMAError) as exc:
        yield _error(name, f"{name}: truncated or corrupt compressed file ({exc})")
    except OSError as exc:
        yield _error(name, f"{name}: cannot read ({exc.strerror or exc})")


def _iter_folder(
    folder: Path, text_column: str, seen: set[tuple[int, int]] | None = None, skip: frozenset[Path] = frozenset()
) -> Iterator[dict[str, Any]]:
    name = _path_name(folder)
    seen = set() if seen is None else seen
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield _error(name, f"{name}: folder already read (symbolic link loop)")
            return
        seen.add(key)
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except FileNotFoundError:
        yield _error(name, f"{name}: folder no longer exists (removed while reading?)")
        return
    except PermissionError:
        yield _error(name, f"{name}: permission denied")
        return
    except OSError as exc:
        yield _error(name, f"{name}: cannot list folder ({exc.strerror or exc})")
        return
    for entry in entries:
        path = folder / entry.name
        if skip and path.resolve() in skip:
            continue
        try:
            is_dir = entry.is_dir()
            special = not is_dir and not entry.is_file()  # the type the folder listing gives
            mode = entry.stat().st_mode if special else 0
        except OSError:
            is_dir = special = False
            mode = 0
        if is_dir:
            yield from _iter_folder(path, text_column, seen, skip)
        elif special and mode and not stat.S_ISREG(mode):
            # a FIFO would block open() for ever; sockets and devices are no articles either
            where = _path_name(path)
            yield _error(where, f"{where}: not a regular file ({_kind(mode)}), skipped")
        else:
            yield from _iter_file(path, text_column)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _iter_stdin(text_column: str) -> Iterator[dict[str, Any]]:
    fh = sys.stdin.buffer
    blank = b""
    while True:
        first = fh.readline(MAX_LINE_BYTES + 1)
        if not first or first.strip():
            break
        blank += first
    if not first:
        yield _error("-", "-: stdin is empty")
        return
    probe = first.lstrip(codecs.BOM_UTF8).lstrip()
    if probe.startswith(b"{"):
        try:
            is_object = isinstance(json.loads(_decode_line(probe, "-:1")), dict)
        except (InputError, json.JSONDecodeError, RecursionError):
            is_object = False
        if is_object:
            yield from _iter_jsonl_stream(fh, "-", text_column, first=first, lineno=blank.count(b"\n"))
            return
    data = blank + first + fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        yield _error("-", f"-: stdin larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        return
    try:
        text = decode_bytes(data, "stdin")
        if looks_like_html(text):
            text = html_to_text(text)
    except InputError as exc:
        yield _error("-", str(exc))
        return
    if not text.strip():
        yield _error("-", "stdin: no text")
        return
    yield {"id": "-", "text": _SURROGATE.sub("", text)}


def iter_records(
    sources: Sequence[str | Path] | str | Path | None = None,
    text_column: str = TEXT_COLUMN,
    *,
    skip: Iterable[str | Path] = (),
) -> Iterator[dict[str, Any]]:
    """Yield one record per input article, in input order; bad inputs become error records.

    A record is ``{"id", "text", <pass-through columns>}`` or ``{"id", "error"}``; see the
    module docstring for the formats. Never raises for a bad record or file. Files in ``skip``
    are passed over when walking folders (a batch run's own output, journal and lock, written
    into a folder it reads).
    """
    skipped = frozenset(Path(p).resolve() for p in skip)
    if sources is None or isinstance(sources, (str, Path)):
        sources = ["-"] if sources is None else [sources]
    sources = list(sources)
    if not sources:
        sources = ["-"]
    for source in sources:
        if str(source) == "-":
            yield from _iter_stdin(text_column)
            continue
        path = Path(source)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            yield _error(str(source), f"{source}: cannot access ({exc.strerror or exc})")
            continue
        if not exists:
            yield _error(str(source), f"{source}: no such file or folder")
        elif is_dir:
            yield from _iter_folder(path, text_column, skip=skipped)
        else:
            yield from _iter_file(path, text_column)
