"""One input row or object → a record (id, text, pass-through columns) or an error record."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..labels import ERROR_FIELD
from ._html import html_to_text, looks_like_html

_SURROGATE = re.compile("[\ud800-\udfff]")


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
