"""The article model: records, estimator compliance, persistence and the shipped model."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

import classifier
from classifier.errors import InputError, ModelError
from classifier.labels import PREDICTION_FIELDS, REGIONS, TOPICS
from classifier.model import ArticleClassifier


@pytest.fixture(scope="module")
def fitted(tiny_records):
    return ArticleClassifier().fit([r["text"] for r in tiny_records], tiny_records)


def _seed_labels(repo_root):
    with open(repo_root / "labels" / "seeds.csv", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def test_predict_gives_one_record_per_text_with_every_field(fitted):
    records = fitted.predict(["督导组召开反馈会。", "座谈会在丹阳市召开。", ""])
    assert len(records) == 3
    for rec in records:
        assert tuple(rec) == PREDICTION_FIELDS
        assert rec["topic"] in TOPICS
        assert rec["region"] in REGIONS
        assert set(rec["topic_proba"]) == set(TOPICS)
        assert sum(rec["topic_proba"].values()) == pytest.approx(1.0, abs=1e-3)
        assert rec["topic"] == max(rec["topic_proba"], key=rec["topic_proba"].get)


def test_records_carry_the_page_title_and_the_event_date(fitted):
    page = (
        "某某县召开义务教育优质均衡发展推进会\n发布时间：2024-05-10 10:04\n"
        "5月9日，某某县召开义务教育优质均衡发展推进会。"
    )
    [rec] = fitted.predict([page])
    assert (rec["title"], rec["date"]) == ("某某县召开义务教育优质均衡发展推进会", "2024-05-09")
    assert fitted.predictor_.explain(page)["date"] == "2024-05-09"


def test_predict_proba_columns_follow_the_topic_order(fitted):
    proba = fitted.predict_proba(["教育部负责人答记者问。问：进展如何？答：顺利。"])
    assert list(fitted.classes_) == list(TOPICS)
    assert proba.shape == (1, 4)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_a_single_string_is_refused_with_a_hint(fitted):
    with pytest.raises(InputError, match="wrap it in a list"):
        fitted.predict("督导组召开反馈会。")
    with pytest.raises(InputError, match=r"X\[1\]"):
        fitted.predict(["好", 3])


def test_labels_without_region_are_refused(tiny_records):
    with pytest.raises(InputError, match="topic and region are required"):
        ArticleClassifier().fit(["一篇文章"], [{"topic": "other"}])


def test_explain_names_terms_and_places_of_the_text(fitted):
    text = "全省义务教育优质均衡发展座谈会在镇江丹阳市召开。"
    out = fitted.explain(text)
    assert out["topic"] in TOPICS
    assert out["topic_terms"], "no topic terms"
    assert all(term in classifier.normalize(text) for term, _ in out["topic_terms"])
    assert any("丹阳" in str(m) for m in out["region_evidence"])


def test_estimator_clones_and_grid_searches_its_nested_params(tiny_records):
    texts = [r["text"] for r in tiny_records]
    model = ArticleClassifier(topic=classifier.TopicClassifier(C=1.0))
    assert clone(model).get_params()["topic__C"] == 1.0
    search = GridSearchCV(model, {"topic__C": [0.5, 5.0]}, cv=KFold(2, shuffle=True, random_state=0))
    search.fit(texts, tiny_records)
    assert search.best_params_["topic__C"] in (0.5, 5.0)
    scores = cross_val_score(model, texts, tiny_records, cv=KFold(2, shuffle=True, random_state=0))
    assert scores.shape == (2,)


def test_save_and_load_give_the_same_predictions(fitted, tmp_path):
    path = classifier.save(fitted, tmp_path / "m.joblib", note="test")
    loaded = classifier.load(path)
    texts = ["督导组召开反馈会。", "座谈会在丹阳市召开。"]
    assert loaded.predict(texts) == fitted.predict(texts)
    assert loaded.metadata_["note"] == "test"
    assert loaded.metadata_["topics"] == list(TOPICS)
    assert len(loaded.metadata_["training_data_sha256"]) == 64


def test_loading_a_file_that_is_not_a_model_names_the_file(tmp_path):
    bad = tmp_path / "bad.joblib"
    bad.write_text("not a model")
    with pytest.raises(ModelError, match="bad.joblib"):
        classifier.load(bad)


def test_shipped_model_loads_and_carries_its_cross_validated_scores():
    model = classifier.load()
    meta = model.metadata_
    assert meta["topics"] == list(TOPICS)
    assert meta["cv_scores"]["topic"]["macro_f1"] > 0.5


def test_shipped_model_labels_the_seed_regions(repo_root):
    # The seeds are part of the shipped model's training data: this checks the shipped file
    # works end to end, not how well it generalises (see `classifier evaluate`).
    labels = _seed_labels(repo_root)
    model = classifier.load()
    files = sorted(labels)
    texts = [(repo_root / "seeds" / f).read_text(encoding="utf-8") for f in files]
    for f, rec in zip(files, model.predict(texts)):
        gold = labels[f]
        assert (rec["region"], rec["city"], rec["county"]) == (gold["region"], gold["city"], gold["county"]), f


@pytest.mark.slow
def test_train_reproduces_the_shipped_model(repo_root, corpus_path, tmp_path):
    shipped = classifier.load()
    # The shipped model is trained on every labeled article: both corpus files and the seeds.
    model = classifier.train(
        [corpus_path, corpus_path.with_name("dev_round2.jsonl"), repo_root / "seeds"],
        out=tmp_path / "m.joblib",
        labels_csv=repo_root / "labels" / "seeds.csv",
        cv=0,
    )
    rebuilt = classifier.load(tmp_path / "m.joblib")
    assert rebuilt.metadata_["training_data_sha256"] == shipped.metadata_["training_data_sha256"]
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo_root / "seeds").glob("*.txt"))]
    assert model.predict(texts) == shipped.predict(texts)
