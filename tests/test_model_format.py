"""Model files that cannot run code on load (.npz + JSON), versions, trust, training overlap."""

from __future__ import annotations

import hashlib
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import classifier
from classifier.cli import main
from classifier.errors import ModelError
from classifier.model import default_model_path, digest_path

TEXTS = ["省督导组对丹阳市义务教育优质均衡发展进行实地督导评估。", "全省基础教育研讨会在双峰县召开，座谈交流经验。"]


class _Payload:
    """Unpickling this writes a marker file: the proof that loading ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def _malicious(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "ran.txt"
    path = tmp_path / "evil.joblib"
    data = pickle.dumps({"metadata": {"format": "classifier-model"}, "model": _Payload(marker)})
    path.write_bytes(data)
    digest_path(path).write_text(hashlib.sha256(data).hexdigest() + "  evil.joblib\n")  # the sidecar matches
    return path, marker


def test_a_malicious_pickle_with_a_matching_sidecar_never_runs_its_code(tmp_path):
    path, marker = _malicious(tmp_path)
    with pytest.raises(ModelError, match="pickle.*classifier convert.*--trust-pickle"):
        classifier.load(path)
    runner = CliRunner()
    info = runner.invoke(main, ["info", "--model", str(path)])
    src = tmp_path / "a.txt"
    src.write_text(TEXTS[0], encoding="utf-8")
    predict = runner.invoke(main, ["predict", str(src), "--model", str(path), "-j", "1", "-q", "-f", "jsonl"])
    assert info.exit_code != 0 and predict.exit_code != 0
    assert "Traceback" not in info.output + predict.output
    assert not marker.exists()


def test_the_shipped_model_is_arrays_and_json_that_load_without_pickle():
    path = default_model_path()
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as npz:  # raises on any object (pickled) array
        meta = json.loads(npz["__model__.json"].tobytes())["metadata"]
        assert all(npz[name].dtype != object for name in npz.files)
    assert meta["format"] == "classifier-model-npz"
    assert {"classifier_version", "format_version", "sklearn_version", "numpy_version"} <= set(meta)
    assert digest_path(path).read_text().split()[0] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_writes_npz_that_gives_identical_predictions_and_explanations(tiny_records, tmp_path):
    from classifier.model import ArticleClassifier

    fitted = ArticleClassifier().fit([r["text"] for r in tiny_records], tiny_records)
    path = classifier.save(fitted, tmp_path / "m.npz")
    assert zipfile.is_zipfile(path)
    loaded = classifier.load(path)
    assert loaded.predict(TEXTS) == fitted.predict(TEXTS)
    assert loaded.explain(TEXTS[0]) == fitted.explain(TEXTS[0])
    assert loaded.train_hashes_.shape == (len(tiny_records), 8)


def test_a_newer_format_version_is_refused_naming_both_versions(tiny_records, tmp_path, monkeypatch):
    from classifier.model import _format

    fitted = classifier.model.ArticleClassifier().fit([r["text"] for r in tiny_records], tiny_records)
    monkeypatch.setattr(_format, "NPZ_FORMAT_VERSION", 99)
    path = classifier.save(fitted, tmp_path / "m.npz")
    monkeypatch.undo()
    with pytest.raises(ModelError, match=r"format version 99.*reads format 1.*upgrade"):
        classifier.load(path)


def test_model_files_are_hashed_in_a_stream_not_read_whole(tmp_path, monkeypatch):
    from classifier.model import load_artifact, save_artifact

    path = save_artifact({"x": 1}, tmp_path / "m.joblib", {})
    real = Path.read_bytes

    def whole(self):
        if self == path:
            pytest.fail("the model file was read whole")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", whole)
    obj, _ = load_artifact(path, trusted=True)
    assert obj == {"x": 1}


def test_a_trusted_pickle_loads_with_the_flag_and_converts_to_identical_npz(tmp_path):
    from classifier.model import Predictor, save_artifact

    shipped = classifier.load()
    old = save_artifact(Predictor(shipped.topic, shipped.region), tmp_path / "old.joblib", {"n_train": 1})
    with pytest.raises(ModelError, match="--trust-pickle"):
        classifier.load(old)
    assert classifier.load(old, trusted=True).predict(TEXTS) == shipped.predict(TEXTS)
    result = CliRunner().invoke(main, ["convert", str(old), "--out", str(tmp_path / "new.npz")])
    assert result.exit_code == 0, result.output
    new = classifier.load(tmp_path / "new.npz")
    assert new.predict(TEXTS) == shipped.predict(TEXTS)
    assert new.explain(TEXTS[1]) == shipped.explain(TEXTS[1])


def test_evaluate_warns_loudly_when_the_articles_were_training_data(tiny_jsonl, tmp_path):
    model = tmp_path / "tiny.npz"
    runner = CliRunner()
    trained = runner.invoke(main, ["train", str(tiny_jsonl), "--out", str(model), "--cv", "0"])
    assert trained.exit_code == 0, trained.output
    n = sum(1 for line in tiny_jsonl.read_text(encoding="utf-8").splitlines() if line.strip())
    result = runner.invoke(
        main, ["evaluate", str(tiny_jsonl), "--model", str(model), "--no-robustness", "--no-learning-curve"]
    )
    assert result.exit_code == 0, result.output
    warning = f"WARNING: {n} of {n} evaluated articles are in the model's TRAINING data"
    assert warning in result.output
    assert result.output.index(warning) < result.output.index("topic :")  # before the figures it qualifies


def test_the_model_format_writes_every_field_of_the_predictor_state():
    import dataclasses
    import inspect

    from classifier.model._format import WRITTEN_FIELDS
    from classifier.region import RegionRanker
    from classifier.topic import FeatureSpec, LinearMember, TfidfBlock, TopicScorer

    for cls in (TopicScorer, FeatureSpec, LinearMember, TfidfBlock):
        assert {f.name for f in dataclasses.fields(cls)} == WRITTEN_FIELDS[cls.__name__], cls.__name__
    params = set(inspect.signature(RegionRanker.__init__).parameters) - {"self"}
    assert params == WRITTEN_FIELDS["RegionRanker"]
    shipped = classifier.load()
    assert shipped.topic.guide is None or shipped.topic.guide.dtype == np.float64
