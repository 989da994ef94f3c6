"""One review session: the articles, the model's view of them, the queues and the labels file."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..labels import REGIONS, TOPICS
from ..normalize import normalize
from ._queue import audit_order, disagreement_order, score_texts, teach_order
from ._store import MODES, LabelStore, fingerprint

_LABEL_KEYS = ("topic", "region", "city", "county")


def shipped_model_path() -> Path:
    """The model file shipped inside the package."""
    from ..model import default_model_path

    return default_model_path()


def model_version(path: str | Path | None) -> str:
    """First 12 hex digits of the model file's SHA-256 (the shipped model when ``path`` is None)."""
    if path is None:
        path = shipped_model_path()
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _title_and_lead(clean: str) -> tuple[str, str]:
    lines = [ln.strip() for ln in clean.splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if len(first) > 60 or len(lines) == 1:  # one long paragraph: its first sentence is the title
        cut = min([i for i in (first.find("。"), first.find("！"), first.find("？")) if i >= 0] or [60])
        title, rest = first[: min(cut + 1, 80)], first[min(cut + 1, 80) :]
        lead = (rest + " " + " ".join(lines[1:])).strip()
    else:
        title, lead = first, " ".join(lines[1:])
    return title, lead[:200]


def bootstrap_interval(hits: Sequence[bool], n_resamples: int = 1000, seed: int = 0) -> tuple[float, float] | None:
    """95% percentile-bootstrap interval of a proportion (None for no data)."""
    x = np.asarray(hits, dtype=float)
    if len(x) == 0:
        return None
    idx = np.random.default_rng(seed).integers(0, len(x), size=(n_resamples, len(x)))
    lo, hi = np.percentile(x[idx].mean(axis=1), [2.5, 97.5])
    return (round(float(lo), 4), round(float(hi), 4))


class Session:
    """Articles under review, their predictions, the three queues and the decisions so far."""

    def __init__(
        self,
        records: Sequence[dict[str, Any]],
        model: Any,
        store: LabelStore,
        *,
        model_path: str | Path | None = None,
        seed: int = 0,
    ):
        if not records:
            raise ValueError("no articles to review")
        self.records = list(records)
        self.texts = [str(r["text"]) for r in self.records]
        self.fps = [fingerprint(t) for t in self.texts]
        self.store = store
        self.seed = seed
        self.lock = threading.RLock()
        self.mode = "teach"
        self.current: int | None = None
        self.skipped: set[int] = set()
        self.history: list[int] = []
        self.set_model(model, model_version(model_path))

    # ------------------------------------------------------------ model and queues

    def set_model(self, model: Any, version: str) -> None:
        """Use ``model`` from now on: re-predict every article and re-rank the queues."""
        scored = score_texts(model, self.texts)
        with self.lock:
            self.model, self.version, self.scored = model, version, scored
            self.topics = [str(c) for c in getattr(model, "classes_", TOPICS)]
            self.store.topics = self.topics
            self._build_queues()

    def _decided(self, i: int, latest: dict[str, dict[str, Any]], fps: set[str]) -> bool:
        return str(self.records[i]["id"]) in latest or self.fps[i] in fps

    def _build_queues(self) -> None:
        latest, fps = self.store.latest(), self.store.fingerprints()
        todo = [i for i in range(len(self.records)) if not self._decided(i, latest, fps)]
        labeled = [str(r["text"]) for r in latest.values()]
        sub = teach_order([self.scored[i] for i in todo], [self.texts[i] for i in todo], labeled)
        self.queues: dict[str, list[int]] = {
            "teach": [todo[j] for j in sub],
            "audit": audit_order(len(self.records), self.seed, exclude=set(range(len(self.records))) - set(todo)),
            "disagreements": [
                i
                for i in disagreement_order(
                    [{k: r.get(k) for k in _LABEL_KEYS} if r.get("topic") else None for r in self.records], self.scored
                )
                if i in set(todo)
            ],
        }

    def next_index(self) -> int | None:
        """The article on screen: the current one, else the first undecided, unskipped one of the queue."""
        with self.lock:
            if self.current is not None:
                return self.current
            latest, fps = self.store.latest(), self.store.fingerprints()
            for i in self.queues[self.mode]:
                if i not in self.skipped and not self._decided(i, latest, fps):
                    self.current = i
                    return i
            return None

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
        with self.lock:
            if mode != self.mode:
                self.mode, self.current = mode, None

    def remaining(self) -> int:
        latest, fps = self.store.latest(), self.store.fingerprints()
        return sum(1 for i in self.queues[self.mode] if i not in self.skipped and not self._decided(i, latest, fps))

    # ------------------------------------------------------------ decisions

    def decide(self, index: int, labels: dict[str, str]) -> dict[str, Any]:
        """Append a decision for article ``index`` (flushed to disk before returning)."""
        with self.lock:
            pred = self.scored[index].prediction
            rec = self.records[index]
            decision = {
                "id": rec["id"],
                "fingerprint": self.fps[index],
                "text": rec["text"],
                **{k: str(labels.get(k, "") or "").strip() for k in _LABEL_KEYS},
                "model_version": self.version,
                "mode": self.mode,
                "model_topic": pred["topic"],
                "model_region": pred["region"],
            }
            out = self.store.append(decision)
            self.history.append(index)
            self.skipped.discard(index)
            if self.current == index:
                self.current = None
            return out

    def skip(self, index: int) -> None:
        with self.lock:
            self.skipped.add(index)
            self.history.append(index)
            if self.current == index:
                self.current = None

    def undo(self) -> int | None:
        """Bring back the last decided or skipped article of this session; the next decision on it replaces the old."""
        with self.lock:
            if not self.history:
                return None
            i = self.history.pop()
            self.skipped.discard(i)
            self.current = i
            return i

    # ------------------------------------------------------------ what the page shows

    def article(self, index: int) -> dict[str, Any]:
        rec, s = self.records[index], self.scored[index]
        clean = normalize(self.texts[index])
        why = self.model.explain(self.texts[index])
        title, lead = _title_and_lead(clean)
        found = str(s.prediction.get("title") or "")  # the model's own title finder, where it has one
        if found and found in clean:
            title, lead = found, " ".join(clean[clean.index(found) + len(found) :].split())[:200]
        previous = self.store.latest().get(str(rec["id"]))
        return {
            "index": index,
            "id": str(rec["id"]),
            "mode": self.mode,
            "title": title,
            "lead": lead,
            "clean": clean,
            "raw": self.texts[index],
            "prediction": s.prediction,
            "margin": s.margin,
            "region_confidence": s.region_confidence,
            "uncertainty": s.uncertainty,
            "topic_terms": why.get("topic_terms", []),
            "region_evidence": why.get("region_evidence", []),
            "existing": {k: rec.get(k) for k in _LABEL_KEYS if rec.get(k) is not None} or None,
            "previous": {k: previous[k] for k in _LABEL_KEYS} if previous else None,
        }

    def stats(self) -> dict[str, Any]:
        latest = list(self.store.latest().values())
        n = len(latest)
        topic_agree = sum(r.get("topic") == r.get("model_topic") for r in latest)
        region_agree = sum(r.get("region") == r.get("model_region") for r in latest)
        return {
            "labeled": n,
            "topics": self.topics,
            "per_topic": {t: sum(r["topic"] == t for r in latest) for t in self.topics},
            "topic_agreement": round(topic_agree / n, 4) if n else None,
            "region_agreement": round(region_agree / n, 4) if n else None,
            "mode": self.mode,
            "remaining": self.remaining(),
            "model_version": self.version,
            "torn_lines": self.store.torn_lines,
            "audit": self.audit_figures(latest),
        }

    def audit_figures(self, latest: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Per model version, from audit-mode labels: topic and region accuracy with intervals, topic confusion.

        The predictions are the ones recorded when each label was made, so a model retrained on
        these labels is not scored on its own training data.
        """
        latest = list(self.store.latest().values()) if latest is None else latest
        by_version: dict[str, list[dict[str, Any]]] = {}
        for r in latest:
            if r.get("mode") == "audit" and r.get("model_topic"):
                by_version.setdefault(str(r.get("model_version", "")), []).append(r)
        out: list[dict[str, Any]] = []
        for version, rows in by_version.items():
            t_hits = [r["topic"] == r["model_topic"] for r in rows]
            r_hits = [r["region"] == r.get("model_region") for r in rows]
            pairs = Counter((r["topic"], r["model_topic"]) for r in rows)
            seen = {t for pair in pairs for t in pair}
            names = [*self.topics, *sorted(seen - set(self.topics))]
            out.append(
                {
                    "model_version": version,
                    "current": version == self.version,
                    "n": len(rows),
                    "topic_accuracy": round(float(np.mean(t_hits)), 4),
                    "topic_accuracy_ci": bootstrap_interval(t_hits),
                    "region_accuracy": round(float(np.mean(r_hits)), 4),
                    "region_accuracy_ci": bootstrap_interval(r_hits),
                    "confusion": {"labels": names, "matrix": [[pairs[g, p] for p in names] for g in names]},
                }
            )
        out.sort(key=lambda f: (not f["current"], -f["n"]))
        return out


def valid_labels(labels: dict[str, Any], topics: Sequence[str] = TOPICS) -> str | None:
    """Why a submitted decision is not valid (``topics``: the model's), or None."""
    if labels.get("topic") not in topics:
        return f"topic must be one of {', '.join(topics)}"
    if labels.get("region") not in REGIONS:
        return "region must be a province-level full name (e.g. 江苏省) or 全国"
    for k in ("city", "county"):
        v = labels.get(k, "")
        if not isinstance(v, str) or len(v) > 40:
            return f"{k} must be a short string"
    return None
