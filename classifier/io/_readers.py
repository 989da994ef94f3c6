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

import codecs
import json
import lzma
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import TEXT_COLUMN
from ._compressed import _inner_suffix, _read_input_bytes
from ._decode import _HTML_SUFFIXES, _JSONL_SUFFIXES, MAX_FILE_BYTES, decode_bytes
from ._html import html_to_text, looks_like_html
from ._records import _SURROGATE, _error, _path_name
from ._tabular import (
    MAX_LINE_BYTES,
    _decode_line,
    _iter_csv,
    _iter_json,
    _iter_jsonl,
    _iter_jsonl_stream,
    _iter_parquet,
    _iter_xlsx,
)


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
