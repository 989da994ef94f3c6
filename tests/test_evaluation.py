"""The evaluation harness: grouping, metrics, intervals, perturbations, reports."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier import evaluation as ev
from classifier.errors import InputError
from classifier.evaluation._metrics import _macro_f1_codes
from classifier.labels import NATIONAL, TOPICS

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))

# Common characters to make invented filler text that differs from article to article.
_HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
    "收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信"
    "马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
)


def _filler(rng: random.Random, n: int = 80) -> str:
    return "".join(rng.choice(_HAN) for _ in range(n))


_CUES = {"supervision_visit": "督导评估", "symposium": "座谈会", "progress_qa": "答记者问", "other": "通知"}
_PLACES = [("江苏省", "镇江市"), ("广东省", "广州市"), ("湖南省", "娄底市"), ("云南省", "昆明市")]


def _corpus(n: int = 40, seed: int = 0) -> list[dict[str, str]]:
    """Invented labeled articles: a cue word for the topic, a province name for the region."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        topic = TOPICS[i % 4]
        region, city = _PLACES[(i // 4) % 4] if i % 5 else (NATIONAL, "")
        name = region[:2] if region != NATIONAL else "全国"
        text = f"{name}{city}召开{_CUES[topic]}。{_filler(rng)}。{name}教育{_CUES[topic]}{_filler(rng, 40)}"
        if i % 7 == 6:  # labeled against its cue word, so that a cue-word model errs
            topic = "other" if topic != "other" else "symposium"
        rows.append({"id": f"a{i:03d}", "text": text, "topic": topic, "region": region, "city": city, "county": ""})
    return rows


class StubModel(BaseEstimator):
    """A stand-in ArticleClassifier: cue-word topic, province-name region, soft probabilities."""

    def __init__(self, sharpness: float = 2.0):
        self.sharpness = sharpness

    def fit(self, X, y):
        self.fit_texts_ = list(X)
        self.classes_ = np.array(TOPICS)
        return self

    def predict(self, X):
        out = []
        for text in X:
            rule = ev.keyword_rules(text)
            scores = np.array([self.sharpness if t == rule["topic"] else 0.0 for t in TOPICS])
            p = np.exp(scores) / np.exp(scores).sum()
            out.append(
                {
                    "topic": rule["topic"],
                    "topic_proba": dict(zip(TOPICS, p.tolist())),
                    "region": rule["region"],
                    "city": "",
                    "county": "",
                }
            )
        return out

    def explain(self, text):
        return {
            "topic_terms": [["督导评估", 0.5], ["很长的不应该出现在报告里的一段文字" * 3, 0.1]],
            "region_evidence": [{"name": "江苏省", "context": "一段很长的上下文" * 5, "start": 3}],
        }


class TopicOnly(BaseEstimator):
    """A stand-in topic-only estimator (predict → strings), like the textbook pipeline."""

    def fit(self, X, y):
        self.classes_ = np.array(sorted(set(y)))
        return self

    def predict(self, X):
        return np.array([ev.keyword_rules(t)["topic"] for t in X])


# ------------------------------------------------------------------ grouping


def test_near_duplicate_groups_keep_planted_mirrors_together_and_unrelated_apart():
    rows = _corpus(30)
    texts = [r["text"] for r in rows]
    mirror_prefix = "首页 > 教育新闻 > 正文\n" + texts[3] + "\n版权所有 示例网"
    truncated = texts[7][: len(texts[7]) * 2 // 3]
    groups = ev.near_duplicate_groups([*texts, mirror_prefix, truncated])
    assert groups[30] == groups[3]
    assert groups[31] == groups[7]
    assert len(set(groups[:30])) == 30


def test_near_duplicate_groups_do_not_join_texts_sharing_only_boilerplate():
    rng = random.Random(5)
    footer = "特别声明本站注明稿件来源为其他媒体的文图等稿件均为转载稿并不意味着赞同其观点或者证实其内容的真实性"
    texts = [_filler(rng, 60) + footer for _ in range(4)]
    groups = ev.near_duplicate_groups(texts)
    assert len(set(groups)) == 4


def test_near_duplicate_groups_ignore_a_footer_shared_by_many_texts():
    rng = random.Random(6)
    footer = "".join(rng.choice(_HAN) for _ in range(250))  # far longer than each body: a site footer
    texts = [_filler(rng, 40) + footer for _ in range(30)]
    groups = ev.near_duplicate_groups(texts)
    assert len(set(groups)) == 30


def test_near_duplicate_groups_see_through_traditional_script():
    rows = _corpus(8)
    texts = [r["text"] for r in rows]
    groups = ev.near_duplicate_groups([*texts, ev.to_traditional(texts[2])])
    assert groups[8] == groups[2]


def test_grouped_folds_never_split_a_group():
    topics = [TOPICS[i % 4] for i in range(40)]
    groups = np.repeat(np.arange(20), 2)
    for tr, te in ev.grouped_folds(topics, groups, 5, seed=0):
        assert not set(groups[tr]) & set(groups[te])


def test_grouped_folds_reject_more_folds_than_groups():
    with pytest.raises(InputError, match="cv=5"):
        ev.grouped_folds(["a"] * 4, [0, 0, 1, 1], 5)


# ------------------------------------------------------------------ metrics

GOLD = ["a", "a", "b", "b", "c", "c", "a", "b"]
PRED = ["a", "b", "b", "b", "a", "c", "a", "c"]


def test_classification_figures_match_scikit_learn():
    fig = ev.classification_figures(GOLD, PRED, ["a", "b", "c"], n_bootstrap=50)
    assert fig["accuracy"] == pytest.approx(accuracy_score(GOLD, PRED), abs=1e-4)
    assert fig["macro_f1"] == pytest.approx(f1_score(GOLD, PRED, average="macro"), abs=1e-4)
    p, r, f, s = precision_recall_fscore_support(GOLD, PRED, labels=["a", "b", "c"])
    for i, lab in enumerate("abc"):
        assert fig["per_class"][lab]["precision"] == pytest.approx(p[i], abs=1e-4)
        assert fig["per_class"][lab]["recall"] == pytest.approx(r[i], abs=1e-4)
        assert fig["per_class"][lab]["f1"] == pytest.approx(f[i], abs=1e-4)
        assert fig["per_class"][lab]["support"] == s[i]
    assert fig["confusion"] == confusion_matrix(GOLD, PRED, labels=["a", "b", "c"]).tolist()


def test_fast_macro_f1_matches_scikit_learn_with_labels_missing_on_one_side():
    gold, pred = ["a", "a", "b", "d"], ["a", "c", "b", "b"]
    labels = sorted(set(gold) | set(pred))
    code = {lab: i for i, lab in enumerate(labels)}
    fast = _macro_f1_codes(np.array([code[g] for g in gold]), np.array([code[p] for p in pred]), len(labels))
    assert fast == pytest.approx(f1_score(gold, pred, average="macro", zero_division=0))


def test_bootstrap_ci_contains_point_estimate_and_narrows_with_more_data():
    rng = np.random.default_rng(1)
    small_gold = list(rng.choice(["a", "b", "c"], 40))
    small_pred = [g if rng.random() < 0.7 else "a" for g in small_gold]
    big_gold, big_pred = small_gold * 10, small_pred * 10
    for metric, point in (
        ("accuracy", accuracy_score(small_gold, small_pred)),
        ("macro_f1", f1_score(small_gold, small_pred, average="macro")),
    ):
        lo, hi = ev.bootstrap_ci(small_gold, small_pred, metric, n_resamples=500)
        assert lo <= point <= hi
        blo, bhi = ev.bootstrap_ci(big_gold, big_pred, metric, n_resamples=500)
        assert bhi - blo < (hi - lo) * 0.6


def test_bootstrap_ci_is_deterministic_for_a_seed():
    assert ev.bootstrap_ci(GOLD, PRED, seed=3) == ev.bootstrap_ci(GOLD, PRED, seed=3)


def test_calibration_bins_ece_and_coverage_on_a_hand_made_case():
    classes = ["x", "y"]
    proba = np.array([[0.95, 0.05], [0.95, 0.05], [0.65, 0.35], [0.35, 0.65]])
    gold = ["x", "y", "x", "x"]
    cal = ev.calibration(gold, proba, classes, n_bins=10)
    full = [b for b in cal["bins"] if b["count"]]
    assert [(b["count"], b["accuracy"]) for b in full] == [(2, 0.5), (2, 0.5)]
    # |0.5 - 0.65| * 2/4 + |0.5 - 0.95| * 2/4
    assert cal["ece"] == pytest.approx(0.3)
    top = {c["threshold"]: c for c in cal["coverage"]}
    assert top[0.9]["coverage"] == 0.5 and top[0.9]["accuracy"] == 0.5
    assert top[0.0]["coverage"] == 1.0


def test_calibration_rejects_proba_of_the_wrong_shape():
    with pytest.raises(InputError, match="shape"):
        ev.calibration(["x"], np.zeros((2, 2)), ["x", "y"])


# ------------------------------------------------------------------ evaluate and reports

REPORT_KEYS = {
    "schema",
    "classifier_version",
    "setup",
    "data",
    "topic",
    "region",
    "city",
    "county",
    "date",
    "calibration",
    "baselines",
    "robustness",
    "learning_curve",
    "seed_loo",
    "errors",
}
FIGURE_KEYS = {"n", "accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci", "labels", "per_class", "confusion"}


@pytest.fixture(scope="module")
def cv_report():
    return ev.evaluate(StubModel(), _corpus(40), cv=4, n_bootstrap=100, learning_fractions=(0.5, 1.0), learning_folds=2)


def test_cv_report_has_the_documented_keys(cv_report):
    assert set(cv_report) == REPORT_KEYS
    assert set(cv_report["topic"]) == FIGURE_KEYS and set(cv_report["region"]) == FIGURE_KEYS
    assert set(cv_report["calibration"]) == {"n_bins", "bins", "ece", "coverage"}
    assert set(cv_report["robustness"]["perturbations"]) == set(ev.PERTURBATIONS)
    for s in cv_report["robustness"]["perturbations"].values():
        assert {"topic_macro_f1", "topic_macro_f1_drop", "region_accuracy", "region_accuracy_drop"} <= set(s)
    assert "keyword_rules" in cv_report["baselines"]
    assert [r["fraction"] for r in cv_report["learning_curve"]] == [0.5, 1.0]
    assert cv_report["setup"]["mode"] == "cv" and cv_report["setup"]["n_splits"] == 4
    assert cv_report["data"]["n_articles"] == 40


def test_cv_figures_are_out_of_fold_predictions_of_the_stub(cv_report):
    rows = _corpus(40)
    pred = [ev.keyword_rules(r["text"])["topic"] for r in rows]
    assert cv_report["topic"]["accuracy"] == pytest.approx(accuracy_score([r["topic"] for r in rows], pred), abs=1e-4)
    # The stub equals the keyword rules, so the margin over that baseline is zero.
    assert cv_report["baselines"]["keyword_rules"]["topic"]["accuracy"] == cv_report["topic"]["accuracy"]


def test_truncation_hurts_when_the_cue_sits_late():
    rows = _corpus(40)
    for r in rows:  # move the cue beyond the first 300 characters
        r["text"] = "教育" * 160 + r["text"]
    report = ev.evaluate(StubModel(), rows, cv=4, n_bootstrap=50, learning_curve=False, baselines=False)
    assert report["robustness"]["perturbations"]["first_300_chars"]["topic_macro_f1_drop"] > 0.3
    assert report["robustness"]["perturbations"]["footers"]["topic_macro_f1_drop"] >= 0


def test_cv_never_trains_on_a_mirror_of_a_test_article():
    rows = _corpus(24)
    rows.append({**rows[0], "id": "mirror", "text": "转载自示例网\n" + rows[0]["text"]})
    seen = []

    class Spy(StubModel):
        def fit(self, X, y):
            seen.append(set(X))
            return super().fit(X, y)

    ev.evaluate(Spy(), rows, cv=3, n_bootstrap=10, robustness=False, learning_curve=False, baselines=False)
    for train in seen:
        assert (rows[0]["text"] in train) == (rows[-1]["text"] in train)


def test_errors_carry_labels_and_short_evidence_only(cv_report):
    assert cv_report["errors"], "the stub errs on articles labeled against their cue"
    for e in cv_report["errors"]:
        assert {"id", "gold_topic", "pred_topic", "gold_region", "pred_region", "confidence", "evidence"} <= set(e)
        for term in e["evidence"]["topic_terms"]:
            assert len(term) <= ev.MAX_SNIPPET
        for item in e["evidence"]["region_evidence"]:
            assert "context" not in item
    confs = [e["confidence"] for e in cv_report["errors"]]
    assert confs == sorted(confs, reverse=True)


def test_prefit_mode_tests_the_given_model_without_refitting():
    model = StubModel().fit([], [])
    report = ev.evaluate(model, _corpus(12), prefit=True, n_bootstrap=20)
    assert report["setup"]["mode"] == "holdout" and report["learning_curve"] is None
    assert model.fit_texts_ == []
    assert report["robustness"]["clean"]["topic_accuracy"] == report["topic"]["accuracy"]


def test_train_test_mode_fits_a_clone_on_a():
    a, b = _corpus(20, seed=1), _corpus(12, seed=2)
    report = ev.evaluate(StubModel(), b, train_records=a, n_bootstrap=20, robustness=False)
    assert report["setup"]["mode"] == "train_test" and report["topic"]["n"] == 12


def test_topic_only_estimators_get_topic_figures_and_no_region():
    report = ev.evaluate(
        TopicOnly(),
        _corpus(20),
        cv=2,
        target="topic",
        n_bootstrap=20,
        robustness=False,
        learning_curve=False,
        baselines=False,
    )
    assert report["topic"]["n"] == 20 and report["region"] is None and report["calibration"] is None


def test_evaluate_names_the_record_missing_a_label():
    rows = _corpus(8)
    rows[5]["topic"] = ""
    with pytest.raises(InputError, match=r"records\[5\]"):
        ev.evaluate(StubModel(), rows, cv=2)


def test_seed_loo_tests_each_seed_once_and_reports_a_failing_fit():
    rows = _corpus(5)
    loo = ev.seed_loo(StubModel(), rows, _corpus(8, seed=9))
    assert [r["id"] for r in loo["rows"]] == [r["id"] for r in rows] and loo["error"] is None

    class Fussy(StubModel):
        def fit(self, X, y):
            raise ValueError("needs every topic")

    failed = ev.seed_loo(Fussy(), rows)
    assert failed["rows"] == [] and "needs every topic" in failed["error"]


def test_cross_validate_summary_is_json_ready():
    rows = _corpus(20)
    s = ev.cross_validate_summary(StubModel(), [r["text"] for r in rows], rows, cv=2, n_bootstrap=20)
    json.dumps(s)
    assert {"accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci"} <= set(s["topic"]) and s["cv"] == 2


def test_write_report_writes_json_markdown_and_plots(cv_report, tmp_path):
    paths = ev.write_report(cv_report, tmp_path / "out")
    for name in (
        "report.json",
        "report.md",
        "topic_confusion.png",
        "region_confusion.png",
        "reliability.png",
        "learning_curve.png",
        "robustness.png",
        "region_counts.png",
    ):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
        assert name in paths
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert set(data) == REPORT_KEYS
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## Robustness" in md and "macro-F1" in md
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_reports_hold_no_article_text(cv_report, tmp_path):
    ev.write_report(cv_report, tmp_path)
    dumped = "".join((tmp_path / name).read_text(encoding="utf-8") for name in ("report.json", "report.md"))
    for r in _corpus(40):
        for start in range(0, len(r["text"]) - 20, 20):
            assert r["text"][start : start + 20] not in dumped


def test_format_summary_shows_headline_figures_and_confusion(cv_report):
    text = ev.format_summary(cv_report)
    assert "macro-F1" in text and "confusion" in text and "supervision_visit" in text
    assert f"{cv_report['topic']['accuracy']:.3f}" in text


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_run_evaluation_cross_validates_files_and_writes_the_report(tmp_path):
    data = _write_jsonl(tmp_path / "data.jsonl", _corpus(24))
    report = ev.run_evaluation(
        [data], cv=3, estimator=StubModel(), report_dir=tmp_path / "rep", learning_curve=False, n_bootstrap=20
    )
    assert report["setup"]["sources"] == ["data.jsonl"] and report["setup"]["mode"] == "cv"
    assert (tmp_path / "rep" / "report.json").is_file() and (tmp_path / "rep" / "robustness.png").is_file()
    if SEEDS:
        assert report["seed_loo"]["with_data"]["n"] == len(SEEDS)


def test_run_evaluation_with_a_model_and_cv_refits_clones_of_that_model(tmp_path):
    data = _write_jsonl(tmp_path / "data.jsonl", _corpus(16))
    report = ev.run_evaluation(
        data,
        model=StubModel(sharpness=5.0).fit([], []),
        cv=2,
        loo_seeds=False,
        robustness=False,
        learning_curve=False,
        baselines=False,
        n_bootstrap=20,
    )
    assert report["setup"]["mode"] == "cv" and report["setup"]["estimator"] == "StubModel"


def test_run_evaluation_tests_a_fitted_model_or_trains_on_a_and_tests_on_b(tmp_path):
    a = _write_jsonl(tmp_path / "a.jsonl", _corpus(20, seed=3))
    b = _write_jsonl(tmp_path / "b.jsonl", _corpus(12, seed=4))
    fitted = StubModel().fit([], [])
    held = ev.run_evaluation(b, model=fitted, robustness=False, n_bootstrap=20)
    assert held["setup"]["mode"] == "holdout" and held["topic"]["n"] == 12 and held["seed_loo"] is None
    both = ev.run_evaluation(b, train_paths=[a], estimator=StubModel(), robustness=False, n_bootstrap=20)
    assert both["setup"]["mode"] == "train_test"


def test_markdown_section_names_are_checked_and_images_can_be_left_out(cv_report):
    assert "![" not in ev.markdown_section(cv_report, "robustness", images=False)
    assert "![robustness]" in ev.markdown_section(cv_report, "robustness")
    with pytest.raises(InputError, match="unknown section"):
        ev.markdown_section(cv_report, "nope")
