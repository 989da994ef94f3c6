"""``classifier suggest``: the teach ranking as a JSONL queue, for people who label elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._queue import score_texts, teach_order
from ._store import LabelStore, fingerprint


def read_inputs(sources: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Records (``id``, ``text``, pass-through fields) from anything ``predict`` reads; unreadable ones dropped."""
    from .. import iter_records

    return [r for r in iter_records(list(sources)) if "error" not in r]


def suggest(
    records: Sequence[dict[str, Any]], model: Any, n: int = 50, labels: str | Path | None = None
) -> list[dict[str, Any]]:
    """The ``n`` records to label first (teach order), with their prediction and uncertainty.

    Articles already in the ``labels`` file (same id or same normalised text) are left out, and
    so are near-duplicates of labeled or earlier-suggested articles.
    """
    labeled: list[str] = []
    if labels is not None and Path(labels).exists():
        store = LabelStore(labels)
        done_ids = {str(r["id"]) for r in store}
        done_fps = store.fingerprints()
        labeled = [str(r["text"]) for r in store]
        records = [r for r in records if str(r["id"]) not in done_ids and fingerprint(r["text"]) not in done_fps]
    texts = [r["text"] for r in records]
    scored = score_texts(model, texts)
    out = []
    for rank, i in enumerate(teach_order(scored, texts, labeled, n=n), 1):
        s = scored[i]
        out.append(
            {
                "id": records[i]["id"],
                "rank": rank,
                "uncertainty": s.uncertainty,
                "topic_margin": s.margin,
                "region_confidence": s.region_confidence,
                **s.prediction,
                "text": records[i]["text"],
            }
        )
    return out
