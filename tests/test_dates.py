"""The date of the reported event (LABELING.md, "Date"): one test per rule, then the labeled corpus.

The unit tests use sentences composed here; the corpus test reads ../shared/corpus/dev.jsonl
and the seeds at run time.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest

from classifier import evaluation
from classifier.errors import InputError
from classifier.events import date_agreement, extract_date
from classifier.io import read_labeled

ROOT = Path(__file__).resolve().parents[1]


# --- forms of a date -------------------------------------------------------------------


def test_chinese_full_date():
    assert extract_date("2018年5月10日，全市义务教育均衡发展推进会在南京召开。") == "2018-05-10"


def test_numeric_date_with_time_of_day_is_the_publication_date_of_an_undated_report():
    text = "我市推进义务教育均衡发展\n2018-05-10 10:04 来源：某某日报\n近日，市教育局召开全市义务教育工作会议。"
    assert extract_date(text) == "2018-05-10"


def test_slashed_numeric_date():
    assert extract_date("2018/5/10，省督导组来到某某县开展督导评估。") == "2018-05-10"


def test_chinese_numeral_date():
    assert extract_date("二〇一八年五月十日，全省学前教育工作座谈会在某某市举行。") == "2018-05-10"


def test_full_width_digits():
    assert extract_date("２０１８年５月１０日，全省教育工作会议召开。") == "2018-05-10"


def test_day_month_year_page_stamp():
    text = "某某县召开教育督导工作会议\n22.04.2015 19:12\n日前，某某县召开教育督导工作会议。"
    assert extract_date(text) == "2015-04-22"


def test_traditional_script_with_pinyin_glosses():
    text = "2月(yuè)11日，記(jì)者從某某市教育局獲(huò)悉，全市新建學校十所。"
    assert extract_date(text) == "--02-11"


def test_roc_year_counts_from_1911():
    assert extract_date("民國115年3月2日，教育部召開偏鄉教育座談會。") == "2026-03-02"


def test_roc_numeric_date_on_a_taiwanese_page():
    text = "臺北市教育局召開偏鄉教育座談會\n發布日期：115/05/10\n日前，臺北市教育局召開偏鄉教育座談會。"
    assert extract_date(text) == "2026-05-10"


# --- a day without a year ----------------------------------------------------------------


def test_day_without_year_takes_the_publication_year():
    text = "全省座谈会召开\n发布时间：2018-05-10 10:04\n5月9日，全省义务教育优质均衡发展座谈会在某某市召开。"
    assert extract_date(text) == "2018-05-09"


def test_day_without_year_takes_the_year_before_when_its_month_is_later_than_the_publication():
    text = "发布时间：2020-01-05\n12月28日，全市教育督导工作会议在某某市召开，会议总结了全年工作。"
    assert extract_date(text) == "2019-12-28"


def test_day_without_any_year_is_written_with_two_dashes():
    assert extract_date("4月23日上午，市督导组来到某某区开展实地督导评估。") == "--04-23"


def test_day_takes_the_year_stated_for_the_event_in_its_sentence():
    text = "3月15日，2016年全省义务教育质量监测培训会在某某市召开。"
    assert extract_date(text) == "2016-03-15"


def test_day_takes_the_year_of_the_same_day_written_in_full_elsewhere():
    text = "1月11日，某某省政协会议开幕前，委员通道采访活动开启。\n某某省政协会议2023年1月11日至15日在某某市召开。"
    assert extract_date(text) == "2023-01-11"


def test_day_takes_the_year_in_the_headline_when_nothing_closer_gives_one():
    text = "2026年全省教育工作怎么干\n2月2日，全省教育工作会议在某某市召开，会议部署了全年工作。"
    assert extract_date(text) == "2026-02-02"


def test_bare_day_takes_the_month_of_the_dateline():
    text = "新华社某某5月10日电 全省义务教育工作会议9日在某某市召开，副省长出席会议并讲话。"
    assert extract_date(text) == "--05-09"


def test_a_day_with_no_month_gives_no_date():
    assert extract_date("全区教育工作总结表彰大会18日在某某市召开。自治区主席出席会议并讲话。") == ""


def test_dateline_alone_dates_the_report():
    assert extract_date("某某网10月14日讯 本月，我省最后一批县将接受国家督导检查。") == "--10-14"


# --- several days, several dates -----------------------------------------------------------


def test_event_over_several_days_is_dated_by_its_first_day():
    assert extract_date("4月13日至14日，全省义务教育优质均衡发展座谈会在某某市召开。") == "--04-13"
    assert extract_date("2017年11月19至24日，国家督导检查组对某某省进行了实地督导检查。") == "2017-11-19"


def test_lead_sentence_date_beats_later_dates():
    text = (
        "11月29日，某某省县域义务教育基本均衡发展督导检查反馈会在某某市举行。\n"
        "本次反馈会前，督导检查组于11月24日至28日对全省申报县进行了实地督导检查。"
    )
    assert extract_date(text) == "--11-29"


# --- 今天 / 日前 / 近日 --------------------------------------------------------------------


def test_recent_days_take_the_publication_date():
    text = "我市开展义务教育优质均衡发展过程评估\n发布日期：2024-10-11\n近日，市教委对四个区开展过程评估。"
    assert extract_date(text) == "2024-10-11"


def test_today_without_a_publication_date_gives_no_date():
    assert extract_date("今天，全省学前教育推进现场会在某某市举行。副省长出席并讲话。") == ""


def test_today_beside_a_date_in_brackets_takes_that_date():
    text = "央视新闻 2025-08-07 10:23\n今天（8月7日）上午，国务院新闻办公室举行政策例行吹风会。"
    assert extract_date(text) == "2025-08-07"


# --- dates of other things -----------------------------------------------------------------


def test_period_end_is_not_the_event():
    assert extract_date("截至6月19日，今年全国又有一百余个县通过国家督导评估认定。") == ""


def test_a_document_issued_in_another_year_lends_no_year():
    text = "6月3日，全市教育工作座谈会召开，会议学习了2012年印发的有关文件。"
    assert extract_date(text) == "--06-03"


def test_a_target_year_lends_no_year():
    text = "5月9日，全省教育督导推进会召开，会议提出到2025年全省县区全部达到优质均衡。"
    assert extract_date(text) == "--05-09"


def test_a_titled_document_year_lends_no_year():
    assert extract_date("3月30日，市教委公布《2023年本市义务教育招生入学工作的实施意见》。") == "--03-30"


def test_copyright_footer_is_not_a_date():
    text = "5月9日，全省教育督导推进会在某某市召开。\n版权所有 © 2023-2024 某某教育网 备案号 12345678"
    assert extract_date(text) == "--05-09"


def test_related_reading_dates_are_not_the_page_date():
    text = (
        "日前，某某县召开义务教育工作会议，部署下一步工作。会议要求各校抓好落实，推动工作。\n"
        "各学校负责人参加会议。会议强调要扎实推进各项工作，确保取得实效，办好人民满意的教育。\n"
        "相关阅读\n2024-05-06 10:00 另一所学校举行开学典礼\n2024-05-07 09:00 某某区召开家长会"
    )
    assert extract_date(text) == ""


def test_a_list_year_in_the_headline_lends_no_year():
    text = "2024年义务教育优质均衡发展县名单公布\n3月20日，记者了解到，教育部近日公布了最新一批名单。"
    assert extract_date(text) == "--03-20"


def test_update_time_is_not_a_publication_date():
    text = "部省会商会议举行\n更新时间：2025-08-26 03:45:02\n2月12日，教育部与某某省在京举行部省会商会议。"
    assert extract_date(text) == "--02-12"


def test_schedule_of_a_notice_is_not_the_event():
    text = (
        "关于开展义务教育满意度调查的公告\n根据有关文件要求，现开展满意度调查。\n"
        "一、调查时间\n2025年5月6日至2025年5月9日。"
    )
    assert extract_date(text) == ""


# --- documents and papers -------------------------------------------------------------------


def test_document_is_dated_by_its_signature():
    text = (
        "某某市推进县域义务教育优质均衡发展实施细则的通知\n时间：2020-09-29\n"
        "各县区人民政府，市直各部门：\n现将实施细则印发给你们，请认真贯彻执行。\n"
        "某某市人民政府办公室\n\n2020年9月28日"
    )
    assert extract_date(text) == "2020-09-28"


def test_journal_paper_is_dated_by_its_issue_year():
    text = "县域义务教育均衡发展研究\n某某大学学报 2022年第9期\n摘要：本文研究县域义务教育均衡发展。"
    assert extract_date(text) == "2022"


def test_text_without_a_date():
    assert extract_date("推进义务教育优质均衡发展，办好人民满意的教育。") == ""
    assert extract_date("") == ""


def test_not_a_string_is_an_error_naming_the_input():
    with pytest.raises(TypeError, match="extract_date"):
        extract_date(None)  # type: ignore[arg-type]


# --- agreement figures ------------------------------------------------------------------------


def test_date_agreement_counts_exact_year_month_and_no_date():
    gold = ["2018-05-10", "2018-05-10", "--05-09", "2018", "", ""]
    pred = ["2018-05-10", "2018-05-11", "--05-10", "2018", "", "2019"]
    scores = date_agreement(gold, pred)
    assert (scores["n"], scores["n_dated"], scores["n_undated"]) == (6, 4, 2)
    assert scores["exact"] == pytest.approx(2 / 4)
    assert scores["year_month"] == pytest.approx(4 / 4)
    assert scores["no_date"] == pytest.approx(1 / 2)


def test_date_agreement_missing_year_or_month_disagrees():
    scores = date_agreement(["2018-05-10", "2018-05"], ["--05-10", "2018"])
    assert scores["year_month"] == 0


def test_date_agreement_shares_are_none_without_items():
    assert date_agreement([""], [""])["exact"] is None
    assert date_agreement(["2018"], ["2018"])["no_date"] is None


def test_date_agreement_rejects_bad_input():
    with pytest.raises(ValueError, match="2 gold dates but 1"):
        date_agreement(["", ""], [""])
    with pytest.raises(ValueError, match=r"pred\[0\].*not an ISO date"):
        date_agreement(["2018"], ["10 May 2018"])


# --- the labeled corpus ---------------------------------------------------------------------------


def test_dates_on_the_labeled_dev_corpus_and_seeds(dev_and_seed_records):
    """Floors slightly under the measured figures (dev + seeds: exact 0.929, year-month 0.942, no date 0.958).

    The rules were written while reading dev and seed errors, so these figures are optimistic;
    the held-out dev_round2.jsonl is the honest judge (README, "Dates").
    """
    rows = dev_and_seed_records
    scores = date_agreement([r["date"] for r in rows], [extract_date(r["text"]) for r in rows])
    assert scores["n_dated"] >= 150 and scores["n_undated"] >= 60
    assert scores["exact"] >= 0.90
    assert scores["year_month"] >= 0.92
    assert scores["no_date"] >= 0.92


# --- classifier evaluate and the labeled readers --------------------------------------------------


class _NoDateModel:
    """A fitted stand-in whose records carry no date: the evaluation dates the texts itself."""

    classes_ = ("supervision_visit", "symposium", "progress_qa", "other")

    def predict(self, texts):
        return [{"topic": "symposium", "region": "江苏省", "city": "", "county": ""} for _ in texts]


_LABELED = [
    ("4月13日至14日，全省义务教育优质均衡发展座谈会在某某市召开。", "--04-13"),
    ("2018年5月10日，全省教育督导工作会议在某某市召开。", "2018-05-10"),
    ("推进义务教育优质均衡发展，办好人民满意的教育。", ""),
    ("截至6月19日，全省又有十个县通过国家督导评估认定。", "2019"),  # a wrong guess: no date found
]


def _records(with_dates=True):
    rows = []
    for i, (text, date) in enumerate(_LABELED):
        rec = {"id": f"d{i}", "text": text, "topic": "symposium", "region": "江苏省"}
        if with_dates:
            rec["date"] = date
        rows.append(rec)
    return rows


def _evaluate(records):
    with warnings.catch_warnings():  # one topic only: scikit-learn warns about the confusion matrix shape
        warnings.simplefilter("ignore", UserWarning)
        return _evaluate_loud(records)


def _evaluate_loud(records):
    return evaluation.evaluate(
        _NoDateModel(), records, prefit=True, baselines=False, robustness=False, learning_curve=False, n_bootstrap=10
    )


def test_evaluate_reports_date_agreement_beside_topic_and_region():
    report = _evaluate(_records())
    date = report["date"]
    assert (date["n_dated"], date["n_undated"]) == (3, 1)
    assert date["exact"] == pytest.approx(2 / 3) and date["no_date"] == 1.0
    assert date["errors"] == [{"id": "d3", "gold": "2019", "pred": ""}]
    assert "date  : exact 0.667" in evaluation.format_summary(report)
    assert "## Date" in evaluation.format_markdown(report)


def test_evaluate_without_date_labels_has_no_date_section():
    assert _evaluate(_records(with_dates=False))["date"] is None


def test_a_bad_date_label_is_an_input_error_naming_the_record():
    records = _records()
    records[1]["date"] = "2018/5/10"
    with pytest.raises(InputError, match=r"id 'd1'.*not an ISO date"):
        _evaluate(records)


def test_the_labels_csv_of_a_folder_carries_its_date_column():
    records = read_labeled(ROOT / "seeds")
    with (ROOT / "labels" / "seeds.csv").open(encoding="utf-8", newline="") as fh:
        expected = {row["file"]: row["date"] for row in csv.DictReader(fh)}
    assert {r["id"]: r["date"] for r in records} == expected
