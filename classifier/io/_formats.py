"""The output formats, and which one a file name asks for: one table for the CLI and the writers."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from ..errors import InputError


class OutputFormat(NamedTuple):
    """One output format of :func:`classifier.batch.run_batch`."""

    name: str
    #: File name suffixes (lower case) that ask for it.
    suffixes: tuple[str, ...]
    #: Bytes written to a file (so not to stdout).
    binary: bool
    #: One row per record under a header: needs every record's columns before the first row.
    tabular: bool
    #: May start with a UTF-8 byte-order mark (``bom=True``, the CLI's ``--excel``).
    bom: bool
    #: What it is, for help texts.
    description: str


#: The output formats, by name: the one table the CLI, run_batch, the writers and the readers use.
OUTPUT_FORMATS = MappingProxyType(
    {
        f.name: f
        for f in (
            OutputFormat("jsonl", (".jsonl", ".ndjson"), False, False, False, "one JSON object per line"),
            OutputFormat("json", (".json",), False, False, False, "a JSON array of objects"),
            OutputFormat("csv", (".csv",), False, True, True, "comma-separated, topic_proba as proba_<topic>"),
            OutputFormat("tsv", (".tsv",), False, True, True, "tab-separated, topic_proba as proba_<topic>"),
            OutputFormat("xlsx", (".xlsx",), True, True, False, "an Excel workbook, one sheet"),
            OutputFormat("parquet", (".parquet", ".pq"), True, True, False, "Parquet, topic_proba as a struct"),
        )
    }
)

#: Output formats written by :func:`classifier.batch.run_batch` (the CLI adds ``table``).
FORMATS: tuple[str, ...] = tuple(OUTPUT_FORMATS)

#: Output file suffix (lower case) -> output format.
SUFFIX_FORMATS = MappingProxyType({s: f.name for f in OUTPUT_FORMATS.values() for s in f.suffixes})


def format_of(path: str | Path) -> str | None:
    """The output format ``path``'s suffix names, or None for another suffix."""
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def unknown_suffix_message(path: str | Path) -> str:
    """Why ``path`` names no output format: its suffix and the known ones."""
    suffix = Path(path).suffix
    what = f"suffix {suffix!r}" if suffix else "no suffix"
    return f"output {str(path)!r}: {what} names no output format (known: {', '.join(SUFFIX_FORMATS)})"


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
        raise InputError(unknown_suffix_message(out) + "; or name the format")
    return found
