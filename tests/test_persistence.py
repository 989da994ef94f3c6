"""Model files: metadata, atomic writes, SHA-256 verification and clear errors."""

from __future__ import annotations

import hashlib
import io
import pickle

import joblib
import pytest

from classifier.errors import ModelError, ModelVersionWarning
from classifier.model import _persistence as persistence
from classifier.model import digest_path, load_artifact, save_artifact


class Thing:
    """A stand-in model: any picklable object can be stored."""

    def __init__(self, value: int):
        self.value = value


def _rewrite_with_digest(path, data: bytes) -> None:
    path.write_bytes(data)
    digest_path(path).write_text(hashlib.sha256(data).hexdigest() + "  " + path.name + "\n")


def test_saved_artifact_loads_back_with_its_metadata(tmp_path):
    path = save_artifact(Thing(7), tmp_path / "m.joblib", {"cv_scores": {"topic_macro_f1": 0.9}})
    obj, meta = load_artifact(path, trusted=True)
    assert obj.value == 7
    assert meta["cv_scores"] == {"topic_macro_f1": 0.9}
    assert meta["format"] == persistence.FORMAT
    assert {"classifier_version", "sklearn_version", "python_version"} <= set(meta)


def test_digest_is_recorded_beside_the_model(tmp_path):
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    recorded = digest_path(path).read_text().split()[0]
    assert recorded == hashlib.sha256(path.read_bytes()).hexdigest()


def test_truncated_file_is_refused_before_unpickling(tmp_path, monkeypatch):
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    path.write_bytes(path.read_bytes()[:50])
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled an unverified file"))
    with pytest.raises(ModelError, match="SHA-256"):
        load_artifact(path, trusted=True)


def test_tampered_file_is_refused(tmp_path):
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="do not match"):
        load_artifact(path, trusted=True)


def test_missing_digest_is_refused(tmp_path):
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    digest_path(path).unlink()
    with pytest.raises(ModelError, match="no SHA-256 recorded"):
        load_artifact(path, trusted=True)


def test_file_that_is_not_a_model_gives_a_clear_error(tmp_path):
    path = tmp_path / "notes.joblib"
    _rewrite_with_digest(path, "这不是模型".encode())
    with pytest.raises(ModelError, match="not a classifier model file"):
        load_artifact(path, trusted=True)


def test_pickle_of_something_else_is_not_a_model(tmp_path):
    path = tmp_path / "other.joblib"
    buf = io.BytesIO()
    joblib.dump({"weights": [1, 2, 3]}, buf)
    _rewrite_with_digest(path, buf.getvalue())
    with pytest.raises(ModelError, match="not a classifier model file"):
        load_artifact(path, trusted=True)


def test_missing_file_and_folder_are_named(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_artifact(tmp_path / "nope.joblib")
    with pytest.raises(ModelError, match="is a folder"):
        load_artifact(tmp_path)


def test_model_from_an_incompatible_format_version_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(persistence, "FORMAT_VERSION", persistence.FORMAT_VERSION + 1)
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    monkeypatch.undo()
    with pytest.raises(ModelError, match="retrain"):
        load_artifact(path, trusted=True)


def test_model_from_another_numpy_major_release_loads_with_a_warning(tmp_path, monkeypatch):
    import numpy

    monkeypatch.setattr(numpy, "__version__", "1.0.0")
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    monkeypatch.undo()
    with pytest.warns(ModelVersionWarning, match="numpy 1.0.0"):
        obj, _ = load_artifact(path, trusted=True)
    assert obj.value == 1


def test_crash_while_writing_keeps_the_previous_model(tmp_path, monkeypatch):
    path = save_artifact(Thing(1), tmp_path / "m.joblib", {})
    before = path.read_bytes()

    class Unpicklable:
        def __reduce__(self):
            raise pickle.PicklingError("boom")

    with pytest.raises(pickle.PicklingError):
        save_artifact(Unpicklable(), path, {})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.joblib.sha256"]
