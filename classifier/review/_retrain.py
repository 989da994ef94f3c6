"""Retrain from the base training data plus the labels file, with grouped-CV figures before and after.

:func:`retrain` runs in a separate process (the app stays responsive); it writes the new
model atomically (``classifier.train`` → ``classifier.save``) and never over the shipped one.
"""

from __future__ import annotations

import json
import signal
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._store import LabelStore, fingerprint

_LABEL_KEYS = ("topic", "region", "city", "county")


def check_new_model_path(path: str | Path) -> Path:
    """``path`` as the place for a retrained model; InputError when it is the shipped model."""
    from ._session import shipped_model_path

    path = Path(path)
    if path.resolve() == shipped_model_path().resolve():
        raise InputError(f"{path}: is the shipped model; choose another path for the retrained model")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name for the retrained model")
    return path


def training_records(base: Sequence[str | Path], labels: str | Path) -> tuple[list[dict[str, Any]], int, int]:
    """Base records with the labels file's decisions on top (a decision replaces the base record of the
    same id or normalised text); returns (records, n_base_kept, n_labels)."""
    from .. import read_labeled

    base_records: list[dict[str, Any]] = []
    for p in base:
        base_records.extend(read_labeled(p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a torn line was reported when the app opened it
        decided = list(LabelStore(labels).latest().values()) if Path(labels).exists() else []
    ids = {str(d["id"]) for d in decided}
    fps = {str(d.get("fingerprint") or fingerprint(d["text"])) for d in decided}
    kept = [r for r in base_records if str(r["id"]) not in ids and fingerprint(r["text"]) not in fps]
    new = [{"id": str(d["id"]), "text": d["text"], **{k: d.get(k, "") for k in _LABEL_KEYS}} for d in decided]
    return (
        [{"id": str(r["id"]), "text": r["text"], **{k: r.get(k, "") for k in _LABEL_KEYS}} for r in kept] + new,
        len(kept),
        len(new),
    )


def _write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def retrain(
    base: Sequence[str | Path], labels: str | Path, out: str | Path, *, cv: int = 5, seed: int = 0
) -> dict[str, Any]:
    """Fit a model on ``base`` + ``labels`` and write it to ``out``; grouped-CV scores before and after.

    Returns ``{"before", "after", "n_base", "n_labels", "out", "seconds"}``; ``before`` is the
    grouped CV of a model on ``base`` alone (None without base data), ``after`` on the union.
    """
    from .. import train

    start = time.perf_counter()
    out = check_new_model_path(out)
    records, n_base, n_labels = training_records(base, labels)
    if not records:
        raise InputError("nothing to train on: no base data (--train) and no labels yet")
    with tempfile.TemporaryDirectory(prefix="classifier-retrain-") as tmp:
        before = None
        if base:
            base_file = Path(tmp) / "base.jsonl"
            base_records, _, _ = training_records(base, Path(tmp) / "none.jsonl")
            _write_jsonl(base_file, base_records)
            before = train([base_file], cv=cv, random_state=seed).metadata_.get("cv_scores")
        merged = Path(tmp) / "base+labels.jsonl"
        _write_jsonl(merged, records)
        model = train([merged], out=out, cv=cv, random_state=seed)
    return {
        "before": before,
        "after": model.metadata_.get("cv_scores"),
        "n_base": n_base,
        "n_labels": n_labels,
        "out": str(out),
        "seconds": round(time.perf_counter() - start, 1),
    }


def ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is for the app, which shuts its workers down itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
