"""Labeled records (training and evaluation data) from files and folders."""

from __future__ import annotations

import csv
import io as _stdio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import DATE_FIELD, LABEL_FIELDS, TEXT_COLUMN, check_label
from ._decode import _read_bytes, decode_bytes, read_text
from ._readers import iter_records


def _labeled_from_records(path: Path, text_column: str = TEXT_COLUMN) -> list[dict[str, Any]]:
    out = []
    for rec in iter_records([path], text_column=text_column):
        if "error" in rec:
            raise InputError(rec["error"])
        where = str(rec["id"]) if ":" in str(rec["id"]) else f"{path} (id {rec['id']})"
        rec.update(check_label(rec, where)._asdict())
        out.append(rec)
    return out


def find_labels_csv(folder: Path) -> Path | None:
    """The labels CSV of a folder of .txt files: ``labels.csv`` in it, else ``../labels/<folder name>.csv``."""
    for candidate in (folder / "labels.csv", folder.parent / "labels" / f"{folder.name}.csv"):
        if candidate.is_file():
            return candidate
    return None


def _labeled_from_folder(folder: Path, labels_csv: str | Path | None) -> list[dict[str, Any]]:
    csv_path = Path(labels_csv) if labels_csv is not None else find_labels_csv(folder)
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
        rec.update({k: (row.get(k) or "").strip() for k in LABEL_FIELDS})
        rec.update(check_label(rec, where)._asdict())
        if DATE_FIELD in fields:  # the optional event-date label (LABELING.md "Date")
            rec[DATE_FIELD] = (row.get(DATE_FIELD) or "").strip()
        out.append(rec)
    if not out:
        raise InputError(f"{csv_path}: no labeled rows")
    return out


def read_labeled(path: str | Path | Sequence[str | Path], labels_csv: str | Path | None = None) -> list[dict[str, Any]]:
    """Training records ``{id, text, topic, region, city, county}`` from a file or a folder.

    ``path`` is a JSONL/JSON/CSV/Parquet file with ``text``, ``topic``, ``region`` (optional
    ``city``, ``county``, ``id``, ``date``; other columns are kept), or a folder of ``.txt`` files
    labeled by a CSV with columns ``file,topic,region,city,county`` (optional ``date``):
    ``labels_csv``, else ``labels.csv`` in the folder,
    else ``../labels/<folder name>.csv`` (the repo's ``seeds/`` ↔ ``labels/seeds.csv``).
    A sequence of paths gives their records one after the other. Raises InputError naming the
    file, line and bad value (labels are checked by :func:`classifier.labels.check_label`).
    """
    if not isinstance(path, (str, Path)):
        return [rec for one in path for rec in read_labeled(one, labels_csv)]
    path = Path(path)
    if path.is_dir():
        return _labeled_from_folder(path, labels_csv)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    records = _labeled_from_records(path)
    if not records:
        raise InputError(f"{path}: no labeled records")
    return records
