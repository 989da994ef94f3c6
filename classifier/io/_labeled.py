"""Labeled records (training and evaluation data) from files and folders."""

from __future__ import annotations

import csv
import io as _stdio
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import REGIONS, TEXT_COLUMN, TOPICS
from ._decode import _read_bytes, decode_bytes, read_text
from ._readers import iter_records

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
