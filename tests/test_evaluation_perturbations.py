"""The evaluation harness: the robustness perturbations and the keyword-rule baseline."""

from __future__ import annotations

from test_evaluation import _corpus

from classifier import evaluation as ev
from classifier.labels import NATIONAL
from classifier.normalize import normalize

# ------------------------------------------------------------------ perturbations


def test_to_traditional_changes_the_script_and_normalises_back():
    text = "国家教育督导检查组对义务教育发展基本均衡县进行了督导检查。"
    trad = ev.to_traditional(text)
    assert trad != text and "國家" in trad
    assert normalize(trad) == normalize(text)


def test_insert_pinyin_pastes_glosses_after_characters_deterministically():
    text = "义务教育学校督导评估"
    glossed = ev.insert_pinyin(text, rate=1.0)
    assert glossed.startswith("义(yì)务(wù)教(jiào)育(yù)")
    assert ev.insert_pinyin(text, rate=0.5, seed=1) == ev.insert_pinyin(text, rate=0.5, seed=1)
    assert ev.insert_pinyin(text, rate=0.0) == text


def test_pinyin_glosses_have_the_scraped_form_that_normalising_removes():
    text = "國家教育督導評估組到縣裏檢查義務教育學校。"
    glossed = ev.insert_pinyin(text, rate=1.0)
    assert glossed != text and "(dū)" in glossed
    assert normalize(glossed) == normalize(text)


def test_prepend_spam_puts_link_lines_before_the_text():
    out = ev.prepend_spam("正文第一句。", n_lines=3, seed=2)
    lines = out.split("\n")
    assert lines[-1] == "正文第一句。" and len(lines) == 4
    assert all("example" in line for line in lines[:3])
    assert out == ev.prepend_spam("正文第一句。", n_lines=3, seed=2)


def test_append_footers_adds_related_reading_and_copyright_after_the_text():
    out = ev.append_footers("正文。")
    assert out.startswith("正文。") and "相关阅读" in out and "版权所有" in out and "ICP" in out


def test_truncate_keeps_the_first_300_characters():
    text = "教" * 500
    assert ev.truncate(text) == "教" * 300
    assert ev.truncate("短") == "短"


def test_gbk_roundtrip_returns_the_same_text():
    text = "湖南省娄底市双峰县召开义务教育优质均衡发展座谈会。" * 3
    assert ev.gbk_roundtrip(text) == text


def test_every_perturbation_is_deterministic():
    text = _corpus(1)[0]["text"]
    for name, fn in ev.PERTURBATIONS.items():
        assert fn(text) == fn(text), name


# ------------------------------------------------------------------ baselines


def test_keyword_rules_follow_labeling_precedence_and_count_provinces():
    assert ev.keyword_rules("教育部新闻发布会答记者问：督导评估座谈会")["topic"] == "progress_qa"
    assert ev.keyword_rules("督导组在座谈会上反馈意见")["topic"] == "supervision_visit"
    assert ev.keyword_rules("召开研讨会")["topic"] == "symposium"
    assert ev.keyword_rules("印发通知")["topic"] == "other"
    assert ev.keyword_rules("广西南宁与广西柳州，云南")["region"] == "广西壮族自治区"
    assert ev.keyword_rules("没有地名")["region"] == NATIONAL
