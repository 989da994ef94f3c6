"""TopicClassifier: sklearn compliance, probabilities, explanations, errors, seeds leave-one-out."""

from __future__ import annotations

import csv
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from classifier.errors import InputError
from classifier.labels import TOPICS
from classifier.normalize import normalize
from classifier.topic import TopicClassifier, textbook_baseline

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"

# Invented short articles, a few per topic, with the cue words of ../shared/LABELING.md.
_HEADS = {
    "supervision_visit": [
        "国家督导组对{p}开展义务教育优质均衡督导评估",
        "督导检查组来到{p}实地督导并召开反馈会",
        "{p}接受省级督导评估认定,督学实地核查学校",
    ],
    "symposium": [
        "{p}召开学前教育工作座谈会,各地交流经验",
        "全省义务教育推进会在{p}召开,代表交流发言",
        "{p}举行教育研讨会,专家作专题报告",
    ],
    "progress_qa": [
        "{p}教育厅负责人答记者问。问:进展如何?答:进展顺利",
        "新闻发布会上{p}官员回答记者提问,介绍进展",
        "记者:{p}的普及普惠进展怎样?答:已经完成目标",
    ],
    "other": [
        "关于印发{p}义务教育学校管理办法的通知",
        "{p}公示通过评估的学校名单如下",
        "{p}教育统计公报:在校学生人数与教师人数",
    ],
}
_PLACES = ["甲县", "乙市", "丙区", "丁县"]


def _synthetic() -> tuple[list[str], list[str]]:
    X, y = [], []
    for topic, heads in _HEADS.items():
        for head in heads:
            for place in _PLACES:
                X.append(head.format(p=place) + "。学校和老师参加。")
                y.append(topic)
    return X, y


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[str]]:
    return _synthetic()


@pytest.fixture(scope="module")
def fitted(data: tuple[list[str], list[str]]) -> TopicClassifier:
    return TopicClassifier().fit(*data)


# -- scikit-learn compliance --------------------------------------------------------------
# check_estimator() feeds numeric arrays, which a text model rejects by design, so only the
# checks about parameters and construction apply; fitting behaviour is covered below with text.


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_applicable_sklearn_estimator_checks(check) -> None:
    check("TopicClassifier", TopicClassifier())


def test_clone_round_trip_keeps_params_and_drops_state(fitted: TopicClassifier) -> None:
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    assert not hasattr(twin, "classes_")
    assert clone(TopicClassifier(C=3.0, char_ngram_range=(2, 3))).get_params()["char_ngram_range"] == (2, 3)


def test_set_params_changes_the_model(data: tuple[list[str], list[str]]) -> None:
    model = TopicClassifier().set_params(cue_weight=0.0, lead_weight=0.0, char_ngram_range=(1, 2))
    assert model.fit(*data).predict(data[0][:2]).shape == (2,)
    assert [name for name, _, _ in model.vectorizers_] == ["word", "char"]


def test_grid_search_over_a_tiny_dataset(data: tuple[list[str], list[str]]) -> None:
    grid = GridSearchCV(
        TopicClassifier(),
        {"C": [1.0, 10.0], "linear_model": ["logreg", "svm"]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=1,
    )
    grid.fit(*data)
    assert grid.best_score_ > 0.5
    assert set(grid.predict(data[0][:4])) <= set(TOPICS)


def test_inside_a_pipeline_and_cross_val_score(data: tuple[list[str], list[str]]) -> None:
    pipe = Pipeline(
        [
            ("clean", FunctionTransformer(lambda xs: [normalize(x) for x in xs])),
            ("topic", TopicClassifier(normalize=False)),
        ]
    )
    scores = cross_val_score(pipe, *data, cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=1)
    assert scores.mean() > 0.5


def test_learns_the_synthetic_topics(fitted: TopicClassifier, data: tuple[list[str], list[str]]) -> None:
    assert fitted.score(*data) > 0.9
    assert fitted.predict(["新闻发布会上教育厅负责人回答记者提问"])[0] == "progress_qa"


def test_pickles(fitted: TopicClassifier, data: tuple[list[str], list[str]]) -> None:
    twin = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(twin.predict_proba(data[0]), fitted.predict_proba(data[0]))


# -- probabilities and classes --------------------------------------------------------------


def test_classes_follow_the_label_order(fitted: TopicClassifier) -> None:
    assert list(fitted.classes_) == list(TOPICS)


def test_classes_with_a_topic_missing_keep_the_order(data: tuple[list[str], list[str]]) -> None:
    X, y = data
    keep = [i for i, t in enumerate(y) if t != "symposium"]
    model = TopicClassifier().fit([X[i] for i in keep], [y[i] for i in keep])
    assert list(model.classes_) == ["supervision_visit", "progress_qa", "other"]
    assert model.predict_proba(X[:3]).shape == (3, 3)


@pytest.mark.parametrize(
    "params",
    [{}, {"calibration": "sigmoid"}, {"linear_model": "svm"}, {"linear_model": "svm", "calibration": "sigmoid"}],
)
def test_probabilities_are_rows_summing_to_one_and_agree_with_predict(data, params) -> None:
    model = TopicClassifier(**params).fit(*data)
    proba = model.predict_proba(data[0])
    assert proba.shape == (len(data[0]), len(TOPICS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    assert list(model.predict(data[0])) == list(model.classes_[proba.argmax(axis=1)])
    assert model.decision_function(data[0]).shape == proba.shape


def test_normalize_false_on_clean_text_equals_normalize_true_on_raw(data) -> None:
    X, y = data
    raw = [x.replace("督导", "督導").replace("会", "會") for x in X]
    a = TopicClassifier().fit(raw, y).predict_proba(raw)
    b = TopicClassifier(normalize=False).fit([normalize(x) for x in raw], y).predict_proba([normalize(x) for x in raw])
    np.testing.assert_allclose(a, b)


def test_binary_problem_works(data) -> None:
    X, y = data
    keep = [i for i, t in enumerate(y) if t in ("symposium", "other")]
    model = TopicClassifier(linear_model="svm").fit([X[i] for i in keep], [y[i] for i in keep])
    assert model.predict_proba([X[keep[0]]]).shape == (1, 2)
    assert model.explain(X[keep[0]])


# -- explain ----------------------------------------------------------------------------------


def test_explain_returns_terms_of_the_text_strongest_first(fitted: TopicClassifier) -> None:
    text = "督导检查组到乙市实地督导,召开反馈会。"
    terms = fitted.explain(text, k=5)
    assert 0 < len(terms) <= 5
    weights = [w for _, w in terms]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    clean = normalize(text)
    assert all(t in clean for t, _ in terms), terms


def test_explain_names_a_cue_of_the_predicted_topic(fitted: TopicClassifier) -> None:
    terms = [t for t, _ in fitted.explain("教育厅召开新闻发布会,负责人答记者问", k=3)]
    assert {"答记者问", "新闻发布会"} & set(terms), terms


def test_explain_shares_layout_cues_out_to_marks_of_the_text(fitted: TopicClassifier) -> None:
    text = "记者:今年进展如何?\n答:进展顺利。\n问:下一步怎么做?\n答:继续推进。"
    terms = fitted.explain(text, k=50)
    assert all(t in normalize(text) for t, _ in terms), terms


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, y, match",
    [
        ("一篇文章", ["other"], "list of texts"),
        (["文章", 3], ["other", "symposium"], r"X\[1\]"),
        (["文章甲", "文章乙"], ["other"], "one per text"),
        (["文章甲", "文章乙"], ["other", "other"], "at least 2 topics"),
    ],
)
def test_bad_training_input_is_a_clear_error(X, y, match) -> None:
    with pytest.raises(InputError, match=match):
        TopicClassifier().fit(X, y)


def test_bad_parameters_are_clear_errors(data) -> None:
    # Parameter errors are ValueError / TypeError, as in scikit-learn, not input errors.
    with pytest.raises(ValueError, match="linear_model"):
        TopicClassifier(linear_model="forest").fit(*data)
    with pytest.raises(ValueError, match="calibration"):
        TopicClassifier(calibration="platt").fit(*data)
    with pytest.raises(ValueError, match="C"):
        TopicClassifier(C=0).fit(*data)
    with pytest.raises(TypeError):
        TopicClassifier(lead_chars="120").fit(*data)
    with pytest.raises(TypeError):
        TopicClassifier(True)  # type: ignore[misc]  # keyword-only parameters
    with pytest.raises(ValueError, match="word_ngram_range"):
        TopicClassifier(word_ngram_range=(2, 1)).fit(*data)


def test_bad_prediction_input_is_a_clear_error(fitted: TopicClassifier) -> None:
    with pytest.raises(InputError, match="list of texts"):
        fitted.predict("一篇文章")
    with pytest.raises(InputError, match=r"X\[0\]"):
        fitted.predict([None])
    with pytest.raises(InputError, match="text"):
        fitted.explain(["a list"])  # type: ignore[arg-type]


def test_unfitted_model_refuses_to_predict() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TopicClassifier().predict(["文章"])


def test_textbook_baseline_is_a_fit_and_clonable_pipeline(data) -> None:
    base = clone(textbook_baseline())
    assert base.fit(*data).score(*data) > 0.9


# -- seeds leave-one-out on the real corpus ---------------------------------------------------


def _seeds() -> list[tuple[str, str]]:
    with (ROOT / "labels" / "seeds.csv").open(encoding="utf-8", newline="") as fh:
        return [((ROOT / "seeds" / r["file"]).read_text(encoding="utf-8"), r["topic"]) for r in csv.DictReader(fh)]


@pytest.mark.slow  # five fits on the whole corpus: ~10 s on an idle machine
@pytest.mark.skipif(not CORPUS.is_file(), reason="dev corpus absent (../shared/corpus/dev.jsonl)")
def test_leave_one_seed_out(capsys: pytest.CaptureFixture[str]) -> None:
    with CORPUS.open(encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    dev_X = [normalize(r["text"]) for r in recs]
    dev_y = [r["topic"] for r in recs]
    seeds = [(normalize(t), topic) for t, topic in _seeds()]
    right = 0
    for i, (text, topic) in enumerate(seeds):
        rest = [s for j, s in enumerate(seeds) if j != i]
        model = TopicClassifier(normalize=False).fit(dev_X + [t for t, _ in rest], dev_y + [y for _, y in rest])
        right += model.predict([text])[0] == topic
    with capsys.disabled():
        print(f"\nseeds leave-one-out: {right}/5 right")
    assert right >= 4


def test_every_cue_word_is_one_token() -> None:
    from classifier.segment import tokenize
    from classifier.topic import CUES

    split = [t for terms in CUES.values() for t in terms if tokenize(t) != [t]]
    assert not split, f"cue words the segmenter cuts apart (add them to data/userdict.txt): {split}"


def test_empty_and_debris_only_texts_still_get_a_topic(fitted: TopicClassifier) -> None:
    proba = fitted.predict_proba(["", " ,。\n", "12345"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"calibration": "sigmoid"},
        {"calibration": "isotonic"},
        {"linear_model": "svm"},
        {"char_ngram_range": (2, 3)},
        {"cue_words": "learned"},
    ],
)
def test_numpy_scorer_gives_the_probabilities_of_the_sklearn_model(params, tiny_records) -> None:
    import scipy.sparse as sp

    from classifier.topic import CUE_SCALE

    texts = [r["text"] for r in tiny_records]
    # The guide rules' prior is added on top of the linear model (tested in test_topic_boundaries).
    model = TopicClassifier(normalize=False, min_df=1, calibration_cv=2, guide_weight=0, **params).fit(
        texts, [r["topic"] for r in tiny_records]
    )
    docs = [model.scorer_.spec.documents(t) for t in texts]
    mats = [vec.transform([d[name] for d in docs]) * w for name, vec, w in model.vectorizers_]
    mats.append(sp.csr_matrix(np.array([d["cues"] for d in docs]) * (model.cue_weight / CUE_SCALE)))
    features = sp.hstack(mats, format="csr")
    if hasattr(model.estimator_, "predict_proba"):
        expected = model.estimator_.predict_proba(features)
    else:
        s = model.estimator_.decision_function(features)
        expected = np.exp(s - s.max(1, keepdims=True))
        expected /= expected.sum(1, keepdims=True)
    assert np.allclose(model.predict_proba(texts), expected, atol=1e-9)
    assert np.allclose(model.decision_function(texts), model.linear_.decision_function(features), atol=1e-9)


def test_feature_vector_equals_the_sklearn_training_features(tiny_records) -> None:
    import scipy.sparse as sp

    texts = [r["text"] for r in tiny_records]
    model = TopicClassifier(normalize=False, min_df=1).fit(texts, [r["topic"] for r in tiny_records])
    scorer = model.scorer_
    for text in texts + ["问:进展如何?\n答:顺利。", ""]:
        docs = scorer.spec.documents(text)
        mats = [vec.transform([docs[name]]) * w for name, vec, w in model.vectorizers_]
        mats.append(sp.csr_matrix(docs["cues"] * scorer.cue_scale))
        expected = sp.hstack(mats, format="csr").toarray()[0]
        idx, val = scorer.vector(text)
        got = np.zeros_like(expected)
        got[idx] = val
        assert np.allclose(got, expected, rtol=0, atol=1e-12)
