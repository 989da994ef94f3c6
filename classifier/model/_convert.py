"""Converting a pickled (joblib) model file to the ``.npz`` format that runs no code on load."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ModelError
from ._format import save_npz, text_hashes
from ._predictor import Predictor, load


def convert_model(
    src: str | Path,
    out: str | Path,
    *,
    data: Sequence[str | Path] | None = None,
    labels_csv: str | Path | None = None,
) -> Path:
    """Write the model of ``src`` (``.npz``, or a joblib file you trust) to ``out`` in the ``.npz`` format.

    Predictions stay the same (every array and field is copied). ``data`` (with ``labels_csv`` for
    folders of ``.txt``) are the model's training data: their per-article fingerprints are stored
    (for the overlap warning of ``classifier evaluate``), after checking that they are exactly the
    data the model was trained on (``training_data_sha256``).
    """
    model = load(src, trusted=True)  # converting means trusting the source once
    meta = {k: v for k, v in model.metadata_.items() if k not in ("format", "format_version")}
    hashes = model.train_hashes_
    if data:
        from ..io import read_labeled
        from ._article import data_fingerprint

        records = read_labeled(list(data), labels_csv)
        texts = [r["text"] for r in records]
        labels = [{k: v for k, v in r.items() if k not in ("id", "text")} for r in records]
        from ..labels import check_label

        checked = [check_label(r, f"record {i}", known=False)._asdict() for i, r in enumerate(labels)]
        found, recorded = data_fingerprint(texts, checked), meta.get("training_data_sha256")
        if recorded and found != recorded:
            raise ModelError(
                f"{src}: the data given ({', '.join(map(str, data))}) are not the model's training data "
                f"(fingerprint {found[:12]}…, the model records {str(recorded)[:12]}…)"
            )
        hashes = text_hashes(texts)
    return save_npz(Predictor(model.topic, model.region), out, meta, train_hashes=hashes)
