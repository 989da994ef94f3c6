"""labels.check_label: the one check every reader and estimator applies to labels."""

from __future__ import annotations

import json

import pytest

from classifier.errors import InputError
from classifier.io import read_labeled
from classifier.labels import LABEL_FIELDS, LabeledRecord, check_date, check_label


def test_a_labeled_dict_becomes_a_record_with_every_label_field():
    label = check_label({"topic": "symposium", "region": "江苏省", "city": " 镇江市 ", "extra": 1}, "row 1")
    assert label == LabeledRecord("symposium", "江苏省", "镇江市", "")
    assert tuple(label._asdict()) == LABEL_FIELDS


def test_a_row_of_values_is_read_in_label_field_order():
    assert check_label(["other", "全国"], "y[0]") == LabeledRecord("other", "全国")


@pytest.mark.parametrize(
    "item, match",
    [
        ({"topic": "other"}, r"y\[3\]: missing 'region'"),
        ({"region": "全国"}, r"y\[3\]: missing 'topic'"),
        ({"topic": "party", "region": "全国"}, r"y\[3\]: unknown topic 'party'"),
        ({"topic": "other", "region": "火星"}, r"y\[3\]: unknown region '火星'"),
        ({"topic": "other", "region": "全国", "city": 3}, r"y\[3\]: 'city' is int"),
        ("other", r"y\[3\]: expected a dict"),
    ],
)
def test_bad_labels_are_input_errors_naming_the_record_and_the_field(item, match):
    with pytest.raises(InputError, match=match):
        check_label(item, "y[3]")


def test_other_label_sets_pass_when_known_is_off():
    assert check_label({"topic": "party", "region": "火星"}, "y[0]", known=False).topic == "party"


def test_a_missing_data_frame_cell_counts_as_no_label():
    assert check_label({"topic": "other", "region": "全国", "county": float("nan")}, "r").county == ""
    with pytest.raises(InputError, match="missing 'region'"):
        check_label({"topic": "other", "region": float("nan")}, "r")


@pytest.mark.parametrize("value", ["2018-05-10", "2018-05", "2018", "--05-10", "", " 2018 "])
def test_iso_date_labels_pass(value):
    assert check_date(value, "row 1") == value.strip()


@pytest.mark.parametrize(
    "value, match", [("2018/5/10", "not an ISO date"), ("May 2018", "not an ISO date"), (2018, "int")]
)
def test_bad_date_labels_are_input_errors_naming_the_record(value, match):
    with pytest.raises(InputError, match=f"row 1.*{match}"):
        check_date(value, "row 1")


# ----------------------------------------------------------------------------- append-only labels files


def _labels_file(path, lines: list[str], newline_at_end: bool = True):
    path.write_text("\n".join(lines) + ("\n" if newline_at_end else ""), encoding="utf-8")
    return path


def _decision(rid: str, topic: str, region: str = "江苏省") -> str:
    return json.dumps({"id": rid, "text": "省督导组对丹阳市开展督导评估。", "topic": topic, "region": region})


def test_a_later_decision_for_the_same_id_replaces_the_earlier_one(tmp_path):
    path = _labels_file(
        tmp_path / "labels.jsonl",
        [_decision("a", "symposium"), _decision("b", "other"), _decision("a", "supervision_visit")],
    )
    records = read_labeled(path)
    assert [(r["id"], r["topic"]) for r in records] == [("b", "other"), ("a", "supervision_visit")]


def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path):
    path = _labels_file(tmp_path / "labels.jsonl", [_decision("a", "symposium"), '{"id": "b", "te'], False)
    with pytest.warns(UserWarning, match="torn last line"):
        records = read_labeled(path)
    assert [r["id"] for r in records] == ["a"]


def test_a_bad_line_in_the_middle_is_still_an_error_naming_it(tmp_path):
    path = _labels_file(tmp_path / "labels.jsonl", [_decision("a", "symposium"), "{oops", _decision("b", "other")])
    with pytest.raises(InputError, match=r"labels.jsonl:2"):
        read_labeled(path)
