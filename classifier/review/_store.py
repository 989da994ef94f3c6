"""The labels file: an append-only JSONL of review decisions, one line per decision.

Each line is a labeled record that ``classifier train`` and ``classifier evaluate`` read as
is (``id``, ``text``, ``topic``, ``region``, ``city``, ``county``; the other fields pass
through). A decision is written with one ``write`` call and ``fsync``-ed before the caller
moves on, so a ``kill -9`` loses at most the decision in flight. A torn line (the machine
crashed mid-write) is skipped with a warning and never rewritten; the next decision starts
on a new line after it.

A later line for the same ``id`` supersedes an earlier one (an undone, then re-made
decision); :meth:`LabelStore.latest` gives the current decision per article.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import NATIONAL, REGIONS
from ..normalize import normalize

#: Fields of one decision, in file order (``text`` last: it is the long one).
DECISION_FIELDS: tuple[str, ...] = (
    "id",
    "fingerprint",
    "topic",
    "region",
    "city",
    "county",
    "when",
    "model_version",
    "mode",
    "model_topic",
    "model_region",
    "text",
)

#: Queue modes a decision can come from.
MODES: tuple[str, ...] = ("teach", "audit", "disagreements")


def fingerprint(text: str) -> str:
    """SHA-256 (hex) of the normalised text: the same article under another id or encoding."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _check(decision: Mapping[str, Any], topics: Sequence[str] | None = None) -> None:
    topic = decision.get("topic")
    if not isinstance(topic, str) or not topic.strip() or (topics is not None and topic not in topics):
        expected = f"one of {', '.join(topics)}" if topics is not None else "a non-empty string"
        raise InputError(f"decision for {decision.get('id')!r}: topic {topic!r} is not {expected}")
    if decision.get("region") not in REGIONS:
        raise InputError(
            f"decision for {decision.get('id')!r}: region {decision.get('region')!r} is not a "
            f"province-level full name or {NATIONAL}"
        )
    for field in ("city", "county"):
        if not isinstance(decision.get(field, ""), str):
            raise InputError(f"decision for {decision.get('id')!r}: {field} must be a string")
    if decision.get("mode") not in MODES:
        raise InputError(
            f"decision for {decision.get('id')!r}: mode {decision.get('mode')!r} is not one of {', '.join(MODES)}"
        )


class LabelStore:
    """Review decisions kept in an append-only JSONL file (created on the first decision).

    Parameters
    ----------
    path : the labels file; existing decisions are read back (resume).
    topics : the topics a new decision may have (the model's); None: any label.
    """

    def __init__(self, path: str | Path, topics: Sequence[str] | None = None):
        self.path = Path(path)
        self.topics = list(topics) if topics is not None else None
        self.decisions: list[dict[str, Any]] = []
        self.torn_lines: list[int] = []
        self._needs_newline = False
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder, expected a labels file (JSONL)")
        if self.path.exists():
            self._read()

    def _read(self) -> None:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except ValueError:  # JSONDecodeError, UnicodeDecodeError: a line cut short by a crash
                self.torn_lines.append(lineno)
                warnings.warn(
                    f"{self.path}:{lineno}: incomplete line (a crash mid-write?) ignored and left as it is; "
                    "`classifier train` rejects it: delete it to train on this file outside the app",
                    RuntimeWarning,
                    stacklevel=3,
                )
                continue
            try:
                if not isinstance(obj, dict):
                    raise InputError(f"a JSON {type(obj).__name__}, not an object")
                _check({**obj, "mode": obj.get("mode", "teach")})
            except InputError as exc:
                raise InputError(f"{self.path}:{lineno}: not a review decision ({exc})") from None
            self.decisions.append(obj)
        self._needs_newline = bool(data) and not data.endswith(b"\n")

    def append(self, decision: Mapping[str, Any]) -> dict[str, Any]:
        """Validate, stamp (``fingerprint``, ``when``) and durably append one decision."""
        rec = {k: decision.get(k, "") for k in DECISION_FIELDS}
        rec.update({k: v for k, v in decision.items() if k not in rec})
        rec["city"] = (rec.get("city") or "").strip()
        rec["county"] = (rec.get("county") or "").strip()
        if not rec.get("fingerprint"):
            rec["fingerprint"] = fingerprint(str(rec["text"]))
        if not rec.get("when"):
            rec["when"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        _check(rec, self.topics)
        if not isinstance(rec["text"], str) or not rec["text"].strip():
            raise InputError(f"decision for {rec['id']!r}: empty text")
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        if self._needs_newline:  # start after a torn line, never on it
            line = "\n" + line
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            data = line.encode("utf-8")
            written = os.write(fd, data)
            while written < len(data):  # a regular file takes it in one go; be safe anyway
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        self._needs_newline = False
        self.decisions.append(rec)
        return rec

    def latest(self) -> dict[str, dict[str, Any]]:
        """The current decision per article id (a later line supersedes an earlier one)."""
        out: dict[str, dict[str, Any]] = {}
        for rec in self.decisions:
            out.pop(str(rec["id"]), None)
            out[str(rec["id"])] = rec
        return out

    def fingerprints(self) -> set[str]:
        """Fingerprints of every decided article."""
        return {str(r.get("fingerprint") or fingerprint(str(r.get("text", "")))) for r in self.latest().values()}

    def __len__(self) -> int:
        return len(self.latest())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.latest().values())
