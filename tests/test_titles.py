"""The page's headline: rules on pages composed here, then the seeds and a sample of dev pages.

Expected titles for the seeds and dev pages were written by reading the pages; they are kept
as a short prefix and the headline's length (pages are read at run time, never copied).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.events import extract_title
from classifier.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]


# --- rules -----------------------------------------------------------------------------------


def test_heading_line_above_the_body_is_the_title():
    page = "某某县召开义务教育优质均衡发展推进会\n5月9日，某某县召开义务教育优质均衡发展推进会，各校校长参加会议。"
    assert extract_title(page) == "某某县召开义务教育优质均衡发展推进会"


def test_page_starting_with_its_body_has_no_title():
    page = "5月9日，某某县召开义务教育优质均衡发展推进会，各校校长参加会议。会议总结了上半年的工作。"
    assert extract_title(page) == ""


def test_debris_lines_are_never_titles():
    page = "\n".join(
        [
            "成人视频在线观看|国产精品免费|亚洲精品无码",  # spam links
            "首页 > 新闻中心 > 教育动态",  # breadcrumb
            "欢迎访问某某教育网！",  # site greeting
            "2018-05-10 10:04",  # a date alone
            "来源：某某日报 作者：张三",  # source and author
            "字号：大 中 小 打印 分享",  # widgets
            "某某市教育局",  # the site's owner
            "5月9日，某某市召开全市教育督导工作会议，各区教育局负责人参加会议并交流发言。",
        ]
    )
    assert extract_title(page) == ""


def test_the_longest_heading_line_is_the_title_not_its_deck():
    page = (
        "某某省义务教育均衡发展督导检查反馈会召开\n副省长出席会议并讲话\n"
        "5月9日，某某省义务教育均衡发展督导检查反馈会在某某市召开，督导组反馈了意见。"
    )
    assert extract_title(page) == "某某省义务教育均衡发展督导检查反馈会召开"


def test_site_name_suffix_and_labels_are_removed():
    assert (
        extract_title("某某区教育局召开督导工作推进会 - 某某教育网\n" + "正文" * 30 + "，。")
        == "某某区教育局召开督导工作推进会"
    )
    assert extract_title("标题：某某市人民政府关于推进教育均衡发展的通知\n" + "各区县：" * 12 + "，。") == (
        "某某市人民政府关于推进教育均衡发展的通知"
    )


def test_document_title_in_angle_brackets_loses_them():
    page = (
        "《某某市人民政府关于推进教育均衡发展的通知》\n"
        "各区县人民政府，市政府各部门：现将有关事项通知如下，请认真贯彻执行。"
    )
    assert extract_title(page) == "某某市人民政府关于推进教育均衡发展的通知"


def test_mirror_page_gives_the_title_it_wraps():
    page = "今天小编为大家带来了某某省教育厅负责人就均衡发展答记者问，希望能帮助到大家，一起来看看吧！\n问：进展如何？"
    assert extract_title(page) == "某某省教育厅负责人就均衡发展答记者问"


def test_not_a_string_is_an_error():
    with pytest.raises(TypeError, match="extract_title"):
        extract_title(b"bytes")  # type: ignore[arg-type]


# --- the seeds and dev pages ----------------------------------------------------------------

#: seed file -> (title prefix, title length); ("", 0) = the page has no headline.
SEED_TITLES = {
    "000_ad498b8498174c2f.txt": ("", 0),  # starts with its lead paragraph
    "001_e620164c51364160.txt": ("全国义务教育均衡发展推进会召开", 23),
    "002_55fffebc36ea07dd.txt": ("本市对徐汇区开展学前教育", 33),
    "003_536e830423d99762.txt": ("湖南省基础教育优质均衡发展", 18),
}

#: dev id -> (title prefix, title length)
DEV_TITLES = {
    "d10ee1b7d704": ("", 0),
    "27fa02bd68d7": ("", 0),
    "9c2a4eb2f859": ("", 0),
    "d020e5e3f787": ("黑龙江省全面通过国家义务", 30),
    "c78ddbc7b334": ("新疆维吾尔自治区12个县", 31),
    "e50afd3919fa": ("福建省人大常委会专题询问", 20),
    "abe3fc6acc25": ("赵克志:用“两个五年”", 21),
    "0d9ab1b54d8e": ("潍坊建设516处", 14),
    "02473ea5f78a": ("南川区教委召开创建国家", 28),
    "6cc558af17b4": ("免费学前教育政策预计今秋", 21),
    "bd0854579eda": ("贫困地区农村学前教育专题", 22),
    "89eb98e70a86": ("努力提高教育督导水平", 10),
    "ac46b4ca0c47": ("义务教育均衡发展评估宁波市", 27),
    "25c929cfc34c": ("市教育局举办2019年上半年", 21),
    "059541182ea7": ("吉林全省整体实现县域", 18),
    "30de49bdafea": ("邕宁区推进义务教育", 13),
    "d902f815cd5a": ("陕西省安排部署国家义务", 24),
    "b0ee07ebe75f": ("省专家组来滨调研评估", 22),
}


@pytest.mark.parametrize("name", sorted(SEED_TITLES))
def test_seed_titles(name):
    prefix, length = SEED_TITLES[name]
    title = extract_title(normalize((ROOT / "seeds" / name).read_text(encoding="utf-8")))
    assert title.startswith(prefix) and len(title) == length, title


def test_seed_mirror_page_title_is_the_title_it_wraps():
    # Seed 004 is a mirror copy whose first line wraps the headline in "小编为大家…希望能帮助到大家"
    # (the scrape lost a few characters of its start).
    title = extract_title(normalize((ROOT / "seeds" / "004_e53659063369475d.txt").read_text(encoding="utf-8")))
    assert title.endswith("答记者问") and "备忘录进展情况" in title


def test_dev_page_titles(corpus_path):
    texts = {}
    for line in corpus_path.open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["id"] in DEV_TITLES:
            texts[rec["id"]] = rec["text"]
    assert set(texts) == set(DEV_TITLES)
    wrong = []
    for id_, (prefix, length) in DEV_TITLES.items():
        title = extract_title(normalize(texts[id_]))
        if not (title.startswith(prefix) and len(title) == length):
            wrong.append((id_, title))
    assert not wrong
