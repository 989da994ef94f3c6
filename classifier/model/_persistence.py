"""Pickled (joblib) model files: whole scikit-learn estimators, with metadata and a SHA-256 beside them.

The article model is saved in the ``.npz`` format of ``_format`` (no code on load). Joblib
files remain for whole scikit-learn estimators (e.g. a textbook baseline pipeline). Unpickling
runs code from the file, so ``load_artifact`` refuses unless called with ``trusted=True`` (the
``--trust-pickle`` flag), and only after the bytes match the digest in ``<model>.sha256`` — which
guards against corruption, not tampering: anyone who can write the file can write its digest.
"""

from __future__ import annotations

import hashlib
import io as _stdio
import platform
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from .._version import __version__
from ..errors import ModelError, ModelVersionWarning
from ..io import atomic_write

#: Marks a file written by this module; bumped when the payload layout changes.
FORMAT = "classifier-model"
FORMAT_VERSION = 1
DIGEST_SUFFIX = ".sha256"


def digest_path(path: str | Path) -> Path:
    """Where the SHA-256 of the model file ``path`` is recorded."""
    path = Path(path)
    return path.with_name(path.name + DIGEST_SUFFIX)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def save_artifact(obj: Any, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write ``obj`` with ``metadata`` to ``path`` atomically, and its SHA-256 beside it."""
    import sklearn  # only to record the version that trained the model

    path = Path(path)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "classifier_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        **metadata,
    }
    buffer = _stdio.BytesIO()
    joblib.dump({"metadata": meta, "model": obj}, buffer, compress=3)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    with atomic_write(digest_path(path), "w") as fh:
        fh.write(f"{_sha256(data)}  {path.name}\n")
    return path


def read_digest(path: str | Path) -> str:
    """The SHA-256 recorded beside ``path``."""
    path = Path(path)
    side = digest_path(path)
    try:
        recorded = side.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        raise ModelError(
            f"{path}: no SHA-256 recorded beside it ({side.name} is missing); refusing to unpickle an "
            f"unverified file. If you trust where it comes from, record its digest (sha256sum {path.name} > "
            f"{side.name}) and convert it once: `classifier convert {path} --out model.npz`; "
            "or retrain with `classifier train`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{side}: cannot read the recorded SHA-256 ({exc})") from None
    if not recorded or len(recorded[0]) != 64:
        raise ModelError(f"{side}: not a SHA-256 digest file")
    return recorded[0].lower()


def load_artifact(path: str | Path, *, trusted: bool = False) -> tuple[Any, dict[str, Any]]:
    """Verify, unpickle and version-check a joblib file; return ``(model, metadata)``.

    Unpickling runs code: refused unless ``trusted`` (you trust whoever could write the file).
    """
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"{path}: is a folder, not a model file")
    if not path.exists():
        raise ModelError(f"{path}: model file does not exist")
    if not trusted:
        raise ModelError(
            f"{path}: a pickled (joblib) model file, and loading a pickle can run any code it holds. "
            f"If you trust where it comes from, convert it once: `classifier convert {path} --out model.npz`, "
            "or load it with --trust-pickle (classifier.load(path, trusted=True))"
        )
    try:
        digest = _sha256_file(path)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file ({exc.strerror or exc})") from None
    if digest != read_digest(path):
        raise ModelError(
            f"{path}: contents do not match the SHA-256 recorded in {digest_path(path).name} "
            "(the file was truncated, corrupted or modified); refusing to load it"
        )
    try:
        payload = joblib.load(path)
    except Exception as exc:  # unpickling can raise almost anything on a foreign file
        raise ModelError(f"{path}: not a classifier model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("metadata"), dict) or "model" not in payload:
        raise ModelError(f"{path}: not a classifier model file (unexpected contents)")
    meta = payload["metadata"]
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path}: not a classifier model file (format {meta.get('format')!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {meta.get('format_version')} written by classifier "
            f"{meta.get('classifier_version')}; this is classifier {__version__} (format {FORMAT_VERSION}): retrain it"
        )
    if _major(meta.get("numpy_version", "")) != _major(np.__version__):
        warnings.warn(
            f"{path}: written with numpy {meta.get('numpy_version')}, running {np.__version__}; "
            "if predictions look wrong, retrain with `classifier train`",
            ModelVersionWarning,
            stacklevel=2,
        )
    return payload["model"], meta


def _major(version: str) -> str:
    return version.split(".")[0]
