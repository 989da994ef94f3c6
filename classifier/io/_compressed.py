"""Opening input files: gzip, bzip2, xz and Zstandard recognised by content, pipes included."""

from __future__ import annotations

import bz2
import gzip
import io as _stdio
import lzma
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ._decode import MAX_FILE_BYTES

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
