"""Input and output: bytes → text (encodings, HTML), files/folders/stdin → records, labeled
records, atomic writes, and the prediction output files (one table of output formats)."""

from ._atomic import atomic_write
from ._decode import MAX_FILE_BYTES, decode_bytes, read_text
from ._formats import (
    FORMATS,
    OUTPUT_FORMATS,
    SUFFIX_FORMATS,
    OutputFormat,
    format_of,
    infer_format,
    unknown_suffix_message,
)
from ._html import html_to_text, looks_like_html
from ._labeled import find_labels_csv, read_labeled
from ._readers import iter_records
from ._tabular import MAX_LINE_BYTES
from ._writers import (
    EXPLAIN_FIELD,
    PROBA_PREFIX,
    ROW_GROUP_SIZE,
    XLSX_CELL_LIMIT,
    chunked,
    dumps_record,
    escape_formula,
    json_default,
    output_columns,
    read_jsonl,
    read_output,
    write_csv,
    write_json,
    write_output,
    write_parquet,
    write_tsv,
    write_xlsx,
    xlsx_text,
)

__all__ = [
    "EXPLAIN_FIELD",
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_LINE_BYTES",
    "OUTPUT_FORMATS",
    "OutputFormat",
    "PROBA_PREFIX",
    "ROW_GROUP_SIZE",
    "SUFFIX_FORMATS",
    "XLSX_CELL_LIMIT",
    "find_labels_csv",
    "format_of",
    "atomic_write",
    "chunked",
    "decode_bytes",
    "dumps_record",
    "escape_formula",
    "html_to_text",
    "infer_format",
    "iter_records",
    "json_default",
    "looks_like_html",
    "output_columns",
    "read_jsonl",
    "read_labeled",
    "read_output",
    "read_text",
    "unknown_suffix_message",
    "write_csv",
    "write_json",
    "write_output",
    "write_parquet",
    "write_tsv",
    "write_xlsx",
    "xlsx_text",
]
