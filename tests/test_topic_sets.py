"""Custom topic sets: train learns the labels it is given, and every command uses the model's set.

The schemes are built at run time from the dev corpus by the rules of scripts/topic_schemes.py
(six topics: ``other`` split into document / statistics / other, plus the three event types;
two topics: event versus other), and from articles composed here (a five-article topic).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.errors import InputError
from classifier.labels import DEFAULT_TOPICS, order_topics

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _schemes():
    spec = importlib.util.spec_from_file_location("topic_schemes", ROOT / "scripts" / "topic_schemes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus(name: str) -> list[dict]:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


# --- six topics: train, info, predict, explain, evaluate with a report -----------------------


@pytest.fixture(scope="module")
def six(tmp_path_factory):
    folder = tmp_path_factory.mktemp("six")
    schemes = _schemes()
    train = _write_jsonl(folder / "train.jsonl", schemes.relabel(_corpus("dev.jsonl"), "six"))
    test = _write_jsonl(folder / "test.jsonl", schemes.relabel(_corpus("dev_round2.jsonl"), "six")[:60])
    model = folder / "six.joblib"
    result = _invoke(["train", str(train), "--cv", "0", "--out", str(model)])
    counts = Counter(json.loads(line)["topic"] for line in train.read_text(encoding="utf-8").splitlines())
    return {"train": train, "test": test, "model": model, "counts": counts, "train_output": result.output}


def test_six_topic_scheme_has_six_topics_of_usable_size(six):
    assert set(six["counts"]) == {*DEFAULT_TOPICS, "document", "statistics"}
    assert min(six["counts"].values()) >= 10


def test_train_learns_the_topics_present_and_info_shows_them(six):
    assert "topics supervision_visit, symposium, progress_qa, other, document, statistics" in six["train_output"]
    info = json.loads(_invoke(["info", "--model", str(six["model"])]).output)
    assert info["topics"] == list(order_topics(six["counts"]))
    assert info["topic_counts"] == {t: six["counts"][t] for t in info["topics"]}
    # the guide's cue words are written for the default topics: a custom set does without them
    assert info["cue_words"] == "layout"


def test_predict_gives_a_probability_per_model_topic(six):
    out = _invoke(["predict", str(six["test"]), "--model", str(six["model"]), "--jobs", "1", "-q", "-f", "jsonl"])
    records = _jsonl(out.output)
    assert len(records) == 60
    topics = json.loads(_invoke(["info", "--model", str(six["model"])]).output)["topics"]
    for rec in records:
        assert list(rec["topic_proba"]) == topics
        assert rec["topic"] == max(rec["topic_proba"], key=rec["topic_proba"].get)
    assert {r["topic"] for r in records} - {"supervision_visit", "symposium", "progress_qa"}, "only events predicted"


def test_predict_csv_has_one_probability_column_per_model_topic(six, tmp_path):
    out = tmp_path / "pred.csv"
    _invoke(["predict", str(six["test"]), "--model", str(six["model"]), "--jobs", "1", "-q", "--out", str(out)])
    with out.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    topics = json.loads(_invoke(["info", "--model", str(six["model"])]).output)["topics"]
    assert [h for h in header if h.startswith("proba_")] == [f"proba_{t}" for t in topics]


def test_explain_names_terms_of_the_text(six):
    out = _invoke(
        ["predict", str(six["test"]), "--model", str(six["model"]), "-j", "1", "-q", "-f", "jsonl", "--explain"]
    )
    from classifier.normalize import normalize
    from classifier.segment import NUM_TOKEN

    texts = {r["id"]: r["text"] for r in _jsonl(six["test"].read_text(encoding="utf-8"))}
    records = _jsonl(out.output)
    explained = [r for r in records if r["explain"]["topic_terms"]]
    assert len(explained) >= 50
    for rec in explained[:10]:
        clean = normalize(texts[rec["id"]])
        # every term is a string of the text (numbers are one token, shown as NUM_TOKEN)
        assert all(term in clean or term == NUM_TOKEN for term, _ in rec["explain"]["topic_terms"])


def test_evaluate_reports_the_six_topics_with_tables_and_plots(six, tmp_path):
    report_dir = tmp_path / "report"
    args = ["evaluate", str(six["test"]), "--model", str(six["model"]), "--report", str(report_dir), "-q"]
    args += ["--no-robustness", "--no-baselines", "--no-learning-curve", "--no-seed-loo"]
    out = _invoke(args).output
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    topics = json.loads(_invoke(["info", "--model", str(six["model"])]).output)["topics"]
    assert report["setup"]["topics"][: len(topics)] == topics
    labels = report["topic"]["labels"]
    assert set(labels) <= set(report["setup"]["topics"]) and {"document", "statistics"} & set(labels)
    assert len(report["topic"]["confusion"]) == len(labels) == len(report["topic"]["per_class"])
    assert list(report["data"]["topic_counts"]) == [t for t in report["setup"]["topics"] if t in labels]
    assert (report_dir / "report.md").is_file() and list(report_dir.glob("*.png"))
    assert "document" in (report_dir / "report.md").read_text(encoding="utf-8")
    assert "document" in out


def test_the_events_report_counts_the_six_topics(six, tmp_path):
    preds = tmp_path / "pred.jsonl"
    _invoke(["predict", str(six["test"]), "--model", str(six["model"]), "-j", "1", "-q", "--out", str(preds)])
    _invoke(["report", str(preds), "--out", str(tmp_path / "report"), "-q"])
    predicted = {r["topic"] for r in _jsonl(preds.read_text(encoding="utf-8"))}
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert all(f">{t}</th>" in html for t in predicted)
    with (tmp_path / "report" / "events.csv").open(encoding="utf-8-sig") as f:
        assert {row["topic"] for row in csv.DictReader(f)} <= predicted


# --- two topics, and a topic of five articles ------------------------------------------------


def test_two_topic_scheme_trains_predicts_and_cross_validates(tmp_path):
    records = _schemes().relabel(_corpus("dev.jsonl")[:90], "events")
    data = _write_jsonl(tmp_path / "events.jsonl", records)
    model = tmp_path / "events.joblib"
    _invoke(["train", str(data), "--cv", "0", "--out", str(model), "-q"])
    unseen = _write_jsonl(tmp_path / "unseen.jsonl", _corpus("dev.jsonl")[90:110])
    preds = _jsonl(_invoke(["predict", str(unseen), "--model", str(model), "-j", "1", "-q", "-f", "jsonl"]).output)
    assert len(preds) == 20
    assert all(list(p["topic_proba"]) == ["other", "event"] for p in preds)
    assert all(abs(sum(p["topic_proba"].values()) - 1) < 1e-3 for p in preds)
    out = _invoke(
        ["evaluate", str(data), "--cv", "2", "-q", "--no-robustness", "--no-baselines", "--no-learning-curve"]
    )
    assert "topic per class:" in out.output and "event" in out.output


_ROTATION = [
    ("江苏省", "镇江市教育局印发教师交流轮岗方案，今年将有三百名骨干教师到乡村学校任教，交流期限三年。"),
    ("浙江省", "杭州市推进县管校聘改革，城区学校校长教师交流轮岗到农村学校，交流比例不低于百分之十五。"),
    ("四川省", "成都市组织名师名校长交流轮岗，优秀教师到薄弱学校支教，带动乡村教师专业成长。"),
    ("河南省", "洛阳市义务教育学校教师交流轮岗工作启动，首批二百名教师完成交流，覆盖全部乡镇学校。"),
    ("云南省", "昆明市出台校长教师交流轮岗实施办法，交流教师在职称评聘和评优评先中优先考虑。"),
]


def _with_a_five_article_topic(tmp_path: Path) -> tuple[Path, list[dict]]:
    records = _schemes().relabel(_corpus("dev.jsonl")[:90], "events")
    records += [
        {"id": f"rotation{i}", "text": text, "topic": "teacher_rotation", "region": region}
        for i, (region, text) in enumerate(_ROTATION)
    ]
    return _write_jsonl(tmp_path / "rotation.jsonl", records), records


def test_a_five_article_topic_is_learned_with_a_warning(tmp_path):
    from classifier.training import SmallTopicWarning, train

    data, _ = _with_a_five_article_topic(tmp_path)
    with pytest.warns(SmallTopicWarning, match=r"'teacher_rotation' has only 5 training articles"):
        model = train(data, cv=3)
    assert list(model.classes_) == ["other", "event", "teacher_rotation"]
    scores = model.metadata_["cv_scores"]
    assert set(scores["topic_per_class_f1"]) == {"other", "event", "teacher_rotation"}
    [pred] = model.predict(["嘉兴市教育局部署教师交流轮岗，骨干教师和校长到乡村学校交流任教三年。"])
    assert set(pred["topic_proba"]) == {"other", "event", "teacher_rotation"}


def test_the_cli_prints_the_small_topic_warning(tmp_path):
    data, _ = _with_a_five_article_topic(tmp_path)
    result = CliRunner().invoke(main, ["train", str(data), "--cv", "0", "--out", str(tmp_path / "m.joblib"), "-q"])
    assert result.exit_code == 0, result.output
    assert "warning: topic 'teacher_rotation' has only 5 training articles" in result.stderr
    assert "warning: topic 'event'" not in result.stderr


# --- declared topic sets, label columns, several inputs --------------------------------------


def _small(tmp_path: Path, tiny_records: list[dict]) -> Path:
    records = [{**r, "topic": "event" if r["topic"] != "other" else "other"} for r in tiny_records]
    return _write_jsonl(tmp_path / "small.jsonl", records)


def test_declared_topics_reject_a_label_outside_them_naming_file_and_line(tmp_path, tiny_records):
    data = _small(tmp_path, tiny_records)
    result = CliRunner().invoke(main, ["train", str(data), "--topics", "event,notice", "--out", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert str(data) in result.output and "unknown topic 'other'" in result.output and "event, notice" in result.output


def test_declared_topics_set_the_column_order(tmp_path, tiny_records):
    from classifier.training import train

    data = _small(tmp_path, tiny_records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = train(data, cv=0, topics="event,other")
    assert list(model.classes_) == ["event", "other"]
    with pytest.raises(InputError, match="no training article has topic.*notice"):
        train(data, cv=0, topics=["event", "other", "notice"])
    with pytest.raises(InputError, match="named twice"):
        train(data, cv=0, topics="event,event")


def test_a_corrected_prediction_file_is_read_through_its_label_column(tmp_path, tiny_records):
    from classifier.io import read_labeled

    path = tmp_path / "corrected.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "topic", "topic_proba", "region", "corrected_topic"])
        for i, r in enumerate(tiny_records):
            writer.writerow([r["id"], r["text"], "other", "{}", r["region"], "event" if i % 2 else "notice"])
    records = read_labeled(path, topics=None, label_column="corrected_topic")
    assert [r["topic"] for r in records] == ["event" if i % 2 else "notice" for i in range(len(tiny_records))]
    assert {r["input_topic"] for r in records} == {"other"}  # the predicted topic, kept aside
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].rsplit(",", 1)[0] + ","  # an empty correction
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"corrected\.csv.*missing 'corrected_topic'"):
        read_labeled(path, topics=None, label_column="corrected_topic")


def test_train_takes_jsonl_csv_parquet_and_a_folder_at_once(tmp_path, tiny_records):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    quarter = len(tiny_records) // 4
    parts = [tiny_records[i * quarter : (i + 1) * quarter] for i in range(4)]
    jsonl = _write_jsonl(tmp_path / "a.jsonl", parts[0])
    pd.DataFrame(parts[1]).to_csv(tmp_path / "b.csv", index=False)
    pd.DataFrame(parts[2]).to_parquet(tmp_path / "c.parquet")
    folder = tmp_path / "d"
    folder.mkdir()
    with (folder / "labels.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "topic", "region", "city", "county"])
        for r in parts[3]:
            (folder / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
            writer.writerow([f"{r['id']}.txt", r["topic"], r["region"], r["city"], r["county"]])
    out = tmp_path / "m.joblib"
    sources = [str(jsonl), str(tmp_path / "b.csv"), str(tmp_path / "c.parquet"), str(folder)]
    result = CliRunner().invoke(main, ["train", *sources, "--cv", "0", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    info = json.loads(_invoke(["info", "--model", str(out)]).output)
    assert info["n_train"] == 4 * quarter
    assert info["training_sources"] == ["a.jsonl", "b.csv", "c.parquet", "d"]


# --- progress ---------------------------------------------------------------------------------


def test_progress_shows_stages_folds_and_time_on_a_terminal(tmp_path, tiny_jsonl, monkeypatch):
    import classifier._progress as progress

    monkeypatch.setattr(progress, "_isatty", lambda stream: True)
    out = tmp_path / "m.joblib"
    result = CliRunner().invoke(main, ["train", str(tiny_jsonl), "--cv", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for shown in ("reading", "cross-validation", "fold 2/2", "fitting", "saving", "done in"):
        assert shown in result.stderr, shown
    assert "00:0" in result.stderr  # elapsed time
    quiet = CliRunner().invoke(main, ["train", str(tiny_jsonl), "--cv", "2", "--out", str(out), "--quiet"])
    assert quiet.exit_code == 0
    assert not any(shown in quiet.stderr for shown in ("reading", "fold", "fitting", "done in"))


def test_progress_is_silent_when_piped(tmp_path, tiny_jsonl):
    result = CliRunner().invoke(main, ["train", str(tiny_jsonl), "--cv", "0", "--out", str(tmp_path / "m.joblib")])
    assert result.exit_code == 0
    assert not any(shown in result.stderr for shown in ("reading", "fitting", "done in"))


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bars_reach_a_real_terminal(tmp_path, tiny_jsonl):
    controller, terminal = os.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "classifier", "evaluate", str(tiny_jsonl), "--cv", "2", "--report", str(tmp_path)]
    args += ["--no-robustness", "--no-baselines", "--no-learning-curve", "--no-seed-loo"]
    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=env)
    finally:
        os.close(terminal)
    shown = b""
    os.set_blocking(controller, False)
    try:
        while chunk := os.read(controller, 65536):
            shown += chunk
    except (BlockingIOError, OSError):
        pass
    finally:
        os.close(controller)
    assert proc.returncode == 0
    text = shown.decode("utf-8", "replace")
    for stage in ("reading", "fold 2/2", "report and plots", "done in"):
        assert stage in text, stage
    assert b"macro-F1" in proc.stdout and b"fold 1/2" not in proc.stdout  # bars go to the terminal only


# --- cue words ----------------------------------------------------------------------------------


def test_cue_words_are_the_guides_for_default_topics_and_off_for_others(tiny_records):
    from classifier.topic import TopicClassifier

    texts = [r["text"] for r in tiny_records]
    default = TopicClassifier(min_df=1).fit(texts, [r["topic"] for r in tiny_records])
    assert default.cue_groups_ is None  # the guide's words, as before custom topic sets
    custom = TopicClassifier(min_df=1).fit(texts, ["event" if r["topic"] != "other" else "other" for r in tiny_records])
    assert custom.cue_groups_ == ()  # layout features only


def test_learned_cue_words_come_from_the_training_texts_and_explain_stays_in_the_text(tiny_records):
    from classifier.normalize import normalize
    from classifier.segment import tokenize
    from classifier.topic import TopicClassifier

    texts = [r["text"] for r in tiny_records]
    topics = [r["topic"] for r in tiny_records]
    model = TopicClassifier(min_df=1, cue_words="learned", n_learned_cues=5).fit(texts, topics)
    groups = dict(model.cue_groups_)
    assert list(groups) == list(model.classes_)
    lead_words = {w for t in texts for w in tokenize(normalize(t))}
    assert all(w in lead_words for words in groups.values() for w in words)
    assert any(groups.values())
    for text in texts[:4]:
        assert all(term in normalize(text) for term, _ in model.explain(text))
