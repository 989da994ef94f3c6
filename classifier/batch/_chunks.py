"""Loading the model once per process and predicting one chunk of records."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InputError, ModelError
from ..io import EXPLAIN_FIELD
from ..labels import DUPLICATE_FIELD, ERROR_FIELD, OUTPUT_FIELDS, PREDICTION_FIELDS, TEXT_COLUMN
from ..normalize import normalize

_OUTPUT_FIELDS = frozenset((*OUTPUT_FIELDS, ERROR_FIELD, EXPLAIN_FIELD))
#: Private key of an output record carrying its mirror signature from a worker to the parent.
SIGNATURE_KEY = "\x00mirror_signature"
#: Private key of an input record already in a resumed run's output: only its signature is
#: computed, to rebuild the mirror index; it gives no output record.
RESUMED_KEY = "\x00resumed"
_NONE = object()
_WARMUP_TEXT = "教育部督导组到校开展义务教育优质均衡发展督导评估。"


# ----------------------------------------------------------------------------- models


def default_jobs() -> int:
    """Number of cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class TrustedPath(NamedTuple):
    """A pickled model file the user trusts (``--trust-pickle``): loaded with ``trusted=True``."""

    path: Path


def _model_spec(model_path: str | os.PathLike[str] | None = None, predictor: Any = None, trusted: bool = False) -> Any:
    """A picklable description of the model: None (shipped), an absolute path (or TrustedPath), or a predictor."""
    if predictor is not None:
        if model_path is not None:
            raise InputError("model_path and predictor: pass one of them, not both")
        if callable(getattr(predictor, "predict", None)):
            return predictor
        raise InputError(f"predictor {predictor!r}: expected an object with predict()")
    if model_path is None:
        return None
    if not isinstance(model_path, (str, os.PathLike)):
        raise InputError(
            f"model_path {model_path!r}: expected a path to a model file (a loaded model goes in predictor=)"
        )
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ModelError(f"model {str(model_path)!r}: no such file")
    return TrustedPath(path.resolve()) if trusted else path.resolve()


_LOADED: dict[tuple, Any] = {}


def _get_model(spec: Any) -> Any:
    """The model for ``spec``, loaded and warmed up once per process."""
    if spec is not None and not isinstance(spec, (Path, TrustedPath)):
        return spec
    trusted = isinstance(spec, TrustedPath)
    path = spec.path if isinstance(spec, TrustedPath) else spec
    key: tuple = ("shipped",)
    if path is not None:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size, trusted)
    model = _LOADED.get(key)
    if model is None:
        from ..model import load  # the scikit-learn-free model: fast start, small workers

        model = load(path, trusted=trusted)
        _warm_up(model)
        _LOADED.clear()  # one model per process is what a batch needs
        _LOADED[key] = model
    return model


def _warm_up(model: Any) -> None:
    # Loads jieba's dictionary now rather than inside the first timed chunk.
    try:
        model.predict([_WARMUP_TEXT])
    except Exception:  # noqa: BLE001 - a broken model shows up as per-record errors
        pass


# ----------------------------------------------------------------------------- one chunk


def _passthrough(record: dict) -> dict:
    """The record's columns without its text, output field names prefixed with ``input_``."""
    return {(f"input_{k}" if k in _OUTPUT_FIELDS else k): v for k, v in record.items() if k != TEXT_COLUMN}


def _describe(record: dict) -> str:
    rid = record.get("id")
    return f"record {rid!r}" if rid is not None else "record"


def _failure(exc: BaseException) -> str:
    return f"prediction failed: {type(exc).__name__}: {exc}"


def _predict_chunk(model: Any, chunk: Sequence[dict], explain: bool = False, mirrors: Any = None) -> list[dict]:
    """Output records for one chunk of input records (never raises for a bad record).

    With ``mirrors`` (a mirror-copy detector, see :func:`assign_duplicates`), each predicted
    record also carries ``mirrors.signature(clean_text)`` under :data:`SIGNATURE_KEY` (the
    text is normalised once for both), and a record marked :data:`RESUMED_KEY` (already in
    the output of a resumed run) gives only its id and signature; :func:`assign_duplicates`
    consumes both in the parent, in input order.
    """
    out: list[dict | None] = [None] * len(chunk)
    todo: list[int] = []
    for i, rec in enumerate(chunk):
        if rec.get(RESUMED_KEY):
            text = rec.get(TEXT_COLUMN)
            sig = mirrors.signature(normalize(text)) if mirrors is not None and isinstance(text, str) else None
            out[i] = {"id": rec.get("id"), RESUMED_KEY: True, SIGNATURE_KEY: sig}
        elif ERROR_FIELD in rec:
            out[i] = rec
        elif not isinstance(rec.get(TEXT_COLUMN), str):
            found = type(rec.get(TEXT_COLUMN)).__name__
            out[i] = {**_passthrough(rec), ERROR_FIELD: f"{_describe(rec)}: text is {found}, expected a string"}
        else:
            todo.append(i)
    texts = [chunk[i][TEXT_COLUMN] for i in todo]
    clean: list[str] = []
    if mirrors is not None:
        clean = [normalize(t) for t in texts]
    # The shipped Predictor takes the clean texts as they are (normalize is idempotent, so
    # the predictions are the same) beside the raw ones; another model gets the raw texts.
    predict_clean = getattr(model, "predict_clean", None) if mirrors is not None else None

    def predict(positions: list[int]) -> list[Any]:
        if predict_clean is not None:
            return predict_clean([clean[j] for j in positions], [texts[j] for j in positions])
        return model.predict([texts[j] for j in positions])

    try:
        preds = predict(list(range(len(texts)))) if texts else []
        if len(preds) != len(texts):
            raise RuntimeError(f"model returned {len(preds)} predictions for {len(texts)} texts")
    except Exception:  # noqa: BLE001 - isolate the record(s) that fail
        preds = []
        for j in range(len(texts)):
            try:
                preds.extend(predict([j]))
            except Exception as exc:  # noqa: BLE001
                preds.append(exc)
    for k, (i, pred) in enumerate(zip(todo, preds)):
        rec = _passthrough(chunk[i])
        if isinstance(pred, BaseException):
            rec[ERROR_FIELD] = f"{_describe(chunk[i])}: {_failure(pred)}"
        else:
            rec.update((field, pred.get(field)) for field in PREDICTION_FIELDS)
            if explain:
                try:
                    rec[EXPLAIN_FIELD] = model.explain(chunk[i][TEXT_COLUMN])
                except Exception as exc:  # noqa: BLE001
                    rec[ERROR_FIELD] = f"{_describe(chunk[i])}: explain failed: {exc}"
            if mirrors is not None:
                try:
                    rec[SIGNATURE_KEY] = mirrors.signature(clean[k])
                except Exception as exc:  # noqa: BLE001 - never expected; the record keeps its prediction
                    rec[ERROR_FIELD] = f"{_describe(chunk[i])}: mirror signature failed: {exc}"
        out[i] = rec
    return out  # type: ignore[return-value]


def assign_duplicates(outputs: Iterable[dict], mirrors: Any) -> Iterator[dict]:
    """The output records with :data:`~classifier.labels.DUPLICATE_FIELD` set in input order
    (the parent's sequential step); records marked :data:`RESUMED_KEY` feed the index only.

    ``mirrors`` is a mirror-copy detector (``classifier.events.MirrorDetector``; batch sits
    below events and only calls it): ``signature(clean_text)`` runs in the workers, and
    ``new_index()`` gives the parent's index, whose ``add(record_id, signature)`` returns the
    field's value. None: the records pass unchanged.
    """
    if mirrors is None:
        yield from outputs
        return
    index = mirrors.new_index()
    for rec in outputs:
        sig = rec.pop(SIGNATURE_KEY, None)
        if rec.pop(RESUMED_KEY, False):
            index.add(rec.get("id"), sig)
            continue
        if ERROR_FIELD not in rec:
            explained = rec.pop(EXPLAIN_FIELD, _NONE)
            rec[DUPLICATE_FIELD] = index.add(rec.get("id"), sig)
            if explained is not _NONE:
                rec[EXPLAIN_FIELD] = explained
        yield rec
