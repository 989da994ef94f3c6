"""The command line, through click's CliRunner and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.labels import PREDICTION_FIELDS

SEED = "seeds/000_ad498b8498174c2f.txt"


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, tiny_jsonl):
    out = tmp_path_factory.mktemp("model") / "tiny.joblib"
    result = CliRunner().invoke(main, ["train", str(tiny_jsonl), "--out", str(out), "--cv", "0"])
    assert result.exit_code == 0, result.output
    return out


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize("command", ["predict", "train", "evaluate", "info"])
def test_every_command_has_help_with_examples_or_a_description(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command != "info":
        assert "Examples:" in result.output


def test_predict_a_seed_file_writes_one_jsonl_record_when_piped(runner, repo_root):
    result = runner.invoke(main, ["predict", str(repo_root / SEED)])
    assert result.exit_code == 0, result.output
    (record,) = _jsonl(result.stdout)
    assert set(PREDICTION_FIELDS) <= set(record)
    assert record["id"].endswith("000_ad498b8498174c2f.txt")
    assert (record["region"], record["city"], record["county"]) == ("江苏省", "镇江市", "丹阳市")


def test_predict_reads_stdin(runner):
    result = runner.invoke(main, ["predict", "-"], input="全省义务教育优质均衡发展座谈会在镇江丹阳市召开。\n")
    assert result.exit_code == 0, result.output
    (record,) = _jsonl(result.stdout)
    assert record["region"] == "江苏省"


def test_predict_table_shows_one_row_per_article(runner, repo_root):
    result = runner.invoke(main, ["predict", str(repo_root / "seeds"), "--format", "table"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:3] == ["id", "topic", "p"]
    assert len(lines) == 1 + 5


def test_predict_keeps_input_order_and_pass_through_columns(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "b", "source": "x", "text": "座谈会在丹阳市召开。"},
        {"id": "a", "source": "y", "text": "教育部负责人答记者问。"},
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = runner.invoke(main, ["predict", str(src), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    out = _jsonl(result.stdout)
    assert [(r["id"], r["source"]) for r in out] == [("b", "x"), ("a", "y")]


def test_empty_file_gets_an_error_record_naming_it_and_a_failing_exit_code(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["predict", str(empty)])
    assert result.exit_code == 1
    (record,) = _jsonl(result.stdout)
    assert "empty.txt" in record["error"]
    assert "could not be labelled" in result.stderr


def test_a_bad_model_file_is_a_clear_error_not_a_traceback(runner, tmp_path, repo_root):
    bad = tmp_path / "model.joblib"
    bad.write_text("hello")
    result = runner.invoke(main, ["predict", str(repo_root / SEED), "--model", str(bad)])
    assert result.exit_code == 1
    assert "model.joblib" in result.output and "Traceback" not in result.output


def test_train_writes_a_model_and_its_digest_that_predict_uses(runner, tiny_model, repo_root):
    assert tiny_model.exists() and tiny_model.with_name(tiny_model.name + ".sha256").exists()
    result = runner.invoke(main, ["predict", str(repo_root / SEED), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert _jsonl(result.stdout)[0]["region"] == "江苏省"


def test_train_with_declared_topics_rejects_an_unknown_topic_naming_the_line(runner, tmp_path):
    from classifier.labels import DEFAULT_TOPICS

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x", "topic": "meeting", "region": "全国"}) + "\n", encoding="utf-8")
    args = ["train", str(bad), "--out", str(tmp_path / "m.joblib"), "--cv", "0", "--topics", ",".join(DEFAULT_TOPICS)]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "bad.jsonl:1" in result.output and "unknown topic 'meeting'" in result.output
    assert not (tmp_path / "m.joblib").exists()


def test_evaluate_prints_accuracy_macro_f1_and_the_confusion_matrix(runner, tiny_model, repo_root):
    result = runner.invoke(
        main,
        [
            "evaluate",
            str(repo_root / "seeds"),
            "--labels",
            str(repo_root / "labels/seeds.csv"),
            "--model",
            str(tiny_model),
            "--no-robustness",
            "--no-learning-curve",
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.output.lower()
    assert "accuracy" in text and "macro" in text and "confusion" in text


def test_info_shows_the_shipped_models_metadata(runner):
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    meta = json.loads(result.output)
    assert {"sklearn_version", "training_data_sha256", "cv_scores"} <= set(meta)


def test_python_m_classifier_predicts_as_a_real_process(repo_root):
    proc = subprocess.run(
        [sys.executable, "-m", "classifier", "predict", SEED, "--quiet"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (record,) = _jsonl(proc.stdout)
    assert record["region"] == "江苏省"


def test_evaluate_trains_on_a_and_tests_on_b(runner, tiny_jsonl, repo_root):
    result = runner.invoke(
        main,
        [
            "evaluate",
            str(repo_root / "seeds"),
            "--train",
            str(tiny_jsonl),
            "--no-robustness",
            "--no-learning-curve",
            "--no-baselines",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "train on A, test on B" in result.output
    assert "(n=5)" in result.output


def test_evaluate_refuses_cv_and_train_together(runner, tiny_jsonl, repo_root):
    result = runner.invoke(main, ["evaluate", str(repo_root / "seeds"), "--train", str(tiny_jsonl), "--cv", "3"])
    assert result.exit_code == 2
    assert "choose one" in result.output


def test_predict_explain_lists_the_deciding_terms_and_places(runner, repo_root):
    result = runner.invoke(main, ["predict", str(repo_root / SEED), "--format", "table", "--explain", "-j", "1"])
    assert result.exit_code == 0, result.output
    terms_line = next(line for line in result.output.splitlines() if "topic terms:" in line)
    places_line = next(line for line in result.output.splitlines() if "places:" in line)
    assert "座谈会" in terms_line
    assert "丹阳市" in places_line
