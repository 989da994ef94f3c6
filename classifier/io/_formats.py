"""The output formats, and which one a file name asks for: one table for the CLI and the writers."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from ..errors import InputError

#: Output formats written by :func:`classifier.batch.run_batch` (the CLI adds ``table``).
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")

#: Output file suffix (lower case) -> output format.
SUFFIX_FORMATS = MappingProxyType(
    {
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".csv": "csv",
        ".parquet": "parquet",
        ".pq": "parquet",
    }
)


def format_of(path: str | Path) -> str | None:
    """The output format ``path``'s suffix names, or None for another suffix."""
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def infer_format(out: str | Path | None, fmt: str | None = None) -> str:
    """The output format: ``fmt`` when given, else from ``out``'s suffix (JSONL for stdout)."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
        return fmt
    if out is None:
        return "jsonl"
    found = format_of(out)
    if found is None:
        raise InputError(
            f"output {str(out)!r}: cannot tell the format from the suffix "
            f"(use {', '.join(SUFFIX_FORMATS)}, or name the format)"
        )
    return found
