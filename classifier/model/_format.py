"""The model file format that cannot run code on load: numpy arrays in an ``.npz`` + JSON metadata.

A ``Predictor`` is numpy state only (``topic.TopicScorer`` + ``region.RegionRanker``), so it
is written field by field: arrays of numbers and of strings (vocabularies) in the ``.npz``,
plain fields and the metadata as a JSON document stored in it (``__model__.json``).
``np.load(..., allow_pickle=False)`` reads it: no object arrays, no pickles, so a crafted file
can at worst fail to load; it never runs code. Integrity: the zip members carry CRC-32s, and the
SHA-256 of the whole file is recorded beside it (``<model>.sha256``), computed in a stream.

Versions: ``format_version`` is checked on load (a newer format is refused with a message
naming both versions); the package version that wrote the file is compared too (a newer one
warns), and the scikit-learn / numpy versions are recorded for information.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import ModelError, ModelVersionWarning
from ..io import atomic_write
from ..normalize import normalize
from ..region import RegionRanker
from ..topic import FeatureSpec, LinearMember, TfidfBlock, TopicScorer

#: Format name recorded in every model file.
NPZ_FORMAT = "classifier-model-npz"
#: Bumped when the layout of the arrays / JSON changes; older readers refuse newer files.
NPZ_FORMAT_VERSION = 1
#: The JSON document (state and metadata) inside the ``.npz``.
_META = "__model__.json"
#: Bytes of SHA-256 kept per training article (``text_hashes``).
HASH_BYTES = 8


def text_hashes(texts: Iterable[str], *, clean: bool = False) -> np.ndarray:
    """Per-article fingerprints: the first ``HASH_BYTES`` of the SHA-256 of each normalised text.

    Shape ``(n, HASH_BYTES)``, ``uint8``; the model file keeps those of its training articles so that
    an evaluation can tell when it is scored on articles the model was trained on. ``clean``: the
    texts are already normalised.
    """
    rows = [hashlib.sha256((t if clean else normalize(t)).encode("utf-8")).digest()[:HASH_BYTES] for t in texts]
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), HASH_BYTES).copy()


def overlap_count(hashes: np.ndarray, texts: Iterable[str]) -> int:
    """How many of ``texts`` have a fingerprint in ``hashes`` (``text_hashes`` of training texts)."""
    known = {bytes(row) for row in np.asarray(hashes, dtype=np.uint8).reshape(-1, HASH_BYTES)}
    return sum(bytes(row) in known for row in text_hashes(texts))


def sha256_file(path: str | Path, block: int = 1 << 20) -> str:
    """SHA-256 of a file, read in blocks (a 2 GB file is never held whole)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(block):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- Predictor -> arrays


def _member(prefix: str, member: LinearMember, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays[f"{prefix}/coef"] = np.asarray(member.coef, dtype=np.float64)
    arrays[f"{prefix}/intercept"] = np.asarray(member.intercept, dtype=np.float64)
    for k, param in enumerate(member.params):
        for j, part in enumerate(param):
            arrays[f"{prefix}/params/{k}/{j}"] = np.asarray(part, dtype=np.float64)
    return {
        "calibration": member.calibration,
        "columns": [int(c) for c in member.columns],
        "n_classes": int(member.n_classes),
        "params": [len(param) for param in member.params],
    }


def _unmember(prefix: str, state: dict[str, Any], arrays: Any) -> LinearMember:
    params: list = []
    for k, n in enumerate(state["params"]):
        parts = [arrays[f"{prefix}/params/{k}/{j}"] for j in range(n)]
        # sigmoid calibrators are (a, b) floats; isotonic ones (x, y) threshold arrays
        params.append(tuple(float(p) if p.ndim == 0 else p for p in parts))
    return LinearMember(
        coef=arrays[f"{prefix}/coef"],
        intercept=arrays[f"{prefix}/intercept"],
        calibration=state["calibration"],
        params=params,
        columns=list(state["columns"]),
        n_classes=int(state["n_classes"]),
    )


#: The fields each class's state is written with: a field added to a class must be added here
#: (and to ``predictor_state`` / ``predictor_from_state``), else saving refuses (tested).
WRITTEN_FIELDS: dict[str, frozenset[str]] = {
    "TopicScorer": frozenset(
        ("classes", "spec", "blocks", "members", "explainer", "cue_scale", "guide", "n_tfidf", "offsets")
    ),
    "FeatureSpec": frozenset(("word_ngram_range", "char_ngram_range", "lead_chars", "lead", "cues", "cue_groups")),
    "LinearMember": frozenset(("coef", "intercept", "calibration", "params", "columns", "n_classes")),
    "TfidfBlock": frozenset(("name", "vocabulary", "idf", "weight", "sublinear_tf")),
    "RegionRanker": frozenset(("coef", "intercept", "min_count", "dominance", "feature_names")),
}


def _check_fields(obj: Any) -> None:
    name = type(obj).__name__
    found = set(vars(obj))
    unknown = found - WRITTEN_FIELDS[name]
    if unknown:
        raise ModelError(
            f"{name} has fields the model file format does not write ({', '.join(sorted(unknown))}): "
            "add them to classifier/model/_format.py (and bump NPZ_FORMAT_VERSION if old readers cannot read them)"
        )


def predictor_state(predictor: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(JSON-able state, arrays) of a ``Predictor``: every field, written explicitly."""
    topic: TopicScorer = predictor.topic
    region: RegionRanker = predictor.region
    for part in (topic, topic.spec, *topic.blocks, *topic.members, topic.explainer, region):
        _check_fields(part)
    arrays: dict[str, np.ndarray] = {}
    blocks = []
    for i, block in enumerate(topic.blocks):
        terms = list(block.vocabulary)
        arrays[f"topic/block/{i}/terms"] = np.array(terms, dtype=np.str_)
        arrays[f"topic/block/{i}/columns"] = np.array([block.vocabulary[t] for t in terms], dtype=np.int64)
        arrays[f"topic/block/{i}/idf"] = np.asarray(block.idf, dtype=np.float64)
        blocks.append({"name": block.name, "weight": float(block.weight), "sublinear_tf": bool(block.sublinear_tf)})
        if any(t.endswith("\x00") for t in terms):  # numpy str arrays drop trailing NULs
            raise ModelError(f"block {block.name!r}: a term ends with NUL; cannot be stored")
    spec = topic.spec
    state = {
        "topic": {
            "classes": [str(c) for c in topic.classes],
            "spec": {
                "word_ngram_range": list(spec.word_ngram_range),
                "char_ngram_range": None if spec.char_ngram_range is None else list(spec.char_ngram_range),
                "lead_chars": int(spec.lead_chars),
                "lead": bool(spec.lead),
                "cues": bool(spec.cues),
                "cue_groups": None
                if spec.cue_groups is None
                else [[str(group), [str(t) for t in terms]] for group, terms in spec.cue_groups],
            },
            "cue_scale": float(topic.cue_scale),
            "guide": topic.guide is not None,
            "blocks": blocks,
            "members": [_member(f"topic/member/{j}", m, arrays) for j, m in enumerate(topic.members)],
            "explainer": _member("topic/explainer", topic.explainer, arrays),
        },
        "region": {
            "intercept": float(region.intercept),
            "min_count": int(region.min_count),
            "dominance": float(region.dominance),
            "feature_names": [str(n) for n in region.feature_names],
        },
    }
    if topic.guide is not None:
        arrays["topic/guide"] = np.asarray(topic.guide, dtype=np.float64)
    arrays["region/coef"] = np.asarray(region.coef, dtype=np.float64)
    return state, arrays


def predictor_from_state(state: dict[str, Any], arrays: Any) -> tuple[TopicScorer, RegionRanker]:
    """The topic scorer and region ranker that ``predictor_state`` wrote."""
    t = state["topic"]
    blocks = []
    for i, b in enumerate(t["blocks"]):
        terms = arrays[f"topic/block/{i}/terms"].tolist()
        columns = arrays[f"topic/block/{i}/columns"].tolist()
        blocks.append(
            TfidfBlock(
                name=b["name"],
                vocabulary=dict(zip(terms, columns)),
                idf=arrays[f"topic/block/{i}/idf"],
                weight=float(b["weight"]),
                sublinear_tf=bool(b["sublinear_tf"]),
            )
        )
    s = t["spec"]
    spec = FeatureSpec(
        word_ngram_range=tuple(s["word_ngram_range"]),
        char_ngram_range=None if s["char_ngram_range"] is None else tuple(s["char_ngram_range"]),
        lead_chars=int(s["lead_chars"]),
        lead=bool(s["lead"]),
        cues=bool(s["cues"]),
        cue_groups=None
        if s.get("cue_groups") is None
        else tuple((str(group), tuple(str(t) for t in terms)) for group, terms in s["cue_groups"]),
    )
    topic = TopicScorer(
        classes=np.array(t["classes"]),
        spec=spec,
        blocks=blocks,
        members=[_unmember(f"topic/member/{j}", m, arrays) for j, m in enumerate(t["members"])],
        explainer=_unmember("topic/explainer", t["explainer"], arrays),
        cue_scale=float(t["cue_scale"]),
        guide=arrays["topic/guide"] if t.get("guide") else None,
    )
    r = state["region"]
    region = RegionRanker(
        arrays["region/coef"],
        float(r["intercept"]),
        min_count=int(r["min_count"]),
        dominance=float(r["dominance"]),
        feature_names=tuple(r["feature_names"]),
    )
    return topic, region


# ----------------------------------------------------------------------------- files


def save_npz(predictor: Any, path: str | Path, metadata: dict[str, Any], train_hashes: Any = None) -> Path:
    """Write ``predictor`` to ``path`` in the ``.npz`` format (atomically), and its SHA-256 beside it."""
    from ._persistence import digest_path

    path = Path(path)
    state, arrays = predictor_state(predictor)
    if train_hashes is not None:
        arrays["train_hashes"] = np.asarray(train_hashes, dtype=np.uint8).reshape(-1, HASH_BYTES)
    meta = {
        "format": NPZ_FORMAT,
        "format_version": NPZ_FORMAT_VERSION,
        "classifier_version": __version__,
        "sklearn_version": _sklearn_version(),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        **metadata,
    }
    doc = json.dumps({"metadata": meta, "state": state}, ensure_ascii=False, sort_keys=True)
    arrays[_META] = np.frombuffer(doc.encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)
    with atomic_write(digest_path(path), "w") as fh:
        fh.write(f"{sha256_file(path)}  {path.name}\n")
    return path


def _sklearn_version() -> str | None:
    import sys

    sk = sys.modules.get("sklearn")  # recorded for information; never imported just for this
    return getattr(sk, "__version__", None)


def is_npz(path: str | Path) -> bool:
    """True when ``path`` is a zip archive (an ``.npz``), by content."""
    try:
        with open(path, "rb") as f:
            return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def load_npz(path: str | Path) -> tuple[TopicScorer, RegionRanker, dict[str, Any], np.ndarray | None]:
    """Read a ``.npz`` model file without unpickling anything: (topic, region, metadata, train hashes)."""
    from ._persistence import digest_path, read_digest

    path = Path(path)
    if digest_path(path).exists() and sha256_file(path) != read_digest(path):
        raise ModelError(
            f"{path}: contents do not match the SHA-256 recorded in {digest_path(path).name} "
            "(the file was truncated, corrupted or modified); refusing to load it"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    if _META not in arrays:
        raise ModelError(f"{path}: an .npz without {_META}: not a classifier model file")
    try:
        doc = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
        meta, state = doc["metadata"], doc["state"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc})") from None
    check_versions(path, meta)
    try:
        topic, region = predictor_from_state(state, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(f"{path}: incomplete model file (missing or bad {exc})") from None
    return topic, region, meta, arrays.get("train_hashes")


def check_versions(path: str | Path, meta: dict[str, Any]) -> None:
    """Refuse a format this release cannot read; warn when a newer release wrote the file."""
    if meta.get("format") != NPZ_FORMAT:
        raise ModelError(f"{path}: not a classifier model file (format {meta.get('format')!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > NPZ_FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {version} written by classifier {meta.get('classifier_version')}; "
            f"this is classifier {__version__}, which reads format {NPZ_FORMAT_VERSION}: upgrade classifier "
            "(pip install -U classifier) or retrain the model with this release (`classifier train`)"
        )
    if _version_tuple(str(meta.get("classifier_version", "0"))) > _version_tuple(__version__):
        warnings.warn(
            f"{path}: written by classifier {meta.get('classifier_version')}, running {__version__}; "
            "if predictions look wrong, upgrade classifier",
            ModelVersionWarning,
            stacklevel=3,
        )


def _version_tuple(version: str) -> tuple[int, ...]:
    out = []
    for part in version.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)
