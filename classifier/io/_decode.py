"""Bytes to text: encodings (UTF-8, GB18030, Big5, UTF-16), binary files, file size limits."""

from __future__ import annotations

import codecs
import functools
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._html import html_to_text, looks_like_html

#: Largest single text / HTML / JSON file read whole (bytes).
MAX_FILE_BYTES = 256 * 1024 * 1024


# --------------------------------------------------------------------------------------
# bytes → str
# --------------------------------------------------------------------------------------

_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}

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


_DOCUMENT_SUFFIXES = {
    ".docx": "Word document",
    ".doc": "Word document",
    ".odt": "OpenDocument text",
    ".rtf": "RTF document",
    ".pptx": "PowerPoint file",
    ".xls": "Excel workbook",
    ".epub": "e-book",
}


def _binary_hint(source: str, kind: str) -> str:
    """What to do with a binary input: how to get its text."""
    suffix = Path(source).suffix.lower()
    if kind == "PDF document":
        return f"; extract its text first, e.g. `pdftotext {Path(source).name} article.txt`, and label the .txt"
    if suffix == ".xls":
        return "; save the sheet as .xlsx or CSV (with a text column) and label that"
    if suffix in _DOCUMENT_SUFFIXES:
        what = _DOCUMENT_SUFFIXES[suffix]
        return (
            f"; a {what}: save it as plain text (.txt), or convert it, e.g. "
            f"`pandoc -t plain {Path(source).name} -o article.txt`, and label the .txt"
        )
    if kind == "ZIP archive":
        return "; unzip it and label the extracted files (or the folder)"
    if kind.endswith("archive"):
        return "; extract it and label the extracted files (or the folder)"
    return "; not an article: remove it from the input or skip it"


def _texty(text: str) -> float:
    """Share of chars that are Han, ASCII printable, CJK punctuation or whitespace."""
    if not text:
        return 0.0
    sample = text[:4096]
    good = sum(
        1
        for c in sample
        if " " <= c <= "~"
        or c in "\n\r\t"
        or "\u4e00" <= c <= "\u9fff"
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
        or "\u2010" <= c <= "\u2027"
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
        data[:262144],
        cp_isolation=["gb18030", "big5"],
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
    text: str | None
    for bom, bom_enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                decoded = body.decode(bom_enc)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source}: starts with a {bom_enc.upper()} byte-order mark but is "
                    f"not valid {bom_enc.upper()} ({exc.reason} at byte {exc.start})"
                ) from None
            if not decoded.strip():
                raise InputError(f"{source}: empty file")
            return decoded
    if not data.strip():
        raise InputError(f"{source}: empty file")
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{source}: binary file ({kind}){_binary_hint(source, kind)}")
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
