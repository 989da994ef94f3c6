"""Labeled records (training and evaluation data) from files and folders."""

from __future__ import annotations

import csv
import io as _stdio
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import DATE_FIELD, DEFAULT_TOPICS, LABEL_FIELDS, TEXT_COLUMN, check_label, check_region, check_topic_name
from ._decode import _read_bytes, decode_bytes, read_text
from ._readers import iter_records


class _Check:
    """The label check of one reading: a topic set (None: any topic name) and the topic column."""

    def __init__(self, topics: Sequence[str] | None, label_column: str):
        self.topics = topics
        self.label_column = label_column

    def __call__(self, rec: dict[str, Any], where: str) -> dict[str, Any]:
        known = self.topics is not None
        label = check_label(rec, where, known=known, topics=self.topics, topic_field=self.label_column)
        if not known:
            check_topic_name(label.topic, f"{where}: {self.label_column!r}")
            check_region(label.region, where)
        if self.label_column != "topic" and "topic" in rec:
            # e.g. the predicted topic of a corrected prediction file: kept, under another name
            rec["input_topic"] = rec["topic"]
        rec.update(label._asdict())
        return rec


def _labeled_from_records(path: Path, check: _Check, text_column: str = TEXT_COLUMN) -> list[dict[str, Any]]:
    """The labeled records of one file. A later record with the id of an earlier one replaces it
    (an append-only labels file, such as ``classifier review``'s, records a corrected decision
    as a new line), and a torn last line (no newline: the writer was killed) is skipped with a
    warning; any other unreadable record is an error naming it."""
    by_id: dict[str, dict[str, Any]] = {}
    torn: dict[str, Any] | None = None
    for rec in iter_records([path], text_column=text_column):
        if torn is not None:  # a bad record followed by more: not a torn last line
            raise InputError(torn["error"])
        if "error" in rec:
            torn = rec
            continue
        where = str(rec["id"]) if ":" in str(rec["id"]) else f"{path} (id {rec['id']})"
        checked = check(rec, where)
        by_id.pop(str(checked["id"]), None)  # the replacement takes the place of the last decision
        by_id[str(checked["id"])] = checked
    if torn is not None:
        if not _ends_without_newline(path):
            raise InputError(torn["error"])
        warnings.warn(f"{torn['error']}: a torn last line (the writer was interrupted), skipped", stacklevel=3)
    return list(by_id.values())


def _ends_without_newline(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            if fh.tell() == 0:
                return False
            fh.seek(-1, 2)
            return fh.read(1) != b"\n"
    except OSError:
        return False


def find_labels_csv(folder: Path) -> Path | None:
    """The labels CSV of a folder of .txt files: ``labels.csv`` in it, else ``../labels/<folder name>.csv``."""
    for candidate in (folder / "labels.csv", folder.parent / "labels" / f"{folder.name}.csv"):
        if candidate.is_file():
            return candidate
    return None


def _labeled_from_folder(folder: Path, labels_csv: str | Path | None, check: _Check) -> list[dict[str, Any]]:
    csv_path = Path(labels_csv) if labels_csv is not None else find_labels_csv(folder)
    if csv_path is None:
        raise InputError(f"{folder}: no labels CSV (pass labels_csv, or put labels.csv in the folder)")
    text = decode_bytes(_read_bytes(csv_path), str(csv_path))
    reader = csv.DictReader(_stdio.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    missing = [f for f in ("file", check.label_column, "region") if f not in fields]
    if missing:
        raise InputError(f"{csv_path}: missing column(s) {', '.join(missing)} (columns: {', '.join(fields)})")
    out = []
    for row in reader:
        where = f"{csv_path}:{reader.line_num}"
        file = (row.get("file") or "").strip()
        if not file:
            raise InputError(f"{where}: empty 'file'")
        rec = {"id": file, "text": read_text(folder / file)}
        rec.update({k: (row.get(k) or "").strip() for k in {*LABEL_FIELDS, check.label_column}})
        if DATE_FIELD in fields:  # the optional event-date label (LABELING.md "Date")
            rec[DATE_FIELD] = (row.get(DATE_FIELD) or "").strip()
        out.append(check(rec, where))
    if not out:
        raise InputError(f"{csv_path}: no labeled rows")
    return out


def read_labeled(
    path: str | Path | Sequence[str | Path],
    labels_csv: str | Path | None = None,
    *,
    topics: Sequence[str] | None = DEFAULT_TOPICS,
    label_column: str = "topic",
    on_source: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Training records ``{id, text, topic, region, city, county}`` from files and folders.

    ``path`` is a JSONL/JSON/CSV/Parquet file with ``text``, ``topic``, ``region`` (optional
    ``city``, ``county``, ``id``, ``date``; other columns are kept), or a folder of ``.txt`` files
    labeled by a CSV with columns ``file,topic,region,city,county`` (optional ``date``):
    ``labels_csv``, else ``labels.csv`` in the folder,
    else ``../labels/<folder name>.csv`` (the repo's ``seeds/`` ↔ ``labels/seeds.csv``).
    A sequence of paths gives their records one after the other.

    ``topics`` is the topic set labels must belong to (None: any topic name, the set of a
    custom model is then the labels present). ``label_column`` is the field (or labels-CSV
    column) read as the topic, e.g. ``corrected_topic`` of a prediction file corrected by
    hand, whose ``topic`` is the predicted one (kept as ``input_topic``). ``on_source`` is
    called with each path before it is read (progress). Raises InputError naming the file,
    line and bad value (labels are checked by :func:`classifier.labels.check_label`).
    """
    check = _Check(None if topics is None else tuple(topics), label_column)
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    out: list[dict[str, Any]] = []
    for one in paths:
        if on_source is not None:
            on_source(str(one))
        out.extend(_read_one(Path(one), labels_csv, check))
    return out


def _read_one(path: Path, labels_csv: str | Path | None, check: _Check) -> list[dict[str, Any]]:
    if path.is_dir():
        return _labeled_from_folder(path, labels_csv, check)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    records = _labeled_from_records(path, check)
    if not records:
        raise InputError(f"{path}: no labeled records")
    return records
