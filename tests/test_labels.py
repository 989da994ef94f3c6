"""labels.check_label: the one check every reader and estimator applies to labels."""

from __future__ import annotations

import pytest

from classifier.errors import InputError
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
