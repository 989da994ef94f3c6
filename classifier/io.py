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
import contextlib
import csv
import functools
import io as _stdio
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO

from .errors import InputError
from .labels import REGIONS, TEXT_COLUMN, TOPICS

__all__ = [
    "MAX_FILE_BYTES", "MAX_LINE_BYTES", "atomic_write", "decode_bytes", "html_to_text",
    "iter_records", "looks_like_html", "read_labeled", "read_text",
]

#: Largest single text / HTML / JSON file read whole (bytes).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest single JSONL line (bytes); longer lines give an error record.
MAX_LINE_BYTES = 64 * 1024 * 1024

_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}

# --------------------------------------------------------------------------------------
# bytes → str
# --------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "GZIP archive"),
    (b"BZh", "BZIP2 archive"),
    (b"\xfd7zXZ\x00", "XZ archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"PAR1", "Parquet file"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x80\x04\x95", "Python pickle"),
)

_UNDECODABLE = "cannot decode as UTF-8, GB18030, Big5 or UTF-16"


def _binary_kind(data: bytes) -> str | None:
    """Name of the binary format ``data`` starts with, if any."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4 media"
    return None


def _texty(text: str) -> float:
    """Share of chars that are Han, ASCII printable, CJK punctuation or whitespace."""
    if not text:
        return 0.0
    sample = text[:4096]
    good = sum(
        1 for c in sample
        if " " <= c <= "~" or c in "\n\r\t" or "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef" or "\u2010" <= c <= "\u2027"
    )
    return good / len(sample)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` reads as UTF-16 text without a BOM."""
    if len(data) < 4 or len(data) % 2:
        return None
    head = data[:8192]
    scores = []
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        scores.append((_texty(head.decode(enc, errors="replace")), enc))
    if not scores:
        return None
    score, enc = max(scores)
    return enc if score >= 0.9 else None


def _mostly_text(text: str) -> bool:
    """True unless over 5 % (and over 8) of the chars are control characters."""
    if not text:
        return True
    sample = text[:65536]
    bad = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f\v\x1b") or c == "\x7f")
    return bad <= max(8, 0.05 * len(sample))


def _detect(data: bytes) -> str | None:
    """GB18030 or Big5, as picked by charset-normalizer, or None (UTF-16 is handled apart)."""
    from charset_normalizer import from_bytes

    best = from_bytes(
        data[:262144], cp_isolation=["gb18030", "big5"],
        preemptive_behaviour=False,
    ).best()
    return None if best is None else best.encoding


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _common_share(text: str) -> float:
    """Share of Han chars that are frequent (GB2312 level 1 once simplified)."""
    han = [c for c in _t2s().convert(text[:2000]) if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for c in han:
        try:
            common += 0xB0 <= c.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _gb_or_big5(data: bytes) -> str | None:
    """GB18030 or Big5 text when one reading is clearly right; else None."""
    decoded = {}
    for enc in ("gb18030", "big5"):
        try:
            decoded[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if len(decoded) < 2:
        return next(iter(decoded.values()), None)
    # Both decode (short or ambiguous input): the reading with more frequent chars wins.
    gb, big5 = _common_share(decoded["gb18030"]), _common_share(decoded["big5"])
    if abs(gb - big5) >= 0.1:
        return decoded["gb18030"] if gb > big5 else decoded["big5"]
    return None


def decode_bytes(data: bytes, source: str) -> str:
    """Decode the bytes of one article; raise InputError naming ``source`` when impossible."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"{source}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                text = body.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: starts with a {enc.upper()} byte-order mark but is "
                                 f"not valid {enc.upper()} ({exc.reason} at byte {exc.start})") from None
            if not text.strip():
                raise InputError(f"{source}: empty file")
            return text
    if not data.strip():
        raise InputError(f"{source}: empty file")
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{source}: binary file ({kind})")
    if b"\x00" in data:
        enc = _utf16_without_bom(data)
        if enc is None:
            raise InputError(f"{source}: binary file (contains NUL bytes)")
        return data.decode(enc)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        enc = _utf16_without_bom(data)
        text = data.decode(enc) if enc else None
    if text is None:
        text = _gb_or_big5(data)
    if text is None:
        enc = _detect(data)
        candidates = ([enc] if enc else []) + ["gb18030", "big5"]
        for candidate in candidates:
            try:
                text = data.decode(candidate)
                break
            except (UnicodeDecodeError, LookupError):
                continue
        if text is None:
            raise InputError(f"{source}: {_UNDECODABLE}")
    if not _mostly_text(text):
        raise InputError(f"{source}: binary file (mostly control characters)")
    return text


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

_HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|br|span|table|article|section|script|style|a\s)[\s>/]",
    re.IGNORECASE,
)
_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|dd|div|dl|dt|fieldset|figcaption|figure|h[1-6]|hr|li|"
    "main|ol|p|pre|section|table|tbody|td|th|thead|title|tr|ul"
)
_BLOCK = re.compile(rf"<(/?)({_BLOCK_TAGS})\b", re.IGNORECASE)
_WS = re.compile(r"\s+")
_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "iframe", "svg", "template",
              "object", "embed", "canvas", "select", "button"]


def looks_like_html(text: str) -> bool:
    """True when ``text`` reads as an HTML page or fragment rather than plain text."""
    head = text[:4096]
    return len(_HTML_HINT.findall(head)) >= 2 or head.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page: scripts, styles, nav/header/footer dropped; one block a line."""
    from selectolax.lexbor import LexborHTMLParser

    # Source line breaks are only whitespace in HTML; block elements make the lines.
    html = _WS.sub(" ", html)
    html = _BLOCK.sub(lambda m: "\n<" + m.group(1) + m.group(2), html)
    tree = LexborHTMLParser(html)
    tree.strip_tags(_DROP_TAGS)
    title_node = tree.css_first("head > title")
    title = title_node.text(deep=True).strip() if title_node is not None else ""
    root = tree.body if tree.body is not None else tree.root
    body = root.text(deep=True, separator="") if root is not None else ""
    lines = [line.strip() for line in body.split("\n")]
    lines = [line for line in lines if line]
    if title and (not lines or title not in lines[0]):
        lines.insert(0, title)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------


def _read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Bytes of a file; InputError naming the path for missing, folder, unreadable, too big."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputError(f"{path}: file larger than {limit // (1024 * 1024)} MiB")
    return data


def read_text(path: str | Path) -> str:
    """The text of one article file (decoded; HTML reduced to its text)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    text = decode_bytes(_read_bytes(path), str(path))
    if path.suffix.lower() in _HTML_SUFFIXES or looks_like_html(text):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(f"{path}: HTML page without visible text")
    return text


# --------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_value(value: Any) -> Any:
    """Pass-through values with lone surrogates replaced, so that they can be written out."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


def _error(rid: Any, message: str) -> dict[str, Any]:
    return {"id": rid, "error": message}


def _make_record(obj: dict[str, Any], default_id: str, text_column: str, where: str) -> dict[str, Any]:
    """Record from one row/object: id, text, pass-through columns; or an error record."""
    rid = obj.get("id")
    if rid is None or rid == "":
        rid = default_id
    rid = _clean_value(rid)
    if text_column not in obj:
        return _error(rid, f"{where}: no {text_column!r} field (has: {', '.join(map(str, obj)) or 'nothing'})")
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
            record[key] = _clean_value(value)
    return record


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


def _iter_jsonl_stream(fh: BinaryIO, name: str, text_column: str, first: bytes = b"",
                       lineno: int = 0) -> Iterator[dict[str, Any]]:
    lines: Iterable[tuple[bytes | None, int]] = _iter_lines(fh)
    if first:
        lines = _chain_first(first, lines)
    for raw, size in lines:
        lineno += 1
        where = f"{name}:{lineno}"
        if raw is None:
            yield _error(where, f"{where}: line of {size} bytes is over the limit of {MAX_LINE_BYTES} bytes")
            continue
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if not raw.strip():
            continue
        yield _parse_json_line(raw, where, where, text_column)


def _chain_first(first: bytes, rest: Iterable[tuple[bytes | None, int]]) -> Iterator[tuple[bytes | None, int]]:
    yield first, len(first)
    yield from rest


def _iter_jsonl(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        yield from _iter_jsonl_stream(fh, str(path), text_column)


def _iter_json(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    name = str(path)
    try:
        text = decode_bytes(_read_bytes(path), name)
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
            return {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                    "utf-32-le": "utf-32", "utf-32-be": "utf-32"}[enc]
    # The head may end inside a multi-byte char: a few trailing bytes are ignored.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    decode_bytes(head, source)  # raises InputError for binary / undecodable
    return _detect(head) or "gb18030"


def _iter_csv(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    name = str(path)
    with open(path, "rb") as raw:
        head = raw.read(65536)
        if not head.strip():
            yield _error(name, f"{name}: empty file")
            return
        try:
            encoding = _sniff_encoding(head, name)
        except InputError as exc:
            yield _error(name, str(exc))
            return
        raw.seek(0)
        fh = _stdio.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        _raise_csv_field_limit()
        reader = csv.DictReader(fh, delimiter=delimiter)
        try:
            fields = reader.fieldnames or []
        except csv.Error as exc:
            yield _error(name, f"{name}: unreadable CSV header ({exc})")
            return
        if text_column not in fields:
            yield _error(name, f"{name}: CSV has no {text_column!r} column (columns: {', '.join(fields) or 'none'})")
            return
        row = 0
        while True:
            try:
                obj = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row += 1
                where = f"{name}:{reader.line_num}"
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

    name = str(path)
    bad = (OSError, ValueError, pa.ArrowException)
    try:
        pf = pq.ParquetFile(path)
        columns = pf.schema_arrow.names
    except bad as exc:
        yield _error(name, f"{name}: not a readable Parquet file ({exc})")
        return
    if text_column not in columns:
        yield _error(name, f"{name}: Parquet file has no {text_column!r} column (columns: {', '.join(columns)})")
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


def _iter_text_file(path: Path) -> Iterator[dict[str, Any]]:
    name = str(path)
    try:
        yield {"id": name, "text": _SURROGATE.sub("", read_text(path))}
    except InputError as exc:
        yield _error(name, str(exc))


def _iter_file(path: Path, text_column: str) -> Iterator[dict[str, Any]]:
    suffix = path.suffix.lower()
    name = str(path)
    try:
        if suffix in _JSONL_SUFFIXES:
            yield from _iter_jsonl(path, text_column)
        elif suffix == ".json":
            yield from _iter_json(path, text_column)
        elif suffix in (".csv", ".tsv"):
            yield from _iter_csv(path, text_column)
        elif suffix == ".parquet":
            yield from _iter_parquet(path, text_column)
        else:
            yield from _iter_text_file(path)
    except FileNotFoundError:
        yield _error(name, f"{name}: no such file (removed while reading?)")
    except PermissionError:
        yield _error(name, f"{name}: permission denied")
    except IsADirectoryError:
        yield _error(name, f"{name}: is a folder, not a file")
    except OSError as exc:
        yield _error(name, f"{name}: cannot read ({exc.strerror or exc})")


def _iter_folder(folder: Path, text_column: str, seen: set[tuple[int, int]] | None = None
                 ) -> Iterator[dict[str, Any]]:
    name = str(folder)
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
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _iter_folder(path, text_column, seen)
        else:
            yield from _iter_file(path, text_column)


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


def iter_records(sources: Sequence[str | Path] | str | Path | None = None,
                 text_column: str = TEXT_COLUMN) -> Iterator[dict[str, Any]]:
    """Yield one record per input article, in input order; bad inputs become error records.

    A record is ``{"id", "text", <pass-through columns>}`` or ``{"id", "error"}``; see the
    module docstring for the formats. Never raises for a bad record or file.
    """
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
            yield from _iter_folder(path, text_column)
        else:
            yield from _iter_file(path, text_column)


# --------------------------------------------------------------------------------------
# labeled data
# --------------------------------------------------------------------------------------

_LABEL_FIELDS = ("topic", "region", "city", "county")


def _check_labels(rec: dict[str, Any], where: str) -> dict[str, Any]:
    """Validated labeled record; InputError naming ``where`` and the bad value."""
    for field in ("topic", "region"):
        if field not in rec or rec[field] in (None, ""):
            raise InputError(f"{where}: missing {field!r}")
    if rec["topic"] not in TOPICS:
        raise InputError(f"{where}: unknown topic {rec['topic']!r} (expected one of {', '.join(TOPICS)})")
    if rec["region"] not in REGIONS:
        raise InputError(f"{where}: unknown region {rec['region']!r} (expected a province-level "
                         f"full name such as 江苏省, or 全国)")
    for field in ("city", "county"):
        value = rec.get(field)
        if value is None:
            rec[field] = ""
        elif not isinstance(value, str):
            raise InputError(f"{where}: {field!r} is {type(value).__name__}, not a string")
        else:
            rec[field] = value.strip()
    return rec


def _labeled_from_records(path: Path, text_column: str = TEXT_COLUMN) -> list[dict[str, Any]]:
    out = []
    for rec in iter_records([path], text_column=text_column):
        if "error" in rec:
            raise InputError(rec["error"])
        where = str(rec["id"]) if ":" in str(rec["id"]) else f"{path} (id {rec['id']})"
        out.append(_check_labels(rec, where))
    return out


def _find_labels_csv(folder: Path) -> Path | None:
    for candidate in (folder / "labels.csv", folder.parent / "labels" / f"{folder.name}.csv"):
        if candidate.is_file():
            return candidate
    return None


def _labeled_from_folder(folder: Path, labels_csv: str | Path | None) -> list[dict[str, Any]]:
    csv_path = Path(labels_csv) if labels_csv is not None else _find_labels_csv(folder)
    if csv_path is None:
        raise InputError(f"{folder}: no labels CSV (pass labels_csv, or put labels.csv in the folder)")
    text = decode_bytes(_read_bytes(csv_path), str(csv_path))
    reader = csv.DictReader(_stdio.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    missing = [f for f in ("file", "topic", "region") if f not in fields]
    if missing:
        raise InputError(f"{csv_path}: missing column(s) {', '.join(missing)} (columns: {', '.join(fields)})")
    out = []
    for row in reader:
        where = f"{csv_path}:{reader.line_num}"
        file = (row.get("file") or "").strip()
        if not file:
            raise InputError(f"{where}: empty 'file'")
        rec = {"id": file, "text": read_text(folder / file)}
        rec.update({k: (row.get(k) or "").strip() for k in _LABEL_FIELDS})
        out.append(_check_labels(rec, where))
    if not out:
        raise InputError(f"{csv_path}: no labeled rows")
    return out


def read_labeled(path: str | Path, labels_csv: str | Path | None = None) -> list[dict[str, Any]]:
    """Training records ``{id, text, topic, region, city, county}`` from a file or a folder.

    ``path`` is a JSONL/JSON/CSV/Parquet file with ``text``, ``topic``, ``region`` (optional
    ``city``, ``county``, ``id``), or a folder of ``.txt`` files labeled by a CSV with columns
    ``file,topic,region,city,county``: ``labels_csv``, else ``labels.csv`` in the folder,
    else ``../labels/<folder name>.csv`` (the repo's ``seeds/`` ↔ ``labels/seeds.csv``).
    Raises InputError naming the file, line and bad value.
    """
    path = Path(path)
    if path.is_dir():
        return _labeled_from_folder(path, labels_csv)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    records = _labeled_from_records(path)
    if not records:
        raise InputError(f"{path}: no labeled records")
    return records


# --------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = "") -> Iterator[IO[Any]]:
    """Write ``path`` through a temp file in the same folder, renamed into place at the end.

    On an exception the temp file is removed and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise InputError(f"atomic_write({path}): mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
